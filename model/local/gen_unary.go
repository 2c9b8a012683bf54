package local

import (
	"go/token"
	"strings"
)

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

// unaryEdits proposes the hole's original text with a unary operator
// deleted (!, - or &, and the parentheses that only served a !), a ! or
// & inserted before an operand, or a "± 1" adjustment dropped.
func (c *holeCtx) unaryEdits() {
	orig := c.h.Original
	toks := c.origTokens()
	for i, t := range toks {
		if (t.tok == token.NOT || t.tok == token.AND || t.tok == token.SUB) && opensOperand(t.prev) {
			c.add(orig[:t.off]+orig[t.end:], -1.0)
			// !(x == y) → x == y: the parentheses only served the !.
			if t.tok == token.NOT && i+1 < len(toks) && toks[i+1].tok == token.LPAREN {
				if m := matchParen(toks, i+1); m > 0 {
					c.add(orig[:t.off]+orig[toks[i+1].end:toks[m].off]+orig[toks[m].end:], -0.3)
				}
			}
		}
		// "x - 1", "x + 1": drop the adjustment.
		if (t.tok == token.ADD || t.tok == token.SUB) && i+1 < len(toks) && toks[i+1].tok == token.INT && toks[i+1].lit == "1" {
			c.add(strings.TrimRight(orig[:t.off], " ")+orig[toks[i+1].end:], -1.2)
		}
		// Insertions before an operand.
		if (t.tok == token.IDENT || t.tok == token.LPAREN) && opensOperand(t.prev) && t.lit != "true" && t.lit != "false" {
			if t.prev != token.ASSIGN && t.prev != token.DEFINE {
				c.add(orig[:t.off]+"!"+orig[t.off:], -1.3)
			}
			if t.prev == token.LPAREN || t.prev == token.COMMA || t.prev == token.ASSIGN || t.prev == token.DEFINE {
				c.add(orig[:t.off]+"&"+orig[t.off:], -2.2)
			}
		}
	}
}
