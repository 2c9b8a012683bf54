package bench

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/difgen/difgen/internal/tempdir"
)

// Options configures Run. The zero value runs nothing but is valid; see
// the fields for the defaults of a benchmark.
type Options struct {
	Std     []string     // standard-library packages to corrupt
	Modules []ModuleSpec // modules to fetch and corrupt
	Sources []*Source    // sources prepared already, used as they are

	Families    []Family // corruption families; nil means all
	SkipCorrupt bool     // make no corruption cases (the sources serve the refactor suite)
	Seeds       []int64  // nil means {1}
	PerFamily   int      // cases per family (and refactor kind) and seed, over all sources; 0 means 2

	// Refactors are the realistic-refactor kinds to apply to the modules
	// (and Sources, not the standard-library copies); nil means no
	// refactor suite.
	Refactors []Family
	// Pairs are real broken→fixed pairs, fetched through the module proxy
	// (the first Limit when Limit is set).
	Pairs []Pair

	HumanEvalFix string // suite files; "" skips the suite
	MBXPSamples  string
	MBXPProblems string
	HumanEvalX   string
	Limit        int // records per suite (pairs included); 0 means all

	Fixers []*Fixer

	Jobs    int           // cases scored at once; 0 means 1
	Timeout time.Duration // per case; 0 means 60s
	WorkDir string        // scratch space; "" means a fresh temporary directory

	Logf     func(format string, args ...any) // nil means silent
	Progress func(done, total int)            // called after every scored result
}

// Run prepares the sources, generates and reads the cases, scores every
// fixer on every case and summarizes. Sources and records that cannot be
// used are skipped with the reason in the report; only a bad suite file
// or a broken work directory is an error.
func Run(ctx context.Context, opt Options) (*Report, error) {
	logf := opt.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	jobs := max(opt.Jobs, 1)
	work := opt.WorkDir
	if work == "" {
		tmp, err := tempdir.MkdirTemp("difgen-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	}
	families := opt.Families
	if families == nil {
		families = Families
	}
	seeds := opt.Seeds
	if len(seeds) == 0 {
		seeds = []int64{1}
	}
	rep := &Report{}
	for _, f := range opt.Fixers {
		rep.Fixers = append(rep.Fixers, FixerInfo{Name: f.Name, Unavailable: f.Unavailable})
	}

	// Suites first: a bad suite file is the caller's error.
	var cases []*Case
	suiteCases, err := readSuites(ctx, opt, work, families, seeds, rep, logf)
	if err != nil {
		return nil, err
	}

	// Sources, prepared in parallel.
	srcRoot := filepath.Join(work, "sources")
	type prep struct {
		name     string
		refactor bool // a source of the refactor suite
		run      func() (*Source, error)
	}
	var preps []prep
	if !opt.SkipCorrupt {
		for _, p := range opt.Std {
			preps = append(preps, prep{"std/" + p, false, func() (*Source, error) { return PrepareStd(ctx, p, srcRoot) }})
		}
	}
	for _, m := range opt.Modules {
		preps = append(preps, prep{m.String(), true, func() (*Source, error) { return PrepareModule(ctx, m, srcRoot) }})
	}
	for _, src := range opt.Sources {
		preps = append(preps, prep{src.Name, true, func() (*Source, error) { return src, nil }})
	}
	gens := make([]*Generator, len(preps))
	rgens := make([]*RefactorGenerator, len(preps))
	errs := make([]error, len(preps))
	parallel(len(preps), jobs, func(i int) {
		src, err := preps[i].run()
		if err == nil && !opt.SkipCorrupt {
			gens[i], err = NewGenerator(ctx, src)
		}
		if err == nil && preps[i].refactor && len(opt.Refactors) > 0 {
			rgens[i], err = NewRefactorGenerator(ctx, src)
		}
		errs[i] = err
	})
	var live []*Generator
	var rlive []*RefactorGenerator
	for i := range preps {
		if errs[i] != nil {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("%s: %v", preps[i].name, errs[i]))
			logf("skip %s: %v", preps[i].name, errs[i])
			continue
		}
		if gens[i] != nil {
			live = append(live, gens[i])
		}
		if rgens[i] != nil {
			rlive = append(rlive, rgens[i])
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Corruption cases: per family and seed, sources in a seeded
	// rotation until PerFamily cases exist.
	per := opt.PerFamily
	if per <= 0 {
		per = 2
	}
	type group struct {
		fam      Family
		seed     int64
		refactor bool
	}
	var groups []group
	if !opt.SkipCorrupt && len(live) > 0 {
		for _, fam := range families {
			for _, seed := range seeds {
				groups = append(groups, group{fam, seed, false})
			}
		}
	}
	if len(rlive) > 0 {
		for _, fam := range opt.Refactors {
			for _, seed := range seeds {
				groups = append(groups, group{fam, seed, true})
			}
		}
	}
	made := make([][]*Case, len(groups))
	parallel(len(groups), jobs, func(i int) {
		g := groups[i]
		n := len(live)
		if g.refactor {
			n = len(rlive)
		}
		h := fnv.New32a()
		fmt.Fprintf(h, "%s/%d", g.fam, g.seed)
		first := int(h.Sum32() % uint32(n))
		for k := 0; k < n && k < 3*per && len(made[i]) < per && ctx.Err() == nil; k++ {
			var (
				c    *Case
				err  error
				name string
			)
			if g.refactor {
				rg := rlive[(first+k)%n]
				name = rg.src.Name
				c, err = rg.Generate(ctx, g.fam, g.seed, GenOptions{Timeout: opt.Timeout})
			} else {
				cg := live[(first+k)%n]
				name = cg.src.Name
				c, err = cg.Generate(ctx, g.fam, g.seed, GenOptions{Timeout: opt.Timeout})
			}
			if err == nil {
				made[i] = append(made[i], c)
			} else if !errors.Is(err, ErrNoSite) {
				logf("generate %s %s: %v", name, g.fam, err)
			}
		}
	})
	for i, m := range made {
		if len(m) < per {
			logf("%s seed %d: %d of %d cases", groups[i].fam, groups[i].seed, len(m), per)
		}
		cases = append(cases, m...)
	}

	// Real pairs, fetched and checked in parallel.
	pairs := opt.Pairs
	if opt.Limit > 0 && len(pairs) > opt.Limit {
		pairs = pairs[:opt.Limit]
	}
	pairCases := make([]*Case, len(pairs))
	pairErrs := make([]error, len(pairs))
	parallel(len(pairs), jobs, func(i int) {
		var chk PairCheck
		pairCases[i], chk = PreparePair(ctx, pairs[i], work, opt.Timeout)
		pairErrs[i] = chk.Err
	})
	for i, c := range pairCases {
		if pairErrs[i] != nil {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("pair %s (%s): %v", pairs[i].ID(), pairs[i].Pos, pairErrs[i]))
			logf("skip pair %s: %v", pairs[i].ID(), pairErrs[i])
			continue
		}
		cases = append(cases, c)
	}
	cases = dedupe(append(cases, suiteCases...))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	logf("%d cases, %d fixers", len(cases), len(opt.Fixers))

	// Score every fixer on every case.
	type job struct {
		c *Case
		f *Fixer
	}
	var todo []job
	for _, c := range cases {
		for _, f := range opt.Fixers {
			todo = append(todo, job{c, f})
		}
	}
	scratch := filepath.Join(work, "cases")
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return nil, err
	}
	results := make([]Result, len(todo))
	var (
		mu   sync.Mutex
		done int
	)
	parallel(len(todo), jobs, func(i int) {
		results[i] = Score(ctx, todo[i].c, todo[i].f, ScoreOptions{Timeout: opt.Timeout, WorkDir: scratch})
		mu.Lock()
		done++
		if opt.Progress != nil {
			opt.Progress(done, len(todo))
		}
		mu.Unlock()
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.Results = results
	rep.Summary = Summarize(rep.Fixers, results)
	return rep, nil
}

func readSuites(ctx context.Context, opt Options, work string, families []Family, seeds []int64, rep *Report, logf func(string, ...any)) ([]*Case, error) {
	var cases []*Case
	note := func(errs []error) {
		for _, e := range errs {
			rep.Skipped = append(rep.Skipped, e.Error())
			logf("%v", e)
		}
	}
	limit := func(cs []*Case) []*Case {
		if opt.Limit > 0 && len(cs) > opt.Limit {
			cs = cs[:opt.Limit]
		}
		return cs
	}
	var mod ModuleFiles
	if opt.HumanEvalFix != "" || opt.HumanEvalX != "" {
		// Check the files before fetching anything.
		for _, p := range []string{opt.HumanEvalFix, opt.HumanEvalX} {
			if p != "" {
				if _, _, err := readJSONL(p, "suite", "task_id"); err != nil {
					return nil, err
				}
			}
		}
		m, err := PrepareTestify(ctx, filepath.Join(work, "testify"))
		if err != nil {
			rep.Skipped = append(rep.Skipped, "testify: "+err.Error()+" (HumanEval tests will not build)")
		}
		mod = m
	}
	if opt.HumanEvalFix != "" {
		cs, errs, err := ReadHumanEvalFix(opt.HumanEvalFix, mod)
		if err != nil {
			return nil, err
		}
		note(errs)
		cases = append(cases, limit(cs)...)
	}
	if opt.MBXPSamples != "" || opt.MBXPProblems != "" {
		if opt.MBXPSamples == "" || opt.MBXPProblems == "" {
			return nil, errors.New("MBXP needs both the samples and the problems file")
		}
		cs, errs, err := ReadMBXP(opt.MBXPSamples, opt.MBXPProblems)
		if err != nil {
			return nil, err
		}
		note(errs)
		cases = append(cases, limit(cs)...)
	}
	if opt.HumanEvalX != "" {
		var holes []Family
		for _, f := range families {
			if f.Class() == "hole" {
				holes = append(holes, f)
			}
		}
		var all []*Case
		for _, seed := range seeds {
			cs, errs, err := ReadHumanEvalX(opt.HumanEvalX, mod, holes, seed)
			if err != nil {
				return nil, err
			}
			note(errs)
			all = append(all, cs...)
		}
		if opt.Limit > 0 && len(all) > opt.Limit*len(holes)*len(seeds) {
			all = all[:opt.Limit*len(holes)*len(seeds)]
		}
		cases = append(cases, all...)
	}
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].Suite < cases[j].Suite })
	return cases, nil
}

// PrepareTestify makes the go.mod and go.sum of a module requiring
// github.com/stretchr/testify, which the HumanEval tests import,
// fetching it through the module proxy.
func PrepareTestify(ctx context.Context, dir string) (ModuleFiles, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ModuleFiles{}, err
	}
	files := map[string]string{
		"go.mod":    "module example.com/suite\n\ngo 1.22\n",
		"x_test.go": "package main\n\nimport (\n\t\"testing\"\n\n\t\"github.com/stretchr/testify/assert\"\n)\n\nfunc TestX(t *testing.T) { assert.New(t).Equal(1, 1) }\n",
		"main.go":   "package main\n\nfunc main() {}\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return ModuleFiles{}, err
		}
	}
	if _, err := goRun(ctx, dir, onlineEnv(), "go", "get", "github.com/stretchr/testify@v1.9.0"); err != nil {
		return ModuleFiles{}, err
	}
	if _, err := goRun(ctx, dir, onlineEnv(), "go", "test", "."); err != nil {
		return ModuleFiles{}, err
	}
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return ModuleFiles{}, err
	}
	sum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil {
		return ModuleFiles{}, err
	}
	return ModuleFiles{GoMod: string(mod), GoSum: string(sum)}, nil
}

// dedupe drops cases identical to an earlier one of the same source
// and family (a function with one hole site gives the same case for
// every seed).
func dedupe(cases []*Case) []*Case {
	seen := map[string]bool{}
	var out []*Case
	for _, c := range cases {
		var b strings.Builder
		fmt.Fprintf(&b, "%s\x00%s", c.Source, c.Family)
		for _, name := range sortedKeys(c.Files) {
			fmt.Fprintf(&b, "\x00%s\x00%s", name, c.Files[name])
		}
		if !seen[b.String()] {
			seen[b.String()] = true
			out = append(out, c)
		}
	}
	return out
}

// parallel calls fn(0) … fn(n-1), at most jobs at a time.
func parallel(n, jobs int, fn func(int)) {
	sem := make(chan struct{}, max(jobs, 1))
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}
