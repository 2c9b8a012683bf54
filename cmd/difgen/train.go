package main

import (
	"context"
	"errors"
)

var cmdTrain = &command{
	Name:      "train",
	UsageLine: "train [flags]",
	Short:     "build the local denoiser's token model",
	Run: func(ctx context.Context, e *env, args []string) error {
		return errors.New("train: not yet implemented")
	},
}
