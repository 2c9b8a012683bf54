package constraints

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
	"github.com/difgen/difgen/internal/tempdir"
)

// An overlay makes the go command see a canvas instead of the files on
// disk, without writing the user's tree: go build -overlay=File.
type overlay struct {
	File  string            // the overlay JSON file
	names map[string]string // replacement file → the file it stands for
}

// unmap replaces the names of replacement files in the go command's
// output s by the names of the files they stand for: a user never sees a
// temporary path.
func (ov *overlay) unmap(s string) string {
	if ov == nil {
		return s
	}
	for repl, name := range ov.names {
		s = strings.ReplaceAll(s, repl, name)
	}
	return s
}

// writeOverlay writes, under tmp, the canvas files whose text differs from
// the disk and an overlay JSON mapping them; Go files on disk that the
// canvas lacks are deleted by the overlay.
func (c *Checker) writeOverlay(cv *ast.Canvas, tmp string) (*overlay, error) {
	ov := &overlay{File: filepath.Join(tmp, "overlay.json"), names: make(map[string]string)}
	replace := make(map[string]string)
	src := filepath.Join(tmp, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return nil, err
	}
	for i, f := range cv.Files() {
		if disk, err := os.ReadFile(f.Name); err == nil && string(disk) == f.Text {
			continue
		}
		repl := filepath.Join(src, filepath.Base(f.Name))
		if _, taken := ov.names[repl]; taken {
			repl = filepath.Join(src, fmt.Sprintf("%d_%s", i, filepath.Base(f.Name)))
		}
		if err := os.WriteFile(repl, []byte(f.Text), 0o644); err != nil {
			return nil, err
		}
		replace[f.Name] = repl
		ov.names[repl] = f.Name
	}
	extra := map[string]string{}
	if err := writeExtra(c.opts.Overlay, filepath.Join(tmp, "extra"), extra); err != nil {
		return nil, err
	}
	for name, repl := range extra {
		replace[name] = repl
		ov.names[repl] = name
	}
	entries, err := os.ReadDir(c.pkg.Dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := filepath.Join(c.pkg.Dir, e.Name())
		if strings.HasSuffix(name, ".go") && !e.IsDir() && cv.File(name) == nil {
			replace[name] = "" // deleted in the canvas
		}
	}
	data, err := json.Marshal(struct{ Replace map[string]string }{replace})
	if err != nil {
		return nil, err
	}
	return ov, os.WriteFile(ov.File, data, 0o644)
}

// build runs go build -overlay on the canvas, discarding the output. A
// package of only tests is not built: go build would fail with "no
// non-test Go files", which go vet and go test do not report.
func (c *Checker) build(ctx context.Context, cv *ast.Canvas) ([]Finding, error) {
	if !slices.ContainsFunc(c.classify(cv), func(u unit) bool { return u.kind == kindPkg }) {
		return nil, nil
	}
	tmp, err := c.tempDir("build")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	ov, err := c.writeOverlay(cv, tmp)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(tmp, "out")
	res := c.goCmd(ctx, "build", "-overlay="+ov.File, "-o", out, ".")
	switch {
	case res.timedOut:
		return []Finding{{Category: Build, Code: "timeout", Message: fmt.Sprintf("go build did not finish in %v", c.opts.buildTimeout()), Weight: 1}}, nil
	case !res.exited:
		return nil, fmt.Errorf("go build: %v", res.err)
	case res.err == nil:
		return nil, nil
	}
	fs := c.parseGoOutput(cv, ov, Build, "build", res.stderr)
	if len(fs) == 0 {
		msg := strings.TrimSpace(ov.unmap(string(res.stderr)))
		if msg == "" {
			msg = res.err.Error()
		}
		fs = append(fs, Finding{Category: Build, Code: "build", Message: "go build: " + msg, Weight: 1})
	}
	return fs, nil
}

var posLine = regexp.MustCompile(`^(\S[^:]*\.go):(\d+)(?::(\d+))?: (.*)$`)

// parseGoOutput turns the file:line:col: message lines of go build or go
// test -c output into findings; tab-indented continuation lines join the
// message before them.
func (c *Checker) parseGoOutput(cv *ast.Canvas, ov *overlay, cat Category, code diag.Code, out []byte) []Finding {
	var fs []Finding
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "\t") && len(fs) > 0 {
			fs[len(fs)-1].Message += "\n" + line
			continue
		}
		m := posLine.FindStringSubmatch(strings.TrimRight(ov.unmap(line), "\r"))
		if m == nil {
			continue
		}
		name := m[1]
		if !filepath.IsAbs(name) {
			name = filepath.Join(c.pkg.Dir, name)
		}

		ln, _ := strconv.Atoi(m[2])
		col := 1
		if m[3] != "" {
			col, _ = strconv.Atoi(m[3])
		}
		if f := cv.File(name); f != nil {
			start := offsetOf(f.Text, ln, col)
			fs = append(fs, finding(cat, name, f.Text, start, tokenEnd(f.Text, start), code, m[4]))
		} else {
			fs = append(fs, Finding{File: name, Line: ln, Col: col, Category: cat, Code: code, Message: m[4], Weight: 1})
		}
	}
	return fs
}

// trimOutput returns the first non-empty line of out, for messages.
func trimOutput(out []byte) string {
	for _, l := range bytes.Split(out, []byte("\n")) {
		if s := strings.TrimSpace(string(l)); s != "" && !strings.HasPrefix(s, "#") {
			return s
		}
	}
	return ""
}

// writeExtra writes the files of extra (absolute name → text) under dir and
// records them in replace.
func writeExtra(extra map[string]string, dir string, replace map[string]string) error {
	if len(extra) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(extra))
	for i, name := range names {
		repl := filepath.Join(dir, fmt.Sprintf("%d_%s", i, filepath.Base(name)))
		if err := os.WriteFile(repl, []byte(extra[name]), 0o644); err != nil {
			return err
		}
		replace[name] = repl
	}
	return nil
}

// extraOverlay writes an overlay of extra alone under a new temporary
// directory and returns it and a cleanup; a nil overlay when extra is
// empty.
func extraOverlay(extra map[string]string) (*overlay, func(), error) {
	if len(extra) == 0 {
		return nil, func() {}, nil
	}
	tmp, err := tempdir.MkdirTemp("difgen-overlay-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	replace := make(map[string]string)
	if err := writeExtra(extra, filepath.Join(tmp, "src"), replace); err != nil {
		cleanup()
		return nil, nil, err
	}
	ov := &overlay{File: filepath.Join(tmp, "overlay.json"), names: map[string]string{}}
	for name, repl := range replace {
		ov.names[repl] = name
	}
	data, err := json.Marshal(struct{ Replace map[string]string }{replace})
	if err == nil {
		err = os.WriteFile(ov.File, data, 0o644)
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return ov, cleanup, nil
}
