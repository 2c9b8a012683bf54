package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/difgen/difgen/corpus"
	"github.com/difgen/difgen/internal/bench"
	"github.com/difgen/difgen/model/local"
)

// benchPriors declares the flags of 'difgen bench priors' on fs and
// returns its runner: the fitting of the local denoiser's priors
// (bench.CollectPriors, bench.FitPriors).
func benchPriors(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	var (
		out      = fs.String("o", "", "write the fitted priors as Go source to `file` (model/local/priors_fitted.go)")
		data     = fs.String("data", "", "fit on the samples in `file` (written by -save) instead of collecting them")
		save     = fs.String("save", "", "write the collected samples to `file` (JSON)")
		jobs     = fs.Int("j", 2, "cases repaired in parallel")
		timeout  = fs.Duration("timeout", 2*time.Minute, "time limit of one repair")
		seeds    = fs.Int("seeds", 1, "seeds per family")
		per      = fs.Int("per-family", 2, "corruption cases per family and seed")
		predict  = fs.Int("predict", 400, "masked identifiers and expressions (new code)")
		families = fs.String("families", "all", "comma-separated families or classes")
	)
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usageErrorf("bench priors: unexpected arguments %q", args)
		}
		logf := func(format string, args ...any) { fmt.Fprintf(e.stderr, "priors: "+format+"\n", args...) }
		var samples []bench.Sample
		if *data != "" {
			b, err := os.ReadFile(*data)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(b, &samples); err != nil {
				return fmt.Errorf("%s: %v", *data, err)
			}
		} else {
			fams, err := bench.ParseFamilies(*families)
			if err != nil {
				return usageErrorf("bench priors: -families: %v", err)
			}
			// The token model has never seen the packages fitted on.
			mopts := &local.ModelOptions{Corpus: &corpus.Options{Exclude: bench.FitPackages}, Progress: trainProgress(e)}
			if mopts.Path, err = local.CachePath(mopts); err != nil {
				return err
			}
			m, err := local.LoadModel(ctx, mopts)
			clearProgress(e)
			if err != nil {
				return err
			}
			opt := bench.PriorsOptions{Model: m, Families: fams, PerFamily: *per, Predict: *predict, Jobs: *jobs, Timeout: *timeout, Logf: logf}
			for i := 1; i <= max(*seeds, 1); i++ {
				opt.Seeds = append(opt.Seeds, int64(i))
			}
			var rep *bench.Report
			samples, rep, err = bench.CollectPriors(ctx, opt)
			if err != nil {
				return fmt.Errorf("bench priors: %v", err)
			}
			logf("%d cases repaired: %d samples", len(rep.Results), len(samples))
			if *save != "" {
				b, err := json.Marshal(samples)
				if err != nil {
					return err
				}
				if err := os.WriteFile(*save, b, 0o644); err != nil {
					return err
				}
			}
		}
		gens := local.GeneratorNames()
		logf("current priors: %v", bench.EvalPriors(local.Fitted(), samples))
		// Two-fold cross-validation by package: fit on one half of the
		// packages, judge on the other.
		var a, b []bench.Sample
		for _, s := range samples {
			if slices.Index(bench.FitPackages, pkgOf(s.Case))%2 == 0 {
				a = append(a, s)
			} else {
				b = append(b, s)
			}
		}
		for i, fold := range [][2][]bench.Sample{{a, b}, {b, a}} {
			p, st := bench.FitPriors(fold[0], gens, nil)
			logf("fold %d: fitted on %v; held out: %v", i+1, st, bench.EvalPriors(p, fold[1]))
		}
		p, st := bench.FitPriors(samples, gens, logf)
		logf("fitted: %v", st)
		if *out == "" {
			return nil
		}
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		note := fmt.Sprintf(`fittedPriors were fitted by 'difgen bench priors -o %s' on %d holes
(%d with a right candidate) that the local denoiser ranked while
repairing corruption cases of %s (every family), and masking new code
there, with a token model trained without those packages. The fit: %v.`,
			*out, len(samples), st.Samples, strings.Join(bench.FitPackages, ", "), st)
		if err := bench.WritePriorsGo(f, p, note); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// pkgOf returns the package of a sample's case ID ("corrupt/std/bufio/…"
// or "predict/bufio/…").
func pkgOf(id string) string {
	id = strings.TrimPrefix(strings.TrimPrefix(id, "corrupt/std/"), "predict/")
	for _, p := range bench.FitPackages {
		if strings.HasPrefix(id, p+"/") {
			return p
		}
	}
	return ""
}
