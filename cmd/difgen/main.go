// Command difgen writes and repairs Go code by masked diffusion. See doc.go.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/difgen/difgen/internal/tempdir"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// Every temporary directory of this run goes in one session directory,
	// removed below, also after Ctrl-C or SIGTERM (which cancel ctx); if
	// difgen is killed outright, the next difgen removes it.
	sess, err := tempdir.Start("")
	if err != nil {
		fmt.Fprintf(os.Stderr, "difgen: %v; temporary files go in %s\n", err, os.TempDir())
	}
	err = run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	code := exitCode(err, os.Stderr)
	if sess != nil {
		sess.Close()
	}
	stop()
	os.Exit(code)
}
