package constraints_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
)

// TestCheckVariants is the differential test of candidate schemata: the
// reports of candidates checked through one test build equal those of the
// same candidates checked one build each — test verdicts, and failures at
// the same file:line with the same message — for expression and
// statement holes, with focus and without, a candidate that does not
// type-check left out of the schema.
func TestCheckVariants(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := `package m

// Max returns the larger of a and b.
func Max(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// Sum adds xs.
func Sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
`
	writeFiles(t, dir, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"m.go":   src,
		"m_test.go": `package m

import "testing"

func TestMax(t *testing.T) {
	if got := Max(1, 2); got != 2 {
		t.Errorf("Max(1, 2) = %d", got)
	}
	if got := Max(5, 3); got != 5 {
		t.Errorf("Max(5, 3) = %d", got)
	}
}

func TestSum(t *testing.T) {
	if got := Sum([]int{1, 2, 3}); got != 6 {
		t.Fatalf("Sum = %d", got)
	}
}

func TestPanics(t *testing.T) {
	defer func() { recover() }()
	Sum(nil)
}
`,
	})
	name := filepath.Join(dir, "m.go")
	variants := func(base *ast.Canvas, old string, news ...string) []*ast.Canvas {
		var cvs []*ast.Canvas
		for _, n := range news {
			cvs = append(cvs, base.WithText(name, strings.Replace(src, old, n, 1)))
		}
		return cvs
	}
	for _, tc := range []struct {
		name  string
		old   string
		news  []string
		focus []string
	}{
		{"expr", "a < b", []string{"a > b", "a >= b", "b < a", "a == b", `a < "b"`}, nil},
		{"expr focused", "a < b", []string{"a > b", "a != b", "b > a"}, []string{"TestMax"}},
		{"stmts", "return a\n", []string{"return b\n", "return a + b - a\n", "return max(a, b)\n", "return -1\n"}, nil},
		{"stmts lines", "s += x\n", []string{"s += x\n\t\ts -= 0\n", "s -= x\n", "if x > 0 {\n\t\t\ts += x\n\t\t}\n", "s = x\n"}, []string{"TestSum"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chk, base := checkerFor(t, dir, nil)
			defer chk.Close()
			if _, err := chk.Check(ctx, base, constraints.Tests); err != nil {
				t.Fatal(err)
			}
			cvs := variants(base, tc.old, tc.news...)
			n, err := chk.CheckVariants(ctx, cvs, tc.focus)
			if err != nil {
				t.Fatal(err)
			}
			if n < 3 {
				t.Fatalf("CheckVariants checked %d candidates through the schema, want at least 3", n)
			}
			one, _ := checkerFor(t, dir, nil) // one build each, nothing cached
			defer one.Close()
			for i, cv := range cvs {
				got, err := chk.CheckTests(ctx, cv, tc.focus)
				if err != nil {
					t.Fatal(err)
				}
				want, err := one.CheckTests(ctx, cv, tc.focus)
				if err != nil {
					t.Fatal(err)
				}
				if !maps.Equal(got.Tests, want.Tests) || !slices.Equal(verdicts(got), verdicts(want)) {
					t.Errorf("candidate %q: schema\n\t%v %s\none build\n\t%v %s", tc.news[i], got.Tests,
						strings.Join(verdicts(got), "\n\t"), want.Tests, strings.Join(verdicts(want), "\n\t"))
				}
			}
		})
	}
}

func verdicts(r *constraints.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s:%d:%d %s %s %s", filepath.Base(f.File), f.Line, f.Col, f.Category, f.Code, f.Message))
	}
	return out
}

// BenchmarkVariants compares six candidates of a condition checked through
// one schema ("schema") with the same checked one build each
// ("onebuildeach"), the tests run in full.
//
//	go test -run '^$' -bench Variants -benchtime 3x ./constraints
func BenchmarkVariants(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	src := "package m\n\n// Max returns the larger of a and b.\nfunc Max(a, b int) int {\n\tif a < b {\n\t\treturn a\n\t}\n\treturn b\n}\n"
	writeFiles(b, dir, map[string]string{
		"go.mod":    "module example.com/m\n\ngo 1.26\n",
		"m.go":      src,
		"m_test.go": "package m\n\nimport \"testing\"\n\nfunc TestMax(t *testing.T) {\n\tif Max(1, 2) != 2 || Max(5, 3) != 5 {\n\t\tt.Fatal(\"Max\")\n\t}\n}\n",
	})
	name := filepath.Join(dir, "m.go")
	for _, schema := range []bool{true, false} {
		b.Run(map[bool]string{true: "schema", false: "onebuildeach"}[schema], func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				chk, base := checkerFor(b, dir, nil)
				var cvs []*ast.Canvas
				for _, c := range []string{"a > b", "a >= b", "b < a", "a == b", "a != b", "b > a"} {
					// A comment makes each iteration's canvases new to the go command's cache.
					cvs = append(cvs, base.WithText(name, strings.Replace(src, "a < b", c, 1)+fmt.Sprintf("// %d\n", i)))
				}
				if schema {
					if n, err := chk.CheckVariants(ctx, cvs, nil); err != nil || n != len(cvs) {
						b.Fatalf("CheckVariants: %d, %v", n, err)
					}
				}
				for _, cv := range cvs {
					if _, err := chk.Check(ctx, cv, constraints.Tests); err != nil {
						b.Fatal(err)
					}
				}
				chk.Close()
			}
		})
	}
}
