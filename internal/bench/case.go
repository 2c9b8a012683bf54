package bench

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// A Family is one kind of error a case holds.
type Family string

// The corruption families. Compile families break the build, test
// families break only the tests, hole families replace code by __.
const (
	MissingImport   Family = "missing-import"
	UnusedImport    Family = "unused-import"
	UnusedVariable  Family = "unused-variable"
	TypoIdent       Family = "typo-ident"
	TypoSelector    Family = "typo-selector"
	WrongReturns    Family = "wrong-return-count"
	MissingReturn   Family = "missing-return"
	DefineAssign    Family = "define-assign"
	SwappedArgs     Family = "swapped-args"
	DeletedDecl     Family = "deleted-decl"
	WrongLiteral    Family = "wrong-literal"
	FlipCompare     Family = "flip-compare"
	OffByOne        Family = "off-by-one"
	SwapPlusMinus   Family = "swap-plus-minus"
	AndOr           Family = "and-or"
	NegateCondition Family = "negate-cond"
	HoleExpr        Family = "hole-expr"
	HoleStmt        Family = "hole-stmt"
	HoleBody        Family = "hole-body"

	// Families of the real-data suites.
	HumanBug     Family = "human-bug"     // HumanEvalFix
	ModelCompile Family = "model-compile" // MBXP completions that parse and do not compile
	ModelSyntax  Family = "model-syntax"  // MBXP completions that do not parse
)

// Families lists the corruption families in report order.
var Families = []Family{
	MissingImport, UnusedImport, UnusedVariable, TypoIdent, TypoSelector,
	WrongReturns, MissingReturn, DefineAssign, SwappedArgs, DeletedDecl, WrongLiteral,
	FlipCompare, OffByOne, SwapPlusMinus, AndOr, NegateCondition,
	HoleExpr, HoleStmt, HoleBody,
}

// Class says how a family fails: "compile", "test" or "hole".
func (f Family) Class() string {
	switch f {
	case FlipCompare, OffByOne, SwapPlusMinus, AndOr, NegateCondition, HumanBug, TestOffByOne:
		return "test"
	case HoleExpr, HoleStmt, HoleBody:
		return "hole"
	}
	return "compile"
}

// ParseFamilies parses a comma-separated list of families or classes
// ("compile", "test", "hole"); "" or "all" means every family.
func ParseFamilies(s string) ([]Family, error) {
	if s == "" || s == "all" {
		return Families, nil
	}
	seen := map[Family]bool{}
	var out []Family
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		n := 0
		for _, f := range Families {
			if string(f) == name || f.Class() == name {
				if !seen[f] {
					seen[f] = true
					out = append(out, f)
				}
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("unknown family %q", name)
		}
	}
	return out, nil
}

// How a case's program is judged.
const (
	CheckTest = "test" // go test of the package passes
	CheckRun  = "run"  // go run of the package exits 0
)

// A Case is one broken module to repair.
type Case struct {
	ID     string // unique, stable: suite/source/family/seed
	Suite  string // "corrupt", "refactor", "pairs", "humanevalfix", "mbxp", "humanevalx"
	Family Family
	Source string // the package or task it came from
	Note   string // what was broken, as file:line:col: message

	// Base is a directory copied into the scratch tree first ("" for
	// none); Files then replace or add files (slash paths relative to
	// the module root).
	Base  string
	Files map[string]string
	// Pkg is the package directory relative to the module root ("."),
	// the pattern that is built, vetted and tested.
	Pkg string
	// Want holds the expected text of changed files (the original); nil
	// when no reference exists.
	Want map[string]string
	// Keep lists snippets that must survive the repair verbatim (the
	// tests of a single-file program), up to white space.
	Keep []string
	// Check is CheckTest or CheckRun.
	Check string
	// Fill reports whether the case holds holes, repaired with
	// 'difgen fill' rather than 'difgen fix'.
	Fill bool
	// TestEdits reports whether the fix may edit _test.go files (the
	// break is in them or in the whole package); edits are still judged
	// for harm. Otherwise changing a test file fails the case.
	TestEdits bool
	// RefLines counts the lines a reference fix changed (upstream's, for
	// a real pair); 0 when none is known.
	RefLines int
}

// materialize writes c's module into dir, which must not exist.
func (c *Case) materialize(dir string) error {
	if c.Base != "" {
		if err := copyTree(c.Base, dir); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range sortedKeys(c.Files) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(c.Files[name]), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// copyTree copies the regular files of src into dst, writable.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
