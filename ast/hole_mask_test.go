package ast

import (
	goast "go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

const maskSrc = `package p

import "strings"

func Index(s, sep string) int {
	n := len(sep)
	if n == 0 {
		return 0
	}
	for i := 0; i+n <= len(s); i++ {
		if s[i:i+n] == sep {
			return i
		}
	}
	switch {
	case n > 1:
		n--
	}
	f := func(x int) bool { return x > 0 }
	_ = f
	return strings.Count(s, sep) - 1
}

func g() int { return 1 }

func h() {}
`

func parseSrc(t testing.TB, src string) (*goast.File, *token.FileSet) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "/m/p.go", src, parser.SkipObjectResolution|parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	return f, fset
}

// span returns the span of the first occurrence of sub in src after the
// first occurrence of after.
func span(t testing.TB, src, after, sub string) (int, int) {
	t.Helper()
	base := strings.Index(src, after)
	i := strings.Index(src[base:], sub)
	if base < 0 || i < 0 {
		t.Fatalf("%q after %q not found", sub, after)
	}
	return base + i, base + i + len(sub)
}

func TestSmallest(t *testing.T) {
	f, fset := parseSrc(t, maskSrc)
	tests := []struct {
		after, sub string
		zero       bool   // a zero-width range at the start of sub
		want       string // "kind|original", or "" for nil
	}{
		{"len(", "sep", false, "ident|sep"},
		{"n := ", "len(sep", false, "expr|len(sep)"},
		{"n ", ":=", true, "stmts|n := len(sep)"},
		{"for ", "i := 0", false, "stmts|for i := 0; i+n <= len(s); i++ {\n\t\tif s[i:i+n] == sep {\n\t\t\treturn i\n\t\t}\n\t}"},
		{"n == 0 ", "{", false, "stmts|if n == 0 {\n\t\treturn 0\n\t}"},
		{"n == 0 {", "return 0", false, "stmts|return 0"},
		{"return x", " > ", false, "expr|x > 0"},
		{"switch", "case n > 1:\n\t\tn--", false, "stmts|switch {\n\tcase n > 1:\n\t\tn--\n\t}"},
		{"case n > 1:", "n--", false, "stmts|n--"},
		{"case n > 1:", "\n\t\tn", false, "stmts|\n\t\tn--"},
		{"import", `"strings"`, false, ""},
		{"func ", "Index", false, "ident|Index"},
		{"n := len(sep)", "\n\tif", false, "body|" + maskSrc[strings.Index(maskSrc, "int {")+5:strings.Index(maskSrc, "}\n\nfunc g")]},
		{"func h() {", "}", true, "body|"},
	}
	for _, tt := range tests {
		start, end := span(t, maskSrc, tt.after, tt.sub)
		if tt.zero {
			end = start
		}
		h := Smallest(f, fset, maskSrc, start, end)
		got := ""
		if h != nil {
			got = h.Kind.String() + "|" + h.Original
			if h.File != "/m/p.go" || h.Original != maskSrc[h.Start:h.End] {
				t.Errorf("%q: bad hole %+v", tt.sub, h)
			}
		}
		if got != tt.want {
			t.Errorf("Smallest(%q after %q) = %q, want %q", tt.sub, tt.after, got, tt.want)
		}
	}
}

func TestWiden(t *testing.T) {
	f, fset := parseSrc(t, maskSrc)
	body := maskSrc[strings.Index(maskSrc, "int {")+5 : strings.Index(maskSrc, "}\n\nfunc g")]
	tests := []struct {
		after, sub string
		want       []string
	}{
		{"len(", "sep", []string{"ident|sep", "expr|len(sep)", "stmts|n := len(sep)", "body|" + body}},
		{"if s", "s", []string{"ident|s", "expr|s[i:i+n]", "expr|s[i:i+n] == sep",
			"stmts|if s[i:i+n] == sep {\n\t\t\treturn i\n\t\t}",
			"stmts|\n\t\tif s[i:i+n] == sep {\n\t\t\treturn i\n\t\t}\n\t",
			"stmts|for i := 0; i+n <= len(s); i++ {\n\t\tif s[i:i+n] == sep {\n\t\t\treturn i\n\t\t}\n\t}",
			"body|" + body}},
		{"return x", "x", []string{"ident|x", "expr|x > 0", "stmts|return x > 0", "body| return x > 0 ",
			"expr|func(x int) bool { return x > 0 }", "stmts|f := func(x int) bool { return x > 0 }", "body|" + body}},
		{"_ = f\n\treturn ", "strings.Count(s, sep)", []string{"expr|strings.Count(s, sep)",
			"expr|strings.Count(s, sep) - 1", "stmts|return strings.Count(s, sep) - 1", "body|" + body}},
		{"func g", "g", []string{"ident|g"}},
	}
	for _, tt := range tests {
		start, end := span(t, maskSrc, tt.after, tt.sub)
		h := Smallest(f, fset, maskSrc, start, end)
		var got []string
		for ok := h != nil; ok; h, ok = Widen(f, fset, maskSrc, h) {
			got = append(got, h.Kind.String()+"|"+h.Original)
			if len(got) > 20 {
				t.Fatal("Widen does not stop")
			}
		}
		if strings.Join(got, "\n--\n") != strings.Join(tt.want, "\n--\n") {
			t.Errorf("widening %q:\ngot  %q\nwant %q", tt.sub, got, tt.want)
		}
	}
}

// TestWidenFilled widens a hole that has since been filled with text of
// another length: the span is what the caller passes, not Original.
func TestWidenFilled(t *testing.T) {
	start, end := span(t, maskSrc, "n := ", "len(sep)")
	h := &Hole{File: "/m/p.go", Start: start, End: end, Kind: Expr, Original: "len(sep)"}
	fill := "utf8.RuneCountInString(sep)"
	src, err := Apply(maskSrc, []Edit{h.Fill(fill)})
	if err != nil {
		t.Fatal(err)
	}
	h.End = h.Start + len(fill)
	f, fset := parseSrc(t, src)
	w, ok := Widen(f, fset, src, h)
	if !ok || w.Kind != Stmts || w.Original != "n := "+fill {
		t.Fatalf("Widen = %+v, %v", w, ok)
	}

	// A fill that does not parse: the partial syntax still widens.
	src, _ = Apply(maskSrc, []Edit{{Start: start, End: end, New: "len(sep))"}})
	f, _ = parser.ParseFile(fset, "/m/q.go", src, parser.SkipObjectResolution)
	h.End = h.Start + len("len(sep))")
	if w, ok := Widen(f, fset, src, h); ok && !w.contains(h.Start, h.End) {
		t.Errorf("Widen of broken text = %+v, not containing the hole", w)
	}
}

func TestMaskNode(t *testing.T) {
	f, fset := parseSrc(t, maskSrc)
	var ifStmt *goast.IfStmt
	var sw *goast.SwitchStmt
	var call *goast.CallExpr
	goast.Inspect(f, func(n goast.Node) bool {
		switch n := n.(type) {
		case *goast.IfStmt:
			if ifStmt == nil {
				ifStmt = n
			}
		case *goast.SwitchStmt:
			sw = n
		case *goast.CallExpr:
			if call == nil {
				call = n
			}
		}
		return true
	})
	for _, tt := range []struct {
		n    goast.Node
		want string
	}{
		{ifStmt, "stmts|if n == 0 {\n\t\treturn 0\n\t}"},
		{ifStmt.Body, "stmts|\n\t\treturn 0\n\t"},
		{sw.Body, "stmts|switch {\n\tcase n > 1:\n\t\tn--\n\t}"},
		{call, "expr|len(sep)"},
		{f.Decls[1], ""},
		{f.Decls[1].(*goast.FuncDecl).Type, ""},
		{f.Decls[1].(*goast.FuncDecl).Type.Params.List[0].Type, "ident|string"},
		{&goast.Ident{Name: "x"}, ""},
	} {
		got := ""
		if h := MaskNode(f, fset, maskSrc, tt.n); h != nil {
			got = h.Kind.String() + "|" + h.Original
		}
		if got != tt.want {
			t.Errorf("MaskNode(%T) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestStmtInsertion(t *testing.T) {
	f, fset := parseSrc(t, maskSrc)
	lastBrace := strings.Index(maskSrc, "}\n\nfunc g")
	tests := []struct {
		name string
		off  int
		fill string
		want string // the text around the insertion after the fill
	}{
		{"missing return", lastBrace, "return -1", "\treturn strings.Count(s, sep) - 1\n\treturn -1\n}\n\nfunc g"},
		{"inside a statement", strings.Index(maskSrc, "return 0") + 7, "println()\nprintln()", "{\n\t\tprintln()\n\t\tprintln()\n\t\treturn 0\n"},
		{"one-line body", strings.Index(maskSrc, "1 }") + 2, "println()", "{ return 1 \n\tprintln()\n}"},
		{"empty body", strings.Index(maskSrc, "{}") + 1, "println()", "func h() {\n\tprintln()\n}"},
	}
	for _, tt := range tests {
		h := StmtInsertion(f, fset, maskSrc, tt.off)
		if h == nil || h.Start != h.End || h.Kind != Stmts || h.Original != "" {
			t.Fatalf("%s: StmtInsertion = %+v", tt.name, h)
		}
		out, err := Apply(maskSrc, []Edit{IndentFill(maskSrc, h, tt.fill)})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, tt.want) {
			t.Errorf("%s: result lacks %q:\n%s", tt.name, tt.want, out)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "p.go", out, 0); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// A name of a local var declaration widens to its statement; a top-level
// declaration's does not widen at all.
func TestWidenLocalVar(t *testing.T) {
	const src = "package p\n\nvar top int\n\nfunc f() int {\n\tvar i int\n\ti = 0\n\treturn 1\n}\n"
	f, fset := parseSrc(t, src)
	start := strings.Index(src, "var i") + 4
	h := Smallest(f, fset, src, start, start+1)
	w, ok := Widen(f, fset, src, h)
	if !ok || w.Kind != Stmts || w.Original != "var i int" {
		t.Fatalf("Widen(i) = %+v, %v; want the statement var i int", w, ok)
	}
	start = strings.Index(src, "top")
	h = Smallest(f, fset, src, start, start+3)
	if w, ok := Widen(f, fset, src, h); ok {
		t.Fatalf("Widen(top) = %+v; want none", w)
	}
}
