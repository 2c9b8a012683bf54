package refine

import (
	goast "go/ast"
	"go/parser"
	"go/token"
	"testing"

	"github.com/difgen/difgen/ast"
)

// TestFieldInsertion checks where and how the field's line goes, and
// that the edits only insert.
func TestFieldInsertion(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{ // aligned: the other fields move over, by inserted spaces
			"Timeout",
			"package a\n\ntype T struct {\n\tA int\n\tB string\n}\n",
			"package a\n\ntype T struct {\n\tA       int\n\tB       string\n\tTimeout int\n}\n",
		},
		{ // a shorter name takes the column as it is
			"N",
			"package a\n\ntype T struct {\n\tName  string // n\n\tValue int    // v\n}\n",
			"package a\n\ntype T struct {\n\tName  string // n\n\tValue int    // v\n\tN     int\n}\n",
		},
		{
			"Timeout",
			"package a\n\ntype T struct {\n}\n",
			"package a\n\ntype T struct {\n\tTimeout int\n}\n",
		},
		{
			"Timeout",
			"package a\n\ntype T struct{}\n",
			"package a\n\ntype T struct{ Timeout int }\n",
		},
		{
			"Timeout",
			"package a\n\ntype T struct{ A int }\n",
			"package a\n\ntype T struct{ A int }\n", // left alone: gofmt would break it over lines
		},
		{ // not gofmt-clean: the line alone, nothing else touched
			"Timeout",
			"package a\n\ntype T struct {\n    A int\n}\n",
			"package a\n\ntype T struct {\n    A int\n    Timeout int\n}\n",
		},
	} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "a.go", tc.in, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		st := f.Decls[0].(*goast.GenDecl).Specs[0].(*goast.TypeSpec).Type.(*goast.StructType)
		es := fieldInsertion(tc.in, fset, st, tc.name, "int")
		for _, e := range es {
			if e.Start != e.End {
				t.Errorf("%q: edit %+v replaces text", tc.in, e)
			}
		}
		got, err := ast.Apply(tc.in, es)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("in:\n%s\ngot:\n%s\nwant:\n%s", tc.in, got, tc.want)
		}
	}
}
