package local

import (
	"cmp"
	goast "go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// declare fixes "undefined: name" by declaring name: an assignment
// "name = v" in the hole becomes "name := v"; otherwise "var name T" goes
// before the hole's statement, with T the type of the values assigned to
// name elsewhere in the function.
func (c *holeCtx) declare(name string) {
	done := false
	c.inHole(func(n goast.Node) bool {
		a, ok := n.(*goast.AssignStmt)
		if !ok || a.Tok != token.ASSIGN || done {
			return !done
		}
		for _, l := range a.Lhs {
			if id, ok := l.(*goast.Ident); ok && id.Name == name {
				if s, ok := c.replaceSpan(a.TokPos, a.TokPos+1, ":="); ok {
					c.add(s, 6)
					done = true
				}
			}
		}
		return true
	})
	if c.h.Kind != ast.Expr && c.h.Kind != ast.Ident && c.h.Original != "" && !done {
		t := c.inferType(name)
		if t == nil {
			t = c.useType(name)
		}
		if t != nil {
			c.add("var "+name+" "+types.TypeString(t, c.qual)+"\n"+c.h.Original, 4.5)
			// A deleted "name := value": values of the type, those whose
			// text shares a word with the name first (nano :=
			// time.Now().UnixNano()).
			for i, v := range c.valuesOfType(t, name, 6) {
				p := 4.3 - 0.1*float64(i)
				if v.named {
					p += 0.6 // above the zero value
				}
				c.add(name+" := "+v.text+"\n"+c.h.Original, p)
			}
		}
	}
}

// useType returns the type a use of the undefined name in the enclosing
// function must have (the left side of "milli = name / k"), or nil.
func (c *holeCtx) useType(name string) types.Type {
	body := c.funcBody()
	if body == nil {
		return nil
	}
	var t types.Type
	goast.Inspect(body, func(n goast.Node) bool {
		if id, ok := n.(*goast.Ident); ok && t == nil && id.Name == name && c.info.Uses[id] == nil && c.info.Defs[id] == nil {
			t = c.expectedOf(id)
		}
		return t == nil
	})
	if t != nil {
		t = types.Default(t)
	}
	return t
}

// A value is an expression proposed for a deleted declaration; named
// reports whether it shares a word with the variable's name.
type value struct {
	text  string
	named bool
}

// valuesOfType returns up to n expressions of type t built from what is
// in scope at the hole (calls, fields, package members; not zero values
// or literals), those that share a word with name first.
func (c *holeCtx) valuesOfType(t types.Type, name string, n int) []value {
	sub := *c
	sub.cands, sub.order, sub.expected, sub.noLiterals = map[string]*cand{}, nil, t, true
	sub.exprCandidates()
	words := map[string]bool{}
	for _, p := range ast.Tokenize(name) {
		words[strings.ToLower(p.Text)] = true
	}
	type scored struct {
		value
		prior float64
	}
	var xs []scored
	for _, x := range sub.list() {
		if x.text == name {
			continue
		}
		y := scored{value{text: x.text}, x.prior}
		for _, p := range ast.Tokenize(x.text) {
			if p.Kind == ast.IdentPiece && words[strings.ToLower(p.Text)] {
				y.prior += 3
				y.named = true
				break
			}
		}
		xs = append(xs, y)
	}
	slices.SortStableFunc(xs, func(a, b scored) int { return cmp.Compare(b.prior, a.prior) })
	var out []value
	for _, x := range xs[:min(n, len(xs))] {
		out = append(out, x.value)
	}
	return out
}

// inferType returns the type of the values assigned to name in the
// enclosing function, defaulted.
func (c *holeCtx) inferType(name string) types.Type {
	body := c.funcBody()
	if body == nil {
		return nil
	}
	var t types.Type
	goast.Inspect(body, func(n goast.Node) bool {
		if t != nil {
			return false
		}
		switch n := n.(type) {
		case *goast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, l := range n.Lhs {
				if id, ok := l.(*goast.Ident); ok && id.Name == name {
					if rt := valid(c.info.TypeOf(n.Rhs[i])); rt != nil {
						t = types.Default(rt)
					}
				}
			}
		case *goast.IncDecStmt:
			if id, ok := n.X.(*goast.Ident); ok && id.Name == name {
				t = types.Typ[types.Int]
			}
		}
		return true
	})
	if b, ok := t.(*types.Basic); ok && b.Kind() == types.UntypedNil {
		return nil
	}
	return t
}

// declareNames answers each undefined name of the hole by declaring it.
func (c *holeCtx) declareNames() {
	for _, f := range c.findings(diag.UndeclaredName) {
		c.declare(c.subject(f))
	}
}
