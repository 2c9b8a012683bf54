package local

import (
	goast "go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/difgen/difgen/diag"
)

// wrongType fixes a value of the wrong type, the operand that f's span
// covers.
func (c *holeCtx) wrongType(f diag.Finding) {
	if f.End <= f.Start {
		return
	}
	c.inHole(func(n goast.Node) bool {
		e, ok := n.(goast.Expr)
		if !ok || c.tf.Offset(e.Pos()) != f.Start || c.tf.Offset(e.End()) != f.End {
			return true
		}
		expr := c.text(e)
		want := c.expectedOf(e)
		if want == nil {
			return false
		}
		put := func(s string, p float64) {
			if t, ok := c.replaceNode(e, s); ok {
				c.add(t, p)
			}
		}
		have := valid(c.info.TypeOf(e))
		if lit, ok := e.(*goast.BasicLit); ok {
			switch {
			case lit.Kind == token.STRING && isBasic(want) && !isString(want):
				if s, err := strconv.Unquote(lit.Value); err == nil {
					if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
						put(strings.TrimSpace(s), 6)
					}
				}
			case lit.Kind != token.STRING && isString(want):
				put(strconv.Quote(lit.Value), 6)
			}
		}
		put(zeroValue(want, c.qual), 4)
		if have != nil {
			ts := types.TypeString(want, c.qual)
			if types.ConvertibleTo(have, want) && !(isString(want) && isInt(have)) {
				put(ts+"("+expr+")", 5)
			}
			if isString(want) && isInt(have) {
				put("strconv.Itoa("+expr+")", 5)
			}
			if isString(want) && !isString(have) {
				put("fmt.Sprint("+expr+")", 4)
			}
			if p, ok := under(have).(*types.Pointer); ok && types.AssignableTo(p.Elem(), want) {
				put("*"+expr, 5)
			}
			if p, ok := under(want).(*types.Pointer); ok && types.AssignableTo(have, p.Elem()) {
				put("&"+expr, 5)
			}
		}
		return false
	})
}

// convertEdits answers each value of the wrong type the hole holds.
func (c *holeCtx) convertEdits() {
	for _, f := range c.findings(diag.IncompatibleAssign) {
		c.wrongType(f)
	}
}
