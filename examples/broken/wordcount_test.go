package wordcount

import (
	"slices"
	"testing"
)

func TestCount(t *testing.T) {
	got := Count("the cat and The dog")
	if got["the"] != 2 || got["cat"] != 1 || len(got) != 4 {
		t.Errorf("Count = %v", got)
	}
}

func TestTop(t *testing.T) {
	w, n, err := Top(Count("b a b a c"))
	if err != nil || w != "a" || n != 2 {
		t.Errorf("Top = %q, %d, %v; want \"a\", 2, nil", w, n, err)
	}
	if _, _, err := Top(nil); err == nil {
		t.Error("Top(nil) succeeded")
	}
}

func TestWords(t *testing.T) {
	if got := Words(Count("b a b")); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Words = %v", got)
	}
}
