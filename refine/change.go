package refine

import (
	"cmp"
	"fmt"
	"go/parser"
	"go/token"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/diag"
)

// A Change is one edit from a run's input to its result, with why it was
// made: what it answers and what proposed it.
type Change struct {
	File       string
	Start, End int      // the span of New in the result's text of File
	Old, New   string   // the text replaced, and its replacement
	Fixes      []string // the findings (or failing tests, or the user's hole) it answers
	Source     string   // the generator that proposed it ("nearmiss", "types", "imports", a remote model…)
}

// Checks describes what the checks of rep found: each category that ran
// and was clean, and the tests' tally.
func Checks(rep *constraints.Report) string {
	if rep == nil {
		return ""
	}
	var parts []string
	for c := constraints.Types; c <= rep.Reached && c <= constraints.Build; c++ {
		if !slices.ContainsFunc(rep.Findings, func(f constraints.Finding) bool { return f.Category == c }) {
			parts = append(parts, c.String())
		} else {
			parts = append(parts, c.String()+" ✗")
		}
	}
	if rep.TestsRun > 0 {
		parts = append(parts, fmt.Sprintf("tests %d/%d", rep.TestsRun-rep.TestsFailed, rep.TestsRun))
	} else if rep.Reached < constraints.Tests {
		parts = append(parts, "tests not run")
	}
	return strings.Join(parts, ", ")
}

// remapChanges moves the changes of file through m, an edit of it.
func remapChanges(cs []Change, file string, m *remap) []Change {
	out := make([]Change, len(cs))
	for i, c := range cs {
		if c.File == file {
			c.Start, c.End = m.span(c.Start, c.End)
		}
		out[i] = c
	}
	return out
}

// addChange adds c to cs; changes that c overlaps (an earlier fill that a
// wider hole replaced) are merged into it.
func addChange(cs []Change, c Change) []Change {
	var out []Change
	for _, o := range cs {
		if o.File == c.File && o.Start < max(c.End, c.Start+1) && c.Start < max(o.End, o.Start+1) {
			c.Fixes = append(slices.Clip(o.Fixes), c.Fixes...)
			continue
		}
		out = append(out, o)
	}
	out = append(out, c)
	slices.SortFunc(out, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Start, b.Start))
	})
	return out
}

// changedSpan returns where now differs from old, between their common
// prefix and suffix: old[lo:oldHi] became now[lo:hi].
func changedSpan(old, now string) (lo, oldHi, hi int) {
	for lo < len(old) && lo < len(now) && old[lo] == now[lo] {
		lo++
	}
	s := 0
	for s < len(old)-lo && s < len(now)-lo && old[len(old)-1-s] == now[len(now)-1-s] {
		s++
	}
	return lo, len(old) - s, len(now) - s
}

// importFixes returns the messages of the findings of file name in rep
// that an import fix from old to now answers: names of the packages it
// added that were undefined, and the imports it removed that were unused.
func importFixes(rep *constraints.Report, name, old, now string) []string {
	added, removed := importDiff(old, now)
	var out []string
	for _, f := range rep.Findings {
		if f.File != name || f.Start < 0 || f.End > len(old) || f.Start >= f.End {
			continue
		}
		switch f.Code {
		case diag.UndeclaredName, diag.UndeclaredImportedName:
			if added[f.Subject(old)] && !slices.Contains(out, f.Message) {
				out = append(out, f.Message)
			}
		case diag.UnusedImport:
			for path := range removed {
				if strings.Contains(f.Subject(old), path) && !slices.Contains(out, f.Message) {
					out = append(out, f.Message)
				}
			}
		}
	}
	return out
}

// importDiff returns the package names of the imports now has and old
// does not, and the paths of those old has and now does not.
func importDiff(old, now string) (added, removed map[string]bool) {
	imports := func(src string) map[string]string { // path → name
		f, _ := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly)
		m := map[string]string{}
		if f == nil {
			return m
		}
		for _, is := range f.Imports {
			p, _ := strconv.Unquote(is.Path.Value)
			n := path.Base(p)
			if is.Name != nil {
				n = is.Name.Name
			}
			m[p] = n
		}
		return m
	}
	o, n := imports(old), imports(now)
	added, removed = map[string]bool{}, map[string]bool{}
	for p, name := range n {
		if _, ok := o[p]; !ok {
			added[name] = true
		}
	}
	for p := range o {
		if _, ok := n[p]; !ok {
			removed[p] = true
		}
	}
	return added, removed
}

// holeName describes a user hole: __, __("instruction") or a stub body.
func holeName(h *ast.Hole) string {
	switch {
	case h.Instruction != "":
		return fmt.Sprintf("__(%q)", h.Instruction)
	case h.Kind == ast.Body && strings.Contains(h.Original, "panic("):
		return strings.TrimSpace(h.Original)
	}
	return "__"
}

// trimLines narrows a change to the lines it changes: the lines its old
// and new text begin and end with in common go (a tokens hole is a
// window of lines, most of which a syntax repair leaves as they were).
func trimLines(c Change) Change {
	for {
		i, j := strings.IndexByte(c.Old, '\n'), strings.IndexByte(c.New, '\n')
		if i < 0 || j < 0 || c.Old[:i] != c.New[:j] {
			break
		}
		c.Old, c.New, c.Start = c.Old[i+1:], c.New[j+1:], c.Start+j+1
	}
	for {
		i, j := strings.LastIndexByte(c.Old, '\n'), strings.LastIndexByte(c.New, '\n')
		if i < 0 || j < 0 || c.Old[i:] != c.New[j:] {
			break
		}
		c.End -= len(c.New) - j
		c.Old, c.New = c.Old[:i], c.New[:j]
	}
	return c
}
