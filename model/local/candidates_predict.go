package local

import (
	"go/token"
	"go/types"

	"github.com/difgen/difgen/ast"
)

// predicting reports whether the hole asks for new code rather than a
// repair: an identifier or expression hole with no original text.
func (c *holeCtx) predicting() bool {
	return c.h.Original == "" && (c.h.Kind == ast.Ident || c.h.Kind == ast.Expr)
}

// typeNames proposes the type names in scope and the predeclared types.
func (c *holeCtx) typeNames() {
	for rank, obj := range c.objs {
		p := -0.5 - 0.08*float64(min(rank, 40))
		switch o := obj.(type) {
		case *types.TypeName:
			c.add(o.Name(), p, "scope")
		case *types.PkgName:
			s := o.Imported().Scope()
			for _, n := range s.Names() {
				if tn, ok := s.Lookup(n).(*types.TypeName); ok && tn.Exported() {
					c.add(o.Name()+"."+n, p-1.5, "package")
				}
			}
		}
	}
	for _, n := range types.Universe.Names() {
		if _, ok := types.Universe.Lookup(n).(*types.TypeName); ok {
			c.add(n, -1.5, "universe")
		}
	}
}

// lmIdents proposes the token model's own whole identifiers at the hole
// (see [Identifiers]), each with a prior by its log-probability relative
// to the best.
func (c *holeCtx) lmIdents() {
	lm := c.d.lm
	if lm == nil {
		return
	}
	left, right := c.context(8)
	guesses := Identifiers(lm, left, right, 24)
	for _, g := range guesses {
		c.add(g.Text, 0.3*(g.LogProb-guesses[0].LogProb)-1, "ngram")
	}
}

// keepIdents drops the candidates of an identifier hole that are not a
// single identifier.
func (c *holeCtx) keepIdents() {
	order := c.order[:0]
	for _, t := range c.order {
		if token.IsIdentifier(t) {
			order = append(order, t)
		} else {
			delete(c.cands, t)
		}
	}
	c.order = order
}

// predict proposes fills for a prediction hole by the role of its slot:
// fresh names from the token model where a name is declared, type names
// where a type goes, and typed values and the token model's guesses
// elsewhere.
func (c *holeCtx) predict() {
	role := ast.RoleValue
	if c.slot != nil {
		role = c.slot.Role
	}
	switch role {
	case ast.RoleDecl:
		c.lmIdents()
	case ast.RoleType:
		c.typeNames()
		c.lmIdents()
	default:
		c.exprCandidates()
		c.lmIdents()
		c.unmask()
	}
}
