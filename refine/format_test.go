package refine

import "testing"

func TestFormatEdit(t *testing.T) {
	// The user's file is not gofmt-clean (line 4); the fill on line 7 is
	// formatted and line 4 is left alone.
	old := "package p\n\nfunc f() int {\n    x := 1\n\treturn x\n}\n\nfunc g(s *S) int {\n\treturn __\n}\n"
	src := "package p\n\nfunc f() int {\n    x := 1\n\treturn x\n}\n\nfunc g(s *S) int {\n\treturn s.f . n+1\n}\n"
	want := "package p\n\nfunc f() int {\n    x := 1\n\treturn x\n}\n\nfunc g(s *S) int {\n\treturn s.f.n + 1\n}\n"
	if got := formatEdit(old, src, false); got != want {
		t.Errorf("formatEdit:\n%s\nwant:\n%s", got, want)
	}
	// A gofmt-clean file is formatted whole.
	old = "package p\n\nfunc g() int {\n\treturn __\n}\n"
	src = "package p\n\nfunc g() int {\n\treturn 1+ 2\n}\n"
	if got, want := formatEdit(old, src, true), "package p\n\nfunc g() int {\n\treturn 1 + 2\n}\n"; got != want {
		t.Errorf("formatEdit of a clean file: %q, want %q", got, want)
	}
	// Text that does not parse is returned as it is.
	if got := formatEdit(old, "package p\nfunc (\n", false); got != "package p\nfunc (\n" {
		t.Errorf("formatEdit of a syntax error changed it: %q", got)
	}
}
