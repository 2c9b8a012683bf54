package main

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
	opts := &modelOptions{Path: path, Corpus: &corpus.Options{Packages: []string{"errors", "sort"}},
		Progress: func(stage string, done, total int) {
			if len(stages) == 0 || stages[len(stages)-1] != stage {
				stages = append(stages, stage)
			}
		}}
	m, err := loadModel(context.Background(), opts)
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
	m2, err := loadModel(context.Background(), opts) // loaded, not rebuilt
	if err != nil {
		t.Fatal(err)
	}
	if m2.Info().Tokens != m.Info().Tokens {
		t.Errorf("reloaded model has %d tokens, want %d", m2.Info().Tokens, m.Info().Tokens)
	}
	t.Setenv("DIFGEN_MODEL", "/x/y.bin")
	if p, _ := modelPath(nil); p != "/x/y.bin" {
		t.Errorf("DefaultPath with DIFGEN_MODEL = %s", p)
	}
}
