package ast

import "testing"

func TestPosition(t *testing.T) {
	const text = "ab\ncde\n\nf"
	for _, tc := range []struct {
		line, col, off int
		ok             bool
	}{
		{1, 1, 0, true}, {1, 3, 2, true}, {2, 1, 3, true}, {2, 4, 6, true}, {3, 1, 7, true}, {4, 1, 8, true}, {4, 2, 9, true},
		{1, 9, 2, false}, // past the line's end: its end
		{7, 1, 9, false}, // past the text
		{0, 1, 0, false},
	} {
		off, ok := Offset(text, tc.line, tc.col)
		if off != tc.off || ok != tc.ok {
			t.Errorf("Offset(%d:%d) = %d, %v; want %d, %v", tc.line, tc.col, off, ok, tc.off, tc.ok)
		}
		if tc.ok {
			if l, c := LineCol(text, off); l != tc.line || c != tc.col {
				t.Errorf("LineCol(%d) = %d:%d, want %d:%d", off, l, c, tc.line, tc.col)
			}
		}
	}
	if got := Position("a.go", text, 4); got != "a.go:2:2" {
		t.Errorf("Position = %s", got)
	}
}
