package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/internal/filetx"
	"github.com/difgen/difgen/internal/spec"
	"github.com/difgen/difgen/internal/tempdir"
	"github.com/difgen/difgen/model"
)

var cmdGen = &command{
	Name:      "gen",
	UsageLine: "gen [-o dir] [-model name] [-force] [flags] spec.md",
	Short:     "generate a module from a Markdown spec",
	Long:      helpText("Gen"),
	SetFlags:  func(fs *flag.FlagSet) { genFl.register(fs) },
	Run: func(ctx context.Context, e *env, args []string) error {
		return runGen(ctx, e, &genFl, args)
	},
}

// genFlags are gen's flags: the model and budget flags of fix and fill,
// and its own.
type genFlags struct {
	repairFlags
	out, module string
	force, init bool
}

var genFl genFlags

func (f *genFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "o", "", "output `directory` (default: the last element of the module path for a new module, . inside a module)")
	fs.BoolVar(&f.force, "force", false, "overwrite files that exist and are not this spec's skeleton")
	fs.StringVar(&f.module, "module", "", "module `path` when the spec has no go.mod block and the output lies in no module")
	fs.BoolVar(&f.init, "init", false, "print a starter spec and exit")
	fs.BoolVar(&f.json, "json", false, "print machine-readable results")
	fs.StringVar(&f.model, "model", "local", "denoiser: local, a remote endpoint such as openai:gpt-4.1, or local,openai:NAME (holes go to the local model first)")
	fs.Int64Var(&f.seed, "seed", 1, "seed for the denoiser")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "limit for each run of the tests and each model request")
	fs.StringVar(&f.budget, "budget", "time=10m,steps=12,calls=200", "limits: time and calls for the whole run, steps for each fill")
	fs.IntVar(&f.candidates, "candidates", 0, "candidates per hole (default 8 for the local model, 3 for a remote one)")
	fs.BoolVar(&f.verbose, "v", false, "log the search to stderr")
	fs.Func("env", "set `KEY=value` for the tests (repeatable)", func(s string) error {
		if k, _, ok := strings.Cut(s, "="); !ok || k == "" {
			return fmt.Errorf("want KEY=value, not %q", s)
		}
		f.env = append(f.env, s)
		return nil
	})
}

// A genRun is one run of gen.
type genRun struct {
	e       *env
	fl      *genFlags
	b       budget
	cwd     string
	start   time.Time
	logf    func(string, ...any)
	copts   *constraints.Options
	newDen  denoiserFactory
	prog    *progress
	usage   model.Usage
	steps   int
	dir     string // the output directory, absolute
	modRoot string // the root of the module the output lies in
	modPath string
	// written lists the files the skeleton step created or replaced.
	written  []string
	designed string // the API spec a model designed, when the spec had no code
	apiName  string // the file that holds it
}

func (g *genRun) rel(name string) string { return relTo(g.cwd)(name) }

func runGen(ctx context.Context, e *env, fl *genFlags, args []string) error {
	if fl.init {
		fmt.Fprint(e.stdout, spec.Starter())
		return nil
	}
	if len(args) != 1 {
		return usageErrorf("gen: want one spec file (run 'difgen gen -init > spec.md' for a starter)")
	}
	b, err := parseBudget(fl.budget)
	if err != nil {
		return usageErrorf("gen: %v", err)
	}
	if fl.candidates < 0 {
		return usageErrorf("gen: -candidates must be at least 1")
	}
	if fl.candidates == 0 {
		fl.candidates = 8
		if !isLocal(fl.model) {
			fl.candidates = 3
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	specName := args[0]
	src, err := os.ReadFile(specName)
	if err != nil {
		return usageErrorf("gen: %v", err)
	}
	g := &genRun{e: e, fl: fl, b: b, cwd: cwd, start: time.Now(), logf: func(string, ...any) {}}
	if fl.verbose {
		g.logf = func(format string, args ...any) { fmt.Fprintf(e.stderr, "difgen: "+format+"\n", args...) }
	}
	if b.time > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, b.time)
		defer cancel()
	}

	gm, code, err := spec.Scan(specName, src)
	if err != nil {
		return specError(e, err)
	}
	if !code && isLocal(fl.model) {
		return &exitError{code: 1, msg: fmt.Sprintf("%s: no Go code: the spec has no fenced go block with declarations, and the local model cannot design an API from prose; "+
			"add the declarations (func F(x T) R) in go blocks, or name a remote model, e.g. -model openai:gpt-4.1", specName)}
	}
	if err := g.chooseModule(gm); err != nil {
		return err
	}
	g.newDen, err = newDenoiser(ctx, e, &fl.repairFlags, g.logf)
	if ctx.Err() != nil {
		return errInterrupted
	}
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	sopts := &spec.Options{Dir: g.dir, ImportPath: g.modPath + relImport(g.modRoot, g.dir)}
	var s *spec.Spec
	if code {
		s, err = spec.Parse(specName, src, sopts)
		if err != nil {
			return specError(e, err)
		}
	} else {
		s, err = g.design(ctx, specName, src, sopts)
		if ctx.Err() != nil {
			return errInterrupted
		}
		if err != nil {
			return err
		}
	}
	if len(s.Files) == 0 {
		return &exitError{code: 1, msg: specName + ": no Go file: the spec's go blocks hold no package"}
	}
	// Finish or undo what an earlier difgen killed while writing left.
	if err := g.recover(s); err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	if err := g.writeSkeleton(ctx, s, gm); err != nil {
		return err
	}
	// The go command names directories with symbolic links resolved.
	if d, err := filepath.EvalSymlinks(g.dir); err == nil && d != g.dir {
		g.dir = d
		if r, err := filepath.EvalSymlinks(g.modRoot); err == nil {
			g.modRoot = r
		}
		if c, err := filepath.EvalSymlinks(g.cwd); err == nil {
			g.cwd = c
		}
	}
	return g.fill(ctx, s)
}

// specError prints the errors of a spec, one a line, and returns the
// exit error.
func specError(e *env, err error) error {
	var list spec.ErrorList
	if errors.As(err, &list) {
		for _, x := range list {
			fmt.Fprintln(e.stderr, x)
		}
		return &exitError{code: 1, msg: "the spec has errors; nothing written"}
	}
	return &exitError{code: 1, msg: err.Error()}
}

// chooseModule sets the output directory and the module it lies in.
func (g *genRun) chooseModule(gm *spec.GoMod) error {
	fl := g.fl
	if fl.module != "" {
		if err := module.CheckImportPath(fl.module); err != nil {
			return usageErrorf("gen: -module %s: not a valid module path: %v", fl.module, err)
		}
		if gm != nil && gm.Module != fl.module {
			return usageErrorf("gen: -module %s, but the spec's go.mod block says module %s", fl.module, gm.Module)
		}
	}
	out := fl.out
	if out == "" {
		switch {
		case gm != nil:
			out = filepath.Base(gm.Module)
		case fl.module != "":
			out = filepath.Base(fl.module)
		default:
			out = "."
		}
	}
	dir, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usageErrorf("gen: -o %s: not a directory", out)
	}
	g.dir = dir
	root, path, err := enclosingModule(dir)
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	switch {
	case gm != nil:
		g.modRoot, g.modPath = dir, gm.Module
	case root != "":
		if fl.module != "" && !(root == dir && path == fl.module) {
			return usageErrorf("gen: -module %s, but %s lies in module %s (%s); drop -module to add the package to it", fl.module, out, path, g.rel(root))
		}
		g.modRoot, g.modPath = root, path
	case fl.module != "":
		g.modRoot, g.modPath = dir, fl.module
	default:
		return usageErrorf("gen: no module path: the spec has no go.mod block, %s lies in no module, and -module is not set", out)
	}
	return nil
}

// enclosingModule returns the root and path of the module dir lies in
// (dir need not exist), or "" when there is none.
func enclosingModule(dir string) (root, path string, err error) {
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			p := modfile.ModulePath(data)
			if p == "" {
				return "", "", fmt.Errorf("%s: no module directive", filepath.Join(d, "go.mod"))
			}
			return d, p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", err
		}
		if filepath.Dir(d) == d {
			return "", "", nil
		}
	}
}

// relImport returns the import path suffix of dir in the module rooted
// at root: "" for the root, "/a/b" below it.
func relImport(root, dir string) string {
	r, err := filepath.Rel(root, dir)
	if err != nil || r == "." {
		return ""
	}
	return "/" + filepath.ToSlash(r)
}

// recover finishes or undoes the interrupted writes an earlier difgen
// left in the directories of the spec's files.
func (g *genRun) recover(s *spec.Spec) error {
	dirs := []string{g.dir}
	for _, f := range s.Files {
		if d := filepath.Join(g.dir, filepath.FromSlash(f.Dir())); !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	for _, d := range dirs {
		rs, err := filetx.Recover(d)
		for _, r := range rs {
			if len(r.Files) == 0 {
				continue
			}
			what := "undid"
			if r.Forward {
				what = "finished"
			}
			fmt.Fprintf(g.e.stderr, "difgen: %s the interrupted write of %d files by an earlier difgen (%s)\n", what, len(r.Files), g.rel(r.Files[0]))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// goVersion returns the go line for a new go.mod: the go command's
// language version.
func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "go")
	if err != nil || v == "" {
		return "1.22"
	}
	if i := strings.IndexFunc(v, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i >= 0 {
		v = v[:i]
	}
	if parts := strings.Split(v, "."); len(parts) > 2 {
		v = parts[0] + "." + parts[1]
	}
	return v
}

// A skelFile is a file of the skeleton and what to do with it.
type skelFile struct {
	name string // absolute
	text string
	// create: it does not exist; replace: it exists and differs (-force);
	// neither: it exists and is this spec's (resume).
	create, replace bool
}

// writeSkeleton writes the files of the skeleton that are not there
// yet, in one transaction; a file that exists and is not this spec's
// stops it unless -force.
func (g *genRun) writeSkeleton(ctx context.Context, s *spec.Spec, gm *spec.GoMod) error {
	var files []*skelFile
	var conflicts []string
	add := func(name, text string, same func(disk string) bool) {
		disk, err := os.ReadFile(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			files = append(files, &skelFile{name: name, text: text, create: true})
		case err != nil:
			conflicts = append(conflicts, fmt.Sprintf("%s: %v", g.rel(name), err))
		case string(disk) == text || same(string(disk)):
			files = append(files, &skelFile{name: name, text: text})
		case g.fl.force:
			files = append(files, &skelFile{name: name, text: text, replace: true})
		default:
			conflicts = append(conflicts, fmt.Sprintf("%s: exists and is not this spec's skeleton; -force overwrites it", g.rel(name)))
		}
	}
	if g.modRoot == g.dir {
		text := ""
		if gm != nil {
			text = gm.Text
		} else {
			text = fmt.Sprintf("module %s\n\ngo %s\n", g.modPath, goVersion())
		}
		add(filepath.Join(g.dir, "go.mod"), text, func(disk string) bool { return modfile.ModulePath([]byte(disk)) == g.modPath })
	}
	keys := map[string][]string{}
	for _, fn := range s.Funcs {
		keys[fn.File] = append(keys[fn.File], fn.Key)
	}
	for _, f := range s.Files {
		ks := keys[f.Path]
		want, err := spec.Skeleton(f.Text, ks)
		if err != nil {
			return &exitError{code: 1, msg: fmt.Sprintf("%s: %v", f.Path, err)}
		}
		add(filepath.Join(g.dir, filepath.FromSlash(f.Path)), f.Text, func(disk string) bool {
			got, err := spec.Skeleton(disk, ks)
			return err == nil && got == want
		})
	}
	if g.designed != "" {
		add(g.apiName, g.designed, func(string) bool { return true })
	}
	// Go files of the package directories that the spec does not name
	// must be of the same package.
	pkgs := map[string]string{}
	for _, f := range s.Files {
		pkgs[filepath.Join(g.dir, filepath.FromSlash(f.Dir()))] = strings.TrimSuffix(f.Package, "_test")
	}
	for dir, pkg := range pkgs {
		ents, _ := os.ReadDir(dir)
		for _, ent := range ents {
			name := filepath.Join(dir, ent.Name())
			if !strings.HasSuffix(ent.Name(), ".go") || slices.ContainsFunc(files, func(f *skelFile) bool { return f.name == name }) {
				continue
			}
			data, err := os.ReadFile(name)
			if err != nil {
				continue
			}
			if p := packageOf(string(data)); p != "" && strings.TrimSuffix(p, "_test") != pkg {
				conflicts = append(conflicts, fmt.Sprintf("%s: package %s, but the spec makes %s package %s", g.rel(name), p, g.rel(dir), pkg))
			}
		}
	}
	if len(conflicts) > 0 {
		slices.Sort(conflicts)
		for _, c := range conflicts {
			fmt.Fprintln(g.e.stderr, c)
		}
		return &exitError{code: 1, msg: "nothing written"}
	}

	var tx []filetx.File
	opts := &filetx.Options{Inputs: map[string]ast.Hash{}}
	var made []string // directories created, deepest last
	for _, f := range files {
		if !f.create && !f.replace {
			continue
		}
		if f.create {
			for d := filepath.Dir(f.name); ; d = filepath.Dir(d) {
				if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
					break
				}
				made = append(made, d)
			}
		} else {
			data, _ := os.ReadFile(f.name)
			opts.Inputs[f.name] = ast.NewFile("", string(data)).Hash
		}
		tx = append(tx, filetx.File{Name: f.name, Text: f.text, Root: g.modRoot, Create: f.create})
	}
	if len(tx) == 0 {
		return nil
	}
	slices.Sort(made)
	made = slices.Compact(made)
	for _, d := range made {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return &exitError{code: 1, msg: err.Error()}
		}
	}
	if err := filetx.Apply(ctx, tx, opts); err != nil {
		for _, d := range slices.Backward(made) {
			os.Remove(d) // only if still empty
		}
		if ctx.Err() != nil {
			return errInterrupted
		}
		var txErr *filetx.Error
		if errors.As(err, &txErr) {
			for _, p := range txErr.Problems {
				fmt.Fprintf(g.e.stderr, "%s: not written: %s\n", g.rel(p.Name), p.Reason)
			}
			return &exitError{code: 1, msg: "nothing written"}
		}
		return &exitError{code: 1, msg: err.Error()}
	}
	for _, f := range tx {
		g.written = append(g.written, f.Name)
	}
	return nil
}

// packageOf returns the package clause of src, or "".
func packageOf(src string) string {
	i := strings.Index(src, "package ")
	for i >= 0 {
		if i == 0 || src[i-1] == '\n' {
			f := strings.Fields(src[i+len("package "):])
			if len(f) > 0 {
				return strings.TrimSuffix(f[0], ";")
			}
			return ""
		}
		j := strings.Index(src[i+1:], "package ")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return ""
}

// fill fills the holes of each package of the skeleton, writes what it
// filled and prints the summary.
func (g *genRun) fill(ctx context.Context, s *spec.Spec) error {
	g.copts = &constraints.Options{Tests: constraints.TestsAuto, Timeout: g.fl.timeout, Logf: g.logf}
	if dir := tempdir.Current(); dir != "" {
		g.copts.Env = []string{"TMPDIR=" + dir}
	}
	g.copts.Env = append(g.copts.Env, g.fl.env...)

	var dirs []string
	funcs := map[string][]*spec.Func{}
	for _, f := range s.Files {
		d := filepath.Join(g.dir, filepath.FromSlash(f.Dir()))
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	for _, fn := range s.Funcs {
		d := filepath.Join(g.dir, filepath.FromSlash(pathDir(fn.File)))
		funcs[d] = append(funcs[d], fn)
	}
	var pkgs []*constraints.Package
	for _, d := range dirs {
		ps, err := constraints.Load(ctx, d, []string{"."}, g.copts)
		if ctx.Err() != nil {
			return errInterrupted
		}
		if err != nil {
			return &exitError{code: 1, msg: err.Error()}
		}
		pkgs = append(pkgs, ps...)
	}
	pkgs = dependencyOrder(pkgs)
	g.prog = newProgress(g.e, g.b)
	repaired := map[string]string{}
	var results []*genPkg
	for _, pkg := range pkgs {
		if ctx.Err() != nil {
			break
		}
		o := *g.copts
		o.Overlay = maps.Clone(repaired)
		r := g.genPackage(ctx, pkg, funcs[pkg.Dir], &o)
		if r.after != nil {
			for _, name := range r.after.Changed(r.before) {
				repaired[name] = r.after.File(name).Text
			}
		}
		results = append(results, r)
	}
	g.prog.done()
	return g.report(ctx, s, results)
}

func pathDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}
