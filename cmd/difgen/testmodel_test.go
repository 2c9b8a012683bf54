package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/difgen/difgen/corpus"
	"github.com/difgen/difgen/model/local"
)

// testPackages are the standard-library packages the tests' small model
// is trained on: a few seconds of counting, enough Go to rank candidates.
var testPackages = []string{
	"bufio", "bytes", "strings", "strconv", "errors", "io", "os", "sort",
	"path/filepath", "encoding/json", "fmt", "slices", "maps", "text/tabwriter",
}

// setupTestModel trains the small model into dir and points DIFGEN_MODEL
// at it, so tests never build the full model in the user's cache.
func setupTestModel(dir string) error {
	path := filepath.Join(dir, "model.bin")
	m, err := local.BuildModel(context.Background(), &local.ModelOptions{Path: path, Corpus: &corpus.Options{Packages: testPackages}})
	if err != nil {
		return err
	}
	if err := m.WriteFile(path); err != nil {
		return err
	}
	return os.Setenv("DIFGEN_MODEL", path)
}
