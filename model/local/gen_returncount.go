package local

import (
	goast "go/ast"
	"go/types"
	"strings"
)

// returnCount fixes return statements with too few or too many values.
func (c *holeCtx) returnCount() {
	if c.sig == nil {
		return
	}
	n := c.sig.Results().Len()
	c.inHole(func(x goast.Node) bool {
		ret, ok := x.(*goast.ReturnStmt)
		if !ok || len(ret.Results) == n {
			return true
		}
		var exprs []string
		var typs []types.Type
		for _, r := range ret.Results {
			exprs = append(exprs, c.text(r))
			typs = append(typs, valid(c.info.TypeOf(r)))
		}
		var sets []string
		if len(exprs) < n {
			sets = c.resultSets(exprs, typs, 8)
		} else {
			// Drop values: keep each order-preserving subset that fits.
			var rec func(i int, keep []int)
			rec = func(i int, keep []int) {
				if len(keep) == n {
					var parts []string
					for slot, k := range keep {
						if !assignable(typs[k], c.sig.Results().At(slot).Type()) {
							return
						}
						parts = append(parts, exprs[k])
					}
					sets = append(sets, strings.Join(parts, ", "))
					return
				}
				if i == len(exprs) || len(sets) >= 8 {
					return
				}
				rec(i+1, append(keep[:len(keep):len(keep)], i))
				rec(i+1, keep)
			}
			rec(0, nil)
		}
		for i, s := range sets {
			stmt := "return"
			if s != "" {
				stmt += " " + s
			}
			if t, ok := c.replaceNode(ret, stmt); ok {
				c.add(t, 6-0.3*float64(i))
			}
		}
		return true
	})
}
