package ast

import (
	"go/token"
	"testing"
)

func TestLex(t *testing.T) {
	src := "x := a[i] // c\nreturn \"s\", nil\n"
	var got []string
	for _, l := range Lex(src) {
		if src[l.Off:l.End] != l.Text {
			t.Errorf("%v: span holds %q", l, src[l.Off:l.End])
		}
		got = append(got, l.Text)
	}
	want := []string{"x", ":=", "a", "[", "i", "]", "return", `"s"`, ",", "nil"}
	if len(got) != len(want) {
		t.Fatalf("Lex = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Lex = %q, want %q", got, want)
		}
	}
	if l := Lex("a; b"); len(l) != 3 || l[1].Tok != token.SEMICOLON {
		t.Errorf("a written semicolon is a lexeme: %v", l)
	}
}
