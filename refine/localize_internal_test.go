package refine

import (
	"reflect"
	"strings"
	"testing"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/diag"
)

func TestCalledFirst(t *testing.T) {
	const lib = `package a

func helper(x int) int {
	return x * 2
}

func Scale(x int) int {
	return helper(x) + 1
}

func Other() int { return 3 }
`
	const test = `package a

import "testing"

func TestScale(t *testing.T) {
	if Scale(1) != 2 {
		t.Fail()
	}
}
`
	cv := ast.NewCanvas("/p", ast.NewFile("/p/a.go", lib), ast.NewFile("/p/a_test.go", test))
	get := func(name string) *parsed { return parse(cv.File(name)) }
	block := func(s string) constraints.Suspect {
		i := strings.Index(lib, s)
		return constraints.Suspect{File: "/p/a.go", Start: i, End: i + len(s), Score: 1}
	}
	helperBlock, scaleBlock, other := block("return x * 2"), block("return helper(x) + 1"), block("return 3")
	other.Score = 2
	got := calledFirst(&state{cv: cv}, get, []constraints.Suspect{other, helperBlock, scaleBlock}, []constraints.Finding{{Category: constraints.Tests, Code: diag.TestFailed, Test: "TestScale", Message: "TestScale failed: "}})
	want := []constraints.Suspect{other, scaleBlock, helperBlock} // a higher score stays first
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("calledFirst = %+v,\nwant %+v", got, want)
		}
	}
	// No failing test names a function: the order is kept.
	got = calledFirst(&state{cv: cv}, get, []constraints.Suspect{helperBlock, scaleBlock}, []constraints.Finding{{Category: constraints.Tests, Code: diag.TestFailed, Test: "TestNone", Message: "TestNone failed: "}})
	if !reflect.DeepEqual(got[0], helperBlock) {
		t.Errorf("without a called function the order changed: %+v", got)
	}
}

// TestLocalizeShadows checks that the findings that are shadows of
// another wait: those of test files while the package's own files have
// hard errors, and undefined names where an import could not be loaded
// (the dot import of a package that imports the broken one, as on
// cosmos/gogoproto's proto after x/exp's SortFunc change).
func TestLocalizeShadows(t *testing.T) {
	const lib = `package a

func F() int { return gone() }
`
	const test = `package a_test

import (
	. "example.com/a/helper"
)

var x = Helper
`
	const test2 = `package a_test

var y = Other
`
	cv := ast.NewCanvas("/p", ast.NewFile("/p/a.go", lib), ast.NewFile("/p/a_test.go", test), ast.NewFile("/p/b_test.go", test2))
	at := func(file, src, s string, f constraints.Finding) constraints.Finding {
		i := strings.Index(src, s)
		f.File, f.Start, f.End, f.Category = file, i, i+len(s), constraints.Types
		return f
	}
	undefGone := at("/p/a.go", lib, "gone", constraints.Finding{Code: diag.UndeclaredName, Message: "undefined: gone"})
	broken := at("/p/a_test.go", test, `"example.com/a/helper"`, constraints.Finding{Code: diag.BrokenImport, Message: "could not import example.com/a/helper"})
	undefHelper := at("/p/a_test.go", test, "Helper", constraints.Finding{Code: diag.UndeclaredName, Message: "undefined: Helper"})
	undefOther := at("/p/b_test.go", test2, "Other", constraints.Finding{Code: diag.UndeclaredName, Message: "undefined: Other"})
	files := func(ts []target) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.hole.File+": "+t.hole.Original)
		}
		return out
	}
	r := &run{opts: Options{MaxHoles: 8}, widen: map[string]int{}, logf: func(string, ...any) {}, userHoles: map[ast.Hash][]*ast.Hole{}}
	all := []constraints.Finding{undefGone, broken, undefHelper, undefOther}
	got := files(r.localize(&state{cv: cv, rep: &constraints.Report{Findings: all}}, nil))
	if len(got) != 1 || got[0] != "/p/a.go: gone" {
		t.Errorf("with an error in a.go, holes %q; want only a.go's gone", got)
	}
	// a.go fixed: the import is still broken, the undefined names wait
	// (in b_test.go too, where go/types does not report the import).
	got = files(r.localize(&state{cv: cv, rep: &constraints.Report{Findings: all[1:]}}, nil))
	for _, h := range got {
		if strings.Contains(h, "Helper") || strings.Contains(h, "Other") {
			t.Errorf("holes %q: an undefined name of a package whose import failed", got)
		}
	}
	// Without the broken import, they are holes.
	got = files(r.localize(&state{cv: cv, rep: &constraints.Report{Findings: all[2:]}}, nil))
	if len(got) != 2 {
		t.Errorf("holes %q; want Helper and Other", got)
	}
}

func TestTrimLines(t *testing.T) {
	old := "\ta := 1\n\tvar b := 2\n\treturn a + b"
	now := "\ta := 1\n\tvar b = 2\n\treturn a + b"
	c := trimLines(Change{Start: 10, End: 10 + len(now), Old: old, New: now})
	if c.Old != "\tvar b := 2" || c.New != "\tvar b = 2" || c.Start != 10+len("\ta := 1\n") || c.End != c.Start+len(c.New) {
		t.Errorf("trimLines = %+v", c)
	}
}
