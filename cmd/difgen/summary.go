package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/refine"
)

// A Summary says, for one package, what difgen did and why: a verdict
// line, then one line per change (its reason), in the style of
// file:line:col: message.
type Summary struct {
	Verdict string       `json:"verdict"` // "clean", "fixed", "partly", "unchanged", "filled", "not filled"
	Line    string       `json:"summary"`
	Changes []jsonChange `json:"changes,omitempty"`
	Notes   []string     `json:"notes,omitempty"` // honest caveats: tests not run, instructions ignored
}

type jsonChange struct {
	Pos    string   `json:"pos"`
	Old    string   `json:"old"`
	New    string   `json:"new"`
	Fixes  []string `json:"fixes"`
	Source string   `json:"source"`
	Checks string   `json:"checks"`
}

// summarize describes r. local says the local model ran (it cannot follow
// instructions); tests is the -tests mode.
func summarize(r *pkgResult, rel func(string) string, fill, local bool, tests constraints.TestsMode) *Summary {
	res := r.res
	s := &Summary{}
	before, after := countFindings(res.FindingsBefore), countFindings(res.FindingsAfter)
	changed := res.Improved()
	switch {
	case fill && len(res.Unfilled) > 0:
		s.Verdict = "not filled"
	case fill:
		s.Verdict = "filled"
	case before == 0 && !changed:
		s.Verdict = "clean"
	case after == 0 && len(res.Unfilled) == 0:
		s.Verdict = "fixed"
	case changed:
		s.Verdict = "partly"
	default:
		s.Verdict = "unchanged"
	}
	rep := res.ReportAfter
	checks := refine.Checks(rep)
	if fill {
		holes := len(res.Changes)
		s.Line = fmt.Sprintf("%s: %s", r.pkg.ImportPath, s.Verdict)
		if s.Verdict == "filled" {
			s.Line += fmt.Sprintf(" %s", count(holes, "hole"))
		} else {
			s.Line += fmt.Sprintf(": %d of %s left open; nothing changed", len(res.Unfilled), count(len(res.Unfilled)+holes, "hole"))
			return s
		}
	} else {
		s.Line = fmt.Sprintf("%s: %s: %s → %s", r.pkg.ImportPath, s.Verdict, count(before, "finding"), count(after, "finding"))
		switch why := stopped(res.StopReason); {
		case after > 0 && !r.pkg.Writable:
			s.Line += "; not difgen's to change: it is outside the main module"
		case after > 0 && why != "":
			s.Line += "; " + why
		}
	}
	if rep != nil && changed {
		s.Line += "; checks: " + checks
	}
	if why := testsNotRun(rep, tests); why != "" && changed {
		s.Notes = append(s.Notes, "tests not run: "+why+"; the result is only type-checked")
	}
	for _, n := range res.Notes {
		s.Notes = append(s.Notes, fmt.Sprintf("%s:%d:%d: %s", rel(n.Finding.File), n.Finding.Line, n.Finding.Col, n.Text))
	}
	for _, c := range res.Changes {
		f := res.After.File(c.File)
		if f == nil {
			continue
		}
		line, col := ast.LineCol(f.Text, c.Start)
		// The checks a change passed are those of the result it is part
		// of: the changes are written together.
		jc := jsonChange{Pos: fmt.Sprintf("%s:%d:%d", rel(c.File), line, col), Old: c.Old, New: c.New, Fixes: c.Fixes, Source: c.Source, Checks: checks}
		s.Changes = append(s.Changes, jc)
		if local && fill && strings.Contains(strings.Join(c.Fixes, " "), `__("`) {
			s.Notes = append(s.Notes, jc.Pos+": the local model cannot follow instructions: it filled the hole from the types and the code around it; use -model for a model that reads them")
		}
	}
	return s
}

// lines returns the summary as lines for a person: the verdict, each
// change with its reason, and the notes.
func (s *Summary) lines() []string {
	out := []string{"difgen: " + s.Line}
	for _, c := range s.Changes {
		var fixes []string
		for _, f := range c.Fixes {
			f, _, _ = strings.Cut(f, "\n") // one line each
			if !slices.Contains(fixes, f) {
				fixes = append(fixes, f)
			}
		}
		why := strings.Join(fixes, "; ")
		if why == "" {
			why = "an edit"
		}
		out = append(out, fmt.Sprintf("%s: %s → %s: %s [%s; %s]", c.Pos, quoteShort(c.Old), quoteShort(c.New), why, c.Source, c.Checks))
	}
	for _, n := range s.Notes {
		out = append(out, "difgen: "+n)
	}
	return out
}

// stopped says why a search that left findings stopped.
func stopped(reason string) string {
	switch reason {
	case "stuck":
		return "no candidate made the package better without changing what it means"
	case "steps":
		return "the step budget ran out (-budget steps=N)"
	case "time":
		return "the time budget ran out (-budget time=D)"
	case "calls":
		return "the model-call budget ran out (-budget calls=N)"
	case "broken-deps":
		return "an import does not build"
	}
	return ""
}

// countFindings counts the findings that are evidence: flaky tests are
// reported but are none.
func countFindings(fs []constraints.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity() > 0 {
			n++
		}
	}
	return n
}

// testsNotRun says why the tests did not run on rep, or "" if they did.
func testsNotRun(rep *constraints.Report, mode constraints.TestsMode) string {
	switch {
	case rep == nil:
		return ""
	case rep.TestsRun > 0 || rep.Tests != nil:
		return ""
	case mode == constraints.TestsOff:
		return "-tests=off"
	case rep.Blocked():
		return "the package does not build"
	}
	return "the package has no tests"
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// quoteShort quotes s on one line, shortened to 40 bytes.
func quoteShort(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return fmt.Sprintf("%q", s)
}
