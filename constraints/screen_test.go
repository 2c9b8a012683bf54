package constraints

import (
	"context"
	"fmt"
	"github.com/difgen/difgen/ast"
	goast "go/ast"
	"go/parser"
	"go/token"
	"math/rand"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestScreenAgrees is the differential test of the screen (house style
// 17): seeded random edits of function bodies of real packages — names
// replaced by undefined or wrongly typed ones, statements deleted or
// duplicated, literals changed, an import used — are checked by Screen
// and by the full Check, which must report the same type findings (file,
// offsets, code, message), and Screen must fall back to Check whenever
// the edit reaches beyond function bodies.
func TestScreenAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx := context.Background()
	for _, pkgPath := range []string{"encoding/csv", "text/tabwriter", "strconv", "net/http"} {
		dir := filepath.Join(goroot(t), "src", filepath.FromSlash(pkgPath))
		pkgs, err := Load(ctx, dir, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		c, err := NewChecker(ctx, pkgs[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		base, err := pkgs[0].Canvas()
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewSource(1))
		screened, n := 0, 40
		if pkgPath == "net/http" {
			n = 12 // a full check of net/http costs a second or more
		}
		for i := range n {
			// The base is the last full check: the package as it is.
			if _, err := c.Check(ctx, base, Types); err != nil {
				t.Fatal(err)
			}
			cv, what := mutateBody(t, rng, base)
			if cv == nil {
				continue
			}
			s, err := c.Screen(ctx, cv, Types)
			if err != nil {
				t.Fatal(err)
			}
			// A fresh checker: nothing cached from the screen.
			full, err := c.check(ctx, cv, Types, nil)
			if err != nil {
				t.Fatal(err)
			}
			if s.Shallow {
				screened++
			}
			if got, want := typeFindings(s), typeFindings(full); !slices.Equal(got, want) {
				t.Errorf("%s #%d (%s): Screen (shallow %v) found\n\t%s\nCheck found\n\t%s", pkgPath, i, what, s.Shallow,
					strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
			// ScreenTypes, clean or not, agrees too.
			if _, err := c.Check(ctx, base, Types); err != nil {
				t.Fatal(err)
			}
			sf, err := c.ScreenTypes(ctx, cv)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := typeFindings(&Report{Findings: sf}), typeFindings(full); !slices.Equal(got, want) {
				t.Errorf("%s #%d (%s): ScreenTypes found\n\t%s\nCheck found\n\t%s", pkgPath, i, what,
					strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		}
		t.Logf("%s: %d of %d edits screened", pkgPath, screened, n)
		if screened == 0 {
			t.Errorf("%s: no edit was screened", pkgPath)
		}
	}
}

func typeFindings(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Category == Types || f.Category == Syntax {
			out = append(out, fmt.Sprintf("%s:%d-%d:%d:%d %s %s", filepath.Base(f.File), f.Start, f.End, f.Line, f.Col, f.Code, f.Message))
		}
	}
	return out
}

// mutateBody returns base with one random edit inside a function body of
// a random non-test file (or, one time in eight, of a declaration), and
// what it did.
func mutateBody(t *testing.T, rng *rand.Rand, base *ast.Canvas) (*ast.Canvas, string) {
	var files []string
	for _, f := range base.Files() {
		if !strings.HasSuffix(f.Name, "_test.go") {
			files = append(files, f.Name)
		}
	}
	f := base.File(files[rng.Intn(len(files))])
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, f.Name, f.Text, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	tf := fset.File(file.Pos())
	var idents []*goast.Ident
	var stmts []goast.Stmt
	var lits []*goast.BasicLit
	for _, d := range file.Decls {
		fd, ok := d.(*goast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		goast.Inspect(fd.Body, func(n goast.Node) bool {
			switch n := n.(type) {
			case *goast.Ident:
				idents = append(idents, n)
			case *goast.ExprStmt, *goast.AssignStmt, *goast.ReturnStmt:
				stmts = append(stmts, n.(goast.Stmt))
			case *goast.BasicLit:
				lits = append(lits, n)
			}
			return true
		})
	}
	edit := func(s, e int, text, what string) (*ast.Canvas, string) {
		return base.WithText(f.Name, f.Text[:s]+text+f.Text[e:]), what
	}
	switch k := rng.Intn(8); {
	case k < 3 && len(idents) > 0:
		id := idents[rng.Intn(len(idents))]
		repl := []string{id.Name + "x", "nil", `"s"`, "len", "strings.ToUpper", "0.5"}[rng.Intn(6)]
		return edit(tf.Offset(id.Pos()), tf.Offset(id.End()), repl, "ident "+id.Name+" → "+repl)
	case k < 5 && len(stmts) > 0:
		st := stmts[rng.Intn(len(stmts))]
		s, e := tf.Offset(st.Pos()), tf.Offset(st.End())
		if rng.Intn(2) == 0 {
			return edit(s, e, "", "delete a statement")
		}
		return edit(s, e, f.Text[s:e]+"; "+f.Text[s:e], "duplicate a statement")
	case k < 7 && len(lits) > 0:
		l := lits[rng.Intn(len(lits))]
		repl := []string{"1", `"x"`, "'c'", "2.5", "true"}[rng.Intn(5)]
		return edit(tf.Offset(l.Pos()), tf.Offset(l.End()), repl, "literal → "+repl)
	default:
		// A declaration: Screen must fall back to the full check.
		return edit(len(f.Text), len(f.Text), "\nvar _ int = \"not an int\"\n", "a wrong package-level declaration")
	}
}
