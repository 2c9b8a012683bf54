package local

import (
	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// vetFixes proposes what the toolchain itself suggests: for each vet
// finding of the hole, the hole's original text with one of the
// analyzer's suggested fixes (analysis.SuggestedFix, as go vet -json
// reports them: printf's "%s" inserted before a non-constant format
// string, and others) applied, when every edit of the fix lies in the
// hole. Like any candidate, it is verified before refine takes it.
func (c *holeCtx) vetFixes() {
	for _, f := range c.h.Findings {
		if f.Category != diag.Vet {
			continue
		}
	fixes:
		for i, fx := range f.Fixes {
			var edits []ast.Edit
			for _, e := range fx.Edits {
				if e.File != c.h.File || e.Start < c.h.Start || e.End > c.h.End {
					continue fixes
				}
				edits = append(edits, ast.Edit{Start: e.Start - c.h.Start, End: e.End - c.h.Start, New: e.New})
			}
			if text, err := ast.Apply(c.h.Original, edits); err == nil && len(edits) > 0 {
				c.add(text, -float64(i)) // the analyzer's order
			}
		}
	}
}
