package refine

import (
	"fmt"

	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/diag"
)

// A cost orders canvases. Its tiers compare lexicographically, so no
// number of findings of a later tier outweighs one of an earlier tier:
//
//   - regressions first: a test that passed on the input and fails now
//     makes a canvas worse than anything else can make it better (no vet
//     finding is silenced by breaking a test);
//   - then syntax errors: a syntax error hides every type error of its
//     package, so a file that parses never becomes one that does not,
//     however many type errors that silences (a name replaced by "b [ ]"
//     turned 254 type errors into 1 syntax error on cosmos/gogoproto);
//   - then compile errors: a package that builds never becomes one that
//     does not, and no test failure is traded for a compile error;
//   - then vet findings;
//   - then the other failing tests (those that failed on the input too,
//     or all of them when the input's tests could not run).
type cost struct {
	regress float64 // tests that passed on the input and do not now
	syntax  float64 // syntax findings, by severity
	build   float64 // type and build findings, and open user holes, by severity
	vet     float64 // vet findings
	tests   float64 // other tests that fail (the targets of test-driven repair)
}

func (a cost) less(b cost) bool {
	switch {
	case a.regress != b.regress:
		return a.regress < b.regress
	case a.syntax != b.syntax:
		return a.syntax < b.syntax
	case a.build != b.build:
		return a.build < b.build
	case a.vet != b.vet:
		return a.vet < b.vet
	}
	return a.tests < b.tests
}

func (a cost) String() string {
	return fmt.Sprintf("%g/%g/%g/%g/%g", a.regress, a.syntax, a.build, a.vet, a.tests)
}

// holePenalty is the cost of one open user hole: more than a type error
// (a syntax error, a tier of its own, outweighs any number of them).
const holePenalty = 500

// score returns the cost of a canvas with report rep and open user holes.
// Test outcomes are judged against r.base, the input's own test results:
// a test that failed on the input and still fails is no regression; a
// flaky test weighs nothing; a test that passed on the input and fails,
// times out, crashes or does not run now is a regression.
func (r *run) score(rep *constraints.Report, open int) cost {
	var c cost
	c.build = holePenalty * float64(open)
	for _, f := range rep.Findings {
		switch f.Category {
		case constraints.Syntax:
			c.syntax += f.Severity()
		case constraints.Types, constraints.Build:
			c.build += f.Severity()
		case constraints.Vet:
			c.vet += f.Severity()
		case constraints.Tests:
			if f.Test == "" && f.Severity() > 0 {
				// The binary failed outside any test.
				if r.base != nil {
					c.regress++
				} else {
					c.tests++
				}
			}
		}
	}
	for name, st := range rep.Tests {
		if st.Passed() || st == constraints.TestFlaky {
			continue
		}
		if b, ok := r.base[name]; ok && b.Passed() {
			c.regress++
		} else {
			c.tests++
		}
	}
	if rep.Tests != nil {
		// A test of the input that did not run now was hidden by a crash
		// before it: it counts as not passing.
		for name, b := range r.base {
			if _, ran := rep.Tests[name]; ran {
				continue
			}
			if b.Passed() {
				c.regress++
			} else if b != constraints.TestFlaky {
				c.tests++
			}
		}
	}
	return c
}

// drives reports whether the test finding f may drive test-driven repair:
// a failure that reproduces (never a flake, a timeout or a memory kill),
// and, where the input's tests ran, of a test that failed on the input.
func (r *run) drives(f constraints.Finding) bool {
	switch f.Code {
	case diag.TestFailed, diag.Crash:
	default:
		return false
	}
	if r.base == nil {
		return true
	}
	return r.base[f.Test].Bug()
}
