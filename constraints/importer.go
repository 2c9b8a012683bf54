package constraints

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
)

// An importer provides the type information of a package's imports from
// the go command's export data. Packages that do not depend on the checked
// package are read once and shared by every check; packages that do (only
// an external test package may import them) are read again for each check
// against the checked package's fresh types. What go list says about the
// imports lives in a listing, which a Cache shares between checkers.
type importer struct {
	pkg     *Package
	fset    *token.FileSet
	opts    *Options
	listing *listing

	mu     sync.Mutex
	shared map[string]*types.Package // packages not depending on pkg
	done   map[string]bool           // fully read into shared
	errs   map[string]error          // failed lazy lookups, by import path
	paths  map[string]string         // import path as written → package path
}

// A listedPkg is what go list -export -compiled says about a package.
type listedPkg struct {
	ImportPath      string
	Dir             string
	Export          string
	CompiledGoFiles []string          // relative to Dir, or absolute (cgo output in the build cache)
	Imports         []string          // resolved package paths
	ImportMap       map[string]string // import path as written → package path, where they differ
	Deps            []string
	Standard        bool
	Module          *struct{ GoVersion string }
	Error           *struct{ Err string }
}

// listFields are the fields of listedPkg, for go list -json=.
const listFields = "ImportPath,Dir,Export,CompiledGoFiles,Imports,ImportMap,Deps,Standard,Module,Error"

func (l *listedPkg) dependsOn(path string) bool {
	return l.ImportPath == path || slices.Contains(l.Deps, path)
}

func newImporter(pkg *Package, fset *token.FileSet, opts *Options) *importer {
	imp := &importer{
		pkg:     pkg,
		fset:    fset,
		opts:    opts,
		listing: opts.Cache.listing(pkg, opts),
		shared:  make(map[string]*types.Package),
		done:    make(map[string]bool),
		errs:    make(map[string]error),
		paths:   maps.Clone(pkg.imports),
	}
	if imp.paths == nil {
		imp.paths = make(map[string]string)
	}
	return imp
}

// importPaths returns the package paths the package and its tests import,
// sorted, without the package itself and the pseudo-packages.
func (imp *importer) importPaths() []string {
	var paths []string
	for _, p := range imp.paths {
		if p != imp.pkg.ImportPath && p != "unsafe" && p != "C" {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

// prefetch lists the package's imports with their export data (those the
// listing lacks) and reads those that do not depend on the package itself.
func (imp *importer) prefetch(ctx context.Context) error {
	paths := imp.importPaths()
	if len(paths) == 0 {
		return nil
	}
	if missing := imp.listing.missing(paths); len(missing) > 0 {
		if _, err := imp.list(ctx, missing); err != nil {
			return err
		}
	}
	imp.mu.Lock()
	defer imp.mu.Unlock()
	for _, p := range paths {
		l := imp.listing.get(p)
		if l == nil || l.Export == "" || l.dependsOn(imp.pkg.ImportPath) {
			continue
		}
		if _, err := imp.read(imp.shared, l, true); err != nil {
			imp.opts.logf("constraints: %v", err)
		}
	}
	return nil
}

// list runs go list -export -deps on paths and records the results in
// the listing. It returns the entries of paths themselves, in the order
// listed.
func (imp *importer) list(ctx context.Context, paths []string) ([]*listedPkg, error) {
	out, err := imp.listing.list(ctx, imp.pkg.Dir, imp.opts, paths)
	if err != nil {
		return nil, fmt.Errorf("go list of the imports of %s: %v", imp.pkg.ImportPath, err)
	}
	return out, nil
}

// read reads l's export data into m, which is imp.shared if shared. The
// caller holds imp.mu.
func (imp *importer) read(m map[string]*types.Package, l *listedPkg, shared bool) (*types.Package, error) {
	if l.Export == "" {
		msg := "no export data"
		if l.Error != nil {
			msg = strings.TrimSpace(l.Error.Err)
		}
		return nil, fmt.Errorf("could not load %s: %s", l.ImportPath, msg)
	}
	f, err := os.Open(l.Export)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// go list -export names compiler archives, which only NewReader opens
	// (until Go 1.29).
	r, err := gcexportdata.NewReader(bufio.NewReader(f)) //lint:ignore SA1019 the go command still writes archives
	if err != nil {
		return nil, fmt.Errorf("reading export data of %s: %v", l.ImportPath, err)
	}
	p, err := gcexportdata.Read(r, imp.fset, m, l.ImportPath)
	if err != nil {
		return nil, fmt.Errorf("reading export data of %s: %v", l.ImportPath, err)
	}
	if shared {
		imp.done[l.ImportPath] = true
	}
	return p, nil
}

// resolve returns the package path of the import path as written.
func (imp *importer) resolve(ctx context.Context, path string) (*listedPkg, error) {
	imp.mu.Lock()
	resolved, ok := imp.paths[path]
	if !ok {
		resolved = path
	}
	l := imp.listing.get(resolved)
	err := imp.errs[path]
	imp.mu.Unlock()
	if l != nil {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	// A new import (for example one added by a fill): list it lazily.
	candidates := []string{path}
	if imp.pkg.ModulePath == "" && !strings.HasPrefix(path, "vendor/") {
		candidates = append(candidates, "vendor/"+path)
	}
	for _, cand := range candidates {
		out, err := imp.list(ctx, []string{cand})
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && out[0].Error == nil {
			imp.mu.Lock()
			imp.paths[path] = out[0].ImportPath
			imp.mu.Unlock()
			return out[0], nil
		}
	}
	imp.mu.Lock()
	defer imp.mu.Unlock()
	if l := imp.listing.get(path); l != nil && l.Error != nil {
		err = errors.New(strings.TrimSpace(l.Error.Err))
	} else {
		err = fmt.Errorf("package %s not found", path)
	}
	imp.errs[path] = err
	return nil, err
}

// forCheck returns the types.Importer of one check. self is the checked
// package, given to the external test package; nil for the package itself.
// pkgName returns the name of the package at path as imported (the last
// element of the path when it is not loaded).
func (imp *importer) pkgName(p string) string {
	imp.mu.Lock()
	defer imp.mu.Unlock()
	if resolved, ok := imp.paths[p]; ok {
		p = resolved
	}
	if pkg := imp.shared[p]; pkg != nil {
		return pkg.Name()
	}
	return path.Base(p)
}

// Import returns the types of the package at path as the checked package
// would see them if it imported it (a standard-library package that a
// fill may add, say): from the go command's export data, read once for
// the checker's lifetime.
func (c *Checker) Import(ctx context.Context, path string) (*types.Package, error) {
	return c.imp.forCheck(ctx, nil).Import(path)
}

func (imp *importer) forCheck(ctx context.Context, self *types.Package) types.ImporterFrom {
	return &checkImporter{imp: imp, ctx: ctx, self: self}
}

type checkImporter struct {
	imp    *importer
	ctx    context.Context
	self   *types.Package
	local  map[string]*types.Package // for packages depending on self
	broken []string                  // imports that exist but do not build
}

func (ci *checkImporter) Import(path string) (*types.Package, error) {
	return ci.ImportFrom(path, "", 0)
}

func (ci *checkImporter) ImportFrom(path, _ string, _ types.ImportMode) (*types.Package, error) {
	imp := ci.imp
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if ci.self != nil && path == imp.pkg.ImportPath {
		return ci.self, nil
	}
	l, err := imp.resolve(ci.ctx, path)
	if err != nil {
		return nil, err
	}
	if l.Export == "" && l.Error != nil && l.Dir != "" {
		// The package exists but does not build (another module of a
		// workspace, say): its types, and so ours, are unknown.
		ci.broken = append(ci.broken, l.ImportPath)
	}
	imp.mu.Lock()
	defer imp.mu.Unlock()
	if !l.dependsOn(imp.pkg.ImportPath) {
		if imp.done[l.ImportPath] {
			return imp.shared[l.ImportPath], nil
		}
		return imp.read(imp.shared, l, true)
	}
	if ci.self == nil {
		return nil, fmt.Errorf("import cycle not allowed: %s imports %s", path, imp.pkg.ImportPath)
	}
	if p := ci.local[l.ImportPath]; p != nil && p.Complete() {
		return p, nil
	}
	if ci.local == nil {
		ci.local = maps.Clone(imp.shared)
		ci.local[imp.pkg.ImportPath] = ci.self
	}
	return imp.read(ci.local, l, false)
}
