package main

import (
	"context"
	"flag"
	"fmt"
)

var cmdBench = &command{
	Name:      "bench",
	UsageLine: "bench denoise|repair|gen|priors [flags]",
	Short:     "measure the denoiser, the repair loop and gen",
	Long:      helpText("Bench"),
	Run:       runBench,
}

func runBench(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("bench: want 'denoise', 'repair', 'gen' or 'priors'; run 'difgen help bench'")
	}
	var (
		fs  = flag.NewFlagSet("difgen bench "+args[0], flag.ContinueOnError)
		run func(context.Context, *env, []string) error
	)
	fs.SetOutput(e.stderr)
	switch args[0] {
	case "denoise":
		run = benchDenoise(fs)
	case "repair":
		run = benchRepair(fs)
	case "gen":
		run = benchGen(fs)
	case "priors":
		run = benchPriors(fs)
	default:
		return usageErrorf("bench: unknown benchmark %q; want 'denoise', 'repair', 'gen' or 'priors'", args[0])
	}
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: difgen bench %s [flags]\n", args[0])
		fs.PrintDefaults()
		fmt.Fprintf(e.stderr, "\nRun 'difgen help bench' for details.\n")
	}
	if err := fs.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return &exitError{code: 2}
	}
	return run(ctx, e, fs.Args())
}
