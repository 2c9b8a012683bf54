package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

var cmdVersion = &command{
	Name:      "version",
	UsageLine: "version",
	Short:     "print difgen's version",
	Long:      "Version prints difgen's module version, the Go version that built it and the local model's format version.",
	Run: func(ctx context.Context, e *env, args []string) error {
		v := "(devel)"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			v = bi.Main.Version
		}
		fmt.Fprintf(e.stdout, "difgen %s %s %s/%s\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	},
}
