package main

import (
	"context"
	"encoding/json"
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/internal/redact"
	"github.com/difgen/difgen/internal/spec"
	"github.com/difgen/difgen/model"
	"github.com/difgen/difgen/model/route"
	"github.com/difgen/difgen/refine"
)

// genJSON is gen's -json output.
type genJSON struct {
	Spec     string       `json:"spec"`
	Dir      string       `json:"dir"`
	Module   string       `json:"module"`
	Model    string       `json:"model"`
	Designed string       `json:"designed,omitempty"` // the API spec a model designed
	Written  []string     `json:"written"`            // files written (skeleton and fills)
	Packages []genJSONPkg `json:"packages"`
	Funcs    int          `json:"funcs"`
	Filled   int          `json:"filled"` // filled now or kept from an earlier run
	Tests    int          `json:"tests"`
	Passed   int          `json:"passed"`
	Clean    bool         `json:"clean"`
	Usage    model.Usage  `json:"usage"`
	Steps    int          `json:"steps"`
	Elapsed  float64      `json:"elapsed_seconds"`
	Hybrid   *route.Stats `json:"hybrid,omitempty"`
}

type genJSONPkg struct {
	Path     string        `json:"path"`
	Dir      string        `json:"dir"`
	Funcs    []genJSONFunc `json:"funcs"`
	Tests    []genJSONTest `json:"tests"`
	Stubbed  bool          `json:"stubbed,omitempty"` // the tests ran with the unfilled functions stubbed
	Findings []jsonFinding `json:"findings"`
	Holes    int           `json:"other_holes,omitempty"`
	Error    string        `json:"error,omitempty"`
	NotWrote []notWritten  `json:"not_written,omitempty"`
}

type genJSONFunc struct {
	Name   string `json:"name"`
	Pos    string `json:"pos"`
	Status string `json:"status"` // filled, kept, not filled
	Why    string `json:"why,omitempty"`
	Again  string `json:"masked_again,omitempty"`
}

type genJSONTest struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// report writes the filled files in one transaction and prints the
// summary (or -json); it returns the exit error.
func (g *genRun) report(ctx context.Context, s *spec.Spec, results []*genPkg) error {
	rel := g.rel
	interrupted := ctx.Err() != nil && !isDeadline(ctx)
	// The fills: all packages' files at once, or none.
	var prs []*pkgResult
	for _, r := range results {
		if r.after == nil || r.disk == nil {
			continue
		}
		pr := &pkgResult{pkg: r.pkg, res: &refine.Result{Before: r.before, After: r.after}, disk: r.disk}
		pr.write = r.after.Changed(r.before)
		prs = append(prs, pr)
	}
	w := &writeOutcome{}
	if !interrupted {
		w = writeResults(context.WithoutCancel(ctx), prs, rel, g.logf)
	}
	written := slices.Clone(g.written)
	written = append(written, w.written...)
	slices.Sort(written)
	written = slices.Compact(written)

	out := genJSON{Spec: s.Name, Dir: g.dir, Module: g.modPath, Model: g.fl.model, Designed: g.designedPath(), Clean: !interrupted && w.ok()}
	for _, name := range written {
		out.Written = append(out.Written, rel(name))
	}
	if out.Written == nil {
		out.Written = []string{}
	}
	var lines []string
	for _, r := range results {
		jp := genJSONPkg{Path: r.pkg.ImportPath, Dir: rel(r.pkg.Dir), Findings: []jsonFinding{}, Tests: []genJSONTest{}, Funcs: []genJSONFunc{}, Holes: r.others, Stubbed: r.stubbed}
		if r.err != nil {
			jp.Error = redact.URLs(r.err.Error())
			out.Clean = false
		}
		lines = append(lines, r.pkg.ImportPath+":")
		width := 0
		for _, f := range r.funcs {
			width = max(width, len(f.fn.Key))
		}
		broken := r.final != nil && r.final.Blocked()
		for _, f := range r.funcs {
			out.Funcs++
			jf := genJSONFunc{Name: f.fn.Key, Pos: funcPos(rel, r.after, f), Status: f.status(), Why: f.why, Again: f.again}
			if broken && !f.open {
				// Nothing is proven in a package that does not build.
				jf.Status, jf.Why = "unproven", "the package does not build"
				out.Clean = false
				out.Filled--
			}
			if f.open {
				out.Clean = false
				if jf.Why == "" {
					jf.Why = "not tried (the budget is spent)"
				}
			} else {
				out.Filled++
			}
			jp.Funcs = append(jp.Funcs, jf)
			line := fmt.Sprintf("  %-10s  %-*s  %s", jf.Status, width, jf.Name, jf.Pos)
			if f.open || jf.Status == "unproven" {
				line += ": " + jf.Why
			}
			if f.again != "" {
				line += " (masked again: " + f.again + ")"
			}
			lines = append(lines, line)
		}
		if r.others > 0 {
			out.Clean = false
			lines = append(lines, fmt.Sprintf("  %d other holes are open", r.others))
		}
		if rep := r.final; rep != nil {
			names := make([]string, 0, len(rep.Tests))
			for name := range rep.Tests {
				names = append(names, name)
			}
			// Tests that did not run at all (a crash before them).
			var notRun []string
			if rep.Reached >= constraints.Tests && rep.Tests != nil {
				for _, name := range declaredTests(r) {
					if _, ok := rep.Tests[name]; !ok {
						notRun = append(notRun, name)
						names = append(names, name)
					}
				}
			}
			slices.Sort(names)
			var failing []string
			for _, name := range names {
				st, ran := rep.Tests[name]
				status := st.String()
				if !ran {
					status = "not run"
				}
				jp.Tests = append(jp.Tests, genJSONTest{Name: name, Status: status})
				out.Tests++
				if ran && st.Passed() {
					out.Passed++
				} else {
					failing = append(failing, name)
				}
			}
			for _, f := range rep.Findings {
				if f.Category == constraints.Tests && f.Test != "" {
					continue // listed with the tests
				}
				f.File = rel(f.File)
				jp.Findings = append(jp.Findings, jsonFinding{Pos: findingPos(f), Category: f.Category.String(), Message: f.Message})
			}
			if len(rep.Findings) > 0 || len(failing) > 0 {
				out.Clean = false
			}
			switch {
			case rep.Reached < constraints.Tests && rep.Blocked():
				lines = append(lines, "  tests: not run: the package does not build")
			case len(names) == 0:
				lines = append(lines, "  tests: none")
			default:
				line := fmt.Sprintf("  tests: %d of %d pass", len(names)-len(failing), len(names))
				if len(failing) > 0 {
					line += "; failing: " + strings.Join(failing, ", ")
				}
				if len(notRun) > 0 {
					line += fmt.Sprintf(" (%d of them did not run: a test before them crashed)", len(notRun))
				}
				if r.stubbed {
					line += " (the unfilled functions stubbed)"
				}
				lines = append(lines, line)
			}
			for _, f := range jp.Findings {
				lines = append(lines, "  "+f.Pos+": "+f.Message)
			}
		} else if r.err == nil {
			out.Clean = false
		}
		if r.err != nil {
			lines = append(lines, "  "+redact.URLs(r.err.Error()))
		}
		out.Packages = append(out.Packages, jp)
	}
	out.Usage, out.Steps, out.Elapsed = g.usage, g.steps, g.elapsed().Seconds()
	if st, ok := routeStats(g.newDen); ok {
		out.Hybrid = &st
	}

	if g.fl.json {
		for _, nw := range w.notWritten {
			for i := range out.Packages {
				if strings.HasPrefix(nw.File, results[i].pkg.Dir+string(filepath.Separator)) {
					out.Packages[i].NotWrote = append(out.Packages[i].NotWrote, notWritten{File: rel(nw.File), Reason: nw.Reason})
				}
			}
		}
		enc := json.NewEncoder(g.e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		if len(out.Written) > 0 {
			fmt.Fprintf(g.e.stdout, "gen: wrote %s\n", strings.Join(out.Written, ", "))
		}
		for _, l := range lines {
			fmt.Fprintln(g.e.stdout, l)
		}
		tok := ""
		if u := g.usage; u.PromptTokens+u.CompletionTokens > 0 {
			tok = fmt.Sprintf(", %d+%d tokens", u.PromptTokens, u.CompletionTokens)
		}
		fmt.Fprintf(g.e.stdout, "gen: %d of %d functions filled, %d of %d tests pass; model %s: %d calls%s, %d steps; %.1fs\n",
			out.Filled, out.Funcs, out.Passed, out.Tests, g.fl.model, g.usage.Calls, tok, g.steps, out.Elapsed)
		if out.Hybrid != nil {
			fmt.Fprintln(g.e.stdout, "gen: "+out.Hybrid.String())
		}
	}
	if err := w.report(g.e.stderr, rel); err != nil {
		return err
	}
	switch {
	case interrupted && len(g.written) > 0:
		return &exitError{code: 1, msg: "interrupted: the skeleton is written, no fill is; run gen again to resume"}
	case interrupted:
		return errInterrupted
	case ctx.Err() != nil:
		return &exitError{code: 1, msg: "the time budget is spent (-budget time=…); run gen again to resume"}
	case !out.Clean:
		return errFindings
	}
	return nil
}

func isDeadline(ctx context.Context) bool { return ctx.Err() == context.DeadlineExceeded }

func findingPos(f constraints.Finding) string {
	if f.File == "" {
		return "-"
	}
	return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Col)
}

// funcPos returns the position of f's declaration in cv.
func funcPos(rel func(string) string, cv *ast.Canvas, f *genFunc) string {
	file := cv.File(f.file)
	if file == nil {
		return rel(f.file)
	}
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, f.file, file.Text, parser.SkipObjectResolution)
	if err == nil {
		for _, d := range af.Decls {
			if fd, ok := d.(*goast.FuncDecl); ok && spec.FuncKey(fd) == f.fn.Key {
				p := fset.Position(fd.Pos())
				return fmt.Sprintf("%s:%d:%d", rel(f.file), p.Line, p.Column)
			}
		}
	}
	return rel(f.file)
}

// declaredTests returns the top-level tests of r's compiled test files
// (TestX functions), sorted.
func declaredTests(r *genPkg) []string {
	var out []string
	for _, list := range [][]string{r.pkg.TestGoFiles, r.pkg.XTestGoFiles} {
		for _, name := range list {
			f := r.after.File(name)
			if f == nil {
				continue
			}
			af, err := parser.ParseFile(token.NewFileSet(), name, f.Text, parser.SkipObjectResolution)
			if err != nil {
				continue
			}
			for _, d := range af.Decls {
				if fd, ok := d.(*goast.FuncDecl); ok && fd.Recv == nil && fd.Body != nil && isTestFunc(fd) {
					out = append(out, fd.Name.Name)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// isTestFunc reports whether fd is a TestX(t *testing.T) function.
func isTestFunc(fd *goast.FuncDecl) bool {
	name := fd.Name.Name
	if !strings.HasPrefix(name, "Test") || name == "TestMain" {
		return false
	}
	if rest := name[len("Test"):]; rest != "" && rest[0] >= 'a' && rest[0] <= 'z' {
		return false
	}
	return fd.Type.Params != nil && len(fd.Type.Params.List) == 1
}
