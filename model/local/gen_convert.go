package local

import (
	goast "go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
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
		// A zero value replaces only a zero value of another type ("" where
		// an int is wanted): in place of anything else it deletes the
		// value (the meaning judge of refine rejects it).
		if isZeroExpr(e) {
			put(ast.ZeroValue(want, c.qual), 4)
		}
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

// isZeroExpr reports whether e is a zero value written out: nil, false,
// 0 or an empty string.
func isZeroExpr(e goast.Expr) bool {
	switch e := goast.Unparen(e).(type) {
	case *goast.Ident:
		return e.Name == "nil" || e.Name == "false"
	case *goast.BasicLit:
		switch e.Kind {
		case token.STRING:
			return e.Value == `""` || e.Value == "``"
		case token.INT, token.FLOAT:
			return strings.Trim(e.Value, "0._xXoObB") == ""
		}
	}
	return false
}
