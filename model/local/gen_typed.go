package local

import (
	goast "go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// exprCandidates proposes identifiers, selectors, calls, literals, zero
// values and conversions, kept only when they fit the expected type.
func (c *holeCtx) exprCandidates() {
	if c.pkg == nil {
		for _, lit := range []string{"nil", "0", `""`, "true", "false", "1"} {
			c.add(lit, -2.5)
		}
		return
	}
	if c.selectorMembers() {
		return
	}
	exp := c.expected
	add := func(text string, t types.Type, prior float64) {
		if exp != nil && !assignable(t, exp) {
			return
		}
		if exp != nil && t == nil {
			prior -= 1
		}
		c.add(text, prior)
	}
	switch {
	case c.noLiterals:
	case exp != nil:
		c.add(ast.ZeroValue(exp, c.qual), -0.8)
		if b, ok := under(exp).(*types.Basic); ok {
			switch {
			case b.Info()&types.IsInteger != 0:
				c.add("1", -1.2)
				c.add("-1", -2)
			case b.Info()&types.IsBoolean != 0:
				c.add("true", -0.8)
			}
		}
	default:
		for _, lit := range []string{"nil", "0", `""`, "true", "false", "1"} {
			c.add(lit, -2.5)
		}
	}
	vars := c.vars(12)
	tested := c.testedVars()
	for rank, obj := range c.objs {
		p := -0.5 - 0.08*float64(min(rank, 40))
		name := obj.Name()
		switch o := obj.(type) {
		case *types.Var:
			if tested[o] {
				p += 1 // if errRead == io.EOF { return nil, errRead }
			}
			add(name, o.Type(), p)
			c.memberCands(name, o.Type(), p-0.7, vars, add)
			if sig, ok := under(o.Type()).(*types.Signature); ok && sig.Params().Len() == 0 && resultType(sig) != nil {
				add(name+"()", resultType(sig), p-0.6) // var now = time.Now
				c.resultMembers(name, sig, p-1.2, vars, add)
			}
			if exp != nil && !assignable(o.Type(), exp) && types.ConvertibleTo(o.Type(), exp) && isBasic(exp) && isBasic(o.Type()) {
				add(types.TypeString(exp, c.qual)+"("+name+")", exp, p-1.2)
			}
			if exp != nil && isInt(exp) {
				switch under(o.Type()).(type) {
				case *types.Slice, *types.Map, *types.Chan, *types.Array:
					add("len("+name+")", types.Typ[types.Int], p-0.6)
				case *types.Basic:
					if isString(o.Type()) {
						add("len("+name+")", types.Typ[types.Int], p-0.6)
					}
				}
			}
		case *types.Const:
			add(name, o.Type(), p)
		case *types.Func:
			c.callCands(name, o, p-0.4, vars, add)
			c.resultMembers(name, o.Type(), p-1.2, vars, add)
		case *types.PkgName:
			c.pkgMembers(o.Imported(), o.Name(), p-1.5, vars, add)
		}
	}
	// Standard-library packages the file does not import, when the hole's
	// text or instruction names them.
	for _, name := range c.mentionedStd() {
		if c.lookupPkgName(name) != nil {
			continue
		}
		if pkg := c.rs.stdPackage(c.ctx, stdPackages[name]); pkg != nil {
			c.pkgMembers(pkg, name, -1.5, vars, add)
		}
	}
}

func isBasic(t types.Type) bool { _, ok := under(t).(*types.Basic); return ok }

func isInt(t types.Type) bool {
	b, ok := under(t).(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

func isString(t types.Type) bool {
	b, ok := under(t).(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

func isError(t types.Type) bool {
	return t != nil && types.Identical(t, types.Universe.Lookup("error").Type())
}

// testedVars returns the variables that the conditions of the if
// statements around the hole test, when the hole is in their then-branch:
// there the value just tested is the one most often used.
func (c *holeCtx) testedVars() map[*types.Var]bool {
	out := map[*types.Var]bool{}
	for i, n := range c.path {
		ifs, ok := n.(*goast.IfStmt)
		if !ok || i == 0 || c.path[i-1] != goast.Node(ifs.Body) {
			continue
		}
		goast.Inspect(ifs.Cond, func(n goast.Node) bool {
			if id, ok := n.(*goast.Ident); ok {
				if v, ok := c.info.Uses[id].(*types.Var); ok {
					out[v] = true
				}
			}
			return true
		})
	}
	return out
}

// vars returns up to n variables in scope, nearest first.
func (c *holeCtx) vars(n int) []*types.Var {
	var out []*types.Var
	for _, o := range c.objs {
		if v, ok := o.(*types.Var); ok && len(out) < n {
			out = append(out, v)
		}
	}
	return out
}

// args returns argument lists for sig filled from vars, at most limit.
func argLists(sig *types.Signature, vars []*types.Var, limit int) []string {
	params := sig.Params()
	if params.Len() == 0 {
		return []string{""}
	}
	if params.Len() > 2 || sig.Variadic() && params.Len() > 1 {
		return nil
	}
	fits := func(t types.Type) []string {
		var names []string
		for _, v := range vars {
			if _, ok := t.(*types.TypeParam); ok || types.AssignableTo(v.Type(), t) {
				names = append(names, v.Name())
				if len(names) == 3 {
					break
				}
			}
		}
		return names
	}
	a := fits(params.At(0).Type())
	if sig.Variadic() {
		a = fits(params.At(0).Type().(*types.Slice).Elem())
	}
	if params.Len() == 1 {
		return a[:min(len(a), limit)]
	}
	b := fits(params.At(1).Type())
	var out []string
	for _, x := range a {
		for _, y := range b {
			if x != y && len(out) < limit {
				out = append(out, x+", "+y)
			}
		}
	}
	return out
}

// resultType returns the single result type of sig, or nil.
func resultType(sig *types.Signature) types.Type {
	if sig.Results().Len() != 1 {
		return nil
	}
	return sig.Results().At(0).Type()
}

// callCands proposes calls of fn named name.
func (c *holeCtx) callCands(name string, fn *types.Func, p float64, vars []*types.Var, add func(string, types.Type, float64)) {
	sig, ok := fn.Type().(*types.Signature)
	if !ok {
		return
	}
	rt := resultType(sig)
	if rt == nil {
		return
	}
	if sig.TypeParams().Len() > 0 {
		rt = nil // unknown until instantiated
	}
	for i, args := range argLists(sig, vars, 4) {
		add(name+"("+args+")", rt, p-0.2*float64(i))
	}
}

// resultMembers proposes the fields and methods of the result of calling
// name, a function of type t with no parameters and one result that is
// not a basic type or error (timeNow().UnixNano()).
func (c *holeCtx) resultMembers(name string, t types.Type, p float64, vars []*types.Var, add func(string, types.Type, float64)) {
	sig, ok := under(t).(*types.Signature)
	if !ok || sig.Params().Len() != 0 || sig.TypeParams().Len() > 0 {
		return
	}
	rt := resultType(sig)
	if rt == nil || isBasic(rt) || isError(rt) {
		return
	}
	c.memberCands(name+"()", rt, p, vars, add)
}

// memberCands proposes fields and methods of x, a variable of type t.
func (c *holeCtx) memberCands(x string, t types.Type, p float64, vars []*types.Var, add func(string, types.Type, float64)) {
	for _, m := range members(t, c.pkg) {
		switch m := m.(type) {
		case *types.Var:
			add(x+"."+m.Name(), m.Type(), p)
		case *types.Func:
			c.callCands(x+"."+m.Name(), m, p-0.2, vars, add)
		}
	}
}

// pkgMembers proposes the exported constants, variables and calls of pkg,
// imported under name.
func (c *holeCtx) pkgMembers(pkg *types.Package, name string, p float64, vars []*types.Var, add func(string, types.Type, float64)) {
	if pkg == nil {
		return
	}
	s := pkg.Scope()
	for _, n := range s.Names() {
		o := s.Lookup(n)
		if !o.Exported() {
			continue
		}
		switch o := o.(type) {
		case *types.Const, *types.Var:
			add(name+"."+n, o.Type(), p)
		case *types.Func:
			c.callCands(name+"."+n, o, p-0.2, vars, add)
		}
	}
}

// mentionedStd returns the standard-library package names that the
// hole's text, instruction or undefined qualified names mention as
// name.X, sorted.
func (c *holeCtx) mentionedStd() []string {
	text := c.h.Original + " " + c.h.Instruction
	for _, f := range c.findings(diag.UndeclaredImportedName) {
		text += " " + c.qualifier(f.Start) + "." + c.subject(f)
	}
	var out []string
	for name := range stdPackages {
		if strings.Contains(text, name+".") || c.h.Instruction != "" && containsWord(c.h.Instruction, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func containsWord(s, w string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !isIdentRune(r) }) {
		if f == w {
			return true
		}
	}
	return false
}

// selectorMembers proposes, for an identifier hole that is the selected
// name of x.Sel, the names x offers: a package's exported members or a
// type's fields and methods. It reports whether the hole is such a name.
func (c *holeCtx) selectorMembers() bool {
	id, ok := c.node.(*goast.Ident)
	if !ok || len(c.path) < 2 {
		return false
	}
	sel, ok := c.path[1].(*goast.SelectorExpr)
	if !ok || sel.Sel != id {
		return false
	}
	var names []string
	if x, ok := sel.X.(*goast.Ident); ok {
		if pn, ok := c.info.Uses[x].(*types.PkgName); ok {
			for _, n := range pn.Imported().Scope().Names() {
				if token.IsExported(n) {
					names = append(names, n)
				}
			}
		}
	}
	if names == nil {
		for _, o := range members(valid(c.info.TypeOf(sel.X)), c.pkg) {
			names = append(names, o.Name())
		}
	}
	for _, n := range names {
		if c.predicting() {
			c.add(n, -1) // the token model decides
			continue
		}
		d := editDistance(strings.ToLower(id.Name), strings.ToLower(n))
		c.add(n, -1-0.3*float64(min(d, 10)))
	}
	return true
}
