package local

import (
	goast "go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/difgen/difgen/diag"
)

// unusedVar proposes fixes for "declared and not used: name".
func (c *holeCtx) unusedVar(name string) {
	if c.h.Original == name {
		c.add("_", 2)
	}
	c.inHole(func(n goast.Node) bool {
		switch n := n.(type) {
		case *goast.AssignStmt:
			if n.Tok != token.DEFINE {
				return true
			}
			idx := -1
			others := false
			for i, l := range n.Lhs {
				id, _ := l.(*goast.Ident)
				if id != nil && id.Name == name && c.info.Defs[id] != nil {
					idx = i
				} else if id != nil && id.Name != "_" && c.info.Defs[id] != nil {
					others = true
				}
			}
			if idx < 0 {
				return true
			}
			if !others && c.shadows(n.Lhs[idx].(*goast.Ident)) {
				// t := t[1:] inside a block, with t declared outside: the
				// new variable hides the one meant to be assigned.
				if s, ok := c.replaceSpan(n.TokPos, n.TokPos+2, "="); ok {
					c.add(s, 7)
				}
			}
			if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
				rhs := c.text(n.Rhs[0])
				if c.pure(n.Rhs[0]) {
					if s, ok := c.replaceNode(n, ""); ok {
						c.add(strings.TrimSpace(s), 5)
					}
					if s, ok := c.replaceNode(n, "_ = "+rhs); ok {
						c.add(s, 4)
					}
				} else if s, ok := c.replaceNode(n, "_ = "+rhs); ok {
					c.add(s, 5)
				}
				return true
			}
			ls, ok1 := c.rel(n.Lhs[idx].Pos())
			le, _ := c.rel(n.Lhs[idx].End())
			ts, ok2 := c.rel(n.TokPos)
			if !ok1 || !ok2 {
				return true
			}
			o := c.h.Original
			tok := ":="
			if !others {
				tok = "="
			}
			c.add(o[:ls]+"_"+o[le:ts]+tok+o[ts+2:], 5.5)
		case *goast.RangeStmt:
			if id, ok := n.Value.(*goast.Ident); ok && id.Name == name {
				if s, ok := c.replaceSpan(n.Key.End(), n.Value.End(), ""); ok {
					c.add(s, 5.5)
				}
			}
			if id, ok := n.Key.(*goast.Ident); ok && id.Name == name {
				if n.Value == nil {
					if s, ok := c.replaceSpan(n.Key.Pos(), n.X.Pos(), "range "); ok {
						s = strings.Replace(s, "range range ", "range ", 1)
						c.add(s, 5.5)
					}
				} else if s, ok := c.replaceNode(n.Key, "_"); ok {
					c.add(s, 5.5)
				}
			}
		case *goast.DeclStmt:
			g, ok := n.Decl.(*goast.GenDecl)
			if !ok || g.Tok != token.VAR || len(g.Specs) != 1 {
				return true
			}
			vs := g.Specs[0].(*goast.ValueSpec)
			if len(vs.Names) != 1 || vs.Names[0].Name != name {
				return true
			}
			if len(vs.Values) == 0 || c.pure(vs.Values[0]) {
				if s, ok := c.replaceNode(n, ""); ok {
					c.add(strings.TrimSpace(s), 5)
				}
			} else if s, ok := c.replaceNode(n, "_ = "+c.text(vs.Values[0])); ok {
				c.add(s, 5)
			}
		}
		return true
	})
}

// shadows reports whether the variable id declares hides a variable of an
// enclosing scope of the same function (or a package variable) to which
// its value could be assigned.
func (c *holeCtx) shadows(id *goast.Ident) bool {
	obj, ok := c.info.Defs[id].(*types.Var)
	if !ok || obj.Parent() == nil || obj.Parent().Parent() == nil {
		return false
	}
	_, outer := obj.Parent().Parent().LookupParent(id.Name, id.Pos())
	v, ok := outer.(*types.Var)
	return ok && v != obj && types.AssignableTo(obj.Type(), v.Type())
}

// pure reports whether evaluating e can have no side effects.
func (c *holeCtx) pure(e goast.Expr) bool {
	ok := true
	goast.Inspect(e, func(n goast.Node) bool {
		switch n := n.(type) {
		case *goast.CallExpr:
			if tv, isT := c.info.Types[n.Fun]; isT && tv.IsType() {
				return true // a conversion
			}
			if id, isId := n.Fun.(*goast.Ident); isId {
				if _, b := c.info.Uses[id].(*types.Builtin); b && (id.Name == "len" || id.Name == "cap") {
					return true
				}
			}
			ok = false
		case *goast.UnaryExpr:
			if n.Op == token.ARROW {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// unusedVars answers each "declared and not used" finding of the hole.
func (c *holeCtx) unusedVars() {
	for _, f := range c.findings(diag.UnusedVar) {
		c.unusedVar(c.subject(f))
		c.deadStores(c.subject(f))
	}
}

// deadStores proposes, for a variable that is only ever written (var i
// int; i = 0), the hole without its declaration and all its assignments,
// when each assigns a value without effects and all lie in the hole:
// nothing reads them, so nothing changes.
func (c *holeCtx) deadStores(name string) {
	var obj types.Object
	var nodes []goast.Node
	fine := true
	c.inHole(func(n goast.Node) bool {
		if !fine {
			return false
		}
		switch n := n.(type) {
		case *goast.DeclStmt:
			g, ok := n.Decl.(*goast.GenDecl)
			if !ok || g.Tok != token.VAR || len(g.Specs) != 1 {
				return true
			}
			vs := g.Specs[0].(*goast.ValueSpec)
			if len(vs.Names) == 1 && vs.Names[0].Name == name && obj == nil {
				obj = c.info.Defs[vs.Names[0]]
				if len(vs.Values) > 0 && !c.pure(vs.Values[0]) {
					fine = false
				}
				nodes = append(nodes, n)
				return false
			}
		case *goast.AssignStmt:
			if len(n.Lhs) != 1 || len(n.Rhs) != 1 {
				return true
			}
			id, ok := n.Lhs[0].(*goast.Ident)
			if !ok || id.Name != name {
				return true
			}
			switch {
			case n.Tok == token.DEFINE && c.info.Defs[id] != nil && obj == nil:
				obj = c.info.Defs[id]
			case n.Tok == token.ASSIGN && obj != nil && c.info.Uses[id] == obj:
			default:
				return true
			}
			if !c.pure(n.Rhs[0]) {
				fine = false
			}
			nodes = append(nodes, n)
			return false
		case *goast.Ident:
			if obj != nil && n.Name == name && c.info.Uses[n] == obj {
				fine = false // a read or a write this does not remove
			}
		}
		return true
	})
	if !fine || obj == nil || len(nodes) < 2 {
		return
	}
	o := c.h.Original
	for i := len(nodes) - 1; i >= 0; i-- {
		a, ok1 := c.rel(nodes[i].Pos())
		b, ok2 := c.rel(nodes[i].End())
		if !ok1 || !ok2 {
			return
		}
		// The whole line, where the statement is alone on it.
		ls := strings.LastIndexByte(o[:a], '\n') + 1
		le := b + strings.IndexByte(o[b:]+"\n", '\n')
		if strings.TrimSpace(o[ls:a]) == "" && strings.TrimSpace(o[b:le]) == "" {
			a, b = ls, min(le+1, len(o))
		}
		o = o[:a] + o[b:]
	}
	c.add(o, 5)
}
