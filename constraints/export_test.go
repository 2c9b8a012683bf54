package constraints

import (
	"context"

	"github.com/difgen/difgen/ast"
)

// VetInProcess runs the in-process vet alone on cv, which must
// type-check, for tests that compare it with go vet.
func VetInProcess(ctx context.Context, c *Checker, cv *ast.Canvas) []Finding {
	units := c.classify(cv)
	for i := range units {
		if units[i].kind != kindIgnored {
			units[i].ast = c.parse(units[i].file).file
		}
	}
	c.typesMu.Lock()
	tr := c.checkTypes(ctx, cv, units)
	c.typesMu.Unlock()
	if len(tr.findings) > 0 {
		return nil
	}
	return c.vetInProcess(cv, tr)
}
