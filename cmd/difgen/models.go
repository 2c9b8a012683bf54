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
	"github.com/difgen/difgen/model/route"
)

// A denoiserFactory makes the denoiser for one package's canvas: the local
// model takes the package's own text as its cache.
type denoiserFactory func(cv *ast.Canvas) model.Denoiser

// newDenoiser returns the factory for the -model flag's value: "local"
// (with the generators of -generators), a remote endpoint such as
// openai:gpt-4.1, whose requests time out after -timeout per attempt, or
// a hybrid FIRST,SECOND of the two.
func newDenoiser(ctx context.Context, e *env, fl *repairFlags, logf func(string, ...any)) (denoiserFactory, error) {
	spec, timeout := fl.model, fl.timeout
	if first, second, ok := strings.Cut(spec, ","); ok {
		return newHybrid(ctx, e, fl, first, second, logf)
	}
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

// newHybrid returns the factory of a hybrid -model FIRST,SECOND: each
// hole goes to FIRST (the local model) first, and to SECOND when refine
// asks about its function again (model/route).
func newHybrid(ctx context.Context, e *env, fl *repairFlags, first, second string, logf func(string, ...any)) (denoiserFactory, error) {
	if first == "" || second == "" || strings.Contains(second, ",") {
		return nil, fmt.Errorf("-model %s,%s: want two denoisers, e.g. local,openai:gpt-4.1", first, second)
	}
	fl1, fl2 := *fl, *fl
	fl1.model, fl2.model = first, second
	f1, err := newDenoiser(ctx, e, &fl1, logf)
	if err != nil {
		return nil, err
	}
	f2, err := newDenoiser(ctx, e, &fl2, logf)
	if err != nil {
		return nil, err
	}
	opts := &route.Options{}
	if isLocal(first) {
		opts.FirstCandidates = 8 // the default for the local model: they cost no tokens
	}
	st := route.NewState()
	return func(cv *ast.Canvas) model.Denoiser { return route.New(f1(cv), f2(cv), st, opts) }, nil
}

// routeStats returns the routing counts of a hybrid factory's run so far;
// false for a single denoiser.
func routeStats(f denoiserFactory) (route.Stats, bool) {
	if r, ok := f(ast.NewCanvas("")).(*route.Router); ok {
		return r.Stats(), true
	}
	return route.Stats{}, false
}

// remoteOf returns the remote denoiser of a factory (the second of a
// hybrid one), or nil when it has none.
func remoteOf(f denoiserFactory) *remote.Denoiser {
	d := f(ast.NewCanvas(""))
	if r, ok := d.(*route.Router); ok {
		d = r.Second()
	}
	rd, _ := d.(*remote.Denoiser)
	return rd
}

// modelOptions returns the options of the local model that fix, fill,
// train and version use: the file $DIFGEN_MODEL names, if set, else the
// user's cache.
func modelOptions() *local.ModelOptions {
	return &local.ModelOptions{Path: os.Getenv("DIFGEN_MODEL")}
}
