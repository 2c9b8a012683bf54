package local

import (
	goast "go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"github.com/difgen/difgen/diag"
)

// opFamilies lists, for each operator, the operators a slip most often
// replaces it with, most likely first.
var opFamilies = map[token.Token][]token.Token{
	token.EQL:        {token.NEQ, token.LEQ, token.GEQ},
	token.NEQ:        {token.EQL, token.LSS, token.GTR},
	token.LSS:        {token.LEQ, token.GTR, token.NEQ, token.GEQ},
	token.LEQ:        {token.LSS, token.GEQ, token.EQL, token.GTR},
	token.GTR:        {token.GEQ, token.LSS, token.NEQ, token.LEQ},
	token.GEQ:        {token.GTR, token.LEQ, token.EQL, token.LSS},
	token.ADD:        {token.SUB, token.MUL},
	token.SUB:        {token.ADD},
	token.MUL:        {token.QUO, token.ADD},
	token.QUO:        {token.MUL, token.REM},
	token.REM:        {token.QUO},
	token.LAND:       {token.LOR},
	token.LOR:        {token.LAND},
	token.ASSIGN:     {token.DEFINE},
	token.DEFINE:     {token.ASSIGN},
	token.INC:        {token.DEC},
	token.DEC:        {token.INC},
	token.ADD_ASSIGN: {token.SUB_ASSIGN},
	token.SUB_ASSIGN: {token.ADD_ASSIGN},
	token.MUL_ASSIGN: {token.QUO_ASSIGN},
	token.QUO_ASSIGN: {token.MUL_ASSIGN},
	token.AND:        {token.OR},
	token.OR:         {token.AND},
}

// opensOperand reports whether a token of kind prev may stand just before
// the start of an operand (so a unary operator may be inserted there).
func opensOperand(prev token.Token) bool {
	switch prev {
	case token.ILLEGAL, token.LPAREN, token.COMMA, token.LAND, token.LOR, token.ASSIGN, token.DEFINE,
		token.IF, token.RETURN, token.SEMICOLON, token.LBRACE, token.COLON, token.CASE:
		return true
	}
	return false
}

// tokenEdits proposes every single-token edit of the hole's original text:
// an operator replaced within its family, an integer n by n±1, a boolean
// flipped, an identifier replaced by a near or same-typed name in scope, a
// unary !, - or & deleted, a ! or & inserted before an operand, "± 1"
// dropped, and two call arguments swapped.
func (c *holeCtx) tokenEdits() {
	orig := c.h.Original
	toks := scanTokens(orig)
	if len(toks) > 200 {
		return // a body: single-token edits would be too many to rank
	}
	repl := func(t rawTok, s string) string { return orig[:t.off] + s + orig[t.end:] }
	names := c.scopeNames()
	for i, t := range toks {
		switch {
		case opFamilies[t.tok] != nil:
			for j, alt := range opFamilies[t.tok] {
				p := -0.6 - 0.3*float64(j)
				switch t.tok {
				case token.ASSIGN, token.DEFINE:
					p = -1.5
				case token.INC, token.DEC:
					p = -1.4 // a loop that runs backwards is rarely the slip
				}
				c.add(repl(t, alt.String()), p, "edit")
			}
		case t.tok == token.INT:
			if n, err := strconv.ParseInt(t.lit, 0, 64); err == nil {
				c.add(repl(t, strconv.FormatInt(n+1, 10)), -0.4, "edit")
				if n > 0 {
					c.add(repl(t, strconv.FormatInt(n-1, 10)), -0.4, "edit")
				}
			}
		case t.tok == token.STRING:
			// "1" where 1 was meant: a literal of the wrong type.
			if u, err := strconv.Unquote(t.lit); err == nil {
				if _, err := strconv.ParseFloat(u, 64); err == nil && u != "" {
					c.add(repl(t, u), -0.6, "edit")
				}
			}
		case t.tok == token.IDENT && (t.lit == "true" || t.lit == "false"):
			alt := "true"
			if t.lit == "true" {
				alt = "false"
			}
			c.add(repl(t, alt), -0.8, "edit")
		case t.tok == token.IDENT && t.prev != token.PERIOD:
			for _, n := range names {
				if n == t.lit {
					continue
				}
				if d := editDistance(t.lit, n); d <= 1+len(t.lit)/4 {
					c.add(repl(t, n), -1.8-0.5*float64(d), "edit")
				}
			}
			for j, n := range c.sameTyped(t) {
				c.add(repl(t, n), -2.2-0.1*float64(j), "edit")
			}
		}
		// Deletions of unary operators.
		if (t.tok == token.NOT || t.tok == token.AND || t.tok == token.SUB) && opensOperand(t.prev) {
			c.add(orig[:t.off]+orig[t.end:], -1.0, "edit")
			// !(x == y) → x == y: the parentheses only served the !.
			if t.tok == token.NOT && i+1 < len(toks) && toks[i+1].tok == token.LPAREN {
				if m := matchParen(toks, i+1); m > 0 {
					c.add(orig[:t.off]+orig[toks[i+1].end:toks[m].off]+orig[toks[m].end:], -0.3, "edit")
				}
			}
		}
		// "x - 1", "x + 1": drop the adjustment.
		if (t.tok == token.ADD || t.tok == token.SUB) && i+1 < len(toks) && toks[i+1].tok == token.INT && toks[i+1].lit == "1" {
			c.add(strings.TrimRight(orig[:t.off], " ")+orig[toks[i+1].end:], -1.2, "edit")
		}
		// Insertions before an operand.
		if (t.tok == token.IDENT || t.tok == token.LPAREN) && opensOperand(t.prev) && t.lit != "true" && t.lit != "false" {
			if t.prev != token.ASSIGN && t.prev != token.DEFINE {
				c.add(orig[:t.off]+"!"+orig[t.off:], -1.3, "edit")
			}
			if t.prev == token.LPAREN || t.prev == token.COMMA || t.prev == token.ASSIGN || t.prev == token.DEFINE {
				c.add(orig[:t.off]+"&"+orig[t.off:], -2.2, "edit")
			}
		}
	}
	c.swapArgs()
}

// scopeNames returns the names in scope, from go/types or the hole.
func (c *holeCtx) scopeNames() []string {
	var out []string
	for _, o := range c.objs {
		if _, ok := o.(*types.PkgName); !ok {
			out = append(out, o.Name())
		}
	}
	return out
}

// sameTyped returns up to four local variables of the same type as the
// identifier token t of the original, nearest first.
func (c *holeCtx) sameTyped(t rawTok) []string {
	if c.info == nil {
		return nil
	}
	id, ok := c.nodeAt(t.off, t.end).(*goast.Ident)
	if !ok {
		return nil
	}
	v, ok := c.info.Uses[id].(*types.Var)
	if !ok || v.Pkg() == nil {
		return nil
	}
	var out []string
	for _, o := range c.objs {
		if w, ok := o.(*types.Var); ok && w != v && w.Parent() != c.pkg.Scope() && types.Identical(w.Type(), v.Type()) {
			out = append(out, w.Name())
			if len(out) == 4 {
				break
			}
		}
	}
	return out
}

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
				c.add(o[:as]+o[bs:be]+o[ae:bs]+o[as:ae]+o[be:], prior, "edit")
			}
		}
		return true
	})
}

// matchParen returns the index of the token closing the parenthesis at
// toks[open], or -1.
func matchParen(toks []rawTok, open int) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch toks[j].tok {
		case token.LPAREN:
			depth++
		case token.RPAREN:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}
