package local

import (
	goast "go/ast"
	"go/token"
)

// defineEdits answers "no new variables on left side of :=": each :=
// in the hole becomes =.
func (c *holeCtx) defineEdits() {
	c.inHole(func(n goast.Node) bool {
		if a, ok := n.(*goast.AssignStmt); ok && a.Tok == token.DEFINE {
			if s, ok := c.replaceSpan(a.TokPos, a.TokPos+2, "="); ok {
				c.add(s, 6)
			}
		}
		return true
	})
}
