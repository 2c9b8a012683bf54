package main

import (
	"context"
	"flag"
	"fmt"
)

var cmdBench = &command{
	Name:      "bench",
	UsageLine: "bench denoise|repair [flags]",
	Short:     "measure the denoiser and the repair loop",
	Long: `
Bench measures difgen.

	difgen bench denoise [flags]   token and expression accuracy of the local denoiser
	difgen bench repair [flags]    repair rates on corrupted packages and real-data suites,
	                               side by side with goimports and gopls

Run 'difgen bench denoise -h' or 'difgen bench repair -h' for their flags.
`,
	Run: runBench,
}

func runBench(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("bench: want 'denoise' or 'repair'; run 'difgen help bench'")
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
	case "priors":
		run = benchPriors(fs)
	default:
		return usageErrorf("bench: unknown benchmark %q; want 'denoise', 'repair' or 'priors'", args[0])
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
