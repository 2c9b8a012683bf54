package local

import (
	goast "go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
)

// errVar returns the name of the nearest variable of type error in scope,
// or "".
func (c *holeCtx) errVar() string {
	for _, o := range c.objs {
		if v, ok := o.(*types.Var); ok && isError(v.Type()) && v.Parent() != c.pkg.Scope() {
			return v.Name()
		}
	}
	return ""
}

// inErrCheck reports whether the hole is inside "if err != nil".
func (c *holeCtx) inErrCheck(err string) bool {
	for _, n := range c.path {
		if s, ok := n.(*goast.IfStmt); ok {
			if b, ok := s.Cond.(*goast.BinaryExpr); ok && b.Op == token.NEQ {
				if id, ok := b.X.(*goast.Ident); ok && id.Name == err {
					return true
				}
			}
		}
	}
	return false
}

// errChoices returns the values to try in an error result slot, best
// first.
func (c *holeCtx) errChoices() []string {
	err := c.errVar()
	switch {
	case err == "":
		return []string{"nil"}
	case c.inErrCheck(err):
		return []string{err, "nil"}
	case c.errChecked(err):
		return []string{"nil"} // err is known to be nil here
	}
	return []string{"nil", err}
}

// resultSets returns result lists for the enclosing signature in which
// the given expressions (with their types) keep their order and fill the
// slots they fit; the other slots get zero values (or err / nil).
func (c *holeCtx) resultSets(exprs []string, typs []types.Type, limit int) []string {
	res := c.sig.Results()
	n, m := res.Len(), len(exprs)
	var out []string
	var rec func(slot, next int, acc []string)
	rec = func(slot, next int, acc []string) {
		if len(out) >= limit {
			return
		}
		if slot == n {
			if next == m {
				out = append(out, strings.Join(acc, ", "))
			}
			return
		}
		t := res.At(slot).Type()
		if next < m && n-slot >= m-next && assignable(typs[next], t) {
			rec(slot+1, next+1, append(acc[:len(acc):len(acc)], exprs[next]))
		}
		if n-slot > m-next {
			if isError(t) {
				for _, e := range c.errChoices() {
					rec(slot+1, next, append(acc[:len(acc):len(acc)], e))
				}
			} else {
				// A dropped value is as often a variable at hand as a zero.
				for _, v := range c.slotVars(t, 2, exprs) {
					rec(slot+1, next, append(acc[:len(acc):len(acc)], v))
				}
				rec(slot+1, next, append(acc[:len(acc):len(acc)], ast.ZeroValue(t, c.qual)))
			}
		}
	}
	rec(0, 0, nil)
	return out
}

// returnStmts returns return statements for the end of the enclosing
// function: the most recently declared variables that fit the result
// slots, and zero values.
func (c *holeCtx) returnStmts() []string {
	res := c.sig.Results()
	if res.Len() == 0 {
		return nil
	}
	var zeros []string
	for i := range res.Len() {
		if isError(res.At(i).Type()) {
			zeros = append(zeros, "nil")
		} else {
			zeros = append(zeros, ast.ZeroValue(res.At(i).Type(), c.qual))
		}
	}
	var out []string
	// Named results: a bare return, as such functions end, and the
	// names spelled out.
	if names := resultNames(res); names != nil {
		out = append(out, "return", "return "+strings.Join(names, ", "))
	}
	// Variables that fit each slot, nearest first.
	vars := c.vars(16)
	choices := make([][]string, res.Len())
	for i := range res.Len() {
		t := res.At(i).Type()
		if isError(t) {
			choices[i] = c.errChoices()
			continue
		}
		for _, v := range vars {
			if v.Parent() != c.pkg.Scope() && types.AssignableTo(v.Type(), t) && len(choices[i]) < 2 {
				choices[i] = append(choices[i], v.Name())
			}
		}
		choices[i] = append(choices[i], zeros[i])
	}
	var rec func(i int, acc []string)
	rec = func(i int, acc []string) {
		if len(out) >= 10 {
			return
		}
		if i == len(choices) {
			out = append(out, "return "+strings.Join(acc, ", "))
			return
		}
		for _, ch := range choices[i] {
			rec(i+1, append(acc[:len(acc):len(acc)], ch))
		}
	}
	rec(0, nil)
	out = append(out, "return "+strings.Join(zeros, ", "))
	return out
}

// resultNames returns the names of res, or nil when a result is unnamed
// or blank.
func resultNames(res *types.Tuple) []string {
	var names []string
	for i := range res.Len() {
		n := res.At(i).Name()
		if n == "" || n == "_" {
			return nil
		}
		names = append(names, n)
	}
	return names
}

// errChecked reports whether an "if err != nil" statement ends before the
// hole in the enclosing function.
func (c *holeCtx) errChecked(err string) bool {
	body := c.funcBody()
	if body == nil {
		return false
	}
	found := false
	goast.Inspect(body, func(n goast.Node) bool {
		if s, ok := n.(*goast.IfStmt); ok && s.End() <= c.pos {
			if b, ok := s.Cond.(*goast.BinaryExpr); ok && b.Op == token.NEQ {
				if id, ok := b.X.(*goast.Ident); ok && id.Name == err {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// slotVars returns up to n variables in scope, nearest first, whose type is
// identical to t and that are not among used.
func (c *holeCtx) slotVars(t types.Type, n int, used []string) []string {
	var out []string
	for _, v := range c.vars(40) {
		if len(out) == n {
			break
		}
		if v.Name() == "_" || slices.Contains(used, v.Name()) || !types.Identical(v.Type(), t) {
			continue
		}
		out = append(out, v.Name())
	}
	return out
}

// funcBody returns the body of the innermost function around the hole, or
// nil.
func (c *holeCtx) funcBody() *goast.BlockStmt {
	for _, n := range c.path {
		switch f := n.(type) {
		case *goast.FuncDecl:
			return f.Body
		case *goast.FuncLit:
			return f.Body
		}
	}
	return nil
}
