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
