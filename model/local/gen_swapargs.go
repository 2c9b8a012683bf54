package local

import (
	goast "go/ast"
	"go/types"
	"slices"

	"github.com/difgen/difgen/diag"
)

// swapArgs proposes each call in the hole with two arguments swapped,
// preferring swaps after which both arguments fit their parameters.
func (c *holeCtx) swapArgs() {
	c.inHole(func(n goast.Node) bool {
		call, ok := n.(*goast.CallExpr)
		if !ok || len(call.Args) < 2 || call.Ellipsis.IsValid() {
			return true
		}
		// A value of the wrong type in one of the arguments.
		argDiag := slices.ContainsFunc(c.findings(diag.IncompatibleAssign), func(f diag.Finding) bool {
			return slices.ContainsFunc(call.Args, func(a goast.Expr) bool {
				return c.tf.Offset(a.Pos()) <= f.Start && f.Start < c.tf.Offset(a.End())
			})
		})
		sig, _ := valid(c.info.TypeOf(call.Fun)).(*types.Signature)
		for i := range call.Args {
			for j := i + 1; j < len(call.Args); j++ {
				a, b := call.Args[i], call.Args[j]
				ta, tb := valid(c.info.TypeOf(a)), valid(c.info.TypeOf(b))
				prior := -1.6
				if sig != nil && !sig.Variadic() && j < sig.Params().Len() && ta != nil && tb != nil && !types.Identical(ta, tb) {
					pi, pj := sig.Params().At(i).Type(), sig.Params().At(j).Type()
					fitsNow := assignable(ta, pi) && assignable(tb, pj)
					fitsSwapped := assignable(tb, pi) && assignable(ta, pj)
					if !fitsSwapped {
						continue
					}
					if !fitsNow {
						prior = 3
						if argDiag {
							prior = 5.5
						}
					}
				}
				as, ok1 := c.rel(a.Pos())
				ae, _ := c.rel(a.End())
				bs, ok2 := c.rel(b.Pos())
				be, ok3 := c.rel(b.End())
				if !ok1 || !ok2 || !ok3 {
					continue
				}
				o := c.h.Original
				c.add(o[:as]+o[bs:be]+o[ae:bs]+o[as:ae]+o[be:], prior)
			}
		}
		return true
	})
}
