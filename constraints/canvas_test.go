package constraints_test

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
)

func withoutFile(cv *ast.Canvas, name string) *ast.Canvas {
	var keep []*ast.File
	for _, f := range cv.Files() {
		if f.Name != name {
			keep = append(keep, f)
		}
	}
	return ast.NewCanvas(cv.Dir, keep...)
}

// TestCanvasOverlay checks that every category sees the canvas, not the
// disk: the disk has a bug that the canvas fixes, with a new import that
// the package did not have when loaded.
func TestCanvasOverlay(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":    "module example.com/m\n\ngo 1.26\n",
		"a.go":      "package m\n\n// Up upper-cases s.\nfunc Up(s string) string { return s }\n",
		"b.go":      "package m\n\nfunc broken() { undefinedThing() }\n",
		"a_test.go": "package m\n\nimport \"testing\"\n\nfunc TestUp(t *testing.T) {\n\tif Up(\"a\") != \"A\" {\n\t\tt.Fatal(\"not upper\")\n\t}\n}\n",
	})
	before := hashTree(t, dir)
	pkg := loadOne(t, dir, nil)
	chk, err := constraints.NewChecker(ctx, pkg, nil)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := pkg.Canvas()
	if err != nil {
		t.Fatal(err)
	}
	r, err := chk.Check(ctx, disk, constraints.Tests)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 1 || r.Findings[0].Code != "UndeclaredName" {
		t.Fatalf("disk findings = %v, want one undefined name", r.Findings)
	}

	// Delete b.go from the canvas and fix Up with a new import.
	a := filepath.Join(dir, "a.go")
	fixed := disk.WithText(a, "package m\n\nimport \"strings\"\n\n// Up upper-cases s.\nfunc Up(s string) string { return strings.ToUpper(s) }\n")
	fixed = withoutFile(fixed, filepath.Join(dir, "b.go"))
	r, err = chk.Check(ctx, fixed, constraints.Tests)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 0 || r.Reached != constraints.Tests || r.TestsRun != 1 || r.TestsFailed != 0 {
		t.Errorf("fixed canvas: findings %v, reached %s, run %d, failed %d; want clean tests", r.Findings, r.Reached, r.TestsRun, r.TestsFailed)
	}

	// The same canvas with a wrong fill fails the test, and only there.
	wrong := fixed.WithText(a, strings.Replace(fixed.File(a).Text, "ToUpper", "ToLower", 1))
	r, err = chk.Check(ctx, wrong, constraints.Tests)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 1 || r.Findings[0].Category != constraints.Tests || r.Findings[0].Line != 7 {
		t.Errorf("wrong fill: findings %v, want one test failure at a_test.go:7", r.Findings)
	}
	sus, err := chk.Suspects(ctx, wrong)
	if err != nil {
		t.Fatal(err)
	}
	if len(sus) == 0 || filepath.Base(sus[0].File) != "a.go" || sus[0].Line != 6 {
		t.Errorf("wrong fill: suspects %+v, want a.go:6 first", sus)
	}

	// With tests off, the same canvas stops after the build.
	off, err := constraints.NewChecker(ctx, pkg, &constraints.Options{Tests: constraints.TestsOff})
	if err != nil {
		t.Fatal(err)
	}
	r, err = off.Check(ctx, wrong, constraints.Tests)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 0 || r.Reached != constraints.Build {
		t.Errorf("tests off: findings %v, reached %s; want clean at build", r.Findings, r.Reached)
	}
	if hashTree(t, dir) != before {
		t.Errorf("checking wrote into the package tree")
	}
}

// checkerFor loads the package in dir and returns its checker with opts
// and its canvas as on disk.
func checkerFor(t testing.TB, dir string, opts *constraints.Options) (*constraints.Checker, *ast.Canvas) {
	t.Helper()
	pkg := loadOne(t, dir, nil)
	chk, err := constraints.NewChecker(context.Background(), pkg, opts)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := pkg.Canvas()
	if err != nil {
		t.Fatal(err)
	}
	return chk, cv
}

// TestSuspectsOldGoVersion checks that coverage instrumentation builds in
// a module that declares an old go version (no 0o literals, no generics
// in the helper the instrumentation adds).
func TestSuspectsOldGoVersion(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":    "module example.com/m\n\ngo 1.12\n",
		"a.go":      "package m\n\nfunc Abs(x int) int {\n\tif x > 0 {\n\t\treturn -x\n\t}\n\treturn x\n}\n",
		"a_test.go": "package m\n\nimport \"testing\"\n\nfunc TestAbs(t *testing.T) {\n\tif Abs(3) != 3 {\n\t\tt.Fatal(\"Abs(3)\")\n\t}\n}\n",
	})
	chk, cv := checkerFor(t, dir, nil)
	sus, err := chk.Suspects(ctx, cv)
	if err != nil {
		t.Fatal(err)
	}
	// The failing test runs lines 4 and 5 only: they tie first.
	if len(sus) == 0 || filepath.Base(sus[0].File) != "a.go" || sus[0].Line != 4 && sus[0].Line != 5 {
		t.Errorf("suspects %+v, want a.go:4 or a.go:5 first", sus)
	}
}

// TestTestMemoryLimit checks that a test binary that allocates without
// end is killed at the memory limit and reported, instead of running to
// the timeout with the machine's memory.
func TestTestMemoryLimit(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("process sizes are read from /proc")
	}
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":    "module example.com/m\n\ngo 1.26\n",
		"a.go":      "package m\n\n// Grow appends n MiB to keep and touches them.\nfunc Grow(keep [][]byte, n int) [][]byte {\n\tfor range n {\n\t\tb := make([]byte, 1<<20)\n\t\tfor i := range b {\n\t\t\tb[i] = 1\n\t\t}\n\t\tkeep = append(keep, b)\n\t}\n\treturn keep\n}\n",
		"a_test.go": "package m\n\nimport \"testing\"\n\nfunc TestGrow(t *testing.T) {\n\tvar keep [][]byte\n\tfor {\n\t\tkeep = Grow(keep, 8)\n\t}\n}\n",
	})
	chk, cv := checkerFor(t, dir, &constraints.Options{TestMemory: 64 << 20, Timeout: 60 * time.Second})
	start := time.Now()
	r, err := chk.Check(ctx, cv, constraints.Tests)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 1 || r.Findings[0].Code != "memory" || !strings.Contains(r.Findings[0].Message, "64 MiB of memory") {
		t.Fatalf("findings %v, want one crash for memory", r.Findings)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the run took %v: it was not stopped at the memory limit", d)
	}
}

// TestCheckTests checks that a focused check runs only the named tests.
func TestCheckTests(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":    "module example.com/m\n\ngo 1.26\n",
		"a.go":      "package m\n\nfunc Two() int { return 3 }\n",
		"a_test.go": "package m\n\nimport \"testing\"\n\nfunc TestPass(t *testing.T) {}\n\nfunc TestTwo(t *testing.T) {\n\tif Two() != 2 {\n\t\tt.Fatal(\"Two\")\n\t}\n}\n\nfunc TestOther(t *testing.T) { t.Run(\"sub\", func(t *testing.T) {}) }\n",
	})
	chk, cv := checkerFor(t, dir, nil)
	r, err := chk.CheckTests(ctx, cv, []string{"TestTwo"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Focused || len(r.Tests) != 1 || r.Tests["TestTwo"] != constraints.TestFail {
		t.Errorf("CheckTests(TestTwo): Focused %v, Tests %v; want TestTwo alone, failing", r.Focused, r.Tests)
	}
	full, err := chk.Check(ctx, cv, constraints.Tests)
	if err != nil {
		t.Fatal(err)
	}
	if full.Focused || len(full.Tests) != 3 {
		t.Errorf("Check after CheckTests: Focused %v, Tests %v; want all three", full.Focused, full.Tests)
	}
}
