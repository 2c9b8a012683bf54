package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/difgen/difgen/corpus"
	"github.com/difgen/difgen/internal/bench"
	"github.com/difgen/difgen/model/local"
)

// benchDenoise declares the flags of 'difgen bench denoise' on fs and
// returns its runner (the benchmark is bench.Denoise).
func benchDenoise(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	var (
		n        = fs.Int("n", 2000, "single-token cases")
		spans    = fs.Int("spans", 300, "expression cases")
		seed     = fs.Int64("seed", 1, "random seed for choosing cases")
		asJSON   = fs.Bool("json", false, "print JSON")
		corpusFl = fs.String("corpus", "", "comma-separated directories or module@version (default GOROOT/src); held-out packages are measured")
		missesFl = fs.String("misses", "", "write each single-token miss to `file` (row, class, position, want, guesses; tab-separated)")
		modelFl  = fs.String("model", "", "token model file trained with -holdout (default: the cached holdout model, built on first use)")
	)
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usageErrorf("bench denoise: unexpected arguments %q", args)
		}
		copts, err := corpusOptions(ctx, *corpusFl, "")
		if err != nil {
			return err
		}
		start := time.Now()
		m, err := local.LoadModel(ctx, &local.ModelOptions{
			Path: *modelFl, Holdout: true, Corpus: copts, NoWrite: *corpusFl != "" && *modelFl == "",
			Progress: trainProgress(e),
		})
		clearProgress(e)
		if err != nil {
			return fmt.Errorf("bench denoise: %w", err)
		}
		if !m.Info().Holdout {
			return fmt.Errorf("bench denoise: the model was trained on held-out packages; train it with -holdout")
		}
		loaded := time.Since(start)
		held := *copts
		held.HeldOnly, held.KeepSource = true, true
		docs, err := corpus.Load(ctx, &held)
		if err != nil {
			return err
		}
		var misses io.Writer
		if *missesFl != "" {
			f, err := os.Create(*missesFl)
			if err != nil {
				return fmt.Errorf("bench denoise: %w", err)
			}
			defer f.Close()
			misses = f
		}
		res, err := bench.Denoise(ctx, &bench.DenoiseOptions{
			Model: m, Docs: docs, Tokens: *n, Spans: *spans, Seed: *seed, Misses: misses,
			Progress: trainProgress(e),
		})
		clearProgress(e)
		if err != nil {
			return err
		}
		res.Model.LoadMillis = float64(loaded.Microseconds()) / 1e3
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "\t")
			return enc.Encode(res)
		}
		return res.WriteText(e.stdout)
	}
}
