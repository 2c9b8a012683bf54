package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/difgen/difgen/internal/bench"
	"github.com/difgen/difgen/internal/tempdir"
)

// benchGen declares the flags of 'difgen bench gen' on fs and returns
// its runner.
func benchGen(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	var (
		exercism = fs.String("exercism", "", "Exercism Go exercises `file` (jsonl: name, instructions, solution_files, test_files, files)")
		hex      = fs.String("humanevalx", "", "HumanEval-X Go `file` (jsonl)")
		limit    = fs.Int("limit", 0, "records per suite (0: all)")
		model    = fs.String("model", "local", "passed to difgen gen as -model")
		budget   = fs.String("budget", "time=2m,steps=6,calls=60", "passed to difgen gen as -budget, per case")
		timeout  = fs.Duration("timeout", 3*time.Minute, "time limit of gen on one case (and of the go test scoring it)")
		jobs     = fs.Int("j", 1, "cases run in parallel")
		jsonOut  = fs.Bool("json", false, "print every case's result as JSON instead of the Markdown table")
		work     = fs.String("work", "", "scratch directory, kept (default: a temporary one, removed)")
		difgen   = fs.String("difgen", "", "difgen binary to benchmark (default: this one)")
		verbose  = fs.Bool("v", false, "log each case")
	)
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usageErrorf("bench gen: unexpected arguments %q", args)
		}
		if *exercism == "" && *hex == "" {
			return usageErrorf("bench gen: name a suite file with -exercism or -humanevalx")
		}
		exe := *difgen
		if exe == "" {
			var err error
			if exe, err = os.Executable(); err != nil {
				return err
			}
		}
		dir := *work
		if dir == "" {
			d, err := tempdir.MkdirTemp("difgen-bench-gen-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(d)
			dir = d
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		logf := func(string, ...any) {}
		if *verbose {
			logf = func(format string, args ...any) { fmt.Fprintf(e.stderr, "bench gen: "+format+"\n", args...) }
		}
		var cases []*bench.GenCase
		add := func(cs []*bench.GenCase, errs []error, err error) error {
			if err != nil {
				return &exitError{code: 2, msg: err.Error()}
			}
			for _, e := range errs {
				logf("skipped: %v", e)
			}
			if *limit > 0 && len(cs) > *limit {
				cs = cs[:*limit]
			}
			cases = append(cases, cs...)
			return nil
		}
		if *exercism != "" {
			if err := add(bench.ReadExercismGen(*exercism)); err != nil {
				return err
			}
		}
		if *hex != "" {
			mod, err := bench.PrepareTestify(ctx, filepath.Join(dir, "testify"))
			if err != nil {
				fmt.Fprintf(e.stderr, "bench gen: testify: %v (the HumanEval-X tests will not build)\n", err)
			}
			if err := add(bench.ReadHumanEvalXGen(*hex, mod)); err != nil {
				return err
			}
		}
		start := time.Now()
		results := bench.RunGen(ctx, cases, bench.SpecRunOptions{
			Difgen: exe, Model: *model, Budget: *budget, Timeout: *timeout, Jobs: *jobs, WorkDir: dir, Logf: logf,
		})
		if ctx.Err() != nil {
			return errInterrupted
		}
		if *jsonOut {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(results)
		}
		if err := bench.WriteGenMarkdown(e.stdout, *model, results); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\n%d cases in %s.\n", len(results), time.Since(start).Round(time.Second))
		return nil
	}
}
