package local

import (
	goast "go/ast"
	"go/token"
	"go/types"

	"github.com/difgen/difgen/ast"
)

// nodeAt returns the innermost node spanning exactly [off, end) of the
// original text, or nil.
func (c *holeCtx) nodeAt(off, end int) goast.Node {
	if c.file == nil {
		return nil
	}
	p, e := c.tf.Pos(c.h.Start+off), c.tf.Pos(c.h.Start+end)
	var found goast.Node
	goast.Inspect(c.file, func(n goast.Node) bool {
		if n == nil || n.End() < p || n.Pos() > e {
			return false
		}
		if n.Pos() == p && n.End() == e {
			found = n
		}
		return true
	})
	return found
}

// rel returns the offset of pos in the hole's original text, and whether
// it lies within it.
func (c *holeCtx) rel(pos token.Pos) (int, bool) {
	if c.tf == nil || !pos.IsValid() {
		return 0, false
	}
	off := c.tf.Offset(pos) - c.h.Start
	return off, off >= 0 && off <= len(c.h.Original)
}

// text returns the source of n, which must lie in the hole.
func (c *holeCtx) text(n goast.Node) string {
	s, ok1 := c.rel(n.Pos())
	e, ok2 := c.rel(n.End())
	if !ok1 || !ok2 {
		return ""
	}
	return c.h.Original[s:e]
}

// replaceNode returns the original with n's span replaced by s, or "" if
// n is not inside the hole.
func (c *holeCtx) replaceNode(n goast.Node, s string) (string, bool) {
	return c.replaceSpan(n.Pos(), n.End(), s)
}

func (c *holeCtx) replaceSpan(p, e token.Pos, s string) (string, bool) {
	a, ok1 := c.rel(p)
	b, ok2 := c.rel(e)
	if !ok1 || !ok2 || a > b {
		return "", false
	}
	return c.h.Original[:a] + s + c.h.Original[b:], true
}

// inHole calls f for each node inside the hole's span.
func (c *holeCtx) inHole(f func(goast.Node) bool) {
	if c.file == nil || c.h.Original == "" {
		return
	}
	goast.Inspect(c.file, func(n goast.Node) bool {
		if n == nil || n.End() < c.pos || n.Pos() > c.end {
			return false
		}
		if n.Pos() >= c.pos && n.End() <= c.end {
			return f(n)
		}
		return true
	})
}

// origTokens returns the tokens of the hole's original text, scanned
// once; none when there are more than 200 (a body: single-token edits
// would be too many to rank).
func (c *holeCtx) origTokens() []rawTok {
	if c.toks == nil {
		c.toks = scanTokens(c.h.Original)
		if len(c.toks) > 200 {
			c.toks = []rawTok{}
		}
	}
	return c.toks
}

// expectedOf returns the type the expression e, a node of the hole's
// declaration, must have in its context (see ast.ExpectedType), or nil.
func (c *holeCtx) expectedOf(e goast.Expr) types.Type {
	cur, ok := c.slot.CursorOf(e)
	if !ok {
		return nil
	}
	return ast.ExpectedType(cur, c.info)
}
