package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model"
	"github.com/difgen/difgen/model/local"
	"github.com/difgen/difgen/model/remote"
)

// A denoiserFactory makes the denoiser for one package's canvas: the local
// model takes the package's own text as its cache.
type denoiserFactory func(cv *ast.Canvas) model.Denoiser

// newDenoiser returns the factory for the -model flag's value: "local"
// (with the generators of -generators), or a remote endpoint such as
// openai:gpt-4.1, whose requests time out after -timeout per attempt.
func newDenoiser(ctx context.Context, e *env, fl *repairFlags, logf func(string, ...any)) (denoiserFactory, error) {
	spec, timeout := fl.model, fl.timeout
	if isLocal(spec) {
		opts := modelOptions()
		path, err := local.ModelPath(opts)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(path); err != nil {
			fmt.Fprintf(e.stderr, "difgen: building the local model from GOROOT/src (first use; cached in %s)\n", path)
		}
		opts.Progress = trainProgress(e)
		m, err := local.LoadModel(ctx, opts)
		clearProgress(e)
		if err != nil {
			return nil, fmt.Errorf("local model: %v (rebuild it with 'difgen train')", err)
		}
		return func(cv *ast.Canvas) model.Denoiser {
			var texts []string
			for _, f := range cv.Files() {
				texts = append(texts, f.Text)
			}
			return local.New(m.WithCache(texts...), &local.Options{Generators: fl.generators})
		}, nil
	}
	if !strings.Contains(spec, ":") {
		return nil, fmt.Errorf("-model %s: want local or provider:name (providers: %s)", spec, strings.Join(remote.Providers(), ", "))
	}
	d, err := remote.Parse(spec, os.Getenv, &remote.Options{Timeout: timeout, Logf: logf})
	if err != nil {
		return nil, err
	}
	return func(*ast.Canvas) model.Denoiser { return d }, nil
}

// isLocal reports whether the -model value names the local denoiser.
func isLocal(spec string) bool { return spec == "" || spec == "local" }

// modelOptions returns the options of the local model that fix, fill,
// train and version use: the file $DIFGEN_MODEL names, if set, else the
// user's cache.
func modelOptions() *local.ModelOptions {
	return &local.ModelOptions{Path: os.Getenv("DIFGEN_MODEL")}
}
