package constraints

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// A vetDiag is one diagnostic of go vet -json, with its analyzer.
type vetDiag struct {
	Analyzer           string
	Posn, End, Message string
	Related            []struct{ Posn, End, Message string }
	SuggestedFixes     []vetFix `json:"suggested_fixes"`
}

// A vetFix is a suggested fix of go vet -json: edits by byte offset.
type vetFix struct {
	Message string
	Edits   []struct {
		Filename   string
		Start, End int
		New        string
	}
}

// decodeVetJSON decodes the output of go vet -json: the diagnostics of
// each package, by package ID ("p", "p [p.test]", "p_test [p.test]"),
// each sorted by position and analyzer. Analyzer errors are logged.
func decodeVetJSON(out []byte, logf func(string, ...any)) (map[string][]vetDiag, error) {
	byID := make(map[string][]vetDiag)
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go vet -json: %v", err)
		}
		for id, analyzers := range tree {
			for name, raw := range analyzers {
				var diags []vetDiag
				if err := json.Unmarshal(raw, &diags); err != nil {
					var e struct{ Error string }
					if json.Unmarshal(raw, &e) == nil && e.Error != "" {
						logf("constraints: go vet: %s: %s: %s", id, name, e.Error)
					}
					continue
				}
				for _, d := range diags {
					d.Analyzer = name
					byID[id] = append(byID[id], d)
				}
			}
		}
	}
	for _, ds := range byID {
		slices.SortFunc(ds, func(a, b vetDiag) int {
			return cmp.Or(cmp.Compare(a.Posn, b.Posn), cmp.Compare(a.Analyzer, b.Analyzer))
		})
	}
	return byID, nil
}

// vetArgs returns the arguments of go vet -json for pkg. In GOROOT they
// turn unsafeptr off, as go vet does there unless given flags, and -json
// is a flag (cmd/go/internal/work.(*Builder).vet).
func vetArgs(pkg *Package) []string {
	args := []string{"vet", "-json"}
	if pkg.Goroot {
		args = append(args, "-unsafeptr=false")
	}
	return args
}

// goVet returns go vet's findings on the canvas: its diagnostics and the
// type errors it reports for a package that does not type-check. For a
// canvas that is the package on disk, a Cache may already hold them
// (Cache.PrefetchVet); otherwise go vet -json -overlay runs in the
// package directory. With the tests off, findings in test files are
// dropped.
func (c *Checker) goVet(ctx context.Context, cv *ast.Canvas, onDisk bool) ([]Finding, error) {
	if onDisk {
		if diags, ok := c.imp.listing.vetResult(c.pkg.Dir, cv); ok {
			return c.vetFindings(cv, nil, diags), nil
		}
	}
	tmp, err := c.tempDir("vet")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	ov, err := c.writeOverlay(cv, tmp)
	if err != nil {
		return nil, err
	}
	args := append(vetArgs(c.pkg), "-overlay="+ov.File, ".")
	res := runCmd(ctx, c.pkg.Dir, environ(c.opts.Env), c.opts.buildTimeout(), "go", args...)
	switch {
	case res.timedOut:
		return []Finding{{Category: Vet, Code: "timeout", Message: fmt.Sprintf("go vet did not finish in %v", c.opts.buildTimeout()), Weight: 1}}, nil
	case !res.exited:
		return nil, fmt.Errorf("go vet: %v", res.err)
	}
	byID, err := decodeVetJSON(res.stdout, c.opts.logf)
	if err != nil {
		return nil, err
	}
	var diags []vetDiag
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		diags = append(diags, byID[id]...)
	}
	fs := c.vetFindings(cv, ov, diags)
	// Type errors: "vet: file:line:col: message" on stderr.
	var errLines []string
	for _, line := range strings.Split(string(res.stderr), "\n") {
		if rest, ok := strings.CutPrefix(line, "vet: "); ok {
			errLines = append(errLines, rest)
		}
	}
	typeErrs := c.parseGoOutput(cv, ov, Vet, "vet", []byte(strings.Join(errLines, "\n")))
	fs = append(fs, typeErrs...)
	if res.err != nil && len(fs) == 0 {
		// The package did not load or a dependency did not build: go
		// build reports that, in the build stage.
		c.opts.logf("constraints: go vet of %s failed: %s", c.pkg.ImportPath, trimOutput(res.stderr))
	}
	if c.opts.Tests == TestsOff {
		fs = slices.DeleteFunc(fs, func(f Finding) bool { return strings.HasSuffix(f.File, "_test.go") })
	}
	return Sort(fs), nil
}

// vetFindings turns go vet's diagnostics into findings on the canvas; ov,
// if not nil, names the canvas files of overlay replacements.
func (c *Checker) vetFindings(cv *ast.Canvas, ov *overlay, diags []vetDiag) []Finding {
	var fs []Finding
	for _, d := range diags {
		f := c.vetJSONFinding(cv, ov, d)
		if c.opts.Tests == TestsOff && strings.HasSuffix(f.File, "_test.go") {
			continue
		}
		fs = append(fs, f)
	}
	return fs
}

func (c *Checker) vetJSONFinding(cv *ast.Canvas, ov *overlay, d vetDiag) Finding {
	name, line, col := c.vetPosn(ov, d.Posn)
	f := Finding{File: name, Line: line, Col: col, Category: Vet, Code: diag.Code(d.Analyzer), Message: d.Message, Weight: 1}
	if file := cv.File(name); file != nil && line > 0 {
		start := offsetOf(file.Text, line, col)
		end := tokenEnd(file.Text, start)
		if en, el, ec := c.vetPosn(ov, d.End); en == name && el > 0 {
			if e := offsetOf(file.Text, el, ec); e > start {
				end = e
			}
		}
		f = finding(Vet, file.Name, file.Text, start, end, diag.Code(d.Analyzer), d.Message)
	}
	for _, r := range d.Related {
		rn, rl, rc := c.vetPosn(ov, r.Posn)
		rel := Related{File: rn, Line: rl, Col: rc, Message: r.Message}
		if file := cv.File(rn); file != nil && rl > 0 {
			rel.Start = offsetOf(file.Text, rl, rc)
			rel.End = rel.Start
			if en, el, ec := c.vetPosn(ov, r.End); en == rn && el > 0 {
				rel.End = max(rel.Start, offsetOf(file.Text, el, ec))
			}
		}
		f.Related = append(f.Related, rel)
	}
	f.Fixes = c.vetFixes(cv, ov, d.SuggestedFixes)
	return f
}

// vetFixes turns go vet's suggested fixes into fixes of canvas files;
// a fix with an edit outside the canvas, or out of range, is dropped.
func (c *Checker) vetFixes(cv *ast.Canvas, ov *overlay, fixes []vetFix) []diag.Fix {
	var out []diag.Fix
fixes:
	for _, fx := range fixes {
		f := diag.Fix{Message: fx.Message}
		for _, e := range fx.Edits {
			name := e.Filename
			if !filepath.IsAbs(name) {
				name = filepath.Join(c.pkg.Dir, name)
			}
			if ov != nil {
				if orig, ok := ov.names[name]; ok {
					name = orig
				}
			}
			file := cv.File(name)
			if file == nil || e.Start < 0 || e.End < e.Start || e.End > len(file.Text) {
				continue fixes
			}
			f.Edits = append(f.Edits, diag.Edit{File: name, Start: e.Start, End: e.End, New: e.New})
		}
		if len(f.Edits) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// vetPosn splits a go vet position "file:line:col" (or "file:line"),
// naming the canvas file for an overlay replacement.
func (c *Checker) vetPosn(ov *overlay, posn string) (name string, line, col int) {
	name, line, col, ok := splitPos(posn)
	if !ok {
		return posn, 0, 0
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(c.pkg.Dir, name)
	}
	if ov != nil {
		if orig, ok := ov.names[name]; ok {
			name = orig
		}
	}
	return name, line, col
}
