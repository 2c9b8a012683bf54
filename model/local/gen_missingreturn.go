package local

import (
	goast "go/ast"
	"go/types"
	"slices"
	"strings"
)

// missingReturn proposes a final return statement.
func (c *holeCtx) missingReturn() {
	if c.sig == nil {
		if c.info == nil && c.h.Original == "" {
			c.add("panic(\"unreachable\")", 0)
		}
		return
	}
	stmts := c.returnStmts()
	// Calls whose results are exactly the function's, as in
	// "return w.flush()": after the best two, for the tests to decide.
	if calls := c.returnCalls(c.vars(16), 6); len(calls) > 0 {
		at := min(2, len(stmts))
		stmts = slices.Concat(stmts[:at], calls, stmts[at:])
	}
	for i, s := range stmts {
		p := 8 - 0.5*float64(i)
		if c.h.Original == "" {
			c.add(s, p)
		} else if c.h.User {
			continue
		} else {
			c.add(strings.TrimRight(c.h.Original, " \t\n")+"\n"+s+"\n", p)
		}
	}
}

// returnCalls returns up to n statements "return f(args)": calls of the
// receiver's methods and of the package's functions whose results are
// identical to the enclosing function's, with arguments from vars. The
// enclosing function itself is left out: calling it would recurse.
func (c *holeCtx) returnCalls(vars []*types.Var, n int) []string {
	var self types.Object
	for _, nd := range c.path {
		if fd, ok := nd.(*goast.FuncDecl); ok {
			self = c.info.Defs[fd.Name]
			break
		}
	}
	fits := func(fn *types.Func) bool {
		sig, ok := fn.Type().(*types.Signature)
		if !ok || fn == self || sig.TypeParams().Len() > 0 {
			return false
		}
		a, b := sig.Results(), c.sig.Results()
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !types.Identical(a.At(i).Type(), b.At(i).Type()) {
				return false
			}
		}
		return true
	}
	var out []string
	try := func(name string, fn *types.Func) {
		if !fits(fn) {
			return
		}
		for _, args := range argLists(fn.Type().(*types.Signature), vars, 2) {
			if len(out) < n {
				out = append(out, "return "+name+"("+args+")")
			}
		}
	}
	if recv := c.sig.Recv(); recv != nil && recv.Name() != "" && recv.Name() != "_" {
		for _, m := range members(recv.Type(), c.pkg) {
			if fn, ok := m.(*types.Func); ok {
				try(recv.Name()+"."+fn.Name(), fn)
			}
		}
	}
	scope := c.pkg.Scope()
	for _, name := range scope.Names() {
		if fn, ok := scope.Lookup(name).(*types.Func); ok {
			try(name, fn)
		}
	}
	return out
}
