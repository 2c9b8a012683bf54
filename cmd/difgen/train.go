package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/difgen/difgen/corpus"
	"github.com/difgen/difgen/model/local"
)

var trainFlags struct {
	corpus   string
	packages string
	exclude  string
	out      string
	holdout  bool
	minCount int
	prune    int
}

var cmdTrain = &command{
	Name:      "train",
	UsageLine: "train [-corpus dir,dir|module@version] [-exclude pkgs] [-o file] [-holdout]",
	Short:     "build the local denoiser's token model",
	Long:      helpText("Train"),
	SetFlags: func(fs *flag.FlagSet) {
		fs.StringVar(&trainFlags.corpus, "corpus", "", "comma-separated directories or module@version to train on (default GOROOT/src)")
		fs.StringVar(&trainFlags.packages, "packages", "", "comma-separated import paths to train on (default all)")
		fs.StringVar(&trainFlags.exclude, "exclude", "", "comma-separated import paths to leave out")
		fs.StringVar(&trainFlags.out, "o", "", "model file to write (default $DIFGEN_MODEL or the user cache)")
		fs.BoolVar(&trainFlags.holdout, "holdout", false, "leave out the held-out packages")
		fs.IntVar(&trainFlags.minCount, "mincount", 0, "vocabulary count threshold (default 3)")
		fs.IntVar(&trainFlags.prune, "prune", 0, "drop n-grams seen fewer times (default 2)")
	},
	Run: runTrain,
}

func runTrain(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageErrorf("train: unexpected arguments %q", args)
	}
	copts, err := corpusOptions(ctx, trainFlags.corpus, trainFlags.packages)
	if err != nil {
		return err
	}
	copts.Exclude = splitList(trainFlags.exclude)
	opts := &local.ModelOptions{
		Path:     cmp.Or(trainFlags.out, os.Getenv("DIFGEN_MODEL")),
		Holdout:  trainFlags.holdout,
		Corpus:   copts,
		Train:    &local.TrainOptions{MinCount: trainFlags.minCount, Prune: trainFlags.prune},
		Progress: trainProgress(e),
	}
	path, err := local.ModelPath(opts)
	if len(copts.Exclude) > 0 && trainFlags.out == "" {
		path, err = local.CachePath(opts) // never over the default model
	}
	if err != nil {
		return err
	}
	start := time.Now()
	m, err := local.BuildModel(ctx, opts)
	clearProgress(e)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if err := m.WriteFile(path); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	info := m.Info()
	fmt.Fprintf(e.stdout, "wrote %s (%.1f MB)\n", path, float64(fi.Size())/1e6)
	fmt.Fprintf(e.stdout, "trained on %d files, %d tokens in %.1fs: vocabulary %d, %d contexts, %d n-grams",
		info.Files, info.Tokens, elapsed.Seconds(), info.Vocab, info.Contexts, info.Entries)
	if info.Holdout {
		fmt.Fprintf(e.stdout, ", held-out packages left out")
	}
	if n := len(copts.Exclude); n > 0 {
		fmt.Fprintf(e.stdout, ", %d packages excluded", n)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// splitList returns the non-empty, trimmed elements of a comma-separated
// list.
func splitList(list string) []string {
	var out []string
	for _, x := range strings.Split(list, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// corpusOptions turns the -corpus and -packages flags into corpus options
// (nil roots meaning GOROOT/src).
func corpusOptions(ctx context.Context, list, pkgs string) (*corpus.Options, error) {
	opts := &corpus.Options{}
	for _, p := range strings.Split(pkgs, ",") {
		if p = strings.TrimSpace(p); p != "" {
			opts.Packages = append(opts.Packages, p)
		}
	}
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		r, err := corpusRoot(ctx, item)
		if err != nil {
			return nil, err
		}
		opts.Roots = append(opts.Roots, r)
	}
	return opts, nil
}

// corpusRoot resolves one -corpus item: a directory, or module@version
// (downloaded into the module cache with 'go mod download').
func corpusRoot(ctx context.Context, item string) (corpus.Root, error) {
	if fi, err := os.Stat(item); err == nil && fi.IsDir() {
		dir, err := filepath.Abs(item)
		if err != nil {
			return corpus.Root{}, err
		}
		return corpus.Root{Dir: dir, Prefix: modulePath(dir)}, nil
	}
	if !strings.Contains(item, "@") {
		return corpus.Root{}, usageErrorf("-corpus: %s is neither a directory nor module@version", item)
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", item)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var mod struct{ Path, Dir, Error string }
	json.Unmarshal(out, &mod)
	if mod.Error != "" {
		return corpus.Root{}, fmt.Errorf("-corpus: %s", mod.Error)
	}
	if err != nil || mod.Dir == "" {
		return corpus.Root{}, fmt.Errorf("-corpus: go mod download %s: %s", item, strings.TrimSpace(stderr.String()))
	}
	return corpus.Root{Dir: mod.Dir, Prefix: mod.Path}, nil
}

// modulePath returns the module path declared in dir/go.mod, "" for
// GOROOT/src, or else the directory's base name.
func modulePath(dir string) string {
	if dir == corpus.GOROOT().Dir {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
				return strings.Trim(f[1], `"`)
			}
		}
	}
	return filepath.Base(dir)
}

// trainProgress returns a progress hook that keeps one status line on a
// terminal, or nil when stderr is not one.
func trainProgress(e *env) func(stage string, done, total int) {
	if !e.terminal {
		return nil
	}
	var (
		mu   sync.Mutex
		last time.Time
	)
	return func(stage string, done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if done != total && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		const width = 30
		n := width * done / max(total, 1)
		what := map[string]string{"read": "reading files ", "count": "counting tables"}[stage]
		fmt.Fprintf(e.stderr, "\rdifgen: %s [%s%s] %d/%d ", what, strings.Repeat("=", n), strings.Repeat(" ", width-n), done, total)
	}
}

func clearProgress(e *env) {
	if e.terminal {
		fmt.Fprintf(e.stderr, "\r%s\r", strings.Repeat(" ", 72))
	}
}
