package constraints

import (
	"context"
	"go/types"
	"os"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/appends"
	"golang.org/x/tools/go/analysis/passes/asmdecl"
	"golang.org/x/tools/go/analysis/passes/assign"
	"golang.org/x/tools/go/analysis/passes/atomic"
	"golang.org/x/tools/go/analysis/passes/bools"
	"golang.org/x/tools/go/analysis/passes/buildtag"
	"golang.org/x/tools/go/analysis/passes/cgocall"
	"golang.org/x/tools/go/analysis/passes/composite"
	"golang.org/x/tools/go/analysis/passes/copylock"
	"golang.org/x/tools/go/analysis/passes/defers"
	"golang.org/x/tools/go/analysis/passes/directive"
	"golang.org/x/tools/go/analysis/passes/errorsas"
	"golang.org/x/tools/go/analysis/passes/framepointer"
	"golang.org/x/tools/go/analysis/passes/hostport"
	"golang.org/x/tools/go/analysis/passes/httpresponse"
	"golang.org/x/tools/go/analysis/passes/ifaceassert"
	"golang.org/x/tools/go/analysis/passes/loopclosure"
	"golang.org/x/tools/go/analysis/passes/lostcancel"
	"golang.org/x/tools/go/analysis/passes/nilfunc"
	"golang.org/x/tools/go/analysis/passes/printf"
	"golang.org/x/tools/go/analysis/passes/shift"
	"golang.org/x/tools/go/analysis/passes/sigchanyzer"
	"golang.org/x/tools/go/analysis/passes/slog"
	"golang.org/x/tools/go/analysis/passes/stdmethods"
	"golang.org/x/tools/go/analysis/passes/stdversion"
	"golang.org/x/tools/go/analysis/passes/stringintconv"
	"golang.org/x/tools/go/analysis/passes/structtag"
	"golang.org/x/tools/go/analysis/passes/testinggoroutine"
	"golang.org/x/tools/go/analysis/passes/tests"
	"golang.org/x/tools/go/analysis/passes/timeformat"
	"golang.org/x/tools/go/analysis/passes/unmarshal"
	"golang.org/x/tools/go/analysis/passes/unreachable"
	"golang.org/x/tools/go/analysis/passes/unsafeptr"
	"golang.org/x/tools/go/analysis/passes/unusedresult"
	"golang.org/x/tools/go/analysis/passes/waitgroup"
)

// vetSuite is the analyzer list of cmd/vet (GOROOT/src/cmd/vet/main.go)
// for the Go toolchain difgen is built for, in its order. It is not
// x/tools' suite/vet, which adds analyzers that go vet does not run.
// TestVetSuite compares it with the list of go tool vet help.
var vetSuite = []*analysis.Analyzer{
	appends.Analyzer,
	asmdecl.Analyzer,
	assign.Analyzer,
	atomic.Analyzer,
	bools.Analyzer,
	buildtag.Analyzer,
	cgocall.Analyzer,
	composite.Analyzer,
	copylock.Analyzer,
	defers.Analyzer,
	directive.Analyzer,
	errorsas.Analyzer,
	framepointer.Analyzer,
	httpresponse.Analyzer,
	hostport.Analyzer,
	ifaceassert.Analyzer,
	loopclosure.Analyzer,
	lostcancel.Analyzer,
	nilfunc.Analyzer,
	printf.Analyzer,
	shift.Analyzer,
	sigchanyzer.Analyzer,
	slog.Analyzer,
	stdmethods.Analyzer,
	stdversion.Analyzer,
	stringintconv.Analyzer,
	structtag.Analyzer,
	tests.Analyzer,
	testinggoroutine.Analyzer,
	timeformat.Analyzer,
	unmarshal.Analyzer,
	unreachable.Analyzer,
	unsafeptr.Analyzer,
	unusedresult.Analyzer,
	waitgroup.Analyzer,
}

// vetAnalyzers returns the analyzers go vet runs on pkg: all of cmd/vet's
// but unsafeptr in GOROOT, which go vet turns off there
// (cmd/go/internal/work.(*Builder).vet).
func vetAnalyzers(pkg *Package) []*analysis.Analyzer {
	if !pkg.Goroot {
		return vetSuite
	}
	var out []*analysis.Analyzer
	for _, a := range vetSuite {
		if a != unsafeptr.Analyzer {
			out = append(out, a)
		}
	}
	return out
}

// vet runs the vet stage: go vet's analyzers on the type-checked package
// (with its in-package tests) and on its external test package. Its
// findings are always the go command's own (go vet -json -overlay): the
// in-process run below is quick but runs x/tools' version of the
// analyzers, not the toolchain's, so it only screens canvases. The go
// command runs when
//
//   - the canvas is the package on disk (so difgen reports on unmodified
//     code exactly what go vet does),
//   - the in-process run finds something (which go vet then confirms,
//     with its own messages),
//   - the package uses cgo (the in-process type check fakes package C),
//   - or an earlier go vet run of this checker found what the in-process
//     run missed: from then on the checker does not trust a clean
//     in-process run either.
func (c *Checker) vet(ctx context.Context, cv *ast.Canvas, tr *typesResult) ([]Finding, error) {
	onDisk := c.onDisk(cv)
	if len(c.pkg.CgoFiles) > 0 || c.vetExact.Load() {
		return c.goVet(ctx, cv, onDisk)
	}
	var inproc []Finding
	if !onDisk {
		inproc = c.vetInProcess(cv, tr)
		if len(inproc) == 0 {
			return nil, nil
		}
		c.opts.logf("constraints: go vet confirms the in-process vet's %s (and %d more)", inproc[0], len(inproc)-1)
	}
	exact, err := c.goVet(ctx, cv, onDisk)
	if err != nil || len(exact) == 0 {
		return exact, err
	}
	if onDisk {
		inproc = c.vetInProcess(cv, tr)
	}
	if miss := uncovered(exact, inproc); len(miss) > 0 {
		c.opts.logf("constraints: the in-process vet of %s misses %s (and %d more): running go vet for every check from now on", c.pkg.ImportPath, miss[0], len(miss)-1)
		c.vetExact.Store(true)
	}
	return exact, nil
}

// uncovered returns the findings of exact that no finding of inproc
// matches: same position, same analyzer.
func uncovered(exact, inproc []Finding) []Finding {
	type key struct {
		file      string
		line, col int
		code      diag.Code
	}
	have := make(map[key]bool)
	for _, f := range inproc {
		have[key{f.File, f.Line, f.Col, f.Code}] = true
	}
	var out []Finding
	for _, f := range exact {
		if !have[key{f.File, f.Line, f.Col, f.Code}] {
			out = append(out, f)
		}
	}
	return out
}

// onDisk reports whether cv is the package as on disk: the Go files that
// ast.LoadDir reads, with the same text.
func (c *Checker) onDisk(cv *ast.Canvas) bool {
	disk, err := ast.LoadDir(c.pkg.Dir)
	if err != nil || len(disk.Files()) != len(cv.Files()) {
		return false
	}
	for _, f := range disk.Files() {
		if g := cv.File(f.Name); g == nil || g.Hash != f.Hash {
			return false
		}
	}
	return true
}

// vetInProcess runs the analyzers of go vet in-process on the package
// (with its in-package tests) and then on the external test package,
// with the facts of their dependencies (computed once per listing) and of
// the package for its external tests, as go vet does. Analyzers that fail
// are logged and skipped.
func (c *Checker) vetInProcess(cv *ast.Canvas, tr *typesResult) []Finding {
	c.typesMu.Lock()
	defer c.typesMu.Unlock()
	t0 := time.Now()
	store := c.imp.listing.facts
	store.prepare(c.imp.importPaths())
	if d := time.Since(t0); d > 100*time.Millisecond {
		c.opts.logf("constraints: vet facts of the imports of %s in %v", c.pkg.ImportPath, d.Round(time.Millisecond))
	}
	memo := make(map[*types.Package]*factTable)
	depFacts := func(p *types.Package) *factTable {
		t, ok := memo[p]
		if !ok {
			t = store.get(p.Path()).table(p)
			memo[p] = t
		}
		return t
	}
	readFile := func(name string) ([]byte, error) {
		if f := cv.File(name); f != nil {
			return []byte(f.Text), nil
		}
		return os.ReadFile(name)
	}
	module := &analysis.Module{Path: c.pkg.ModulePath, GoVersion: goVersion(c.pkg.GoVersion)}
	analyzers := vetAnalyzers(c.pkg)
	var out []Finding
	collect := func(diags map[*analysis.Analyzer][]analysis.Diagnostic, errs map[*analysis.Analyzer]error) {
		for _, a := range analyzers {
			if err := errs[a]; err != nil {
				c.opts.logf("constraints: vet %s of %s: %v", a.Name, c.pkg.ImportPath, err)
			}
			for _, d := range diags[a] {
				out = append(out, c.vetFinding(cv, a.Name, d))
			}
		}
	}
	var pkgFacts *factTable
	if tr.pkg != nil {
		u := &vetUnit{fset: c.fset, pkg: tr.pkg, files: tr.files, info: tr.info, sizes: c.sizes,
			other: c.pkg.OtherFiles, ignored: c.pkg.IgnoredFiles, module: module, readFile: readFile}
		pkgFacts = newFactTable(depFacts)
		collect(analyze(analyzers, u, pkgFacts))
	}
	if tr.xpkg != nil {
		// The external test package gets neither the assembly nor the
		// ignored files: go vet gives them to the package alone, and
		// asmdecl would look for the assembly's Go declarations here.
		u := &vetUnit{fset: c.fset, pkg: tr.xpkg, files: tr.xfiles, info: tr.info, sizes: c.sizes, module: module, readFile: readFile}
		collect(analyze(analyzers, u, newFactTable(func(p *types.Package) *factTable {
			if p == tr.pkg && pkgFacts != nil {
				return pkgFacts
			}
			return depFacts(p)
		})))
	}
	return Sort(out)
}

// vetFinding turns a diagnostic of analyzer name into a finding. A
// position that a //line directive moves elsewhere is reported where the
// directive says, as go vet does, without a span.
func (c *Checker) vetFinding(cv *ast.Canvas, name string, d analysis.Diagnostic) Finding {
	pos := c.fset.Position(d.Pos)
	raw := c.fset.PositionFor(d.Pos, false)
	file := cv.File(pos.Filename)
	if file == nil || raw.Filename != pos.Filename || raw.Line != pos.Line || raw.Column != pos.Column {
		return Finding{File: pos.Filename, Line: pos.Line, Col: pos.Column, Category: Vet, Code: diag.Code(name), Message: d.Message, Weight: 1}
	}
	end := pos.Offset
	if d.End.IsValid() {
		if e := c.fset.PositionFor(d.End, false); e.Filename == pos.Filename {
			end = e.Offset
		}
	}
	if end <= pos.Offset {
		end = tokenEnd(file.Text, pos.Offset)
	}
	f := finding(Vet, file.Name, file.Text, pos.Offset, end, diag.Code(name), d.Message)
	for _, rel := range d.Related {
		rp := c.fset.Position(rel.Pos)
		r := Related{File: rp.Filename, Line: rp.Line, Col: rp.Column, Start: rp.Offset, End: rp.Offset, Message: rel.Message}
		if re := c.fset.Position(rel.End); rel.End.IsValid() && re.Filename == rp.Filename {
			r.End = re.Offset
		}
		f.Related = append(f.Related, r)
	}
	return f
}
