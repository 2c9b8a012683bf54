package constraints_test

import (
	"context"
	"testing"

	"github.com/difgen/difgen/constraints"
)

// TestPkgOf: a report's external test files belong to the external test
// package, whose scope is not the package's (its unexported names are
// not in reach), and every other file to the package.
func TestPkgOf(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":    "module example.com/p\n\ngo 1.22\n",
		"p.go":      "package p\n\nvar secret = 1\n\n// Exported is exported.\nfunc Exported() int { return secret }\n",
		"p_test.go": "package p\n\nimport \"testing\"\n\nfunc TestIn(t *testing.T) { _ = secret }\n",
		"x_test.go": "package p_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/p\"\n)\n\nvar want = 1\n\nfunc TestOut(t *testing.T) {\n\tif p.Exported() != want {\n\t\tt.Fatal()\n\t}\n}\n",
	})
	chk, cv := checkerFor(t, dir, nil)
	rep, err := chk.Check(context.Background(), cv, constraints.Types)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) > 0 || rep.Pkg == nil || rep.XPkg == nil {
		t.Fatalf("findings %v, Pkg %v, XPkg %v; want none and both packages", rep.Findings, rep.Pkg, rep.XPkg)
	}
	for i, f := range rep.Files {
		want, in, out := "p", "secret", "want"
		if f.Name.Name == "p_test" {
			want, in, out = "p_test", "want", "secret"
		}
		pkg := rep.PkgOf(f)
		if pkg.Name() != want || pkg.Scope().Lookup(in) == nil || pkg.Scope().Lookup(out) != nil {
			t.Errorf("%s: PkgOf = %s (scope %v), want %s with %s and without %s", rep.Names[i], pkg.Name(), pkg.Scope().Names(), want, in, out)
		}
	}
}
