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

// A SlotRole is what the syntax at a hole does.
type SlotRole int

const (
	RoleValue SlotRole = iota // an expression (or unknown)
	RoleType                  // a type
	RoleDecl                  // a name being declared
)

// A Slot is what go/types knows about a hole: computed once per hole by
// [Describe] and shared, by reference, with every denoiser (remote
// prompts print it with String; the local denoiser reads its types).
// Its positions are those of the type-checked file it was computed from.
type Slot struct {
	// Role says what the hole's syntax does: a value, a type or a name
	// being declared.
	Role SlotRole
	// Expected is the type a fill of an expression hole must be
	// assignable to, from its context (assignment target, declared
	// variable, call argument, return slot, condition, composite literal
	// element, operand, send, index, case value); nil when unknown.
	// Untyped constants' types are defaulted (int, not untyped int).
	Expected types.Type
	// Scope holds the objects in scope at the hole, nearest first: local
	// scopes innermost first (most recently declared first, never one
	// declared after the hole), then the file's imports, then the
	// package's members, sorted by name.
	Scope []types.Object
	// Signature is the type of the function around the hole, and Func its
	// signature as written ("func Index(s, sep string) int", or
	// "func(x int) bool" for a literal); nil and "" outside functions.
	Signature *types.Signature
	Func      string
	// Cursor is the innermost node that encloses the hole, and Node the
	// node that spans it exactly (nil when none does).
	Cursor inspector.Cursor
	Node   goast.Node

	Pkg  *types.Package
	Info *types.Info
	Fset *token.FileSet
	File *goast.File
	Tok  *token.File // of File
}

// maxSlotScope bounds the names String lists.
const maxSlotScope = 40

// Describe returns the slot of h, a hole of f (the syntax of h.File,
// whose text h's offsets index), given pkg and info from a type check of
// f's package; nil when f is nil or does not cover h. A nil pkg or info
// leaves the facts that need them unset.
func Describe(h *Hole, fset *token.FileSet, f *goast.File, pkg *types.Package, info *types.Info) *Slot {
	tf := tokenFile(f, fset)
	if tf == nil || h == nil || h.Start < 0 || h.End < h.Start || h.End > tf.Size() {
		return nil
	}
	pos, end := tf.Pos(h.Start), tf.Pos(h.End)
	c, ok := declRoot(f, pos, end).FindByPos(pos, end)
	if !ok {
		return nil
	}
	s := &Slot{Cursor: c, Pkg: pkg, Info: info, Fset: fset, File: f, Tok: tf}
	if n := c.Node(); n.Pos() == pos && n.End() == end {
		s.Node = n
	}
	for fn := range c.Enclosing((*goast.FuncDecl)(nil), (*goast.FuncLit)(nil)) {
		s.Func = signatureText(fset, fn.Node())
		if info != nil {
			s.Signature = funcSignature(fn.Node(), info)
		}
		break
	}
	if info != nil {
		s.Role = role(c, s.Node, info)
		if _, isExpr := s.Node.(goast.Expr); isExpr {
			s.Expected = ExpectedType(c, info)
		}
	}
	if pkg != nil {
		s.Scope = scopeAt(pkg, pos)
	}
	return s
}

// qual qualifies packages other than the slot's by name.
func (s *Slot) qual(p *types.Package) string {
	if p == s.Pkg {
		return ""
	}
	return p.Name()
}

// ExpectedString returns the expected type as Go source relative to the
// slot's package, or "" when it is unknown.
func (s *Slot) ExpectedString() string {
	if s == nil || s.Expected == nil {
		return ""
	}
	return types.TypeString(s.Expected, s.qual)
}

// ScopeStrings returns the names in scope, nearest first, each as
// "name type" ("T type" for a type name, "fmt package" for an import).
func (s *Slot) ScopeStrings() []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s.Scope))
	for i, obj := range s.Scope {
		out[i] = objectText(obj, s.qual)
	}
	return out
}

// String renders the slot's facts for a prompt, one per line: the
// expected type, the enclosing function and (at most 40 of) the names in
// scope; facts that are unknown are left out.
func (s *Slot) String() string {
	if s == nil {
		return ""
	}
	var lines []string
	if t := s.ExpectedString(); t != "" {
		lines = append(lines, "expected type: "+t)
	}
	if s.Func != "" {
		lines = append(lines, "enclosing function: "+s.Func)
	}
	if sc := s.ScopeStrings(); len(sc) > 0 {
		lines = append(lines, "in scope: "+strings.Join(sc[:min(len(sc), maxSlotScope)], ", "))
	}
	return strings.Join(lines, "\n")
}

// Path returns the nodes from the slot's cursor up to its declaration,
// innermost first.
func (s *Slot) Path() []goast.Node {
	var path []goast.Node
	for c := range s.Cursor.Enclosing() {
		if _, isFile := c.Node().(*goast.File); isFile {
			break
		}
		path = append(path, c.Node())
	}
	return path
}

// CursorOf returns the cursor of n, a node of the slot's declaration.
func (s *Slot) CursorOf(n goast.Node) (inspector.Cursor, bool) {
	return s.Cursor.Inspector().Root().FindNode(n)
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

// funcSignature returns the type of a FuncDecl or FuncLit, or nil.
func funcSignature(n goast.Node, info *types.Info) *types.Signature {
	switch fn := n.(type) {
	case *goast.FuncDecl:
		if obj := info.Defs[fn.Name]; obj != nil {
			sig, _ := obj.Type().(*types.Signature)
			return sig
		}
	case *goast.FuncLit:
		sig, _ := info.TypeOf(fn).(*types.Signature)
		return sig
	}
	return nil
}

// role returns what node, the identifier spanning a hole exactly (c is
// its cursor), stands for: a name being declared, a type, or a value.
func role(c inspector.Cursor, node goast.Node, info *types.Info) SlotRole {
	id, ok := node.(*goast.Ident)
	if !ok {
		return RoleValue
	}
	if info.Defs[id] != nil {
		return RoleDecl
	}
	switch p := c.Parent().Node().(type) {
	case *goast.SelectorExpr:
		return RoleValue // a member: the selector's X decides
	case *goast.Field:
		if slices.Contains(p.Names, id) {
			return RoleDecl
		}
	case *goast.FuncDecl:
		if p.Name == id {
			return RoleDecl
		}
	case *goast.TypeSpec:
		if p.Name == id {
			return RoleDecl
		}
	case *goast.LabeledStmt:
		if p.Label == id {
			return RoleDecl
		}
	}
	if typePosition(c) {
		return RoleType
	}
	return RoleValue
}

// typePosition reports whether the expression at c stands where Go's
// syntax wants a type.
func typePosition(c inspector.Cursor) bool {
	e := c.Node()
	switch p := c.Parent().Node().(type) {
	case *goast.Field:
		return p.Type == e
	case *goast.ValueSpec:
		return p.Type == e
	case *goast.TypeSpec:
		return p.Type == e
	case *goast.ArrayType:
		return p.Elt == e
	case *goast.MapType, *goast.ChanType, *goast.Ellipsis:
		return true
	case *goast.CompositeLit:
		return p.Type == e
	case *goast.TypeAssertExpr:
		return p.Type == e
	case *goast.StarExpr, *goast.ParenExpr:
		return typePosition(c.Parent())
	case *goast.SelectorExpr:
		return p.Sel == e && typePosition(c.Parent())
	case *goast.IndexExpr, *goast.IndexListExpr:
		return typePosition(c.Parent())
	}
	return false
}

// ExpectedType returns the type the expression at c must have in its
// context, or nil; untyped constant types are defaulted, an untyped nil
// or an invalid type is nil. An operand of an arithmetic operator whose
// other operand is an untyped constant takes the type the whole
// expression must have (x / 1000).
func ExpectedType(c inspector.Cursor, info *types.Info) types.Type {
	t := expectedType(c, info)
	if b, ok := t.(*types.Basic); ok {
		switch {
		case b.Kind() == types.Invalid || b.Kind() == types.UntypedNil:
			return nil
		case b.Info()&types.IsUntyped != 0:
			return types.Default(t)
		}
	}
	return t
}

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
		var t types.Type
		switch {
		case sig.Variadic() && idx >= n-1:
			t = params.At(n - 1).Type()
			if !call.Ellipsis.IsValid() {
				s, ok := t.(*types.Slice)
				if !ok {
					return nil
				}
				t = s.Elem()
			}
		case idx < n:
			t = params.At(idx).Type()
		}
		if _, ok := t.(*types.TypeParam); ok {
			return nil // known only once instantiated
		}
		return t
	case edge.ReturnStmt_Results:
		ret := p.Node().(*goast.ReturnStmt)
		for fn := range p.Enclosing((*goast.FuncDecl)(nil), (*goast.FuncLit)(nil)) {
			if sig := funcSignature(fn.Node(), info); sig != nil && sig.Results().Len() == len(ret.Results) {
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
		t := info.TypeOf(other)
		if bt, ok := t.(*types.Basic); t == nil || ok && bt.Info()&types.IsUntyped != 0 {
			switch b.Op {
			case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.AND, token.OR, token.XOR, token.AND_NOT:
				// x / 1000: x has the type the expression must have.
				if up := expectedType(p, info); up != nil {
					return up
				}
			}
		}
		return t
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

// scopeAt lists the objects in scope at pos, nearest first.
func scopeAt(pkg *types.Package, pos token.Pos) []types.Object {
	seen := make(map[string]bool)
	var out []types.Object
	s := pkg.Scope().Innermost(pos)
	if s == nil {
		s = pkg.Scope()
	}
	for ; s != nil && s != types.Universe; s = s.Parent() {
		local := s != pkg.Scope() && s.Parent() != pkg.Scope()
		var objs []types.Object
		for _, name := range s.Names() {
			obj := s.Lookup(name)
			if local && obj.Pos() >= pos {
				continue // declared after the hole (or inside it)
			}
			if seen[name] || name == "_" || strings.HasPrefix(name, "__") {
				continue
			}
			objs = append(objs, obj)
		}
		if local {
			slices.SortStableFunc(objs, func(a, b types.Object) int { return int(b.Pos()) - int(a.Pos()) })
		}
		for _, obj := range objs {
			seen[obj.Name()] = true
		}
		out = append(out, objs...)
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

// ZeroValue returns the zero value of t as Go source.
func ZeroValue(t types.Type, q types.Qualifier) string {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return "false"
		case u.Info()&types.IsString != 0:
			return `""`
		case u.Info()&types.IsNumeric != 0:
			return "0"
		case u.Kind() == types.UnsafePointer || u.Kind() == types.UntypedNil:
			return "nil"
		}
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return "nil"
	case *types.Struct, *types.Array:
		return types.TypeString(t, q) + "{}"
	}
	return "*new(" + types.TypeString(t, q) + ")"
}
