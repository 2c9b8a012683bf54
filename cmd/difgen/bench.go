package main

import (
	"context"
	"flag"
)

var cmdBench = &command{
	Name:      "bench",
	UsageLine: "bench denoise|repair|gen [flags]",
	Short:     "measure the denoiser and the repair loop",
	Long: `
Bench measures difgen.

	difgen bench denoise [flags]   token and expression accuracy of the local denoiser
	difgen bench repair [flags]    repair rates on corrupted packages and real-data suites,
	                               side by side with goimports and gopls
	difgen bench gen [flags]       difgen gen on specs made from Exercism exercises
	                               (-exercism FILE) or HumanEval-X problems (-humanevalx FILE)

Run 'difgen bench denoise -h', 'difgen bench repair -h' or 'difgen bench gen -h' for their flags.
`,
	Run: runBench,
}

func runBench(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("bench: want 'denoise', 'repair' or 'gen'; run 'difgen help bench'")
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
	default:
		return usageErrorf("bench: unknown benchmark %q; want 'denoise', 'repair' or 'gen'", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return &exitError{code: 2}
	}
	return run(ctx, e, fs.Args())
}
