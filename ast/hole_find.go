package ast

import (
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strconv"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
)

// FindHoles parses src, the text of the file name, and returns the holes
// the user wrote, in source order, numbered 1..N:
//   - the identifier __ as an expression (Kind Expr), or as a statement
//     of its own (Kind Stmts, spanning the statement);
//   - __("instruction"), likewise, with Instruction set to the unquoted
//     string and the span covering the call or its statement;
//   - a function or function literal body that is only __, __("…"),
//     panic("TODO") or panic("unimplemented") (Kind Body, spanning the
//     bytes strictly inside the braces, so a fill is the body's
//     statements).
//
// An __ that is not an expression (a declared name, a field selector, a
// label) is no hole, nor is one that refers to a declaration of __ in the
// file (a variable, a function, a parameter named __): there __ is an
// ordinary identifier. A syntax error is returned as "file:line:col:
// message", the first the parser found.
func FindHoles(name, src string) ([]*Hole, error) {
	return findHoles(name, src, false)
}

// FindCanvasHoles is FindHoles for the file name of cv, where __ is also
// an ordinary identifier when another file of the same package declares
// it at package level.
func FindCanvasHoles(cv *Canvas, name string) ([]*Hole, error) {
	f := cv.File(name)
	if f == nil {
		return nil, fmt.Errorf("%s: not in the canvas", name)
	}
	pkg := packageClause(f.Text)
	declared := false
	for _, o := range cv.Files() {
		if o.Name != name && packageClause(o.Text) == pkg && declaresHoleName(o.Text) {
			declared = true
			break
		}
	}
	return findHoles(name, f.Text, declared)
}

// packageClause returns the package name of src, or "".
func packageClause(src string) string {
	f, _ := parser.ParseFile(token.NewFileSet(), "", src, parser.PackageClauseOnly)
	if f == nil || f.Name == nil {
		return ""
	}
	return f.Name.Name
}

// declaresHoleName reports whether src declares __ at package level.
func declaresHoleName(src string) bool {
	f, _ := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if f == nil {
		return false
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *goast.FuncDecl:
			if d.Recv == nil && d.Name.Name == "__" {
				return true
			}
		case *goast.GenDecl:
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *goast.ValueSpec:
					for _, n := range sp.Names {
						if n.Name == "__" {
							return true
						}
					}
				case *goast.TypeSpec:
					if sp.Name.Name == "__" {
						return true
					}
				}
			}
		}
	}
	return false
}

// findHoles is FindHoles; if declared, the package declares __ elsewhere
// and no unresolved __ is a hole either.
func findHoles(name, src string, declared bool) ([]*Hole, error) {
	fset := token.NewFileSet()
	// Object resolution tells an __ declared in the file (at any scope)
	// from the hole.
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		if list, ok := err.(scanner.ErrorList); ok && len(list) > 0 {
			return nil, fmt.Errorf("%s: %s", list[0].Pos, list[0].Msg)
		}
		return nil, err
	}
	if declared {
		return nil, nil
	}
	tf := tokenFile(f, fset)
	var holes []*Hole
	add := func(kind HoleKind, start, end token.Pos, instr string) {
		s, e := tf.Offset(start), tf.Offset(end)
		holes = append(holes, &Hole{
			ID: len(holes) + 1, File: name, Start: s, End: e, Kind: kind,
			User: true, Instruction: instr, Original: src[s:e],
		})
	}
	inspector.New([]*goast.File{f}).Root().Inspect(nil, func(c inspector.Cursor) bool {
		k, _ := c.ParentEdge()
		switch n := c.Node().(type) {
		case *goast.BlockStmt:
			if (k == edge.FuncDecl_Body || k == edge.FuncLit_Body) && len(n.List) == 1 {
				if s, ok := n.List[0].(*goast.ExprStmt); ok {
					if instr, ok := holeExpr(s.X); ok {
						add(Body, n.Lbrace+1, n.Rbrace, instr)
						return false
					}
					if isTODOPanic(s.X) {
						add(Body, n.Lbrace+1, n.Rbrace, "")
						return false
					}
				}
			}
		case *goast.ExprStmt:
			if k == edge.BlockStmt_List || k == edge.CaseClause_Body || k == edge.CommClause_Body {
				if instr, ok := holeExpr(n.X); ok {
					add(Stmts, n.Pos(), n.End(), instr)
					return false
				}
			}
		case *goast.CallExpr:
			if instr, ok := holeExpr(n); ok {
				add(Expr, n.Pos(), n.End(), instr)
				return false
			}
		case *goast.Ident:
			if isHoleIdent(n) && identIsExpr(c, k) {
				add(Expr, n.Pos(), n.End(), "")
			}
		}
		return true
	})
	return holes, nil
}

// holeExpr reports whether x is a user hole, __ or __(…), and returns the
// instruction of __("instruction").
func holeExpr(x goast.Expr) (instr string, ok bool) {
	switch x := x.(type) {
	case *goast.Ident:
		return "", isHoleIdent(x)
	case *goast.CallExpr:
		if id, isID := x.Fun.(*goast.Ident); !isID || !isHoleIdent(id) {
			return "", false
		}
		if len(x.Args) == 1 {
			if lit, isLit := x.Args[0].(*goast.BasicLit); isLit && lit.Kind == token.STRING {
				instr, _ = strconv.Unquote(lit.Value)
			}
		}
		return instr, true
	}
	return "", false
}

// isHoleIdent reports whether id is __ and refers to no declaration in
// its file (the parser's object resolution).
func isHoleIdent(id *goast.Ident) bool {
	return id.Name == "__" && id.Obj == nil
}

// isTODOPanic reports whether x is panic("TODO") or panic("unimplemented").
func isTODOPanic(x goast.Expr) bool {
	call, ok := x.(*goast.CallExpr)
	if !ok || len(call.Args) != 1 || call.Ellipsis.IsValid() {
		return false
	}
	if id, ok := call.Fun.(*goast.Ident); !ok || id.Name != "panic" {
		return false
	}
	lit, ok := call.Args[0].(*goast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return false
	}
	s, _ := strconv.Unquote(lit.Value)
	return s == "TODO" || s == "unimplemented"
}

// identIsExpr reports whether the identifier at c, reached by edge k,
// stands for an expression rather than declaring or selecting a name.
func identIsExpr(c inspector.Cursor, k edge.Kind) bool {
	switch k {
	case edge.SelectorExpr_Sel, edge.Field_Names, edge.FuncDecl_Name, edge.TypeSpec_Name,
		edge.ValueSpec_Names, edge.LabeledStmt_Label, edge.BranchStmt_Label,
		edge.ImportSpec_Name, edge.File_Name:
		return false
	case edge.AssignStmt_Lhs:
		return c.Parent().Node().(*goast.AssignStmt).Tok != token.DEFINE
	case edge.RangeStmt_Key, edge.RangeStmt_Value:
		return c.Parent().Node().(*goast.RangeStmt).Tok != token.DEFINE
	}
	return true
}
