package ast

import (
	"bytes"
	goast "go/ast"
	"go/format"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
)

// maxScope bounds the number of names Describe lists in Hole.Scope.
const maxScope = 60

// Describe fills in the facts go/types knows about h, a hole of f (the
// syntax of h.File, whose text h's offsets index), given pkg and info from
// a type check of f's package:
//   - ExpectedType: the type a fill of an expression hole must be
//     assignable to, from its context (assignment target, declared variable,
//     call argument, return slot, condition, composite literal element,
//     operand, send, index, case value); empty when unknown;
//   - Scope: the names in scope at the hole, nearest first (local scopes
//     innermost first, most recently declared first; then imports; then
//     the package, sorted), at most 60, each as "name type" ("T type" for a
//     type name, "fmt package" for an import);
//   - Signature: the enclosing function's signature as written, such as
//     "func Index(s, sep string) int", or "func(x int) bool" for a literal.
//
// Packages other than pkg are qualified by name. A nil pkg or info leaves
// the facts that need them unset.
func Describe(h *Hole, fset *token.FileSet, f *goast.File, pkg *types.Package, info *types.Info) {
	tf := tokenFile(f, fset)
	if tf == nil || h == nil {
		return
	}
	start, end := clampSpan(h.Start, h.End, tf.Size())
	c, ok := declRoot(f, tf.Pos(start), tf.Pos(end)).FindByPos(tf.Pos(start), tf.Pos(end))
	if !ok {
		return
	}
	qual := func(p *types.Package) string {
		if p == pkg {
			return ""
		}
		return p.Name()
	}
	for fn := range c.Enclosing((*goast.FuncDecl)(nil), (*goast.FuncLit)(nil)) {
		h.Signature = signatureText(fset, fn.Node())
		break
	}
	if info != nil && (h.Kind == Expr || h.Kind == Ident) {
		if _, isExpr := c.Node().(goast.Expr); isExpr {
			if t := expectedType(c, info); t != nil {
				if b, ok := t.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
					t = types.Default(t)
				}
				if t != types.Typ[types.Invalid] {
					h.ExpectedType = types.TypeString(t, qual)
				}
			}
		}
	}
	if pkg != nil {
		h.Scope = scopeAt(pkg, tf.Pos(start), qual)
	}
}

// signatureText prints the signature of a FuncDecl or FuncLit.
func signatureText(fset *token.FileSet, n goast.Node) string {
	var node goast.Node
	switch n := n.(type) {
	case *goast.FuncDecl:
		node = &goast.FuncDecl{Recv: n.Recv, Name: n.Name, Type: n.Type}
	case *goast.FuncLit:
		node = n.Type
	default:
		return ""
	}
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, node); err != nil {
		return ""
	}
	return buf.String()
}

// expectedType returns the type the expression at c must have in its
// context, or nil.
func expectedType(c inspector.Cursor, info *types.Info) types.Type {
	for {
		if _, ok := c.Parent().Node().(*goast.ParenExpr); !ok {
			break
		}
		c = c.Parent()
	}
	k, idx := c.ParentEdge()
	p := c.Parent()
	switch k {
	case edge.AssignStmt_Rhs:
		a := p.Node().(*goast.AssignStmt)
		if len(a.Lhs) != len(a.Rhs) || a.Tok == token.SHL_ASSIGN || a.Tok == token.SHR_ASSIGN {
			return nil
		}
		if a.Tok == token.DEFINE {
			// Only a redeclared variable has a type before the fill.
			if id, ok := a.Lhs[idx].(*goast.Ident); ok && info.Defs[id] == nil {
				if obj := info.Uses[id]; obj != nil {
					return obj.Type()
				}
			}
			return nil
		}
		return info.TypeOf(a.Lhs[idx])
	case edge.ValueSpec_Values:
		if vs := p.Node().(*goast.ValueSpec); vs.Type != nil {
			return info.TypeOf(vs.Type)
		}
	case edge.CallExpr_Args:
		call := p.Node().(*goast.CallExpr)
		if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
			return nil // a conversion takes any convertible value
		}
		sig, ok := under(info.TypeOf(call.Fun)).(*types.Signature)
		if !ok {
			return nil
		}
		params := sig.Params()
		n := params.Len()
		if sig.Variadic() && idx >= n-1 {
			t := params.At(n - 1).Type()
			if call.Ellipsis.IsValid() {
				return t
			}
			if s, ok := t.(*types.Slice); ok {
				return s.Elem()
			}
			return nil
		}
		if idx < n {
			return params.At(idx).Type()
		}
	case edge.ReturnStmt_Results:
		ret := p.Node().(*goast.ReturnStmt)
		for fn := range p.Enclosing((*goast.FuncDecl)(nil), (*goast.FuncLit)(nil)) {
			var sig *types.Signature
			switch fn := fn.Node().(type) {
			case *goast.FuncDecl:
				if obj := info.Defs[fn.Name]; obj != nil {
					sig, _ = obj.Type().(*types.Signature)
				}
			case *goast.FuncLit:
				sig, _ = info.TypeOf(fn).(*types.Signature)
			}
			if sig != nil && sig.Results().Len() == len(ret.Results) {
				return sig.Results().At(idx).Type()
			}
			return nil
		}
	case edge.IfStmt_Cond, edge.ForStmt_Cond:
		return types.Typ[types.Bool]
	case edge.UnaryExpr_X:
		if p.Node().(*goast.UnaryExpr).Op == token.NOT {
			return types.Typ[types.Bool]
		}
	case edge.BinaryExpr_X, edge.BinaryExpr_Y:
		b := p.Node().(*goast.BinaryExpr)
		switch b.Op {
		case token.LAND, token.LOR:
			return types.Typ[types.Bool]
		case token.SHL, token.SHR:
			return nil
		}
		other := b.Y
		if k == edge.BinaryExpr_Y {
			other = b.X
		}
		return info.TypeOf(other)
	case edge.KeyValueExpr_Key, edge.KeyValueExpr_Value:
		kv := p.Node().(*goast.KeyValueExpr)
		lit, ok := p.Parent().Node().(*goast.CompositeLit)
		if !ok {
			return nil
		}
		switch t := litType(info, lit).(type) {
		case *types.Struct:
			if id, ok := kv.Key.(*goast.Ident); ok && k == edge.KeyValueExpr_Value {
				for i := range t.NumFields() {
					if t.Field(i).Name() == id.Name {
						return t.Field(i).Type()
					}
				}
			}
		case *types.Map:
			if k == edge.KeyValueExpr_Key {
				return t.Key()
			}
			return t.Elem()
		case *types.Slice:
			if k == edge.KeyValueExpr_Value {
				return t.Elem()
			}
			return types.Typ[types.Int]
		case *types.Array:
			if k == edge.KeyValueExpr_Value {
				return t.Elem()
			}
			return types.Typ[types.Int]
		}
	case edge.CompositeLit_Elts:
		switch t := litType(info, p.Node().(*goast.CompositeLit)).(type) {
		case *types.Struct:
			if idx < t.NumFields() {
				return t.Field(idx).Type()
			}
		case *types.Slice:
			return t.Elem()
		case *types.Array:
			return t.Elem()
		}
	case edge.SendStmt_Value:
		if ch, ok := under(info.TypeOf(p.Node().(*goast.SendStmt).Chan)).(*types.Chan); ok {
			return ch.Elem()
		}
	case edge.IndexExpr_Index:
		switch t := under(info.TypeOf(p.Node().(*goast.IndexExpr).X)).(type) {
		case *types.Map:
			return t.Key()
		case *types.Slice, *types.Array, *types.Basic:
			return types.Typ[types.Int]
		case *types.Pointer:
			if _, ok := t.Elem().Underlying().(*types.Array); ok {
				return types.Typ[types.Int]
			}
		}
	case edge.CaseClause_List:
		if sw, ok := p.Parent().Parent().Node().(*goast.SwitchStmt); ok {
			if sw.Tag == nil {
				return types.Typ[types.Bool]
			}
			return info.TypeOf(sw.Tag)
		}
	}
	return nil
}

// under returns t's underlying type, or nil.
func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

// litType returns the underlying type of a composite literal, through a
// pointer for an elided &T{…}.
func litType(info *types.Info, lit *goast.CompositeLit) types.Type {
	t := under(info.TypeOf(lit))
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem().Underlying()
	}
	return t
}

// scopeAt lists the names in scope at pos, nearest first.
func scopeAt(pkg *types.Package, pos token.Pos, qual types.Qualifier) []string {
	seen := make(map[string]bool)
	var out []string
	for s := pkg.Scope().Innermost(pos); s != nil && s != types.Universe; s = s.Parent() {
		local := s != pkg.Scope() && s.Parent() != pkg.Scope()
		var objs []types.Object
		for _, name := range s.Names() {
			obj := s.Lookup(name)
			if local && obj.Pos() >= pos {
				continue // declared after the hole
			}
			objs = append(objs, obj)
		}
		if local {
			slices.SortStableFunc(objs, func(a, b types.Object) int { return int(b.Pos()) - int(a.Pos()) })
		}
		for _, obj := range objs {
			name := obj.Name()
			if seen[name] || name == "_" || strings.HasPrefix(name, "__") {
				continue
			}
			seen[name] = true
			out = append(out, objectText(obj, qual))
			if len(out) == maxScope {
				return out
			}
		}
	}
	return out
}

// objectText formats obj as "name type".
func objectText(obj types.Object, qual types.Qualifier) string {
	switch obj := obj.(type) {
	case *types.TypeName:
		return obj.Name() + " type"
	case *types.PkgName:
		return obj.Name() + " package"
	}
	return obj.Name() + " " + types.TypeString(obj.Type(), qual)
}
