package constraints

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/types/objectpath"
)

// A factStore holds the vet facts of the packages of a listing: what the
// fact-producing analyzers of go vet (printf's wrappers, ctrlflow's
// functions that never return) export about each package's objects. It
// computes them from the packages' source, each package type-checked
// against its imports' export data, dependencies first, as go vet does
// for the dependencies of the package it vets (its .vetx files). A store
// is shared by every checker of its listing and safe for concurrent use.
type factStore struct {
	lst *listing
	sem chan struct{} // bounds the packages analyzed at once

	mu      sync.Mutex
	entries map[string]*pkgFacts          // by package path
	tables  map[*types.Package]*factTable // decoded entries, by package of the store's universe

	impMu   sync.Mutex
	fset    *token.FileSet
	imports map[string]*types.Package // export data, for type-checking the packages
}

// pkgFacts are the facts about one package's objects (by object path) and
// about the package itself.
type pkgFacts struct {
	done chan struct{} // closed once computed
	obj  []pathFact
	pkg  []analysis.Fact
	err  error // why there are none (logged, not fatal)
}

type pathFact struct {
	path objectpath.Path
	fact analysis.Fact
}

func newFactStore(lst *listing) *factStore {
	return &factStore{
		lst:     lst,
		sem:     make(chan struct{}, runtime.GOMAXPROCS(0)),
		entries: make(map[string]*pkgFacts),
		tables:  make(map[*types.Package]*factTable),
		fset:    token.NewFileSet(),
		imports: make(map[string]*types.Package),
	}
}

// factAnalyzers are the analyzers of go vet that export facts; go vet
// runs them (and what they require) on every dependency.
var factAnalyzers = func() []*analysis.Analyzer {
	var out []*analysis.Analyzer
	seen := make(map[*analysis.Analyzer]bool)
	var walk func(a *analysis.Analyzer)
	walk = func(a *analysis.Analyzer) {
		if seen[a] {
			return
		}
		seen[a] = true
		for _, r := range a.Requires {
			walk(r)
		}
		if len(a.FactTypes) > 0 {
			out = append(out, a)
		}
	}
	for _, a := range vetSuite {
		walk(a)
	}
	return out
}()

// get returns the facts of the package path, computing them (and those
// of its dependencies) first if needed. Packages the listing lacks, or
// without export data, have none.
func (s *factStore) get(path string) *pkgFacts {
	s.mu.Lock()
	e := s.entries[path]
	if e != nil {
		s.mu.Unlock()
		<-e.done
		return e
	}
	e = &pkgFacts{done: make(chan struct{})}
	s.entries[path] = e
	s.mu.Unlock()
	defer close(e.done)
	e.err = s.compute(path, e)
	return e
}

// prepare computes the facts of paths (and their dependencies), several
// packages at once.
func (s *factStore) prepare(paths []string, logf func(string, ...any)) {
	s.readExports(paths, logf)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Go(func() { s.get(p) })
	}
	wg.Wait()
}

// readExports reads the export data of paths and all their dependencies
// into the store's universe, one package after the other, so that the
// concurrent type checks of compute only read it (reading export data
// completes the packages it mentions).
func (s *factStore) readExports(paths []string, logf func(string, ...any)) {
	var all []string
	seen := make(map[string]bool)
	for _, p := range paths {
		l := s.lst.get(p)
		if l == nil {
			continue
		}
		for _, q := range append(slices.Clone(l.Deps), p) {
			if !seen[q] {
				seen[q] = true
				all = append(all, q)
			}
		}
	}
	slices.Sort(all)
	s.impMu.Lock()
	defer s.impMu.Unlock()
	for _, p := range all {
		if _, err := s.importLocked(p); err != nil {
			logf("constraints: vet facts: %v", err)
		}
	}
}

// importLocked returns the package path from export data. The caller
// holds s.impMu.
func (s *factStore) importLocked(path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if p := s.imports[path]; p != nil && p.Complete() {
		return p, nil
	}
	l := s.lst.get(path)
	if l == nil || l.Export == "" {
		return nil, fmt.Errorf("no export data for %s", path)
	}
	f, err := os.Open(l.Export)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(bufio.NewReader(f)) //lint:ignore SA1019 the go command still writes archives
	if err != nil {
		return nil, fmt.Errorf("reading export data of %s: %v", path, err)
	}
	return gcexportdata.Read(r, s.fset, s.imports, path)
}

// compute computes the facts of path into e.
func (s *factStore) compute(path string, e *pkgFacts) error {
	l := s.lst.get(path)
	if l == nil || path == "unsafe" || path == "C" {
		return nil
	}
	if l.Error != nil || l.Export == "" {
		return fmt.Errorf("%s: not built", path)
	}
	// Dependencies first, all of them, so that the analysis below finds
	// the facts of any package it meets ready.
	var wg sync.WaitGroup
	for _, dep := range l.Deps {
		if dep != "unsafe" && dep != "C" {
			wg.Go(func() { s.get(dep) })
		}
	}
	wg.Wait()

	s.sem <- struct{}{}
	defer func() { <-s.sem }()

	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range l.CompiledGoFiles {
		if !filepath.IsAbs(name) {
			name = filepath.Join(l.Dir, name)
		}
		src, err := s.lst.readFile(name)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	version := ""
	if l.Module != nil {
		version = l.Module.GoVersion
	}
	info := &types.Info{
		Types:        make(map[ast.Expr]types.TypeAndValue),
		Defs:         make(map[*ast.Ident]types.Object),
		Uses:         make(map[*ast.Ident]types.Object),
		Implicits:    make(map[ast.Node]types.Object),
		Instances:    make(map[*ast.Ident]types.Instance),
		Scopes:       make(map[ast.Node]*types.Scope),
		Selections:   make(map[*ast.SelectorExpr]*types.Selection),
		FileVersions: make(map[*ast.File]string),
	}
	sizes := types.SizesFor("gc", build.Default.GOARCH)
	conf := types.Config{
		Importer: importerFunc(func(p string) (*types.Package, error) {
			if q, ok := l.ImportMap[p]; ok {
				p = q
			}
			s.impMu.Lock()
			defer s.impMu.Unlock()
			return s.importLocked(p)
		}),
		Sizes:     sizes,
		GoVersion: goVersion(version),
		Error:     func(error) {},
	}
	pkg, err := conf.Check(path, fset, files, info)
	if err != nil {
		return fmt.Errorf("type-checking %s for its vet facts: %v", path, err)
	}
	facts := newFactTable(s.table)
	u := &vetUnit{fset: fset, pkg: pkg, files: files, info: info, sizes: sizes, module: &analysis.Module{GoVersion: goVersion(version)}}
	_, errs := analyze(factAnalyzers, u, facts)
	// Encode by object path, for other universes.
	var enc objectpath.Encoder
	for k, f := range facts.obj {
		p, err := enc.For(k.obj)
		if err != nil {
			continue // not reachable from other packages
		}
		e.obj = append(e.obj, pathFact{p, f})
	}
	for _, f := range facts.pkg {
		e.pkg = append(e.pkg, f)
	}
	for _, a := range factAnalyzers {
		if err := errs[a]; err != nil {
			return fmt.Errorf("vet facts of %s: %v", path, err)
		}
	}
	return nil
}

// table returns the facts of pkg, a package of the store's universe,
// decoded once.
func (s *factStore) table(pkg *types.Package) *factTable {
	e := s.get(pkg.Path())
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tables[pkg]; t != nil {
		return t
	}
	t := e.table(pkg)
	s.tables[pkg] = t
	return t
}

// table decodes the facts for pkg, the package of e as some universe
// (export data of one checker, or the store's) sees it.
func (e *pkgFacts) table(pkg *types.Package) *factTable {
	t := newFactTable(nil)
	for _, pf := range e.obj {
		obj, err := objectpath.Object(pkg, pf.path)
		if err != nil {
			continue
		}
		t.obj[objectFactKey{obj, reflect.TypeOf(pf.fact)}] = pf.fact
	}
	for _, f := range e.pkg {
		t.pkg[packageFactKey{pkg, reflect.TypeOf(f)}] = f
	}
	return t
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
