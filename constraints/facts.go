package constraints

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"fmt"
	goast "go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
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
	if e.err = s.compute(path, e); e.err != nil {
		s.lst.logf("constraints: %v", e.err)
	}
	return e
}

// prepare computes the facts of paths (and of their dependencies, as
// far as needed), several packages at once.
func (s *factStore) prepare(paths []string) {
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Go(func() { s.get(p) })
	}
	wg.Wait()
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
	file := s.cacheFile(l)
	if file != "" && readFacts(file, e) == nil {
		return nil
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

	// Read the export data of all the dependencies now, one after the
	// other, so that the type checks running meanwhile only read the
	// packages they import (reading export data completes the packages
	// it mentions).
	s.impMu.Lock()
	for _, dep := range l.Deps {
		if _, err := s.importLocked(dep); err != nil && dep != "C" {
			s.impMu.Unlock()
			return fmt.Errorf("vet facts of %s: %v", path, err)
		}
	}
	s.impMu.Unlock()

	fset := token.NewFileSet()
	var files []*goast.File
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
		Types:        make(map[goast.Expr]types.TypeAndValue),
		Defs:         make(map[*goast.Ident]types.Object),
		Uses:         make(map[*goast.Ident]types.Object),
		Implicits:    make(map[goast.Node]types.Object),
		Instances:    make(map[*goast.Ident]types.Instance),
		Scopes:       make(map[goast.Node]*types.Scope),
		Selections:   make(map[*goast.SelectorExpr]*types.Selection),
		FileVersions: make(map[*goast.File]string),
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
	if file != "" {
		if err := writeFacts(file, e); err != nil {
			return fmt.Errorf("caching the vet facts of %s: %v", path, err)
		}
	}
	return nil
}

// factsVersion names the analyzers whose facts a cache file holds: the
// version of golang.org/x/tools difgen is built with, or, when the build
// does not say (a test binary, a replaced module), the hash of the
// running executable; "" if neither is known, and then facts are not
// cached on disk.
var factsVersion = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "golang.org/x/tools" && m.Replace == nil && m.Sum != "" {
				return m.Version + " " + m.Sum
			}
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return fmt.Sprintf("executable %x", h.Sum(nil))
})

// cacheFile returns the file of the store's cache directory that holds
// the facts of l, or "" if there is none. Its name hashes the analyzers'
// version and the export data files of l and of all its dependencies;
// those files are named by the hash of their content in the go command's
// build cache, so any change to the package or below it, which may change
// its facts, names another file.
func (s *factStore) cacheFile(l *listedPkg) string {
	if s.lst.factsDir == "" || factsVersion() == "" {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "difgen vet facts 1\n%s\n%s/%s\n%s %s\n", factsVersion(), build.Default.GOOS, build.Default.GOARCH, l.ImportPath, l.Export)
	for _, dep := range l.Deps {
		export := ""
		if d := s.lst.get(dep); d != nil {
			export = d.Export
		}
		if export == "" && dep != "unsafe" && dep != "C" {
			return ""
		}
		fmt.Fprintf(h, "%s %s\n", dep, export)
	}
	sum := fmt.Sprintf("%x", h.Sum(nil))
	return filepath.Join(s.lst.factsDir, sum[:2], sum)
}

// factsFile is the encoding of pkgFacts in a cache file.
type factsFile struct {
	Obj []struct {
		Path string
		Fact analysis.Fact
	}
	Pkg []analysis.Fact
}

var registerFacts = sync.OnceFunc(func() {
	for _, a := range factAnalyzers {
		for _, f := range a.FactTypes {
			gob.Register(f)
		}
	}
})

func readFacts(file string, e *pkgFacts) error {
	registerFacts()
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var ff factsFile
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&ff); err != nil {
		return err
	}
	for _, of := range ff.Obj {
		e.obj = append(e.obj, pathFact{objectpath.Path(of.Path), of.Fact})
	}
	e.pkg = ff.Pkg
	return nil
}

// writeFacts writes e to file, atomically.
func writeFacts(file string, e *pkgFacts) error {
	registerFacts()
	var ff factsFile
	for _, pf := range e.obj {
		ff.Obj = append(ff.Obj, struct {
			Path string
			Fact analysis.Fact
		}{string(pf.path), pf.fact})
	}
	ff.Pkg = e.pkg
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&ff); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".facts-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(buf.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
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
