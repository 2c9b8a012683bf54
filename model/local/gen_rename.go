package local

import (
	goast "go/ast"
	"go/token"
	"go/types"
)

// renameEdits proposes the hole's original text with one identifier
// (not a selected name) replaced by a name in scope at a small edit
// distance, or by a local variable of the same type.
func (c *holeCtx) renameEdits() {
	orig := c.h.Original
	repl := func(t rawTok, s string) string { return orig[:t.off] + s + orig[t.end:] }
	names := c.scopeNames()
	for _, t := range c.origTokens() {
		if t.tok != token.IDENT || t.prev == token.PERIOD || t.lit == "true" || t.lit == "false" {
			continue
		}
		for _, n := range names {
			if n == t.lit {
				continue
			}
			if d := editDistance(t.lit, n); d <= 1+len(t.lit)/4 {
				c.add(repl(t, n), -1.8-0.5*float64(d))
			}
		}
		for j, n := range c.sameTyped(t) {
			c.add(repl(t, n), -2.2-0.1*float64(j))
		}
	}
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
