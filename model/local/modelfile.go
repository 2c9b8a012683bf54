package local

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
)

// ModelOptions configure [LoadModel] and [BuildModel]. The zero value
// loads or builds the full standard-library model in the user's cache
// directory.
type ModelOptions struct {
	// Path is the model file. Empty means the file in the user's cache
	// that CachePath names.
	Path string
	// Holdout leaves the held-out packages (see corpus.HeldOut) out of
	// training, for measuring the model on them.
	Holdout bool
	// Corpus says what to train on when the model must be built; nil
	// means GOROOT/src. Its TrainOnly field is set from Holdout.
	Corpus *corpus.Options
	// Train configures the counting; nil means defaults.
	Train *TrainOptions
	// NoWrite keeps a model built by LoadModel out of its file.
	NoWrite bool
	// Progress, if set, reports building: stage is "read" (files
	// tokenized) or "count" (tables counted).
	Progress func(stage string, done, total int)
}

// ModelPath returns the file LoadModel uses for opts: opts.Path, else
// CachePath(opts).
func ModelPath(opts *ModelOptions) (string, error) {
	if opts == nil {
		opts = new(ModelOptions)
	}
	if opts.Path != "" {
		return opts.Path, nil
	}
	return CachePath(opts)
}

// CachePath returns the file in the user's cache directory of the model
// opts describe: difgen/model-v<FormatVersion>[-holdout][-x<crc of
// Exclude>].bin, one file per set of left-out packages.
func CachePath(opts *ModelOptions) (string, error) {
	if opts == nil {
		opts = new(ModelOptions)
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locating the model cache: %w", err)
	}
	name := fmt.Sprintf("model-v%d", FormatVersion)
	if opts.Holdout {
		name += "-holdout"
	}
	if opts.Corpus != nil && len(opts.Corpus.Exclude) > 0 {
		x := slices.Sorted(slices.Values(opts.Corpus.Exclude))
		name += fmt.Sprintf("-x%08x", crc32.ChecksumIEEE([]byte(strings.Join(x, "\n"))))
	}
	return filepath.Join(dir, "difgen", name+".bin"), nil
}

// LoadModel loads the token model from its file (see ModelPath) or, when
// the file is missing or of another format version, builds it with
// BuildModel and writes it there atomically (unless NoWrite).
func LoadModel(ctx context.Context, opts *ModelOptions) (*NGram, error) {
	if opts == nil {
		opts = new(ModelOptions)
	}
	path, err := ModelPath(opts)
	if err != nil {
		return nil, err
	}
	m, err := ReadFile(path)
	if err == nil {
		if m.Info().Holdout != opts.Holdout {
			return nil, fmt.Errorf("%s: model holdout=%v, want %v", path, m.Info().Holdout, opts.Holdout)
		}
		return m, nil
	}
	if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, ErrVersion) {
		return nil, err
	}
	m, err = BuildModel(ctx, opts)
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

// BuildModel trains a model on the corpus of opts (GOROOT/src by
// default).
func BuildModel(ctx context.Context, opts *ModelOptions) (*NGram, error) {
	if opts == nil {
		opts = new(ModelOptions)
	}
	var copts corpus.Options
	if opts.Corpus != nil {
		copts = *opts.Corpus
	}
	copts.TrainOnly = opts.Holdout
	if opts.Progress != nil {
		copts.Progress = func(done, total int) { opts.Progress("read", done, total) }
	}
	var topts TrainOptions
	if opts.Train != nil {
		topts = *opts.Train
	}
	if opts.Progress != nil {
		topts.Progress = func(done, total int) { opts.Progress("count", done, total) }
	}
	t := NewTrainer(&topts)
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
