package constraints

import (
	"context"
	"errors"
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
	"golang.org/x/tools/go/packages"
)

// A Package describes one package directory as the go command sees it on
// disk: the package, its in-package tests and its external _test package
// merged into one. File names are absolute.
type Package struct {
	Dir        string // absolute package directory
	ImportPath string
	Name       string
	ModulePath string // "" for the standard library
	ModuleDir  string
	GoVersion  string // the module's go version ("1.22"); "" for the standard library

	GoFiles        []string // non-test Go files compiled into the package (cgo files included)
	TestGoFiles    []string // _test.go files of the package itself
	XTestGoFiles   []string // _test.go files of the external package Name_test
	IgnoredFiles   []string // Go files excluded by build constraints
	GeneratedFiles []string // files with a "Code generated ... DO NOT EDIT." header
	CgoFiles       []string // files that import "C"
	OtherFiles     []string // non-Go files compiled into the package (.s, .c, ...)
	EmbedFiles     []string // files embedded with //go:embed

	// Goroot reports whether the package is in GOROOT (the standard
	// library or cmd, not testdata), where go vet turns some analyzers
	// off.
	Goroot bool

	// Writable reports whether difgen may write the package's files: only
	// packages of the main module are writable, never GOROOT, the module
	// cache, vendor directories or another module of a workspace.
	Writable bool

	// Errors are the package's load errors (a missing import, a malformed
	// file), as findings.
	Errors []Finding

	// Imports lists the resolved import paths of the package and its
	// tests, sorted.
	Imports []string

	// imports maps each import path written in the package's files (all
	// variants) to the resolved package path (differs under vendoring).
	imports map[string]string
}

// Files returns the names of all Go files of the package directory,
// compiled or not, sorted.
func (p *Package) Files() []string {
	var all []string
	for _, l := range [][]string{p.GoFiles, p.TestGoFiles, p.XTestGoFiles, p.IgnoredFiles} {
		all = append(all, l...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// Canvas reads the package's Go files from disk into a canvas.
func (p *Package) Canvas() (*ast.Canvas, error) {
	var files []*ast.File
	for _, name := range p.Files() {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		files = append(files, ast.NewFile(name, string(b)))
	}
	return ast.NewCanvas(p.Dir, files...), nil
}

// Load loads the metadata of the packages matched by patterns (default
// ".") in dir, the module's working directory. It returns one Package per
// package directory, sorted by directory, with its test variants merged.
//
// Load fails with a clear error when dir is not inside a module, when the
// patterns match no package, or when a matched directory holds no Go files.
// Other problems of a package are reported in its Errors.
func Load(ctx context.Context, dir string, patterns []string, opts *Options) ([]*Package, error) {
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	dir = abs
	if fi, err := os.Stat(dir); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", dir)
	}
	cfg := &packages.Config{
		Context: ctx,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
			packages.NeedImports | packages.NeedModule | packages.NeedEmbedFiles,
		Tests: true,
		Dir:   dir,
		Env:   environ(opts.clone().Env),
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, loadError(dir, err.Error())
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			if isNoModule(e.Msg) {
				return nil, loadError(dir, e.Msg)
			}
		}
	}

	byPath := make(map[string]*Package)
	var order []string
	for _, lp := range pkgs {
		base, variant := variantOf(lp)
		if variant == "main" {
			continue // the generated test main
		}
		p := byPath[base]
		if p == nil {
			p = &Package{ImportPath: base, imports: make(map[string]string)}
			byPath[base] = p
			order = append(order, base)
		}
		for path, imp := range lp.Imports {
			p.imports[path] = imp.PkgPath
		}
		switch variant {
		case "":
			p.Name = lp.Name
			p.GoFiles = lp.GoFiles
			p.IgnoredFiles = lp.IgnoredFiles
			p.OtherFiles = lp.OtherFiles
			p.EmbedFiles = lp.EmbedFiles
			if lp.Module != nil {
				p.ModulePath, p.ModuleDir, p.GoVersion = lp.Module.Path, lp.Module.Dir, lp.Module.GoVersion
				p.Writable = lp.Module.Main
			}
			p.Errors = append(p.Errors, loadErrors(lp.Errors)...)
		case "test":
			for _, f := range lp.GoFiles {
				if strings.HasSuffix(f, "_test.go") {
					p.TestGoFiles = append(p.TestGoFiles, f)
				}
			}
			if p.Name == "" {
				p.Name = lp.Name
			}
			p.Errors = append(p.Errors, loadErrors(lp.Errors)...)
		case "xtest":
			p.XTestGoFiles = lp.GoFiles
			p.Errors = append(p.Errors, loadErrors(lp.Errors)...)
		}
	}

	goroot := gorootSrc(ctx, dir, cfg.Env)
	var out []*Package
	for _, path := range order {
		p := byPath[path]
		p.Imports = slices.Sorted(maps.Values(p.imports))
		p.Imports = slices.Compact(p.Imports)
		p.Errors = Sort(p.Errors)
		all := p.Files()
		if len(all) == 0 {
			msg := fmt.Sprintf("%s: no Go files", path)
			for _, e := range p.Errors {
				msg = e.Message
				break
			}
			return nil, fmt.Errorf("%s (package %s)", msg, path)
		}
		p.Dir = filepath.Dir(all[0])
		p.Goroot = inGoroot(goroot, p.Dir)
		if p.ModuleDir == "" || !within(p.ModuleDir, p.Dir) || slices.Contains(strings.Split(filepath.ToSlash(p.Dir), "/"), "vendor") {
			p.Writable = false
		}
		p.scanFiles()
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: pattern %s matched no packages", dir, strings.Join(patterns, " "))
	}
	slices.SortFunc(out, func(a, b *Package) int { return strings.Compare(a.Dir, b.Dir) })
	return out, nil
}

// variantOf returns the import path of the package a go/packages package
// belongs to, and which variant it is: "" (the package), "test" (with its
// in-package tests), "xtest" (the external test package) or "main" (the
// generated test main).
func variantOf(p *packages.Package) (base, variant string) {
	id := p.ID
	i := strings.Index(id, " [")
	if i < 0 {
		if strings.HasSuffix(id, ".test") && p.Name == "main" {
			return strings.TrimSuffix(id, ".test"), "main"
		}
		return id, ""
	}
	base = strings.TrimSuffix(strings.TrimSuffix(id[i+2:], "]"), ".test")
	if strings.HasSuffix(p.PkgPath, "_test") && p.PkgPath != base {
		return base, "xtest"
	}
	return base, "test"
}

// gorootSrc returns GOROOT/src of the go command run in dir, or "" if
// go env fails.
func gorootSrc(ctx context.Context, dir string, env []string) string {
	res := runCmd(ctx, dir, env, defaultTimeout, "go", "env", "GOROOT")
	if res.err != nil {
		return ""
	}
	root := strings.TrimSpace(string(res.stdout))
	if root == "" {
		return ""
	}
	return filepath.Join(root, "src")
}

// inGoroot reports whether the package in dir is a GOROOT package for
// the go command: in GOROOT/src (gorootSrc), not in a testdata directory
// (the rule of go/build).
func inGoroot(gorootSrc, dir string) bool {
	if gorootSrc == "" || !within(gorootSrc, dir) {
		return false
	}
	rel, _ := filepath.Rel(gorootSrc, dir)
	return !slices.Contains(strings.Split(filepath.ToSlash(rel), "/"), "testdata")
}

func within(root, dir string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func isNoModule(msg string) bool {
	return strings.Contains(msg, "go.mod file not found") || strings.Contains(msg, "cannot find main module")
}

func loadError(dir, msg string) error {
	msg = strings.TrimSpace(msg)
	// go/packages wraps the go command's failure as "err: exit status 1:
	// stderr: MESSAGE": the message is what the go command said.
	if _, said, ok := strings.Cut(msg, "stderr: "); ok && strings.HasPrefix(msg, "err: ") {
		msg = strings.TrimSpace(strings.TrimPrefix(said, "go: "))
	}
	if isNoModule(msg) {
		return fmt.Errorf("%s: not inside a Go module (no go.mod here or in a parent directory); run 'go mod init MODULEPATH' in the project root first", dir)
	}
	if strings.Contains(msg, "no Go files") {
		return fmt.Errorf("%s: no Go files: %s", dir, lastLine(msg))
	}
	return errors.New(msg)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// loadErrors turns go/packages errors into findings.
func loadErrors(errs []packages.Error) []Finding {
	var out []Finding
	for _, e := range errs {
		f := Finding{Category: Build, Code: "load", Message: e.Msg, Weight: 1}
		if file, line, col, ok := splitPos(e.Pos); ok {
			f.File, f.Line, f.Col = file, line, col
			if b, err := os.ReadFile(file); err == nil {
				f.Start = offsetOf(string(b), line, col)
				f.End = f.Start
			}
		}
		out = append(out, f)
	}
	return out
}

// splitPos splits "file:line:col" or "file:line".
func splitPos(pos string) (file string, line, col int, ok bool) {
	if pos == "" || pos == "-" {
		return "", 0, 0, false
	}
	rest := pos
	var nums []int
	for range 2 {
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(rest[i+1:])
		if err != nil {
			break
		}
		nums = append(nums, n)
		rest = rest[:i]
	}
	switch len(nums) {
	case 1:
		return rest, nums[0], 1, true
	case 2:
		return rest, nums[1], nums[0], true
	}
	return "", 0, 0, false
}

// scanFiles fills CgoFiles and GeneratedFiles from the files' headers.
func (p *Package) scanFiles() {
	fset := token.NewFileSet()
	for _, name := range p.Files() {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly|parser.ParseComments)
		if f == nil {
			continue
		}
		_ = err
		if goast.IsGenerated(f) {
			p.GeneratedFiles = append(p.GeneratedFiles, name)
		}
		if importsC(f) && !slices.Contains(p.IgnoredFiles, name) {
			p.CgoFiles = append(p.CgoFiles, name)
		}
	}
}

func importsC(f *goast.File) bool {
	for _, imp := range f.Imports {
		if imp.Path != nil && imp.Path.Value == `"C"` {
			return true
		}
	}
	return false
}
