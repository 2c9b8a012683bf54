package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/internal/filetx"
)

// A writeOutcome is what -w did with the files of a run.
type writeOutcome struct {
	written     []string // absolute names, sorted
	notWritten  []notWritten
	problems    []filetx.Problem // why, file by file (targets and inputs)
	incomplete  bool             // committed, but some renames failed
	interrupted bool             // a signal came before anything was written
}

// notWritten is a file -w should have written and did not.
type notWritten struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// writeResults writes the changed files of every package of the run as
// one transaction (internal/filetx): all of them, or none when any may
// not be written or any file read changed on disk meanwhile. One
// transaction for the run, not one per package, because each package was
// checked against the repaired text of the packages it imports: writing
// one without the other could leave it broken.
func writeResults(ctx context.Context, results []*pkgResult, rel func(string) string, logf func(string, ...any)) *writeOutcome {
	var files []filetx.File
	opts := &filetx.Options{Inputs: map[string]ast.Hash{}}
	for _, r := range results {
		if r.disk == nil {
			continue
		}
		maps.Copy(opts.Inputs, r.disk)
		opts.Dirs = append(opts.Dirs, r.pkg.Dir)
		for _, name := range r.write {
			files = append(files, filetx.File{Name: name, Text: r.res.After.File(name).Text, Root: r.pkg.ModuleDir})
		}
	}
	out := &writeOutcome{}
	if len(files) == 0 {
		return out
	}
	logf("writing %d files", len(files))
	err := filetx.Apply(ctx, files, opts)
	var txErr *filetx.Error
	switch {
	case err == nil:
		for _, f := range files {
			out.written = append(out.written, f.Name)
		}
	case errors.As(err, &txErr):
		out.problems = txErr.Problems
		out.incomplete = txErr.Incomplete
		own := map[string]string{}
		for _, p := range txErr.Problems {
			own[p.Name] = p.Reason
		}
		first := txErr.Problems[0]
		for _, f := range files {
			switch reason, ok := own[f.Name]; {
			case ok:
				out.notWritten = append(out.notWritten, notWritten{f.Name, reason})
			case !txErr.Incomplete:
				out.notWritten = append(out.notWritten, notWritten{f.Name, fmt.Sprintf("%s: %s (-w writes all files or none)", rel(first.Name), first.Reason)})
			default:
				out.written = append(out.written, f.Name)
			}
		}
	default:
		if ctx.Err() != nil {
			out.interrupted = true
		}
		for _, f := range files {
			out.notWritten = append(out.notWritten, notWritten{f.Name, err.Error()})
		}
	}
	slices.Sort(out.written)
	return out
}

// ok reports whether every file that should have been written was.
func (w *writeOutcome) ok() bool { return len(w.notWritten) == 0 }

// report prints, one line each, the files that stopped the write, and
// returns the error that says what to do next; nil when all was written.
func (w *writeOutcome) report(stderr io.Writer, rel func(string) string) error {
	if w.ok() {
		return nil
	}
	if w.interrupted {
		return errInterrupted
	}
	if len(w.problems) == 0 {
		for _, nw := range w.notWritten {
			fmt.Fprintf(stderr, "%s: not written: %s\n", rel(nw.File), nw.Reason)
		}
		return &exitError{code: 1, msg: "nothing written"}
	}
	targets := map[string]bool{}
	for _, nw := range w.notWritten {
		targets[nw.File] = true
	}
	var hints []string
	hint := func(h string) {
		if !slices.Contains(hints, h) {
			hints = append(hints, h)
		}
	}
	for _, p := range w.problems {
		if targets[p.Name] {
			fmt.Fprintf(stderr, "%s: not written: %s\n", rel(p.Name), p.Reason)
		} else {
			fmt.Fprintf(stderr, "%s: %s\n", rel(p.Name), p.Reason)
		}
		switch p.Kind {
		case filetx.Changed:
			hint("run difgen again on the files as they are now")
		case filetx.ReadOnly:
			hint("make the files writable (chmod u+w), or drop -w to see the diff")
		case filetx.DirReadOnly:
			hint("make the directories writable, or drop -w to see the diff")
		case filetx.Outside:
			hint("difgen writes only inside the main module: drop -w to see the diff")
		case filetx.Busy:
			hint("run difgen again when the other difgen is done")
		}
	}
	if w.incomplete {
		return &exitError{code: 1, msg: fmt.Sprintf("%d of %d files not written; the next difgen run finishes the write once the cause is removed",
			len(w.notWritten), len(w.notWritten)+len(w.written))}
	}
	files := "files"
	if len(w.notWritten) == 1 {
		files = "file"
	}
	msg := fmt.Sprintf("nothing written (%d %s; -w writes all the files of a run or none)", len(w.notWritten), files)
	if len(hints) > 0 {
		msg += ": " + strings.Join(hints, "; ")
	}
	return &exitError{code: 1, msg: msg}
}

// recoverWrites finishes or undoes the writes that an earlier difgen left
// half done in the writable package directories of pkgs (it was killed
// during -w), so that each package is wholly as before or wholly
// repaired, and says so on stderr. It reports whether it changed any
// file, in which case the packages must be loaded again.
func recoverWrites(stderr io.Writer, pkgs []*constraints.Package, rel func(string) string) (bool, error) {
	changed := false
	for _, p := range pkgs {
		if !p.Writable {
			continue
		}
		rs, err := filetx.Recover(p.Dir)
		for _, r := range rs {
			if len(r.Files) == 0 {
				continue // nothing of it had reached its targets
			}
			what := "undid"
			if r.Forward {
				what = "finished"
				changed = true
			}
			fmt.Fprintf(stderr, "difgen: %s the interrupted write of %d files by an earlier difgen (%s)\n", what, len(r.Files), rel(r.Files[0]))
		}
		if err != nil {
			return changed, err
		}
	}
	return changed, nil
}
