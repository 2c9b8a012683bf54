// Package corpus walks Go source trees and turns them into the token
// sequences the local denoiser is trained on.
//
// # Files
//
// [Walk] visits every .go file under its roots (GOROOT/src by default),
// skipping testdata and vendor directories, directories whose names begin
// with "." or "_", and generated files (a "// Code generated ... DO NOT
// EDIT." line before the package clause). Files with the same content are
// visited once, by content hash.
//
// # Held-out split
//
// Files are split into training and held-out data by package, never by
// file: a package is held out when the FNV-1a 32-bit hash of its import
// path is 0 modulo 10 (see [HeldOut]). The rule is fixed so that models
// trained with -holdout and the denoising benchmark agree across machines
// and versions. Benchmark data is never corpus.
package corpus

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/difgen/difgen/ast"
)

// A Doc is one Go source file of the corpus.
type Doc struct {
	Path    string // file path on disk
	PkgPath string // import path of the file's package directory
	Src     string // file contents (kept only when Options.KeepSource)
	Tokens  []ast.Token
	Held    bool // the package is held out (see HeldOut)
}

// A Root is a source tree: Dir on disk holds the packages whose import
// paths begin with Prefix (empty for GOROOT/src, whose packages are
// "fmt", "net/http", ...).
type Root struct {
	Dir    string
	Prefix string
}

// Options configures Walk. The zero value walks GOROOT/src.
type Options struct {
	// Roots are the trees to walk; nil means GOROOT/src.
	Roots []Root
	// Packages, if non-empty, limits the walk to packages whose import
	// paths are listed (not their subpackages); used to train small models
	// in tests.
	Packages []string
	// Exclude lists packages (import paths, not their subpackages) left
	// out of the walk: a model that must not have seen the packages it is
	// measured on.
	Exclude []string
	// SkipTests leaves out _test.go files, which are included by default.
	SkipTests bool
	// KeepSource keeps each file's text in Doc.Src.
	KeepSource bool
	// HeldOnly visits only held-out packages; TrainOnly only the others.
	HeldOnly, TrainOnly bool
	// Workers is the number of tokenizing goroutines; 0 means GOMAXPROCS.
	Workers int
	// Progress, if set, is called after each file with the number of files
	// done and the total.
	Progress func(done, total int)
}

// GOROOT returns the root of the Go standard library sources: the src
// directory of $GOROOT, else of 'go env GOROOT'.
func GOROOT() Root {
	return Root{Dir: filepath.Join(goroot(), "src")}
}

var goroot = sync.OnceValue(func() string {
	if r := os.Getenv("GOROOT"); r != "" {
		return r
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})

// HeldOut reports whether the package with the given import path belongs
// to the held-out split: FNV-1a-32(pkgPath) % 10 == 0.
func HeldOut(pkgPath string) bool {
	h := fnv.New32a()
	h.Write([]byte(pkgPath))
	return h.Sum32()%10 == 0
}

// A file to visit, before tokenizing.
type entry struct {
	path, pkg string
}

// Files lists the files Walk would visit, in order, without reading
// their tokens (dedup by content happens in Walk).
func Files(ctx context.Context, opts *Options) ([]Doc, error) {
	ents, err := list(ctx, opts)
	if err != nil {
		return nil, err
	}
	docs := make([]Doc, len(ents))
	for i, e := range ents {
		docs[i] = Doc{Path: e.path, PkgPath: e.pkg, Held: HeldOut(e.pkg)}
	}
	return docs, nil
}

func list(ctx context.Context, opts *Options) ([]entry, error) {
	if opts == nil {
		opts = new(Options)
	}
	roots := opts.Roots
	if roots == nil {
		roots = []Root{GOROOT()}
	}
	want, skip := map[string]bool{}, map[string]bool{}
	for _, p := range opts.Packages {
		want[p] = true
	}
	for _, p := range opts.Exclude {
		skip[p] = true
	}
	var ents []entry
	for _, r := range roots {
		dir := filepath.Clean(r.Dir)
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			name := d.Name()
			if d.IsDir() {
				if path != dir && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(name, ".go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return nil
			}
			if opts.SkipTests && strings.HasSuffix(name, "_test.go") {
				return nil
			}
			rel, err := filepath.Rel(dir, filepath.Dir(path))
			if err != nil {
				return err
			}
			pkg := r.Prefix
			if rel != "." {
				pkg = strings.TrimPrefix(pkg+"/"+filepath.ToSlash(rel), "/")
			}
			if len(want) > 0 && !want[pkg] || skip[pkg] {
				return nil
			}
			held := HeldOut(pkg)
			if (opts.HeldOnly && !held) || (opts.TrainOnly && held) {
				return nil
			}
			ents = append(ents, entry{path, pkg})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
	}
	return ents, nil
}

// Walk tokenizes the corpus files described by opts and calls fn with
// each, in a deterministic order (sorted by root, then path), from a
// single goroutine. Tokenizing runs on opts.Workers goroutines. It stops
// at the first error of fn or of reading a file.
func Walk(ctx context.Context, opts *Options, fn func(*Doc) error) error {
	if opts == nil {
		opts = new(Options)
	}
	ents, err := list(ctx, opts)
	if err != nil {
		return err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type result struct {
		doc  *Doc
		hash [32]byte
		err  error
	}
	// Each file gets a channel so results come back in order while workers
	// run ahead by at most 4*workers files.
	slots := make(chan chan result, 4*workers)
	jobs := make(chan struct {
		e   entry
		out chan result
	})
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				data, err := os.ReadFile(j.e.path)
				if err != nil {
					j.out <- result{err: err}
					continue
				}
				if ast.IsGenerated(string(data)) {
					j.out <- result{}
					continue
				}
				src := string(data)
				d := &Doc{Path: j.e.path, PkgPath: j.e.pkg, Held: HeldOut(j.e.pkg), Tokens: ast.Tokenize(src)}
				if opts.KeepSource {
					d.Src = src
				}
				j.out <- result{doc: d, hash: sha256.Sum256(data)}
			}
		}()
	}
	go func() {
		defer close(slots)
		defer close(jobs)
		for _, e := range ents {
			out := make(chan result, 1)
			select {
			case slots <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- struct {
				e   entry
				out chan result
			}{e, out}:
			case <-ctx.Done():
				return
			}
		}
	}()
	seen := map[[32]byte]bool{}
	done := 0
	for slot := range slots {
		var r result
		select {
		case r = <-slot:
		case <-ctx.Done():
			return ctx.Err()
		}
		done++
		if opts.Progress != nil {
			opts.Progress(done, len(ents))
		}
		if r.err != nil {
			return fmt.Errorf("corpus: %w", r.err)
		}
		if r.doc == nil || seen[r.hash] {
			continue
		}
		seen[r.hash] = true
		if err := fn(r.doc); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Load is Walk collecting the documents.
func Load(ctx context.Context, opts *Options) ([]*Doc, error) {
	var docs []*Doc
	err := Walk(ctx, opts, func(d *Doc) error {
		docs = append(docs, d)
		return nil
	})
	return docs, err
}

// Packages groups documents by package path, in order of first appearance.
func Packages(docs []*Doc) [][]*Doc {
	idx := map[string]int{}
	var out [][]*Doc
	for _, d := range docs {
		i, ok := idx[d.PkgPath]
		if !ok {
			i = len(out)
			idx[d.PkgPath] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], d)
	}
	return out
}
