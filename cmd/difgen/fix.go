package main

import (
	"context"
	"errors"
)

var cmdFix = &command{
	Name:      "fix",
	UsageLine: "fix [flags] [packages]",
	Short:     "repair broken packages",
	Run: func(ctx context.Context, e *env, args []string) error {
		return errors.New("fix: not yet implemented")
	},
}

var cmdFill = &command{
	Name:      "fill",
	UsageLine: "fill [flags] [packages | file.go[:line:col | :#offset]]",
	Short:     "fill holes",
	Run: func(ctx context.Context, e *env, args []string) error {
		return errors.New("fill: not yet implemented")
	},
}
