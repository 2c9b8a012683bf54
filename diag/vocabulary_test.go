package diag

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// messageFragments are pieces of go/types and vet messages that code
// would match to tell findings apart. Outside this package no Go file may
// hold them in a string literal.
var messageFragments = []string{
	"undefined: ", "declared and not used", "imported and not used", "missing return",
	"not enough return values", "too many return values", "no new variables",
	"assignment mismatch", "has no field or method", "cannot use ", "in argument to",
	"is not used", "non-name", "but does have",
}

// textMatchers are the functions that decide something from a string.
var textMatchers = map[string]bool{
	"strings.Contains": true, "strings.HasPrefix": true, "strings.HasSuffix": true,
	"strings.EqualFold": true, "strings.Cut": true, "strings.CutPrefix": true,
	"strings.CutSuffix": true, "strings.Index": true, "strings.LastIndex": true,
	"strings.ContainsAny": true, "strings.Count": true,
}

// TestNoMessageDispatch checks that no package of difgen but this one
// reads the message of a finding or of a go/types error to decide
// anything: no message fragment in a string literal, no message passed
// to a string matcher or a regular expression, no message compared.
// Dispatch is by Code (see the package documentation).
func TestNoMessageDispatch(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "diag", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		n++
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		report := func(n ast.Node, format string, args ...any) {
			t.Errorf("%s:%d: "+format, append([]any{rel, fset.Position(n.Pos()).Line}, args...)...)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					break
				}
				s, err := strconv.Unquote(n.Value)
				if err != nil {
					break
				}
				for _, frag := range messageFragments {
					if strings.Contains(s, frag) {
						report(n, "string %q holds the message fragment %q: dispatch on diag.Code", s, frag)
					}
				}
			case *ast.CallExpr:
				name := funcName(n.Fun)
				if textMatchers[name] || strings.HasPrefix(name, "regexp.") || isRegexpMethod(n.Fun) {
					for _, a := range n.Args {
						if isMessage(a) {
							report(n, "%s of a message: dispatch on diag.Code", name)
						}
					}
				}
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (isMessage(n.X) || isMessage(n.Y)) && !isEmpty(n.X) && !isEmpty(n.Y) {
					report(n, "a message compared: dispatch on diag.Code (or Finding.Same)")
				}
			case *ast.SwitchStmt:
				if n.Tag != nil && isMessage(n.Tag) {
					report(n, "a switch on a message: switch on its diag.Code")
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Fatalf("found only %d Go files under %s", n, root)
	}
}

// funcName returns "pkg.Name" for a call of a package-level function.
func funcName(fun ast.Expr) string {
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if x, ok := sel.X.(*ast.Ident); ok {
			return x.Name + "." + sel.Sel.Name
		}
	}
	return ""
}

// isRegexpMethod reports whether fun is a method of a compiled regular
// expression: re.MatchString, re.FindStringSubmatch, ….
func isRegexpMethod(fun ast.Expr) bool {
	sel, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	n := sel.Sel.Name
	return strings.HasPrefix(n, "Match") || strings.HasPrefix(n, "Find") || strings.HasPrefix(n, "ReplaceAll")
}

// isMessage reports whether e reads a finding's or a go/types error's
// message: x.Message, x.Msg, x.Diagnostics (or an index into them).
func isMessage(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.SelectorExpr:
		switch e.Sel.Name {
		case "Message", "Msg", "Diagnostics":
			return true
		}
	case *ast.IndexExpr:
		return isMessage(e.X)
	case *ast.CallExpr:
		// strings.TrimSpace(f.Message) and the like.
		if len(e.Args) == 1 {
			return isMessage(e.Args[0])
		}
	}
	return false
}

// isEmpty reports whether e is the literal "": a message tested for
// emptiness decides nothing about what it says.
func isEmpty(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && (lit.Value == `""` || lit.Value == "``")
}
