package main

import (
	"context"
	"errors"
	"flag"
)

// benchDenoise declares the flags of 'difgen bench denoise' on fs and
// returns its runner.
func benchDenoise(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		return errors.New("bench denoise: not yet implemented")
	}
}
