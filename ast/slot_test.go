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
	slots := make([]*Slot, len(holes))
	for i, h := range holes {
		slots[i] = Describe(h, fset, f, pkg, info)
		if got := slots[i].ExpectedString(); got != want[i] {
			line := strings.Count(src[:h.Start], "\n") + 1
			t.Errorf("hole %d (line %d): expected type %q, want %q", h.ID, line, got, want[i])
		}
	}

	s := slots[2] // n = __
	if s.Func != "func Index(s, sep string) int" || s.Signature == nil || s.Signature.Params().Len() != 2 {
		t.Errorf("Func %q, Signature %v", s.Func, s.Signature)
	}
	wantScope := []string{"ok bool", "n int", "sep string", "s string", "strings package", "Index func(s string, sep string) int", "Max untyped int", "T type", "g func()"}
	if got := s.ScopeStrings(); !slices.Equal(got, wantScope) {
		t.Errorf("Scope\n%q\nwant\n%q", got, wantScope)
	}
	if want := "expected type: int\nenclosing function: func Index(s, sep string) int\nin scope: " + strings.Join(wantScope, ", "); s.String() != want {
		t.Errorf("String() = %q, want %q", s.String(), want)
	}
	lit := slots[10] // in the function literal
	if ls := lit.ScopeStrings(); lit.Func != "func(x int) bool" || ls[0] != "x int" || slices.Contains(ls, "late int") {
		t.Errorf("literal: Func %q, Scope %q", lit.Func, ls)
	}
	last := slots[12]
	if holes[12].Kind != Body || last.Func != "func g()" || last.Expected != nil {
		t.Errorf("body: %+v", last)
	}
}

// TestSlotRole checks what the syntax at an identifier hole does.
func TestSlotRole(t *testing.T) {
	src := `package p

type T struct{ A int }

func f(x int) {
	var __ int
	var y __
	_ = y
	_ = x + __
	_ = T{}.__
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "/m/p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{
		Types: make(map[goast.Expr]types.TypeAndValue),
		Defs:  make(map[*goast.Ident]types.Object),
		Uses:  make(map[*goast.Ident]types.Object),
	}
	pkg, _ := (&types.Config{Error: func(error) {}}).Check("p", fset, []*goast.File{f}, info)
	want := []SlotRole{RoleDecl, RoleType, RoleValue, RoleValue}
	var got []SlotRole
	for i := 0; ; {
		j := strings.Index(src[i:], "__")
		if j < 0 {
			break
		}
		h := &Hole{File: "/m/p.go", Start: i + j, End: i + j + 2, Kind: Ident}
		got = append(got, Describe(h, fset, f, pkg, info).Role)
		i += j + 2
	}
	if !slices.Equal(got, want) {
		t.Errorf("roles %v, want %v", got, want)
	}
}
