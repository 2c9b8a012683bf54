package diag

import (
	"cmp"
	"fmt"
	"slices"
)

// Category names the check that produced a finding. Categories are ordered
// cheapest first; a finding of an earlier category is more severe, since
// it hides the later checks.
type Category int

const (
	Syntax Category = iota // go/parser
	Types                  // go/types
	Vet                    // the vet analyzers
	Build                  // go build (link, cgo, embed)
	Tests                  // go test
)

var categoryNames = [...]string{Syntax: "syntax", Types: "types", Vet: "vet", Build: "build", Tests: "tests"}

func (c Category) String() string {
	if c >= 0 && int(c) < len(categoryNames) {
		return categoryNames[c]
	}
	return fmt.Sprintf("Category(%d)", int(c))
}

// Blocks reports whether findings of category c keep the package from
// building, so that the later checks cannot run. Vet findings never do.
func (c Category) Blocks() bool { return c == Syntax || c == Types || c == Build }

// A Finding is one thing a check found wrong, shaped like
// analysis.Diagnostic: a span of one file, a category, a code and a
// message.
type Finding struct {
	File       string // absolute path; "" when the finding has no position
	Start, End int    // byte offsets in the file's text; End >= Start
	Line, Col  int    // 1-based position of Start (Col counts bytes)
	Category   Category
	Code       Code    // what kind of finding it is; see Code
	Message    string  // lower-case, no trailing period; for people only
	Soft       bool    // a go/types soft error (e.g. unused variable or import)
	Weight     float64 // suspiciousness in [0,1] for test findings; 1 otherwise
	Test       string  // for test findings, the top-level test
	Related    []Related
	Fixes      []Fix // the checker's own suggested fixes (vet analyzers')
}

// Related is a secondary position of a finding.
type Related struct {
	File       string
	Start, End int
	Line, Col  int
	Message    string
}

// A Fix is a change a check suggests for its finding, shaped like
// analysis.SuggestedFix: a message (a verb phrase) and edits.
type Fix struct {
	Message string
	Edits   []Edit
}

// An Edit of a Fix replaces the bytes [Start, End) of File with New.
type Edit struct {
	File       string
	Start, End int
	New        string
}

// String formats f as file:line:col: message.
func (f Finding) String() string {
	if f.File == "" {
		return f.Message
	}
	return fmt.Sprintf("%s:%d:%d: %s", f.File, f.Line, f.Col, f.Message)
}

// Subject returns the source text of f's span in text, the text of f.File:
// the name an UndeclaredName or UnusedVar finding is about, the operand of
// an IncompatibleAssign. It is "" when the span is empty or outside text.
func (f Finding) Subject(text string) string {
	if f.Start < 0 || f.End <= f.Start || f.End > len(text) {
		return ""
	}
	return text[f.Start:f.End]
}

// Same reports whether f and g are the same finding of a file: the same
// check, code and message, wherever edits have moved it.
func (f Finding) Same(g Finding) bool {
	return f.File == g.File && f.Category == g.Category && f.Code == g.Code && f.Message == g.Message
}

// Key identifies f across canvases, as Same compares findings.
func (f Finding) Key() string {
	return fmt.Sprintf("%s|%d|%s|%s", f.File, f.Category, f.Code, f.Message)
}

// Severity is the cost refine minimises: findings of cheaper categories
// weigh more, because they hide the checks after them.
func (f Finding) Severity() float64 {
	w := f.Weight
	if w == 0 {
		w = 1
	}
	switch f.Category {
	case Syntax:
		return 1000 * w
	case Types:
		if f.Soft {
			return 50 * w
		}
		return 100 * w
	case Vet:
		return 20 * w
	case Build:
		return 100 * w
	}
	switch f.Code {
	case Flaky:
		return 0 // not evidence of anything
	case Timeout, Crash, Memory:
		// A hang or a crash stops the tests after it from running, so it
		// hides failures: it weighs as much as a compile error.
		return 100 * w
	}
	return 10 * w
}

// Sort sorts findings by file, offset, category and message and removes
// duplicates.
func Sort(fs []Finding) []Finding {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Start, b.Start),
			cmp.Compare(a.End, b.End),
			cmp.Compare(a.Category, b.Category),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.CompactFunc(fs, func(a, b Finding) bool {
		return a.File == b.File && a.Start == b.Start && a.End == b.End && a.Category == b.Category && a.Message == b.Message
	})
}

// Cost returns the total severity of fs.
func Cost(fs []Finding) float64 {
	var c float64
	for _, f := range fs {
		c += f.Severity()
	}
	return c
}
