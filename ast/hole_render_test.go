package ast

import (
	goast "go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

func TestRenderUserHoles(t *testing.T) {
	src := `package p

func f(a int) int {
	if __ {
		__
	}
	switch a {
	case 1:
		__("log it")
	}
	return __ + 1
}

func g() int { panic("TODO") }

func h() {
	go func() { __ }()
}
`
	want := `package p

func f(a int) int {
	if __difgen_hole_1__ {
		__difgen_hole_2__()
	}
	switch a {
	case 1:
		__difgen_hole_3__()
	}
	return __difgen_hole_4__ + 1
}

func g() int {
	__difgen_hole_5__()
}

func h() {
	go func() {
		__difgen_hole_6__()
	}()
}
`
	holes, err := FindHoles("/m/p.go", src)
	if err != nil {
		t.Fatal(err)
	}
	cv := NewCanvas("/m", NewFile("/m/p.go", src), NewFile("/m/q.go", "package p\n"))
	out, err := Render(cv, holes)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Errorf("rendered %d files, want 1", len(out))
	}
	if out["/m/p.go"] != want {
		t.Errorf("got\n%s\nwant\n%s", out["/m/p.go"], want)
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "p.go", out["/m/p.go"], 0); err != nil {
		t.Error(err)
	}
}

func TestRenderLayouts(t *testing.T) {
	f, fset := parseSrc(t, maskSrc)
	span := func(after, sub string) *Hole {
		s, e := span(t, maskSrc, after, sub)
		return Smallest(f, fset, maskSrc, s, e)
	}
	tests := []struct {
		name string
		hole *Hole
		want string
	}{
		{"block", span("if n == 0 {", "return 0"), "if n == 0 {\n\t\t__difgen_hole_1__()\n\t}"},
		{"if body", MaskNode(f, fset, maskSrc, f.Decls[1].(*goast.FuncDecl).Body.List[1].(*goast.IfStmt).Body), "if n == 0 {\n\t\t__difgen_hole_1__()\n\t}"},
		{"case body", span("case n > 1:", "\n\t\tn"), "case n > 1:\n\t\t__difgen_hole_1__()\n\t}"},
		{"function literal body", span("return x", "x > 0"), "f := func(x int) bool { return __difgen_hole_1__ }"},
		{"insertion", StmtInsertion(f, fset, maskSrc, strings.Index(maskSrc, "_ = f")), "\t__difgen_hole_1__()\n\t_ = f"},
		{"empty body", StmtInsertion(f, fset, maskSrc, strings.Index(maskSrc, "{}")+1), "func h() {\n\t__difgen_hole_1__()\n}"},
	}
	for _, tt := range tests {
		tt.hole.ID = 1
		out, err := Render(NewCanvas("/m", NewFile("/m/p.go", maskSrc)), []*Hole{tt.hole})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out["/m/p.go"], tt.want) {
			t.Errorf("%s: rendered text lacks %q:\n%s", tt.name, tt.want, out["/m/p.go"])
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "p.go", out["/m/p.go"], 0); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	src := "package p\n\nvar v = f(1, 2)\n"
	cv := NewCanvas("/m", NewFile("/m/p.go", src))
	a := &Hole{ID: 1, File: "/m/p.go", Start: strings.Index(src, "f("), End: strings.Index(src, ")") + 1, Kind: Expr}
	b := &Hole{ID: 2, File: "/m/p.go", Start: strings.Index(src, "2"), End: strings.Index(src, "2") + 1, Kind: Expr}
	if _, err := Render(cv, []*Hole{a, b}); err == nil || err.Error() != "render: /m/p.go:3:14: hole 2 overlaps hole 1" {
		t.Errorf("overlap: err = %v", err)
	}
	if _, err := Render(cv, []*Hole{{ID: 1, File: "/m/x.go"}}); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := Render(cv, []*Hole{{ID: 1, File: "/m/p.go", Start: 5, End: 500}}); err == nil {
		t.Error("out of range: no error")
	}
	// Adjacent holes and an insertion at a hole's end do not overlap; a
	// space keeps adjacent placeholders apart.
	c := &Hole{ID: 3, File: "/m/p.go", Start: b.End, End: b.End, Kind: Expr}
	one := &Hole{ID: 4, File: "/m/p.go", Start: strings.Index(src, "1"), End: strings.Index(src, "1") + 1, Kind: Expr}
	out, err := Render(cv, []*Hole{b, c, one})
	if err != nil {
		t.Fatal(err)
	}
	if want := "var v = f(__difgen_hole_4__, __difgen_hole_2__ __difgen_hole_3__)"; !strings.Contains(out["/m/p.go"], want) {
		t.Errorf("got %q", out["/m/p.go"])
	}
}

func TestIndentFill(t *testing.T) {
	src := "package p\n\nfunc f() {\n\tif true {\n\t\tx()\n\t}\n\treturn(1)\n}\n"
	tests := []struct {
		name string
		h    Hole
		fill string
		want string
	}{
		{"statement, dedented", Hole{Kind: Stmts, Start: strings.Index(src, "x()"), End: strings.Index(src, "x()") + 3},
			"\n\t\t\ta := 1\n\t\t\tif a > 0 {\n\t\t\t\ty()\n\t\t\t}\n",
			"\t\ta := 1\n\t\tif a > 0 {\n\t\t\ty()\n\t\t}\n\t}"},
		{"word boundary", Hole{Kind: Expr, Start: strings.Index(src, "(1)"), End: strings.Index(src, "(1)") + 3}, "x", "return x\n"},
		{"empty statement fill", Hole{Kind: Stmts, Start: strings.Index(src, "x()"), End: strings.Index(src, "x()") + 3}, "", "{\n\t\t\n\t}"},
	}
	for _, tt := range tests {
		out, err := Apply(src, []Edit{IndentFill(src, &tt.h, tt.fill)})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, tt.want) {
			t.Errorf("%s: got\n%s\nwant it to contain\n%s", tt.name, out, tt.want)
		}
	}
}
