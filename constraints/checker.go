package constraints

import (
	"context"
	"fmt"
	goast "go/ast"
	"go/build"
	"go/token"
	"go/types"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/internal/tempdir"
)

// A Checker checks canvases of one package directory. It caches parse
// results by file content, imported packages' type information for its
// lifetime, and reports by canvas content. A Checker is safe for
// concurrent use; type checks are serialized.
type Checker struct {
	pkg   *Package
	opts  Options
	fset  *token.FileSet
	sizes types.Sizes
	imp   *importer
	known map[string]fileKind // classification of the files on disk

	typesMu  sync.Mutex  // serializes type checking and vet
	lastInfo *types.Info // of the last type check, for sizing maps; guarded by typesMu
	vetExact atomic.Bool // go vet found what the in-process vet missed: run go vet for every check

	mu         sync.Mutex
	slowestRun time.Duration // longest finished run of a test binary
	largestRun int64         // largest peak resident size of a finished run, bytes
	t2j        string        // path of go tool test2json
	times      Times         // time spent, by category

	base     *typeBase  // the last full type check, for Screen; guarded by typesMu
	runMu    sync.Mutex // serializes test runs, which share the scratch space
	sb       *scratch   // guarded by runMu
	suspects map[ast.Hash][]Suspect
	parsed   *lru[parseKey, *parsedFile]
	reports  *lru[reportKey, *Report]
}

// A Report is the outcome of checking one canvas. Reports are shared by
// the Checker's cache: callers must not modify them or their syntax trees.
type Report struct {
	Findings []Finding // sorted with Sort
	Reached  Category  // the last category checked
	Fset     *token.FileSet
	Files    []*goast.File // the compiled files (package, tests, external tests), sorted by name
	Names    []string      // Names[i] is the file name of Files[i]
	// Pkg and Info hold the type check of the package with its in-package
	// tests; Info also covers the external test files. Pkg is nil when the
	// canvas did not parse.
	Pkg  *types.Package
	Info *types.Info
	// XPkg is the external test package (package p_test), nil when there
	// is none; see PkgOf.
	XPkg *types.Package

	// BrokenDeps lists the imports that exist but do not build (a broken
	// module of a workspace, say): their types are unknown, so errors
	// that involve them are hidden, and the canvas cannot be verified.
	BrokenDeps []string

	// Focused reports that only some tests ran (see CheckTests).
	Focused bool
	// Shallow reports a screen (see Screen): type findings alone, without
	// Pkg and Info.
	Shallow bool
	// Tests holds the outcome of each top-level test, when the tests ran.
	Tests                 map[string]TestStatus
	TestsRun, TestsFailed int
}

// PkgOf returns the package that file f of r.Files belongs to: the
// external test package for a file of package p_test, else Pkg.
func (r *Report) PkgOf(f *goast.File) *types.Package {
	if r.XPkg != nil && f != nil && f.Name != nil && f.Name.Name == r.XPkg.Name() {
		return r.XPkg
	}
	return r.Pkg
}

// Blocked reports whether r has findings that stop the build or the tests
// from running: syntax, type or build errors. Vet findings never do.
func (r *Report) Blocked() bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Category.Blocks() })
}

// A Suspect is a statement span of a canvas file ranked by the Ochiai
// score of the coverage of failing and passing tests.
type Suspect struct {
	File       string
	Start, End int // byte offsets
	Line, Col  int // 1-based position of Start
	Score      float64
	FailedBy   []string // the failing tests that execute the span
}

type fileKind int

const (
	kindPkg fileKind = iota
	kindTest
	kindXTest
	kindIgnored
)

type parseKey struct {
	name string
	hash ast.Hash
}

type parsedFile struct {
	file     *goast.File
	findings []Finding
}

type reportKey struct {
	canvas ast.Hash
	upTo   Category
	focus  string // the tests run, NUL-separated; "" for all
}

// NewChecker returns a checker for pkg. It loads the type information of
// the package's imports once (from the go command's export data).
func NewChecker(ctx context.Context, pkg *Package, opts *Options) (*Checker, error) {
	if pkg == nil || pkg.Dir == "" {
		return nil, fmt.Errorf("constraints: NewChecker of an unloaded package")
	}
	c := &Checker{
		pkg:     pkg,
		opts:    opts.clone(),
		fset:    token.NewFileSet(),
		sizes:   types.SizesFor("gc", build.Default.GOARCH),
		known:   make(map[string]fileKind),
		parsed:  newLRU[parseKey, *parsedFile](max(2048, 4*len(pkg.Files()))),
		reports: newLRU[reportKey, *Report](64),
	}
	if c.sizes == nil {
		c.sizes = types.SizesFor("gc", "amd64")
	}
	for kind, names := range [][]string{kindPkg: pkg.GoFiles, kindTest: pkg.TestGoFiles, kindXTest: pkg.XTestGoFiles, kindIgnored: pkg.IgnoredFiles} {
		for _, n := range names {
			c.known[n] = fileKind(kind)
		}
	}
	c.imp = newImporter(pkg, c.fset, &c.opts)
	t0 := time.Now()
	if err := c.imp.prefetch(ctx); err != nil {
		return nil, err
	}
	c.opts.logf("constraints: loaded imports of %s in %v", pkg.ImportPath, time.Since(t0).Round(time.Millisecond))
	return c, nil
}

// Package returns the package the checker checks.
func (c *Checker) Package() *Package { return c.pkg }

// Check checks the canvas cv, cheapest category first (syntax, types,
// vet, build, tests), and stops after the first category with findings
// that keep the package from building (vet findings do not), or after
// upTo. Reports are cached by canvas content, so
// re-checking a canvas already seen is free.
func (c *Checker) Check(ctx context.Context, cv *ast.Canvas, upTo Category) (*Report, error) {
	return c.checkFocus(ctx, cv, upTo, nil)
}

// CheckTests is Check up to the tests, with only the named top-level
// tests run (their subtests too): the failing tests first, before a
// candidate that passes them earns a run of the whole suite. The report's
// Tests holds the named tests alone, and Focused is set.
func (c *Checker) CheckTests(ctx context.Context, cv *ast.Canvas, tests []string) (*Report, error) {
	if len(tests) == 0 {
		return c.Check(ctx, cv, Tests)
	}
	return c.checkFocus(ctx, cv, Tests, tests)
}

func (c *Checker) checkFocus(ctx context.Context, cv *ast.Canvas, upTo Category, focus []string) (*Report, error) {
	if cv == nil {
		return nil, fmt.Errorf("constraints: Check of a nil canvas")
	}
	if filepath.Clean(cv.Dir) != filepath.Clean(c.pkg.Dir) {
		return nil, fmt.Errorf("constraints: canvas of %s checked by the checker of %s", cv.Dir, c.pkg.Dir)
	}
	focus = slices.Compact(slices.Sorted(slices.Values(focus)))
	ckey := cv.Key()
	key := reportKey{ckey, upTo, strings.Join(focus, "\x00")}
	c.mu.Lock()
	if r, ok := c.reports.get(key); ok {
		c.mu.Unlock()
		return r, nil
	}
	// A report that stopped early on findings answers any later upTo, and
	// any focus.
	for u := Syntax; u <= Tests; u++ {
		if r, ok := c.reports.get(reportKey{ckey, u, ""}); ok && r.Blocked() && r.Reached <= upTo {
			c.reports.put(key, r)
			c.mu.Unlock()
			return r, nil
		}
	}
	c.mu.Unlock()

	r, err := c.check(ctx, cv, upTo, focus)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.reports.put(key, r)
	c.mu.Unlock()
	return r, nil
}

// unit is a canvas file with its classification.
type unit struct {
	file *ast.File
	kind fileKind
	ast  *goast.File
}

func (c *Checker) check(ctx context.Context, cv *ast.Canvas, upTo Category, focus []string) (*Report, error) {
	r := &Report{Fset: c.fset, Reached: Syntax}
	units := c.classify(cv)

	// Syntax.
	t0 := time.Now()
	var findings []Finding
	for i := range units {
		u := &units[i]
		if u.kind == kindIgnored {
			continue
		}
		p := c.parse(u.file)
		u.ast = p.file
		findings = append(findings, p.findings...)
		r.Files = append(r.Files, p.file)
		r.Names = append(r.Names, u.file.Name)
	}
	c.spent(Syntax, t0)
	if done := r.stage(Syntax, findings, upTo); done {
		return r, nil
	}

	// Types.
	t0 = time.Now()
	c.typesMu.Lock()
	tr := c.checkTypes(ctx, cv, units)
	c.setBase(units, tr)
	c.typesMu.Unlock()
	r.Pkg, r.XPkg, r.Info, r.BrokenDeps = tr.pkg, tr.xpkg, tr.info, tr.broken
	c.spent(Types, t0)
	if done := r.stage(Types, tr.findings, upTo); done {
		return r, nil
	}

	// Vet.
	t0 = time.Now()
	findings, err := c.vet(ctx, cv, tr)
	if err != nil {
		return nil, err
	}
	c.spent(Vet, t0)
	if done := r.stage(Vet, findings, upTo); done {
		return r, nil
	}

	// Build. When the tests run, their build (go test -c) compiles and
	// links the package too, and reports the same errors: a separate go
	// build would only cost time.
	hasTests := slices.ContainsFunc(units, func(u unit) bool { return u.kind == kindTest || u.kind == kindXTest })
	runTests := upTo >= Tests && c.opts.Tests != TestsOff && hasTests
	if !runTests {
		t0 = time.Now()
		findings, err = c.build(ctx, cv)
		if err != nil {
			return nil, err
		}
		c.spent(Build, t0)
		if done := r.stage(Build, findings, upTo); done {
			return r, nil
		}
		return r, nil
	}

	// Tests.
	t0 = time.Now()
	r.Focused = focus != nil
	if _, err := c.test(ctx, cv, units, r, false, focus); err != nil {
		return nil, err
	}
	c.spent(Tests, t0)
	r.Reached = Tests
	if r.Tests == nil && r.Blocked() {
		r.Reached = Build // the test build failed: that is the build's verdict
	}
	r.Findings = Sort(r.Findings)
	return r, nil
}

// stage records the findings of category cat and reports whether checking
// stops there: after upTo, or at findings that keep the package from
// building. Vet findings do not stop the build and the tests, as go vet's
// do not stop go build.
func (r *Report) stage(cat Category, findings []Finding, upTo Category) bool {
	r.Reached = cat
	r.Findings = Sort(append(r.Findings, findings...))
	return (len(findings) > 0 && cat.Blocks()) || cat >= upTo
}

// Times is where a Checker's time went, by check category.
type Times [Tests + 1]time.Duration

// spent records the time since t0 as spent in category cat.
func (c *Checker) spent(cat Category, t0 time.Time) {
	d := time.Since(t0)
	c.mu.Lock()
	c.times[cat] += d
	c.mu.Unlock()
	c.opts.logf("constraints: %s in %v", cat, d.Round(time.Microsecond))
}

// Times returns the time the checker spent in each category so far.
func (c *Checker) Times() Times {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.times
}

// tempDir makes a temporary directory for one check of kind ("build",
// "test", "overlay").
func (c *Checker) tempDir(kind string) (string, error) {
	return tempdir.MkdirTemp("difgen-" + kind + "-")
}

// goCmd runs the go command in the package directory under the build
// limit: a build never runs the package's code, so it never gets the
// tests' timeout.
func (c *Checker) goCmd(ctx context.Context, args ...string) cmdResult {
	return runCmd(ctx, c.pkg.Dir, environ(c.opts.Env), c.opts.buildTimeout(), "go", args...)
}

// classify sorts the canvas files into package, test, external test and
// ignored files: files known from loading keep their classification, new
// files are matched against the build constraints.
func (c *Checker) classify(cv *ast.Canvas) []unit {
	var units []unit
	for _, f := range cv.Files() {
		kind, ok := c.known[f.Name]
		if !ok {
			kind = c.classifyNew(f)
		}
		units = append(units, unit{file: f, kind: kind})
	}
	return units
}

func (c *Checker) classifyNew(f *ast.File) fileKind {
	if !strings.HasSuffix(f.Name, ".go") || filepath.Dir(f.Name) != filepath.Clean(c.pkg.Dir) {
		return kindIgnored
	}
	ctxt := build.Default
	ctxt.OpenFile = func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(f.Text)), nil }
	if ok, err := ctxt.MatchFile(filepath.Dir(f.Name), filepath.Base(f.Name)); err != nil || !ok {
		return kindIgnored
	}
	if !strings.HasSuffix(f.Name, "_test.go") {
		return kindPkg
	}
	if name := packageName(f.Text); strings.HasSuffix(name, "_test") && name != c.pkg.Name {
		return kindXTest
	}
	return kindTest
}

// Suspects ranks the statements of cv by Ochiai suspiciousness: which
// statements the failing tests run and the passing ones do not. It runs
// each test alone with coverage, so it costs a test run per test; Check
// does not rank, and refine asks for the ranking only for
// the canvas it is about to mask. The result is cached by content.
func (c *Checker) Suspects(ctx context.Context, cv *ast.Canvas) ([]Suspect, error) {
	key := cv.Key()
	c.mu.Lock()
	if s, ok := c.suspects[key]; ok {
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()
	r := &Report{}
	defer c.spent(Tests, time.Now())
	sus, err := c.test(ctx, cv, c.classify(cv), r, true, nil)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.suspects == nil {
		c.suspects = map[ast.Hash][]Suspect{}
	}
	c.suspects[key] = sus
	c.mu.Unlock()
	return sus, nil
}
