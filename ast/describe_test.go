package ast

import (
	goast "go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	src := `package p

import "strings"

type T struct {
	A int
	B string
}

const Max = 10

func Index(s, sep string) int {
	n := len(sep)
	var ok bool = __
	if __ {
		n = __
	}
	parts := strings.Split(__, sep)
	t := T{B: __}
	u := []T{{1, __}}
	m := map[string]int{__: 1}
	ch := make(chan error)
	ch <- __
	_ = s[__]
	_, _, _, _ = ok, t, u, m
	switch n {
	case __:
	}
	strings.Join(parts, sep)
	f := func(x int) bool { return __ }
	_ = f
	late := 1
	_ = late
	return n + __
}

func g() { __ }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "/m/p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{
		Types:  make(map[goast.Expr]types.TypeAndValue),
		Defs:   make(map[*goast.Ident]types.Object),
		Uses:   make(map[*goast.Ident]types.Object),
		Scopes: make(map[goast.Node]*types.Scope),
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil), Error: func(error) {}}
	pkg, _ := conf.Check("p", fset, []*goast.File{f}, info)

	holes, err := FindHoles("/m/p.go", src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bool", "bool", "int", "string", "string", "string", "string", "error", "int", "int", "bool", "int", ""}
	if len(holes) != len(want) {
		t.Fatalf("%d holes, want %d", len(holes), len(want))
	}
	for i, h := range holes {
		Describe(h, fset, f, pkg, info)
		if h.ExpectedType != want[i] {
			line := strings.Count(src[:h.Start], "\n") + 1
			t.Errorf("hole %d (line %d): ExpectedType %q, want %q", h.ID, line, h.ExpectedType, want[i])
		}
	}

	h := holes[2] // n = __
	if h.Signature != "func Index(s, sep string) int" {
		t.Errorf("Signature %q", h.Signature)
	}
	wantScope := []string{"ok bool", "n int", "sep string", "s string", "strings package", "Index func(s string, sep string) int", "Max untyped int", "T type", "g func()"}
	if !slices.Equal(h.Scope, wantScope) {
		t.Errorf("Scope\n%q\nwant\n%q", h.Scope, wantScope)
	}
	lit := holes[10] // in the function literal
	if lit.Signature != "func(x int) bool" || lit.Scope[0] != "x int" || slices.Contains(lit.Scope, "late int") {
		t.Errorf("literal: Signature %q, Scope %q", lit.Signature, lit.Scope)
	}
	last := holes[12]
	if last.Kind != Body || last.Signature != "func g()" || last.ExpectedType != "" {
		t.Errorf("body: %+v", last)
	}
}
