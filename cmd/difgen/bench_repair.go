package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/difgen/difgen/corpus"
	"github.com/difgen/difgen/internal/bench"
	"github.com/difgen/difgen/model/local"
)

// benchRepair declares the flags of 'difgen bench repair' on fs and
// returns its runner.
func benchRepair(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	var (
		quick     = fs.Bool("quick", false, "a quick run: "+strings.Join(bench.QuickStdPackages, ", ")+", no modules, 1 seed, 1 case per family, -timeout 20s")
		jobs      = fs.Int("j", 2, "cases scored in parallel")
		timeout   = fs.Duration("timeout", 45*time.Second, "time limit of a fixer on one case (and of each go command scoring it)")
		seeds     = fs.Int("seeds", 2, "seeds per family (1..n)")
		perFamily = fs.Int("per-family", 2, "corruption cases per family and seed")
		families  = fs.String("families", "all", "comma-separated families or classes (compile, test, hole)")
		std       = fs.String("std", strings.Join(bench.StdPackages, ","), "standard-library packages to corrupt (\"\" for none)")
		modules   = fs.String("modules", "", "file listing module@version [pkgdir] to fetch and corrupt (default: the built-in list; \"none\" for none)")
		corrupt   = fs.Bool("corrupt", true, "run the corruption benchmark")
		refactor  = fs.Bool("refactor", false, "run the realistic-refactor suite on the modules (renames, parameters, fields, results, imports left half done)")
		refKinds  = fs.String("refactor-kinds", "all", "comma-separated refactor kinds ("+refactorKinds()+")")
		pairs     = fs.String("pairs", "", "real broken→fixed pairs `file` (kind module@broken dep@version|go1.N fixed [pkgdir] a line; internal/bench/pairs.txt), fetched through the module proxy")
		check     = fs.Bool("check", false, "with -pairs: only check each pair (the broken release fails, the fixed one passes) and print a table; no fixers run")
		hefix     = fs.String("humanevalfix", "", "HumanEvalFix Go `file` (jsonl)")
		mbxp      = fs.String("mbxp", "", "MBXP scored samples `file` (jsonl)")
		mbxpProbs = fs.String("mbxp-problems", "", "MBXP problems `file` (jsonl), needed with -mbxp")
		hex       = fs.String("humanevalx", "", "HumanEval-X Go `file` (jsonl)")
		limit     = fs.Int("limit", 0, "records per suite, and the first pairs (0: all)")
		difgen    = fs.String("difgen", "", "difgen binary to benchmark (default: this one)")
		model     = fs.String("model", "", "passed to difgen as -model")
		gens      = fs.String("generators", "", "passed to difgen as -generators (\"-name\" leaves a generator out: an ablation)")
		unseen    = fs.Bool("unseen", true, "difgen's local model is trained without the standard-library packages being corrupted (built once and cached)")
		fixers    = fs.String("fixers", "difgen,goimports,gopls", "fixers to compare")
		tools     = fs.String("tools", "", "where goimports and gopls are installed (default: <user cache>/difgen/tools)")
		jsonOut   = fs.Bool("json", false, "print the report as JSON instead of Markdown")
		svg       = fs.String("svg", "", "write a bar chart of success by family and fixer to `file`")
		work      = fs.String("work", "", "scratch directory, kept (default: a temporary one, removed)")
	)
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usageErrorf("bench repair: unexpected arguments %q", args)
		}
		if (*mbxp == "") != (*mbxpProbs == "") {
			return usageErrorf("bench repair: -mbxp and -mbxp-problems go together")
		}
		fams, err := bench.ParseFamilies(*families)
		if err != nil {
			return usageErrorf("bench repair: -families: %v", err)
		}
		if *check && *pairs == "" {
			return usageErrorf("bench repair: -check needs -pairs")
		}
		var pairList []bench.Pair
		if *pairs != "" {
			if pairList, err = bench.ReadPairs(*pairs); err != nil {
				return fmt.Errorf("bench repair: %v", err)
			}
			if *limit > 0 && len(pairList) > *limit {
				pairList = pairList[:*limit]
			}
		}
		if *check {
			checks, err := bench.CheckPairs(ctx, pairList, *jobs, *timeout, *work)
			if err != nil {
				return fmt.Errorf("bench repair: %v", err)
			}
			if err := bench.WritePairChecks(e.stdout, checks); err != nil {
				return err
			}
			failed := 0
			for _, c := range checks {
				if c.Err != nil {
					failed++
				}
			}
			if failed > 0 {
				return fmt.Errorf("bench repair: %d of %d pairs fail their check", failed, len(checks))
			}
			return nil
		}
		opt := bench.Options{
			Pairs:        pairList,
			SkipCorrupt:  !*corrupt,
			Families:     fams,
			PerFamily:    *perFamily,
			HumanEvalFix: *hefix,
			MBXPSamples:  *mbxp,
			MBXPProblems: *mbxpProbs,
			HumanEvalX:   *hex,
			Limit:        *limit,
			Jobs:         *jobs,
			Timeout:      *timeout,
			WorkDir:      *work,
		}
		for i := 1; i <= max(*seeds, 1); i++ {
			opt.Seeds = append(opt.Seeds, int64(i))
		}
		if *refactor {
			if opt.Refactors, err = bench.ParseRefactors(*refKinds); err != nil {
				return usageErrorf("bench repair: -refactor-kinds: %v", err)
			}
		}
		if *corrupt && *std != "" {
			opt.Std = strings.Split(*std, ",")
		}
		if *corrupt || *refactor {
			switch *modules {
			case "none":
			case "":
				opt.Modules = bench.DefaultModules()
			default:
				data, err := os.ReadFile(*modules)
				if err != nil {
					return err
				}
				if opt.Modules, err = bench.ParseModuleList(*modules, string(data)); err != nil {
					return err
				}
			}
		}
		if *quick {
			quickModules := []bench.ModuleSpec(nil)
			if *refactor && len(opt.Modules) > 0 {
				quickModules = opt.Modules[:min(3, len(opt.Modules))] // the refactor suite needs modules
			}
			if !*corrupt {
				opt.Std = nil
			} else {
				opt.Std = bench.QuickStdPackages
			}
			opt.Modules, opt.Seeds, opt.PerFamily = quickModules, []int64{1}, 1
			timeoutSet := false
			fs.Visit(func(f *flag.Flag) { timeoutSet = timeoutSet || f.Name == "timeout" })
			if !timeoutSet {
				opt.Timeout = 20 * time.Second // a case that needs more is scored as failed
			}
			if *limit == 0 {
				opt.Limit = 5
			}
		}
		for _, p := range []string{*hefix, *mbxp, *mbxpProbs, *hex} {
			if p != "" {
				if fi, err := os.Stat(p); err != nil || fi.IsDir() {
					return fmt.Errorf("bench repair: %s: not a suite file", p)
				}
			}
		}
		logf := func(format string, args ...any) { fmt.Fprintf(e.stderr, "bench: "+format+"\n", args...) }
		opt.Logf = logf

		toolDir := *tools
		if toolDir == "" {
			if cache, err := os.UserCacheDir(); err == nil {
				toolDir = filepath.Join(cache, "difgen", "tools")
			}
		}
		var goimports, gopls string
		var goimportsErr, goplsErr error
		for _, name := range strings.Split(*fixers, ",") {
			switch strings.TrimSpace(name) {
			case "difgen":
				exe := *difgen
				if exe == "" {
					if exe, err = os.Executable(); err != nil {
						return err
					}
				}
				var extra, env []string
				if *model != "" {
					extra = append(extra, "-model="+*model)
				}
				if *gens != "" {
					if _, _, err := parseGenerators(*gens); err != nil {
						return usageErrorf("bench repair: -generators: %v", err)
					}
					extra = append(extra, "-generators="+*gens)
				}
				if *unseen && (*model == "" || *model == "local") && len(opt.Std) > 0 {
					path, err := unseenModel(ctx, e, opt.Std)
					if err != nil {
						return fmt.Errorf("bench repair: %w", err)
					}
					logf("difgen's model: %s (trained without the %d packages corrupted)", path, len(opt.Std))
					env = append(env, "DIFGEN_MODEL="+path)
				}
				opt.Fixers = append(opt.Fixers, bench.DifgenFixer(exe, env, extra...))
			case "goimports", "gopls":
				if goimports == "" && goimportsErr == nil {
					logf("installing goimports %s in %s", bench.GoimportsVersion, toolDir)
					goimports, goimportsErr = bench.InstallTool(ctx, toolDir, "golang.org/x/tools/cmd/goimports", bench.GoimportsVersion)
				}
				if name == "goimports" {
					f := bench.GoimportsFixer(goimports)
					if goimportsErr != nil {
						f.Unavailable = goimportsErr.Error()
					}
					opt.Fixers = append(opt.Fixers, f)
					continue
				}
				logf("installing gopls %s in %s", bench.GoplsVersion, toolDir)
				gopls, goplsErr = bench.InstallTool(ctx, toolDir, "golang.org/x/tools/gopls", bench.GoplsVersion)
				f := bench.GoplsFixer(gopls, goimports)
				if goplsErr != nil {
					f.Unavailable = goplsErr.Error()
				} else if goimportsErr != nil {
					f.Unavailable = goimportsErr.Error()
				}
				opt.Fixers = append(opt.Fixers, f)
			default:
				return usageErrorf("bench repair: unknown fixer %q; want difgen, goimports or gopls", name)
			}
		}
		if e.terminal {
			start := time.Now()
			opt.Progress = func(done, total int) {
				const width = 30
				n := width * done / max(total, 1)
				fmt.Fprintf(e.stderr, "\r[%s%s] %d/%d %s ", strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total, time.Since(start).Round(time.Second))
				if done == total {
					fmt.Fprintln(e.stderr)
				}
			}
		}
		rep, err := bench.Run(ctx, opt)
		if err != nil {
			return fmt.Errorf("bench repair: %v", err)
		}
		if *svg != "" {
			f, err := os.Create(*svg)
			if err != nil {
				return err
			}
			if err := rep.WriteSVG(f); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
		if *jsonOut {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}
		return rep.WriteMarkdown(e.stdout)
	}
}

func refactorKinds() string {
	var names []string
	for _, f := range bench.Refactors {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// unseenModel returns the cached token model trained on GOROOT/src
// without the packages pkgs, building it first if needed, so that
// difgen repairs code its model has never seen. (The modules the
// benchmark corrupts are never in the training corpus.)
func unseenModel(ctx context.Context, e *env, pkgs []string) (string, error) {
	opts := &local.ModelOptions{Corpus: &corpus.Options{Exclude: pkgs}, Progress: trainProgress(e)}
	path, err := local.CachePath(opts)
	if err != nil {
		return "", err
	}
	opts.Path = path
	_, err = local.LoadModel(ctx, opts)
	clearProgress(e)
	return path, err
}
