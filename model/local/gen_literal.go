package local

import (
	"go/token"
	"strconv"
)

// literalEdits proposes the hole's original text with one literal
// changed: an integer n by n±1, a quoted number unquoted ("1" where 1 was
// meant), a boolean flipped.
func (c *holeCtx) literalEdits() {
	orig := c.h.Original
	repl := func(t rawTok, s string) string { return orig[:t.off] + s + orig[t.end:] }
	for _, t := range c.origTokens() {
		switch {
		case t.tok == token.INT:
			if n, err := strconv.ParseInt(t.lit, 0, 64); err == nil {
				c.add(repl(t, strconv.FormatInt(n+1, 10)), -0.4)
				if n > 0 {
					c.add(repl(t, strconv.FormatInt(n-1, 10)), -0.4)
				}
			}
		case t.tok == token.STRING:
			if u, err := strconv.Unquote(t.lit); err == nil {
				if _, err := strconv.ParseFloat(u, 64); err == nil && u != "" {
					c.add(repl(t, u), -0.6)
				}
			}
		case t.tok == token.IDENT && (t.lit == "true" || t.lit == "false"):
			alt := "true"
			if t.lit == "true" {
				alt = "false"
			}
			c.add(repl(t, alt), -0.8)
		}
	}
}
