package constraints

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
)

// An importer provides the type information of a package's imports from
// the go command's export data. Packages that do not depend on the checked
// package are read once and shared by every check; packages that do (only
// an external test package may import them) are read again for each check
// against the checked package's fresh types.
type importer struct {
	pkg  *Package
	fset *token.FileSet
	opts *Options

	mu     sync.Mutex
	listed map[string]*listedPkg     // by package path
	shared map[string]*types.Package // packages not depending on pkg
	done   map[string]bool           // fully read into shared
	errs   map[string]error          // failed lazy lookups, by import path
	paths  map[string]string         // import path as written → package path
}

type listedPkg struct {
	ImportPath string
	Dir        string
	Export     string
	Deps       []string
	Standard   bool
	Error      *struct{ Err string }
}

func (l *listedPkg) dependsOn(path string) bool {
	return l.ImportPath == path || slices.Contains(l.Deps, path)
}

func newImporter(pkg *Package, fset *token.FileSet, opts *Options) *importer {
	imp := &importer{
		pkg:    pkg,
		fset:   fset,
		opts:   opts,
		listed: make(map[string]*listedPkg),
		shared: make(map[string]*types.Package),
		done:   make(map[string]bool),
		errs:   make(map[string]error),
		paths:  maps.Clone(pkg.imports),
	}
	if imp.paths == nil {
		imp.paths = make(map[string]string)
	}
	return imp
}

// prefetch lists the package's imports with their export data and reads
// those that do not depend on the package itself.
func (imp *importer) prefetch(ctx context.Context) error {
	var paths []string
	for _, p := range imp.paths {
		if p != imp.pkg.ImportPath && p != "unsafe" && p != "C" {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	if len(paths) == 0 {
		return nil
	}
	if _, err := imp.list(ctx, paths); err != nil {
		return err
	}
	imp.mu.Lock()
	defer imp.mu.Unlock()
	for _, p := range paths {
		l := imp.listed[p]
		if l == nil || l.Export == "" || l.dependsOn(imp.pkg.ImportPath) {
			continue
		}
		if _, err := imp.read(imp.shared, l, true); err != nil {
			imp.opts.logf("constraints: %v", err)
		}
	}
	return nil
}

// list runs go list -export -deps on paths and records the results. It
// returns the entries of paths themselves, in the order listed.
func (imp *importer) list(ctx context.Context, paths []string) ([]*listedPkg, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	args := []string{"list", "-e", "-export", "-deps", "-json=ImportPath,Dir,Export,Deps,Standard,Error"}
	ov, cleanup, err := extraOverlay(imp.opts.Overlay)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if ov != nil {
		args = append(args, "-overlay="+ov.File)
	}
	args = append(append(args, "--"), paths...)
	res := runCmd(ctx, imp.pkg.Dir, environ(imp.opts.clone().Env), imp.opts.buildTimeout(), "go", args...)
	if res.err != nil && !res.exited {
		return nil, fmt.Errorf("go list of the imports of %s: %v", imp.pkg.ImportPath, res.err)
	}
	var out []*listedPkg
	dec := json.NewDecoder(bytes.NewReader(res.stdout))
	imp.mu.Lock()
	defer imp.mu.Unlock()
	for {
		l := new(listedPkg)
		if err := dec.Decode(l); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list of the imports of %s: %v: %s", imp.pkg.ImportPath, err, strings.TrimSpace(ov.unmap(string(res.stderr))))
		}
		if l.Error != nil {
			l.Error.Err = ov.unmap(l.Error.Err) // no temporary path in messages
		}
		imp.listed[l.ImportPath] = l
		if slices.Contains(paths, l.ImportPath) {
			out = append(out, l)
		}
	}
	if len(out) == 0 && res.err != nil {
		return nil, fmt.Errorf("go list of the imports of %s: %s", imp.pkg.ImportPath, strings.TrimSpace(ov.unmap(string(res.stderr))))
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
	l := imp.listed[resolved]
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
	if l := imp.listed[path]; l != nil && l.Error != nil {
		err = errors.New(strings.TrimSpace(l.Error.Err))
	} else {
		err = fmt.Errorf("package %s not found", path)
	}
	imp.errs[path] = err
	return nil, err
}

// forCheck returns the types.Importer of one check. self is the checked
// package, given to the external test package; nil for the package itself.
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
