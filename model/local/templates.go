package local

import (
	"bytes"
	"cmp"
	goast "go/ast"
	"go/printer"
	"go/token"
	"slices"
	"strconv"
	"strings"
)

// A Template is a statement shape mined from Go source, with its
// frequency. In Text, $1 … $9 stand for distinct local variables, $E for
// the nearest variable of type error, and $R for a list of result values
// of the enclosing function (zero values, or err in an error slot).
type Template struct {
	Text  string
	Count int
}

// MineTemplates counts the statement shapes of files (parsed with object
// resolution, so that local variables can be told from package names)
// and returns the max most frequent, most frequent first. A shape is one
// statement, or an if/for/range statement whose body is one statement,
// printed with its local variables abstracted.
func MineTemplates(fset *token.FileSet, files []*goast.File, max int) []Template {
	counts := map[string]int{}
	for _, f := range files {
		goast.Inspect(f, func(n goast.Node) bool {
			b, ok := n.(*goast.BlockStmt)
			if !ok {
				return true
			}
			for _, s := range b.List {
				if t, ok := shape(fset, s); ok {
					counts[t]++
				}
			}
			return true
		})
	}
	var out []Template
	for t, n := range counts {
		if n >= 2 {
			out = append(out, Template{Text: t, Count: n})
		}
	}
	slices.SortFunc(out, func(a, b Template) int { return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Text, b.Text)) })
	return out[:min(len(out), max)]
}

// shape returns the abstracted text of s, and whether s makes a template.
func shape(fset *token.FileSet, s goast.Stmt) (string, bool) {
	switch s := s.(type) {
	case *goast.IfStmt:
		if s.Else != nil || len(s.Body.List) != 1 || s.Init != nil {
			return "", false
		}
	case *goast.RangeStmt:
		if len(s.Body.List) != 1 {
			return "", false
		}
	case *goast.ForStmt:
		if len(s.Body.List) != 1 {
			return "", false
		}
	case *goast.AssignStmt, *goast.ReturnStmt, *goast.IncDecStmt, *goast.ExprStmt:
	default:
		return "", false
	}
	ok := true
	names := map[string]string{}
	var restore []func()
	goast.Inspect(s, func(n goast.Node) bool {
		switch n := n.(type) {
		case *goast.BasicLit:
			if len(n.Value) > 6 {
				ok = false
			}
		case *goast.FuncLit, *goast.CompositeLit:
			ok = false
		case *goast.SelectorExpr:
			goast.Inspect(n.X, func(m goast.Node) bool { return abstract(m, names, &restore, &ok) })
			return false
		case *goast.ReturnStmt:
			zero := len(n.Results) > 0
			for _, r := range n.Results {
				switch r := r.(type) {
				case *goast.Ident:
					zero = zero && (r.Name == "nil" || r.Name == "false" || r.Name == "err")
				case *goast.BasicLit:
					zero = zero && (r.Value == "0" || r.Value == `""`)
				default:
					zero = false
				}
			}
			if zero {
				old := n.Results
				n.Results = []goast.Expr{goast.NewIdent("$R")}
				restore = append(restore, func() { n.Results = old })
				return false
			}
		}
		return abstract(n, names, &restore, &ok)
	})
	var buf bytes.Buffer
	if ok {
		printer.Fprint(&buf, fset, s)
	}
	for i := len(restore) - 1; i >= 0; i-- {
		restore[i]()
	}
	t := buf.String()
	if !ok || len(names) > 3 || len(t) > 120 || t == "" {
		return "", false
	}
	return t, true
}

// abstract renames n, if it is a local variable, to its placeholder.
func abstract(n goast.Node, names map[string]string, restore *[]func(), ok *bool) bool {
	id, isId := n.(*goast.Ident)
	if !isId || id.Obj == nil || id.Obj.Kind != goast.Var || strings.HasPrefix(id.Name, "$") {
		return true
	}
	if _, isField := id.Obj.Decl.(*goast.Field); !isField {
		if _, isAssign := id.Obj.Decl.(*goast.AssignStmt); !isAssign {
			if _, isVal := id.Obj.Decl.(*goast.ValueSpec); !isVal {
				return true
			}
		}
	}
	p, seen := names[id.Name]
	if !seen {
		if id.Name == "err" {
			p = "$E"
		} else {
			p = "$" + strconv.Itoa(len(names)+1)
		}
		names[id.Name] = p
	}
	old := id.Name
	id.Name = p
	*restore = append(*restore, func() { id.Name = old })
	return true
}
