package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/internal/redact"
	"github.com/difgen/difgen/internal/tempdir"
	"github.com/difgen/difgen/model"
	"github.com/difgen/difgen/model/local"
	"github.com/difgen/difgen/refine"
)

var cmdFix = &command{
	Name:      "fix",
	UsageLine: "fix [flags] [packages]",
	Short:     "repair broken packages",
	Long:      helpText("Fix"),
	SetFlags:  func(fs *flag.FlagSet) { fixFlags.register(fs) },
	Run: func(ctx context.Context, e *env, args []string) error {
		return runRepair(ctx, e, &fixFlags, args, false)
	},
}

var cmdFill = &command{
	Name:      "fill",
	UsageLine: "fill [flags] [packages | file.go[:line:col | :#offset]]",
	Short:     "fill holes",
	Long:      helpText("Fill"),
	SetFlags:  func(fs *flag.FlagSet) { fillFlags.register(fs) },
	Run: func(ctx context.Context, e *env, args []string) error {
		return runRepair(ctx, e, &fillFlags, args, true)
	},
}

// repairFlags are the flags shared by fix and fill.
type repairFlags struct {
	write      bool
	diff, list bool
	json       bool
	model      string
	tests      string
	seed       int64
	timeout    time.Duration
	budget     string
	candidates int
	generators []string // -generators, parsed: the local generators to run (nil: all)
	passes     []string // -generators, parsed: refine's passes to run (nil: all)
	verbose    bool
	env        []string // -env KEY=value, for the tests
}

var fixFlags, fillFlags repairFlags

func (f *repairFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.write, "w", false, "write the changed files instead of printing a diff")
	fs.BoolVar(&f.diff, "d", false, "print a diff of the changes (the default without -w; with -w, as well)")
	fs.BoolVar(&f.list, "l", false, "list the files that would change (with -w: that changed) instead of printing a diff")
	fs.BoolVar(&f.json, "json", false, "print machine-readable results")
	f.registerSearch(fs)
}

// registerSearch registers the flags of the search alone, which difgen lsp
// and difgen mcp share with fix and fill.
func (f *repairFlags) registerSearch(fs *flag.FlagSet) {
	fs.StringVar(&f.model, "model", "local", "denoiser: local, a remote endpoint such as openai:gpt-4.1 or ollama:qwen2.5-coder, or local,openai:NAME (holes go to the local model first)")
	fs.StringVar(&f.tests, "tests", "auto", "run the package's tests: auto (when it has some and the package builds), on or off")
	fs.Int64Var(&f.seed, "seed", 1, "seed for the denoiser")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "limit for each run of the tests (a hanging test is killed) and each model request")
	fs.StringVar(&f.budget, "budget", "time=5m,steps=12,calls=60", "limits of the search: a duration, or time=D,steps=N,calls=N")
	fs.IntVar(&f.candidates, "candidates", 0, "candidates per hole (default 8 for the local model, 3 for a remote one)")
	fs.Func("generators", "the local model's candidate `generators` and refine's passes: names to use, or -names to leave out (\"-operator,-rename\"); all by default (generators: "+strings.Join(local.GeneratorNames(), ", ")+"; passes: "+strings.Join(refine.PassNames(), ", ")+")", func(s string) error {
		g, p, err := parseGenerators(s)
		f.generators, f.passes = g, p
		return err
	})
	fs.BoolVar(&f.verbose, "v", false, "log the search to stderr")
	fs.Func("env", "set `KEY=value` for the package's tests (repeatable; the tests run in a sandbox that passes none of difgen's own environment but PATH, the locale and the Go toolchain's variables)", func(s string) error {
		if k, _, ok := strings.Cut(s, "="); !ok || k == "" {
			return fmt.Errorf("want KEY=value, not %q", s)
		}
		f.env = append(f.env, s)
		return nil
	})
}

// parseGenerators parses a -generators value: names of the local model's
// generators and of refine's passes, all to use or (each with a leading
// -) all to leave out. It returns the generators and the passes to run,
// nil for all of either.
func parseGenerators(spec string) (gens, passes []string, err error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "all" {
		return nil, nil, nil
	}
	var g, p []string
	neg := false
	for i, f := range strings.Split(spec, ",") {
		name, off := strings.CutPrefix(strings.TrimSpace(f), "-")
		if i > 0 && off != neg {
			return nil, nil, fmt.Errorf("generators %q: either names to use or -names to leave out, not both", spec)
		}
		neg = off
		switch {
		case slices.Contains(refine.PassNames(), name):
			p = append(p, name)
		case slices.Contains(local.GeneratorNames(), name):
			g = append(g, name)
		default:
			return nil, nil, fmt.Errorf("unknown generator or pass %q (generators: %s; passes: %s)", name, strings.Join(local.GeneratorNames(), ", "), strings.Join(refine.PassNames(), ", "))
		}
	}
	if !neg {
		return append([]string{}, g...), append([]string{}, p...), nil
	}
	drop := func(all, off []string) []string {
		if len(off) == 0 {
			return nil
		}
		return slices.DeleteFunc(all, func(n string) bool { return slices.Contains(off, n) })
	}
	return drop(local.GeneratorNames(), g), drop(refine.PassNames(), p), nil
}

// budget is the parsed -budget flag.
type budget struct {
	time         time.Duration
	steps, calls int
}

func parseBudget(s string) (budget, error) {
	b := budget{time: 5 * time.Minute, steps: 12, calls: 60}
	if d, err := time.ParseDuration(s); err == nil {
		b.time = d
		return b, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return b, fmt.Errorf("-budget: %q is not key=value (want time=D,steps=N,calls=N)", kv)
		}
		var err error
		switch k {
		case "time":
			b.time, err = time.ParseDuration(v)
		case "steps":
			b.steps, err = strconv.Atoi(v)
		case "calls":
			b.calls, err = strconv.Atoi(v)
		default:
			return b, fmt.Errorf("-budget: unknown limit %q (want time, steps or calls)", k)
		}
		if err != nil {
			return b, fmt.Errorf("-budget: %s: %v", k, err)
		}
	}
	return b, nil
}

func parseTests(s string) (constraints.TestsMode, error) {
	switch s {
	case "auto":
		return constraints.TestsAuto, nil
	case "on":
		return constraints.TestsOn, nil
	case "off":
		return constraints.TestsOff, nil
	}
	return 0, fmt.Errorf("-tests=%s: want auto, on or off", s)
}

// jsonResult is the -json output of fix and fill.
type jsonResult struct {
	Packages []jsonPackage `json:"packages"`
	Clean    bool          `json:"clean"`
	Written  []string      `json:"written,omitempty"`
	// NotWritten lists, under -w, each file that should have been
	// written and was not, with the reason.
	NotWritten []notWritten `json:"not_written,omitempty"`
}

type jsonPackage struct {
	Path     string        `json:"path"`
	Dir      string        `json:"dir"`
	Before   []jsonFinding `json:"before"`
	After    []jsonFinding `json:"after"`
	Files    []jsonFile    `json:"files,omitempty"`
	Unfilled []jsonFinding `json:"unfilled,omitempty"`
	Steps    int           `json:"steps"`
	Usage    model.Usage   `json:"usage"`
	Stop     string        `json:"stop"`
	Elapsed  float64       `json:"elapsed_seconds"`
	Error    string        `json:"error,omitempty"`
	Seconds  *jsonSeconds  `json:"seconds,omitempty"` // where the time went
	*Summary
}

// jsonSeconds splits a package's time: the checks by category, and the
// denoiser.
type jsonSeconds struct {
	Types float64 `json:"types"` // syntax and types
	Vet   float64 `json:"vet"`
	Build float64 `json:"build"`
	Tests float64 `json:"tests"` // building and running the tests
	Model float64 `json:"model"`
}

type jsonFinding struct {
	Pos      string `json:"pos"`
	Category string `json:"category"`
	Message  string `json:"message"`
}

type jsonFile struct {
	Name string `json:"name"`
	Diff string `json:"diff"`
}

// errInterrupted reports Ctrl-C (or SIGTERM): difgen stopped and wrote
// nothing.
var errInterrupted = &exitError{code: 1, msg: "interrupted; nothing written"}

// pkgResult is the outcome for one package.
type pkgResult struct {
	pkg   *constraints.Package
	res   *refine.Result
	err   error
	disk  map[string]ast.Hash // hashes of the files as read, to detect changes on disk
	write []string            // changed files that may be written
	times constraints.Times   // where the checks' time went
}

func runRepair(ctx context.Context, e *env, fl *repairFlags, args []string, fill bool) error {
	verb := "fix"
	if fill {
		verb = "fill"
	}
	b, err := parseBudget(fl.budget)
	if err != nil {
		return usageErrorf("%s: %v", verb, err)
	}
	tests, err := parseTests(fl.tests)
	if err != nil {
		return usageErrorf("%s: %v", verb, err)
	}
	if fl.candidates < 0 {
		return usageErrorf("%s: -candidates must be at least 1", verb)
	}
	if fl.list && (fl.diff || fl.json) {
		return usageErrorf("%s: -l lists files; it does not go with -d or -json", verb)
	}
	if fl.candidates == 0 {
		fl.candidates = 8
		if !isLocal(fl.model) {
			fl.candidates = 3 // each costs tokens, and often a request
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}

	// fill's position form: file.go:line:col or file.go:#offset.
	var pos *position
	patterns := args
	if fill && len(args) == 1 {
		if p, ok, err := parsePosition(args[0]); err != nil {
			return usageErrorf("fill: %v", err)
		} else if ok {
			pos = &p
			patterns = []string{"./" + filepath.Dir(p.file)}
			if filepath.IsAbs(p.file) {
				patterns = []string{filepath.Dir(p.file)}
			}
		}
	}
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	// File arguments work as for gofmt: the file's package is checked,
	// and only the named files are changed.
	var onlyFiles map[string]bool
	if pos == nil {
		patterns, onlyFiles, err = fileArgs(cwd, patterns)
		if err != nil {
			return usageErrorf("%s: %v", verb, err)
		}
	}

	logf := func(string, ...any) {}
	if fl.verbose {
		logf = func(format string, args ...any) { fmt.Fprintf(e.stderr, "difgen: "+format+"\n", args...) }
	}
	// One cache for all the packages: each dependency is listed and
	// analyzed once, and go vet of the packages as they are runs once.
	// The dependencies' vet facts persist in the user cache.
	cache := new(constraints.Cache)
	if dir, err := os.UserCacheDir(); err == nil {
		cache.FactsDir = filepath.Join(dir, "difgen", "vetfacts")
	}
	copts := &constraints.Options{Tests: tests, Timeout: fl.timeout, Logf: logf, Cache: cache}
	if dir := tempdir.Current(); dir != "" {
		// The go command's and the tests' temporaries too go in the
		// session, which the next difgen removes if this one is killed.
		copts.Env = []string{"TMPDIR=" + dir}
	}
	copts.Env = append(copts.Env, fl.env...)
	pkgs, err := loadPackages(ctx, cwd, patterns, copts)
	if err != nil {
		return err
	}
	// Finish or undo what an earlier difgen killed during -w left.
	if changed, err := recoverWrites(e.stderr, pkgs, relTo(cwd)); err != nil {
		return &exitError{code: 2, msg: err.Error()}
	} else if changed {
		if pkgs, err = loadPackages(ctx, cwd, patterns, copts); err != nil {
			return err
		}
	}
	if len(pkgs) > 1 {
		if err := cache.Prefetch(ctx, pkgs, copts); err != nil {
			logf("%v", err)
		}
		if err := cache.PrefetchVet(ctx, pkgs, copts); err != nil {
			logf("%v", err)
		}
	}
	den, err := newDenoiser(ctx, e, fl, logf)
	if ctx.Err() != nil {
		return errInterrupted
	}
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}

	prog := newProgress(e, b)
	job := &repairJob{fl: fl, b: b, copts: copts, fill: fill, pos: pos, progress: prog.update, logf: logf}
	if onlyFiles != nil {
		job.only = func(name string) bool { return onlyFiles[name] }
	}
	results := repairPackages(ctx, pkgs, den, job)
	prog.done()
	if len(results) == 0 && ctx.Err() != nil {
		return errInterrupted
	}
	if pos != nil && len(results) == 1 && results[0].err == nil && results[0].res == nil {
		return &exitError{code: 1, msg: fmt.Sprintf("%s: no hole at this position", pos)}
	}
	if fill && pos == nil && !slices.ContainsFunc(results, func(r *pkgResult) bool { return r.res != nil || r.err != nil }) {
		fmt.Fprintf(e.stderr, "difgen: no holes in %s (a hole is __, __(\"instruction\"), or a body of only panic(\"TODO\"))\n", strings.Join(patterns, " "))
	}
	err = report(ctx, e, fl, cwd, results, fill)
	if st, ok := routeStats(den); ok {
		fmt.Fprintln(e.stderr, "difgen: "+st.String())
	}
	return err
}

// A repairJob is one run of fix or fill: the CLI's flags, and for the
// servers (difgen lsp, difgen mcp) the editor's buffers and the files the
// run may change.
type repairJob struct {
	fl    *repairFlags
	b     budget
	copts *constraints.Options
	fill  bool
	pos   *position // fill: only the hole at pos; nil for every hole
	// overlay holds text (absolute file name → text) that replaces the
	// disk: an editor's unsaved buffers. The go command sees it through
	// -overlay; nothing is written.
	overlay map[string]string
	// only, when not nil, limits the files the run may change.
	only     func(name string) bool
	progress func(pkg string, ev refine.Event) // nil for none
	logf     func(string, ...any)
}

// loadPackages loads the packages matched by patterns, directory patterns
// from their own directory (see groupPatterns).
func loadPackages(ctx context.Context, cwd string, patterns []string, copts *constraints.Options) ([]*constraints.Package, error) {
	var pkgs []*constraints.Package
	for _, g := range groupPatterns(cwd, patterns) {
		if fi, err := os.Stat(g.dir); err != nil || !fi.IsDir() {
			name := g.arg
			if errors.Is(err, os.ErrNotExist) {
				return nil, &exitError{code: 2, msg: fmt.Sprintf("%s: no such directory (name a package directory such as . or ./..., or an import path)", name)}
			}
			return nil, &exitError{code: 2, msg: fmt.Sprintf("%s: not a directory", name)}
		}
		ps, err := constraints.Load(ctx, g.dir, g.patterns, copts)
		if ctx.Err() != nil {
			return nil, errInterrupted
		}
		if err != nil {
			return nil, &exitError{code: 2, msg: err.Error()}
		}
		pkgs = append(pkgs, ps...)
	}
	return pkgs, nil
}

// repairPackages repairs (or fills) pkgs, dependencies first: each package
// is checked against the repaired text of the packages before it. It stops
// early when ctx is done.
func repairPackages(ctx context.Context, pkgs []*constraints.Package, den denoiserFactory, job *repairJob) []*pkgResult {
	pkgs = dependencyOrder(pkgs)
	repaired := map[string]string{}
	var results []*pkgResult
	for _, pkg := range pkgs {
		if ctx.Err() != nil {
			break
		}
		// The checker's overlay holds the other packages' text; the
		// package's own buffers go into its canvas.
		o := *job.copts
		o.Overlay = maps.Clone(repaired)
		for name, text := range job.overlay {
			if _, ok := o.Overlay[name]; !ok && filepath.Dir(name) != pkg.Dir {
				o.Overlay[name] = text
			}
		}
		r := repairPackage(ctx, pkg, den, job, &o)
		if r.res != nil {
			for _, name := range r.write {
				repaired[name] = r.res.After.File(name).Text
			}
		}
		results = append(results, r)
	}
	return results
}

func repairPackage(ctx context.Context, pkg *constraints.Package, newDen denoiserFactory, job *repairJob, copts *constraints.Options) *pkgResult {
	fl, b, fill, pos, logf := job.fl, job.b, job.fill, job.pos, job.logf
	out := &pkgResult{pkg: pkg}
	if len(pkg.Errors) > 0 && len(pkg.GoFiles)+len(pkg.TestGoFiles)+len(pkg.XTestGoFiles) == 0 {
		out.err = errors.New(pkg.Errors[0].String())
		return out
	}
	cv, err := ast.LoadDir(pkg.Dir)
	if err != nil {
		out.err = err
		return out
	}
	out.disk = map[string]ast.Hash{}
	for _, f := range cv.Files() {
		out.disk[f.Name] = f.Hash
		if text, ok := job.overlay[f.Name]; ok {
			cv = cv.WithText(f.Name, text)
		}
	}
	chk, err := constraints.NewChecker(ctx, pkg, copts)
	if err != nil {
		out.err = err
		return out
	}
	defer chk.Close()
	defer func() { out.times = chk.Times() }()
	opts, writable := refineOptions(pkg, cv, newDen(cv), fl, b, job.only, job.progress, logf)
	if fill {
		var holes []*ast.Hole
		for _, f := range cv.Files() {
			if !writable(f.Name) {
				continue
			}
			hs, err := ast.FindCanvasHoles(cv, f.Name)
			if err != nil {
				out.err = err
				return out
			}
			for _, h := range hs {
				if pos == nil || pos.matches(f, h) {
					holes = append(holes, h)
				}
			}
		}
		if len(holes) == 0 {
			if pos == nil {
				logf("%s: no holes", pkg.ImportPath)
			}
			return out
		}
		out.res, out.err = refine.Fill(ctx, cv, holes, chk, opts)
	} else {
		out.res, out.err = refine.Fix(ctx, cv, chk, opts)
	}
	if out.res != nil && out.res.StopReason != "cancelled" && out.res.Improved() {
		for _, name := range out.res.After.Changed(out.res.Before) {
			if writable(name) {
				out.write = append(out.write, name)
			}
		}
	}
	return out
}

// refineOptions returns the options of a refine run over cv, the canvas
// of pkg, and the function that says which of its files may change: the
// compiled, non-generated files of a writable package.
func refineOptions(pkg *constraints.Package, cv *ast.Canvas, den model.Denoiser, fl *repairFlags, b budget,
	only func(string) bool, progress func(string, refine.Event), logf func(string, ...any)) (*refine.Options, func(string) bool) {
	compiled := map[string]bool{}
	for _, list := range [][]string{pkg.GoFiles, pkg.TestGoFiles, pkg.XTestGoFiles} {
		for _, f := range list {
			compiled[f] = true
		}
	}
	writable := func(name string) bool {
		f := cv.File(name)
		return pkg.Writable && compiled[name] && f != nil && !ast.IsGenerated(f.Text) && (only == nil || only(name))
	}
	return &refine.Options{
		Denoiser:   den,
		Candidates: fl.candidates,
		MaxSteps:   b.steps,
		MaxCalls:   b.calls,
		MaxTime:    b.time,
		UpTo:       constraints.Tests,
		Seed:       fl.seed,
		Writable:   writable,
		Passes:     fl.passes,
		Logf:       logf,
		Progress: func(ev refine.Event) {
			if progress != nil {
				progress(pkg.ImportPath, ev)
			}
		},
	}, writable
}

// report prints the results, writes files under -w and returns the exit
// error.
func report(ctx context.Context, e *env, fl *repairFlags, cwd string, results []*pkgResult, fill bool) error {
	rel := relTo(cwd)
	testsMode, _ := parseTests(fl.tests)
	sums := make([]*Summary, len(results))
	for i, r := range results {
		if r.res != nil {
			sums[i] = summarize(r, rel, fill, isLocal(fl.model), testsMode)
		}
	}
	interrupted := ctx.Err() != nil
	w := &writeOutcome{}
	if fl.write && !interrupted {
		// All packages' files at once, or none.
		logf := func(string, ...any) {}
		if fl.verbose {
			logf = func(format string, args ...any) { fmt.Fprintf(e.stderr, "difgen: "+format+"\n", args...) }
		}
		w = writeResults(ctx, results, rel, logf)
		interrupted = w.interrupted
	}
	clean := !interrupted && w.ok()
	var remaining []string
	var written []string
	for _, name := range w.written {
		written = append(written, rel(name))
	}
	for _, r := range results {
		if r.err != nil {
			clean = false
			remaining = append(remaining, r.err.Error())
			continue
		}
		if r.res == nil {
			continue
		}
		if len(r.res.FindingsAfter) > 0 || len(r.res.Unfilled) > 0 {
			clean = false
		}
		for _, f := range r.res.FindingsAfter {
			f.File = rel(f.File)
			remaining = append(remaining, f.String())
		}
		if len(r.res.BrokenDeps) > 0 {
			remaining = append(remaining, fmt.Sprintf("%s: not repaired: it imports %s, which does not build; repair that first (its errors hide this package's)",
				r.pkg.ImportPath, strings.Join(r.res.BrokenDeps, ", ")))
		}
		for i, h := range r.res.Unfilled {
			remaining = append(remaining, holePos(rel, r.res.After, h)+": "+unfilledMessage(r.res, i))
		}
	}

	if fl.json {
		out := jsonResult{Clean: clean, Written: written}
		for _, nw := range w.notWritten {
			out.NotWritten = append(out.NotWritten, notWritten{File: rel(nw.File), Reason: nw.Reason})
		}
		for i, r := range results {
			jp := jsonPackage{Path: r.pkg.ImportPath, Dir: r.pkg.Dir}
			if r.err != nil {
				jp.Error = redact.URLs(r.err.Error())
			}
			if r.res != nil {
				jp.Summary = sums[i]
				t := r.times
				jp.Seconds = &jsonSeconds{Types: (t[constraints.Syntax] + t[constraints.Types]).Seconds(), Vet: t[constraints.Vet].Seconds(),
					Build: t[constraints.Build].Seconds(), Tests: t[constraints.Tests].Seconds(), Model: r.res.ModelTime.Seconds()}
				jp.Before = jsonFindings(rel, r.res.FindingsBefore)
				jp.After = jsonFindings(rel, r.res.FindingsAfter)
				jp.Steps, jp.Usage, jp.Stop, jp.Elapsed = r.res.Steps, r.res.Usage, r.res.StopReason, r.res.Elapsed.Seconds()
				for i, h := range r.res.Unfilled {
					jp.Unfilled = append(jp.Unfilled, jsonFinding{Pos: holePos(rel, r.res.After, h), Category: "hole", Message: unfilledMessage(r.res, i)})
				}
				for _, name := range r.write {
					jp.Files = append(jp.Files, jsonFile{Name: rel(name), Diff: fileDiff(rel, r, name)})
				}
			}
			if jp.Before == nil {
				jp.Before = []jsonFinding{}
			}
			if jp.After == nil {
				jp.After = []jsonFinding{}
			}
			out.Packages = append(out.Packages, jp)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		// What was done and why, before the diff.
		for _, s := range sums {
			if s != nil && s.Verdict != "clean" {
				for _, l := range s.lines() {
					fmt.Fprintln(e.stderr, redact.URLs(l))
				}
			}
		}
		for _, r := range results {
			for _, name := range r.write {
				switch {
				case fl.list:
					if !fl.write || slices.Contains(w.written, name) {
						fmt.Fprintln(e.stdout, rel(name))
					}
				case fl.diff || !fl.write:
					fmt.Fprint(e.stdout, fileDiff(rel, r, name))
				}
			}
		}
	}
	for _, msg := range remaining {
		fmt.Fprintln(e.stderr, redact.URLs(msg))
	}
	if err := w.report(e.stderr, rel); err != nil {
		return err
	}
	switch {
	case interrupted:
		return errInterrupted
	case !clean:
		return errFindings
	}
	return nil
}

// relTo returns a function that names a file relative to cwd when it is
// inside it.
func relTo(cwd string) func(string) string {
	return func(name string) string {
		if r, err := filepath.Rel(cwd, name); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return name
	}
}

func fileDiff(rel func(string) string, r *pkgResult, name string) string {
	n := filepath.ToSlash(rel(name))
	return unifiedDiff("a/"+n, "b/"+n, r.res.Before.File(name).Text, r.res.After.File(name).Text)
}

func jsonFindings(rel func(string) string, fs []constraints.Finding) []jsonFinding {
	out := []jsonFinding{}
	for _, f := range fs {
		f.File = rel(f.File)
		pos := f.File
		if f.File != "" {
			pos = fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Col)
		}
		out = append(out, jsonFinding{Pos: pos, Category: f.Category.String(), Message: f.Message})
	}
	return out
}

// unfilledMessage says why the i'th unfilled hole of res is not filled.
func unfilledMessage(res *refine.Result, i int) string {
	if i < len(res.UnfilledWhy) && res.UnfilledWhy[i] != "" {
		return "hole not filled: " + res.UnfilledWhy[i]
	}
	return "hole not filled"
}

func holePos(rel func(string) string, cv *ast.Canvas, h *ast.Hole) string {
	line, col := 1, 1
	if f := cv.File(h.File); f != nil {
		line, col = ast.LineCol(f.Text, h.Start)
	}
	return fmt.Sprintf("%s:%d:%d", rel(h.File), line, col)
}

// fileArgs turns the .go file arguments of patterns into the directory
// patterns of their packages, and returns the files (absolute names),
// or nil when no argument is a file.
func fileArgs(cwd string, patterns []string) ([]string, map[string]bool, error) {
	var out []string
	var files map[string]bool
	for _, p := range patterns {
		if !strings.HasSuffix(p, ".go") {
			out = append(out, p)
			continue
		}
		abs := p
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(cwd, p)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: no such file", p)
		}
		if fi.IsDir() {
			out = append(out, p)
			continue
		}
		if files == nil {
			files = map[string]bool{}
		}
		files[abs] = true
		dir := filepath.Dir(p)
		if !filepath.IsAbs(dir) {
			dir = "./" + filepath.ToSlash(dir)
		}
		if !slices.Contains(out, dir) {
			out = append(out, dir)
		}
	}
	return out, files, nil
}

// A patternGroup is a set of patterns to load from one directory.
type patternGroup struct {
	dir      string
	patterns []string
	arg      string // the argument as given, for messages
}

// groupPatterns loads directory patterns (./x, ../y/..., /abs) from the
// directory itself, so a path into another module (examples/broken with
// its own go.mod) works as it does for gofmt; import-path patterns load
// from cwd.
func groupPatterns(cwd string, patterns []string) []patternGroup {
	var gs []patternGroup
	var rest []string
	for _, p := range patterns {
		if !(p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || filepath.IsAbs(p)) {
			rest = append(rest, p)
			continue
		}
		dir, sub := p, "."
		if d, ok := strings.CutSuffix(p, "/..."); ok {
			dir, sub = d, "./..."
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(cwd, dir)
		}
		gs = append(gs, patternGroup{dir: dir, patterns: []string{sub}, arg: p})
	}
	if len(rest) > 0 {
		gs = append(gs, patternGroup{dir: cwd, patterns: rest, arg: strings.Join(rest, " ")})
	}
	return gs
}

// dependencyOrder sorts pkgs so that a package comes after the packages of
// pkgs it imports, keeping the given order otherwise.
func dependencyOrder(pkgs []*constraints.Package) []*constraints.Package {
	byPath := map[string]*constraints.Package{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	var out []*constraints.Package
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(p *constraints.Package)
	visit = func(p *constraints.Package) {
		if state[p.ImportPath] != 0 {
			return // done, or an import cycle (the type checker reports it)
		}
		state[p.ImportPath] = 1
		for _, imp := range p.Imports {
			if q := byPath[imp]; q != nil {
				visit(q)
			}
		}
		state[p.ImportPath] = 2
		out = append(out, p)
	}
	for _, p := range pkgs {
		visit(p)
	}
	return out
}
