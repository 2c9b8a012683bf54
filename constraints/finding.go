package constraints

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
	if int(c) < len(categoryNames) {
		return categoryNames[c]
	}
	return fmt.Sprintf("Category(%d)", int(c))
}

// A Finding is one thing a check found wrong, shaped like
// analysis.Diagnostic: a span of one file, a category and a message.
type Finding struct {
	File       string // absolute path; "" when the finding has no position
	Start, End int    // byte offsets in the file's text; End >= Start
	Line, Col  int    // 1-based position of Start (Col counts bytes)
	Category   Category
	Code       string  // finer kind, e.g. the go/types error code name or analyzer name
	Message    string  // lower-case, no trailing period
	Soft       bool    // a go/types soft error (e.g. unused variable or import)
	Weight     float64 // suspiciousness in [0,1] for test findings; 1 otherwise
	Test       string  // for test findings, the top-level test
	Related    []Related
}

// Related is a secondary position of a finding.
type Related struct {
	File       string
	Start, End int
	Line, Col  int
	Message    string
}

// String formats f as file:line:col: message.
func (f Finding) String() string {
	if f.File == "" {
		return f.Message
	}
	return fmt.Sprintf("%s:%d:%d: %s", f.File, f.Line, f.Col, f.Message)
}

// blocks reports whether findings of category c keep the package from
// building, so that the later checks cannot run.
func (c Category) blocks() bool { return c == Syntax || c == Types || c == Build }

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
	if f.Code == "flaky" {
		return 0 // not evidence of anything
	}
	if f.Code == "timeout" || f.Code == "crash" || f.Code == "memory" {
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
