package main

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/difgen/difgen/corpus"
	"github.com/difgen/difgen/model/local"
)

// modelOptions configures loadModel and buildModel. The zero value loads or
// builds the full standard-library model in the user's cache directory.
type modelOptions struct {
	// Path is the model file. Empty means $DIFGEN_MODEL, else
	// os.UserCacheDir()/difgen/model-v<local.FormatVersion>.bin (with -holdout
	// before .bin for a Holdout model).
	Path string
	// Holdout leaves the held-out packages (see corpus.HeldOut) out of
	// training, for measuring the model on them.
	Holdout bool
	// Corpus says what to train on when the model must be built; nil
	// means GOROOT/src. Its HeldOnly/TrainOnly fields are set from
	// Holdout.
	Corpus *corpus.Options
	// Train configures the counting; nil means defaults.
	Train *local.TrainOptions
	// NoWrite keeps a model built by loadModel out of the cache file.
	NoWrite bool
	// Progress, if set, reports building: stage is "read" (files
	// tokenized) or "count" (tables counted).
	Progress func(stage string, done, total int)
}

// modelPath returns the model file loadModel uses for opts.
func modelPath(opts *modelOptions) (string, error) {
	if opts == nil {
		opts = new(modelOptions)
	}
	if opts.Path != "" {
		return opts.Path, nil
	}
	if p := os.Getenv("DIFGEN_MODEL"); p != "" {
		return p, nil
	}
	return cachedModelPath(opts)
}

// cachedModelPath returns the file in the user's cache directory of the
// model opts describe: model-v<version>[-holdout][-x<crc of Exclude>].bin.
func cachedModelPath(opts *modelOptions) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locating the model cache: %w", err)
	}
	name := fmt.Sprintf("model-v%d", local.FormatVersion)
	if opts.Holdout {
		name += "-holdout"
	}
	if opts.Corpus != nil && len(opts.Corpus.Exclude) > 0 {
		// One cached model per set of left-out packages.
		x := slices.Sorted(slices.Values(opts.Corpus.Exclude))
		name += fmt.Sprintf("-x%08x", crc32.ChecksumIEEE([]byte(strings.Join(x, "\n"))))
	}
	return filepath.Join(dir, "difgen", name+".bin"), nil
}

// Default loads the token model from its file (see DefaultPath) or, when
// the file is missing or of another format version, builds it with buildModel
// and writes it there atomically.
func loadModel(ctx context.Context, opts *modelOptions) (*local.NGram, error) {
	if opts == nil {
		opts = new(modelOptions)
	}
	path, err := modelPath(opts)
	if err != nil {
		return nil, err
	}
	m, err := local.ReadFile(path)
	if err == nil {
		if m.Info().Holdout != opts.Holdout {
			return nil, fmt.Errorf("%s: model holdout=%v, want %v", path, m.Info().Holdout, opts.Holdout)
		}
		return m, nil
	}
	if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, local.ErrVersion) {
		return nil, err
	}
	m, err = buildModel(ctx, opts)
	if err != nil {
		return nil, err
	}
	if !opts.NoWrite {
		if err := m.WriteFile(path); err != nil {
			return nil, fmt.Errorf("caching the model: %w", err)
		}
	}
	return m, nil
}

// Build trains a model on the corpus of opts (GOROOT/src by default).
func buildModel(ctx context.Context, opts *modelOptions) (*local.NGram, error) {
	if opts == nil {
		opts = new(modelOptions)
	}
	var copts corpus.Options
	if opts.Corpus != nil {
		copts = *opts.Corpus
	}
	copts.TrainOnly = opts.Holdout
	if opts.Progress != nil {
		copts.Progress = func(done, total int) { opts.Progress("read", done, total) }
	}
	var topts local.TrainOptions
	if opts.Train != nil {
		topts = *opts.Train
	}
	if opts.Progress != nil {
		topts.Progress = func(done, total int) { opts.Progress("count", done, total) }
	}
	t := local.NewTrainer(&topts)
	if err := corpus.Walk(ctx, &copts, func(d *corpus.Doc) error {
		t.Add(d.Tokens)
		return nil
	}); err != nil {
		return nil, err
	}
	var desc []string
	roots := copts.Roots
	if roots == nil {
		roots = []corpus.Root{corpus.GOROOT()}
	}
	for _, r := range roots {
		desc = append(desc, r.Dir)
	}
	desc = append(desc, copts.Packages...)
	t.SetInfo(desc, opts.Holdout)
	return t.Train(ctx)
}
