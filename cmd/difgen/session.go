package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/refine"
)

// A session is what difgen lsp and difgen mcp keep between requests: the
// search flags and the denoiser, loaded once. Its repair method is the one
// way both servers run the loop, the same way fix and fill do.
type session struct {
	e     *env
	fl    *repairFlags
	b     budget
	tests constraints.TestsMode
	logf  func(string, ...any)

	loaded chan struct{} // closed when den and denErr are set
	den    denoiserFactory
	denErr error

	mu       sync.Mutex
	checkers map[string]*cachedChecker // by package directory
}

// A cachedChecker is a checker kept for the cheap checks of editor
// requests, valid while the directory's Go files and go.mod are the same.
type cachedChecker struct {
	key string
	chk *constraints.Checker
}

// newSession checks the search flags and starts loading the denoiser in
// the background, so the first request does not wait for it from scratch.
func newSession(ctx context.Context, e *env, verb string, fl *repairFlags) (*session, error) {
	b, err := parseBudget(fl.budget)
	if err != nil {
		return nil, usageErrorf("%s: %v", verb, err)
	}
	tests, err := parseTests(fl.tests)
	if err != nil {
		return nil, usageErrorf("%s: %v", verb, err)
	}
	if fl.candidates < 0 {
		return nil, usageErrorf("%s: -candidates must be at least 1", verb)
	}
	if fl.candidates == 0 {
		fl.candidates = 8
		if !isLocal(fl.model) {
			fl.candidates = 3
		}
	}
	s := &session{e: e, fl: fl, b: b, tests: tests, loaded: make(chan struct{}), logf: func(string, ...any) {},
		checkers: map[string]*cachedChecker{}}
	var mu sync.Mutex // serializes log lines from concurrent jobs
	if fl.verbose {
		s.logf = func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(e.stderr, "difgen: "+format+"\n", args...)
		}
	}
	go func() {
		defer close(s.loaded)
		s.den, s.denErr = newDenoiser(ctx, e, fl, s.logf)
	}()
	return s, nil
}

// denoiser waits for the denoiser.
func (s *session) denoiser(ctx context.Context) (denoiserFactory, error) {
	select {
	case <-s.loaded:
		return s.den, s.denErr
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// checker returns a checker for the package in dir, kept across requests:
// type information of the imports is loaded once.
func (s *session) checker(ctx context.Context, dir string) (*constraints.Checker, error) {
	key, err := dirKey(dir)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c := s.checkers[dir]
	s.mu.Unlock()
	if c != nil && c.key == key {
		return c.chk, nil
	}
	copts := &constraints.Options{Tests: constraints.TestsOff, Timeout: s.fl.timeout, Logf: s.logf}
	pkgs, err := loadPackages(ctx, dir, []string{"."}, copts)
	if err != nil {
		return nil, err
	}
	chk, err := constraints.NewChecker(ctx, pkgs[0], copts)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.checkers[dir] = &cachedChecker{key: key, chk: chk}
	s.mu.Unlock()
	return chk, nil
}

// dirKey names the state of a package directory that a checker depends
// on: its Go files and the module's go.mod and go.sum.
func dirKey(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") {
			sb.WriteString(e.Name() + "\x00")
		}
	}
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			fmt.Fprintf(&sb, "%s %d", d, fi.ModTime().UnixNano())
			if fi, err := os.Stat(filepath.Join(d, "go.sum")); err == nil {
				fmt.Fprintf(&sb, " %d", fi.ModTime().UnixNano())
			}
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return sb.String(), nil
}

// repairRequest asks for a fix or fill of the package in a directory.
type repairRequest struct {
	dir     string
	fill    bool
	pos     *position         // fill: only the hole at pos (offset -2: every hole of pos.file)
	overlay map[string]string // buffers replacing the disk
	only    func(name string) bool
	tests   *constraints.TestsMode // nil: the -tests flag
	// progress is called after each step of the loop.
	progress func(pkg string, ev refine.Event)
}

// repair runs fix or fill on the package in req.dir as the CLI does (the
// same loading, denoiser and repairPackages), through overlays: nothing is
// written. It returns ctx's error when ctx is done first.
func (s *session) repair(ctx context.Context, req *repairRequest) (*pkgResult, error) {
	tests := s.tests
	if req.tests != nil {
		tests = *req.tests
	}
	copts := &constraints.Options{Tests: tests, Timeout: s.fl.timeout, Logf: s.logf}
	pkgs, err := loadPackages(ctx, req.dir, []string{"."}, copts)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	den, err := s.denoiser(ctx)
	if err != nil {
		return nil, err
	}
	job := &repairJob{fl: s.fl, b: s.b, copts: copts, fill: req.fill, pos: req.pos,
		overlay: req.overlay, only: req.only, progress: req.progress, logf: s.logf}
	results := repairPackages(ctx, pkgs, den, job)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if len(results) != 1 {
		return nil, fmt.Errorf("%s: want one package, found %d", req.dir, len(results))
	}
	r := results[0]
	if r.err != nil {
		return nil, r.err
	}
	return r, nil
}

// resultLine says in one line what a repair found.
func resultLine(r *pkgResult) string {
	if r.res == nil {
		return "nothing to do"
	}
	before, after := len(r.res.FindingsBefore), len(r.res.FindingsAfter)
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d %s before, %d after", before, wordN(before, "finding"), after)
	if after == 0 && len(r.res.Unfilled) == 0 && r.res.ReportAfter != nil {
		fmt.Fprintf(&sb, " (checked up to %s)", r.res.ReportAfter.Reached)
	}
	if n := len(r.res.Unfilled); n > 0 {
		fmt.Fprintf(&sb, ", %d %s not filled", n, wordN(n, "hole"))
	}
	if after > 0 {
		f := r.res.FindingsAfter[0]
		f.File = filepath.Base(f.File)
		fmt.Fprintf(&sb, "; %s", f)
	}
	fmt.Fprintf(&sb, "; stopped: %s", r.res.StopReason)
	return sb.String()
}

func wordN(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
