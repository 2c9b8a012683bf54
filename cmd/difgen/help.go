package main

import (
	"context"
	"fmt"
)

var cmdHelp = &command{
	Name:      "help",
	UsageLine: "help [command]",
	Short:     "print help for a command",
}

func init() {
	cmdHelp.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			printUsage(e.stdout)
			return nil
		}
		c := lookup(args[0])
		if c == nil {
			return usageErrorf("help: unknown command %q", args[0])
		}
		fmt.Fprintf(e.stdout, "usage: difgen %s\n\n%s", c.UsageLine, trimLong(c.Long))
		return nil
	}
}
