package local

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/difgen/difgen/corpus"
)

func TestLoadModelBuildsAndCaches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "model.bin")
	var stages []string
	opts := &ModelOptions{Path: path, Corpus: &corpus.Options{Packages: []string{"errors", "sort"}},
		Progress: func(stage string, done, total int) {
			if len(stages) == 0 || stages[len(stages)-1] != stage {
				stages = append(stages, stage)
			}
		}}
	m, err := LoadModel(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 || stages[0] != "read" || stages[1] != "count" {
		t.Errorf("progress stages %v", stages)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	opts.Corpus = &corpus.Options{Packages: []string{"does/not/exist"}}
	m2, err := LoadModel(context.Background(), opts) // loaded, not rebuilt
	if err != nil {
		t.Fatal(err)
	}
	if m2.Info().Tokens != m.Info().Tokens {
		t.Errorf("reloaded model has %d tokens, want %d", m2.Info().Tokens, m.Info().Tokens)
	}
}

func TestCachedModelPath(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/cache")
	t.Setenv("HOME", "/home/u")
	path := func(o *ModelOptions) string {
		t.Helper()
		p, err := CachePath(o)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Base(p)
	}
	plain := path(&ModelOptions{})
	held := path(&ModelOptions{Holdout: true})
	x1 := path(&ModelOptions{Corpus: &corpus.Options{Exclude: []string{"a", "b"}}})
	x2 := path(&ModelOptions{Corpus: &corpus.Options{Exclude: []string{"b", "a"}}})
	x3 := path(&ModelOptions{Corpus: &corpus.Options{Exclude: []string{"a"}}})
	if plain == held || plain == x1 || x1 != x2 || x1 == x3 {
		t.Errorf("cache files: plain %s, holdout %s, exclude a,b %s, b,a %s, a %s: want one per model, any order of the list",
			plain, held, x1, x2, x3)
	}
}
