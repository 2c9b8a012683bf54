package constraints

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/difgen/difgen/ast"
)

// A Cache shares, between the checkers of one run, what does not change
// while they run: the go command's listing of their imports (with export
// data) and the vet facts of those imports. Checking many packages with
// one Cache lists and analyzes each dependency once. Checkers share
// entries only when their module, Env and Overlay agree. A Cache is safe
// for concurrent use; its zero value is ready to use.
//
// A nil *Cache in Options is valid: each Checker then keeps its own.
type Cache struct {
	// FactsDir, if set, is a directory where the vet facts of packages
	// persist across runs, so that each version of a dependency is
	// analyzed once per machine (like go vet's .vetx files in the build
	// cache). Its files are named by the hash of what they depend on, so
	// processes and difgen versions may share it.
	FactsDir string

	mu       sync.Mutex
	listings map[string]*listing
}

// listing returns the listing that checkers of pkg with opts share; a new
// one if c is nil.
func (c *Cache) listing(pkg *Package, opts *Options) *listing {
	if c == nil {
		return newListing(opts, "")
	}
	key := listingKey(pkg, opts)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.listings == nil {
		c.listings = make(map[string]*listing)
	}
	l := c.listings[key]
	if l == nil {
		l = newListing(opts, c.FactsDir)
		c.listings[key] = l
	}
	return l
}

// listingKey identifies the context in which the go command resolves
// pkg's imports: its module (GOROOT for the standard library), the extra
// environment and the overlay.
func listingKey(pkg *Package, opts *Options) string {
	h := sha256.New()
	mod := pkg.ModuleDir
	switch {
	case pkg.Goroot:
		mod = "GOROOT"
	case mod == "":
		mod = "dir " + pkg.Dir
	}
	fmt.Fprintf(h, "module %q\n", mod)
	for _, kv := range opts.clone().Env {
		fmt.Fprintf(h, "env %q\n", kv)
	}
	for _, name := range slices.Sorted(maps.Keys(opts.clone().Overlay)) {
		fmt.Fprintf(h, "overlay %q %x\n", name, sha256.Sum256([]byte(opts.Overlay[name])))
	}
	return string(h.Sum(nil))
}

// Prefetch lists, in one go command per module, the imports of pkgs that
// c does not hold yet, so that the checkers of pkgs made with opts (whose
// Cache is c) start without running go list each. It is an optimization:
// NewChecker lists what is missing by itself.
func (c *Cache) Prefetch(ctx context.Context, pkgs []*Package, opts *Options) error {
	if c == nil {
		return nil
	}
	type group struct {
		dir   string
		paths []string
	}
	groups := make(map[*listing]*group)
	var order []*listing
	for _, p := range pkgs {
		lst := c.listing(p, opts)
		g := groups[lst]
		if g == nil {
			g = &group{dir: p.Dir}
			groups[lst] = g
			order = append(order, lst)
		}
		imp := &importer{pkg: p, paths: p.imports}
		g.paths = append(g.paths, imp.importPaths()...)
	}
	for _, lst := range order {
		g := groups[lst]
		slices.Sort(g.paths)
		missing := lst.missing(slices.Compact(g.paths))
		if len(missing) == 0 {
			continue
		}
		if _, err := lst.list(ctx, g.dir, opts, missing); err != nil {
			return fmt.Errorf("go list of imports: %v", err)
		}
	}
	return nil
}

// PrefetchVet runs go vet -json, one go command per module, on pkgs as
// they are on disk, and keeps its findings for the checkers of pkgs made
// with opts: their checks of an unmodified package then need no go vet
// of their own. It is an optimization, like Prefetch: a package whose
// files change, or that go vet could not vet in the batch (a type error,
// a load error), is vetted by its checker.
func (c *Cache) PrefetchVet(ctx context.Context, pkgs []*Package, opts *Options) error {
	if c == nil {
		return nil
	}
	type group struct {
		lst  *listing
		pkgs []*Package
	}
	var groups []*group
	byListing := make(map[*listing]*group)
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			continue // go vet would stop before vetting any package
		}
		lst := c.listing(p, opts)
		g := byListing[lst]
		if g == nil {
			g = &group{lst: lst}
			byListing[lst] = g
			groups = append(groups, g)
		}
		g.pkgs = append(g.pkgs, p)
	}
	for _, g := range groups {
		if err := g.lst.prefetchVet(ctx, g.pkgs, opts); err != nil {
			return err
		}
	}
	return nil
}

// prefetchVet runs go vet on pkgs, packages of one listing, and records
// what it reports on each.
func (lst *listing) prefetchVet(ctx context.Context, pkgs []*Package, opts *Options) error {
	files := make(map[string]map[string]ast.Hash)
	byPath := make(map[string]*Package)
	var paths []string
	for _, p := range pkgs {
		cv, err := ast.LoadDir(p.Dir)
		if err != nil {
			continue // its checker reports it
		}
		fs := make(map[string]ast.Hash)
		for _, f := range cv.Files() {
			fs[f.Name] = f.Hash
		}
		files[p.Dir] = fs
		byPath[p.ImportPath] = p
		paths = append(paths, p.ImportPath)
	}
	if len(paths) == 0 {
		return nil
	}
	args := vetArgs(pkgs[0])
	ov, cleanup, err := extraOverlay(opts.clone().Overlay)
	if err != nil {
		return err
	}
	defer cleanup()
	if ov != nil {
		args = append(args, "-overlay="+ov.File)
	}
	args = append(append(args, "--"), paths...)
	res := runCmd(ctx, pkgs[0].Dir, environ(opts.clone().Env), opts.buildTimeout(), "go", args...)
	if !res.exited {
		return fmt.Errorf("go vet: %v", res.err)
	}
	// The packages go vet names on stderr ("# path", "# [path]") it could
	// not vet cleanly: their checkers run go vet again, alone.
	failed := make(map[string]bool)
	for _, line := range strings.Split(string(res.stderr), "\n") {
		if name, ok := strings.CutPrefix(line, "# "); ok {
			name, _, _ = strings.Cut(strings.Trim(name, "[]"), " [")
			if byPath[name] == nil {
				name = strings.TrimSuffix(name, "_test")
			}
			failed[name] = true
		}
	}
	if res.err != nil && len(failed) == 0 {
		opts.logf("constraints: go vet of %d packages failed: %s", len(paths), trimOutput(res.stderr))
		return nil
	}
	byID, err := decodeVetJSON(res.stdout, opts.logf)
	if err != nil {
		return err
	}
	diags := make(map[string][]vetDiag)
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		path, _, _ := strings.Cut(id, " [")
		if byPath[path] == nil {
			path = strings.TrimSuffix(path, "_test")
		}
		if byPath[path] != nil {
			diags[path] = append(diags[path], byID[id]...)
		}
	}
	lst.mu.Lock()
	defer lst.mu.Unlock()
	for path, p := range byPath {
		if !failed[path] {
			lst.vets[p.Dir] = &vetRecord{files: files[p.Dir], diags: diags[path]}
		}
	}
	return nil
}

// A listing holds what go list said about packages in one context, and
// the vet facts computed for them.
type listing struct {
	overlay  map[string]string // Options.Overlay: files of other packages, by absolute name
	factsDir string            // Cache.FactsDir
	logf     func(string, ...any)
	facts    *factStore

	mu   sync.Mutex
	pkgs map[string]*listedPkg // by package path
	vets map[string]*vetRecord // go vet of packages on disk, by directory
}

// A vetRecord is what go vet reported on a package directory, and the Go
// files it had then.
type vetRecord struct {
	files map[string]ast.Hash
	diags []vetDiag
}

func newListing(opts *Options, factsDir string) *listing {
	o := opts.clone()
	l := &listing{overlay: o.Overlay, factsDir: factsDir, logf: o.logf, pkgs: make(map[string]*listedPkg), vets: make(map[string]*vetRecord)}
	l.facts = newFactStore(l)
	return l
}

// vetResult returns go vet's diagnostics on the package in dir, if the
// listing holds them for the files of cv.
func (lst *listing) vetResult(dir string, cv *ast.Canvas) ([]vetDiag, bool) {
	lst.mu.Lock()
	rec := lst.vets[dir]
	lst.mu.Unlock()
	if rec == nil || len(rec.files) != len(cv.Files()) {
		return nil, false
	}
	for _, f := range cv.Files() {
		if h, ok := rec.files[f.Name]; !ok || h != f.Hash {
			return nil, false
		}
	}
	return rec.diags, true
}

// readFile reads a file of a listed package, as the overlay has it.
func (lst *listing) readFile(name string) ([]byte, error) {
	if text, ok := lst.overlay[name]; ok {
		return []byte(text), nil
	}
	return os.ReadFile(name)
}

func (lst *listing) get(path string) *listedPkg {
	lst.mu.Lock()
	defer lst.mu.Unlock()
	return lst.pkgs[path]
}

// missing returns the paths the listing lacks.
func (lst *listing) missing(paths []string) []string {
	lst.mu.Lock()
	defer lst.mu.Unlock()
	var out []string
	for _, p := range paths {
		if lst.pkgs[p] == nil {
			out = append(out, p)
		}
	}
	return out
}

// list runs go list -e -export -compiled -deps on paths in dir and records
// the results. It returns the entries of paths themselves, in the order
// listed.
func (lst *listing) list(ctx context.Context, dir string, opts *Options, paths []string) ([]*listedPkg, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	args := []string{"list", "-e", "-export", "-compiled", "-deps", "-json=" + listFields}
	ov, cleanup, err := extraOverlay(opts.clone().Overlay)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if ov != nil {
		args = append(args, "-overlay="+ov.File)
	}
	args = append(append(args, "--"), paths...)
	res := runCmd(ctx, dir, environ(opts.clone().Env), opts.buildTimeout(), "go", args...)
	if res.err != nil && !res.exited {
		return nil, res.err
	}
	var out []*listedPkg
	dec := json.NewDecoder(bytes.NewReader(res.stdout))
	lst.mu.Lock()
	defer lst.mu.Unlock()
	for {
		l := new(listedPkg)
		if err := dec.Decode(l); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%v: %s", err, strings.TrimSpace(ov.unmap(string(res.stderr))))
		}
		if l.Error != nil {
			l.Error.Err = ov.unmap(l.Error.Err) // no temporary path in messages
		}
		lst.pkgs[l.ImportPath] = l
		if slices.Contains(paths, l.ImportPath) {
			out = append(out, l)
		}
	}
	if len(out) == 0 && res.err != nil {
		msg := strings.TrimSpace(ov.unmap(string(res.stderr)))
		if msg == "" {
			msg = res.err.Error()
		}
		return nil, errors.New(msg)
	}
	return out, nil
}
