package main

import (
	"context"
	"errors"
	"flag"
)

// benchRepair declares the flags of 'difgen bench repair' on fs and
// returns its runner.
func benchRepair(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		return errors.New("bench repair: not yet implemented")
	}
}
