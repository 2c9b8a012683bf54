package local

import (
	goast "go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/difgen/difgen/diag"
)

// nearMiss proposes, for each undefined name the hole answers, the names
// in reach at a small edit distance: scope names for x, the package's
// exported names for pkg.X, the type's fields and methods for x.F. The
// names come from the findings' spans.
func (c *holeCtx) nearMiss() {
	if c.h.Original == "" {
		return
	}
	for _, f := range c.findings(diag.UndeclaredName, diag.UndeclaredImportedName) {
		name := c.subject(f)
		if name == "" {
			continue
		}
		if f.Code == diag.UndeclaredImportedName {
			pkgName, sel := c.qualifier(f.Start), name
			var pkg *types.Package
			if pn := c.lookupPkgName(pkgName); pn != nil {
				pkg = pn.Imported()
			} else if path, ok := stdPackages[pkgName]; ok {
				pkg = c.rs.stdPackage(c.ctx, path)
			}
			if pkg == nil {
				continue
			}
			var names []string
			for _, n := range pkg.Scope().Names() {
				if token.IsExported(n) {
					names = append(names, n)
				}
			}
			c.replaceNear(sel, names, true, 6)
			continue
		}
		if _, ok := stdPackages[name]; ok {
			continue // a missing import: goimports adds it
		}
		var names []string
		for _, o := range c.objs {
			names = append(names, o.Name())
		}
		names = append(names, "len", "cap", "append", "make", "new", "copy", "delete", "panic", "print", "println", "min", "max", "clear", "close",
			"true", "false", "nil", "string", "int", "int64", "float64", "byte", "rune", "error", "bool", "any")
		c.replaceNear(name, names, false, 6)
	}
	for _, f := range c.findings(diag.MissingFieldOrMethod) {
		sel := c.subject(f)
		if sel == "" {
			continue
		}
		var names []string
		for _, o := range members(c.selectorType(sel), c.pkg) {
			names = append(names, o.Name())
			// go/types's hint: "but does have field foo".
			if o.Name() != sel && strings.EqualFold(o.Name(), sel) {
				if t := replaceIdent(c.h.Original, sel, o.Name(), true); t != "" {
					c.add(t, 7.5)
				}
			}
		}
		c.replaceNear(sel, names, true, 6)
	}
}

// selectorType returns the type of x in the selector x.sel at or around
// the hole.
func (c *holeCtx) selectorType(sel string) types.Type {
	if c.file == nil {
		return nil
	}
	var t types.Type
	var best token.Pos = -1
	goast.Inspect(c.file, func(n goast.Node) bool {
		if n == nil || n.End() < c.pos || n.Pos() > c.end {
			return false
		}
		if s, ok := n.(*goast.SelectorExpr); ok && s.Sel.Name == sel {
			// Prefer the selector inside the hole, else the innermost one
			// around it.
			if s.Pos() >= c.pos && s.End() <= c.end || best < 0 || s.Pos() > best {
				if xt := valid(c.info.TypeOf(s.X)); xt != nil {
					t, best = xt, s.Pos()
				}
			}
		}
		return true
	})
	return t
}

// replaceNear proposes the Original with wrong replaced by each of names
// within a small edit distance.
func (c *holeCtx) replaceNear(wrong string, names []string, afterDot bool, base float64) {
	limit := 1 + len(wrong)/4
	limit = min(limit, 3)
	seen := map[string]bool{}
	for _, n := range names {
		if n == wrong || seen[n] || n == "_" || n == "__" || wrong == "__" {
			continue
		}
		seen[n] = true
		d := float64(editDistance(wrong, n))
		if strings.EqualFold(wrong, n) {
			d = 0.5
		}
		if d > float64(limit) {
			continue
		}
		if t := replaceIdent(c.h.Original, wrong, n, afterDot); t != "" {
			c.add(t, base-1.5*d)
		}
	}
}

// replaceIdent returns src with each identifier token old (only those
// after a dot when afterDot) replaced by new, or "" when there is none.
func replaceIdent(src, old, new string, afterDot bool) string {
	if src == old {
		return new
	}
	var sb strings.Builder
	last, found := 0, false
	for _, t := range scanTokens(src) {
		if t.tok == token.IDENT && t.lit == old && (!afterDot || t.prev == token.PERIOD) {
			sb.WriteString(src[last:t.off])
			sb.WriteString(new)
			last, found = t.end, true
		}
	}
	if !found {
		return ""
	}
	sb.WriteString(src[last:])
	return sb.String()
}
