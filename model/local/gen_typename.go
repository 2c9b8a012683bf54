package local

import "go/types"

// typeNames proposes the type names in scope and the predeclared types.
func (c *holeCtx) typeNames() {
	for rank, obj := range c.objs {
		p := -0.5 - 0.08*float64(min(rank, 40))
		switch o := obj.(type) {
		case *types.TypeName:
			c.add(o.Name(), p)
		case *types.PkgName:
			s := o.Imported().Scope()
			for _, n := range s.Names() {
				if tn, ok := s.Lookup(n).(*types.TypeName); ok && tn.Exported() {
					c.add(o.Name()+"."+n, p-1.5)
				}
			}
		}
	}
	for _, n := range types.Universe.Names() {
		if _, ok := types.Universe.Lookup(n).(*types.TypeName); ok {
			c.add(n, -1.5)
		}
	}
}
