package local

import (
	goast "go/ast"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"github.com/difgen/difgen/diag"
)

// adaptEdits answers API drift: a value whose type no longer fits where
// it is used because a dependency changed the type it wants (x/exp's
// slices.SortFunc took a less function, then a three-way comparison).
// The value is kept and adapted by a small adapter built from the two
// types, never replaced:
//
//   - a less function func(a, b T) bool where func(a, b T) int is
//     wanted becomes a comparison that calls it (twice);
//   - a func(T…) where func(T…) error is wanted becomes a function that
//     calls it and returns nil (the reverse would drop an error, and is
//     not built);
//   - a func(T…) where func(T…) bool is wanted (a visitor that may now
//     stop the walk: x/exp/slog's Record.Attrs, sync.Map.Range,
//     ast.Inspect) becomes a function that calls it and returns true: the
//     walk goes on, as it did;
//   - an iterator iter.Seq[K] where []K is wanted is collected
//     (slices.Collect);
//   - an addressable T where *T is wanted has its address taken, and a
//     *T where T is wanted is dereferenced.
//
// Type parameters of a generic callee, whose inference the old value
// made fail, are bound from the value's own types.
func (c *holeCtx) adaptEdits() {
	for _, f := range c.findings(diag.IncompatibleAssign, diag.CannotInferTypeArgs) {
		if f.End <= f.Start {
			continue
		}
		c.inHole(func(n goast.Node) bool {
			e, ok := n.(goast.Expr)
			if !ok || c.tf.Offset(e.Pos()) != f.Start || c.tf.Offset(e.End()) != f.End {
				return true
			}
			have, want := valid(c.info.TypeOf(e)), c.expectedOf(e)
			if have == nil || want == nil {
				return false
			}
			u := unifier{free: c.calleeTypeParams(e), bound: map[*types.TypeParam]types.Type{}}
			for _, a := range c.adapters(e, have, want, u) {
				if t, ok := c.replaceNode(e, a.text); ok {
					c.add(t, a.key)
				}
			}
			return false
		})
	}
}

// An adapter is one adapted text of a value, with its key.
type adapter struct {
	text string
	key  float64
}

// adapters returns the adapters of e, a value of type have, to want.
func (c *holeCtx) adapters(e goast.Expr, have, want types.Type, u unifier) []adapter {
	var out []adapter
	x := c.text(e)
	if x == "" {
		return nil
	}
	if hs, ws := signatureOf(have), signatureOf(want); hs != nil && ws != nil && !hs.Variadic() && !ws.Variadic() && u.clone().params(ws.Params(), hs.Params()) {
		hr, wr := hs.Results(), ws.Results()
		switch {
		case isLess(hs) && wr.Len() == 1 && types.Identical(wr.At(0).Type(), types.Typ[types.Int]):
			if s := c.compareAdapter(e, x, hs); s != "" {
				out = append(out, adapter{s, 6})
			}
		case hr.Len() == 0 && wr.Len() == 1 && isError(wr.At(0).Type()):
			if s := c.resultAdapter(e, x, hs, "error", "nil"); s != "" {
				out = append(out, adapter{s, 6})
			}
		case hr.Len() == 0 && wr.Len() == 1 && types.Identical(wr.At(0).Type(), types.Typ[types.Bool]):
			if s := c.resultAdapter(e, x, hs, "bool", "true"); s != "" {
				out = append(out, adapter{s, 6})
			}
		}
	}
	if s, ok := under(want).(*types.Slice); ok {
		if k := seqElem(have); k != nil && u.clone().unify(s.Elem(), k) && c.stdName("slices") {
			out = append(out, adapter{"slices.Collect(" + x + ")", 6})
		}
	}
	if p, ok := under(want).(*types.Pointer); ok && u.clone().unify(p.Elem(), have) && c.addressable(e) {
		out = append(out, adapter{"&" + operand(e, x), 5})
	}
	if _, isPtr := under(want).(*types.Pointer); !isPtr {
		if p, ok := under(have).(*types.Pointer); ok && u.clone().unify(want, p.Elem()) {
			out = append(out, adapter{"*" + operand(e, x), 5})
		}
	}
	return out
}

// compareAdapter returns a three-way comparison of the type of hs's
// parameters built from the less function x (the text of e).
func (c *holeCtx) compareAdapter(e goast.Expr, x string, hs *types.Signature) string {
	t := types.TypeString(hs.Params().At(0).Type(), c.qual)
	avoid := c.avoidNames(e)
	var pre string
	if _, lit := goast.Unparen(e).(*goast.FuncLit); lit {
		// A literal is bound to a name once, not written out twice.
		name := fresh(avoid, "less", "lessFn", "lessFunc")
		avoid[name] = true
		pre, x = "\t"+name+" := "+x+"\n", name
	} else if !stable(e) {
		return "" // evaluated once at the call; the adapter would evaluate it at each comparison
	}
	a, b := freshPair(avoid)
	return "func(" + a + ", " + b + " " + t + ") int {\n" + pre +
		"\tif " + x + "(" + a + ", " + b + ") {\n\t\treturn -1\n\t}\n" +
		"\tif " + x + "(" + b + ", " + a + ") {\n\t\treturn 1\n\t}\n" +
		"\treturn 0\n}"
}

// resultAdapter returns a function that calls x (the text of e, of
// signature hs) and returns val of type res (a nil error, true). A
// literal gets the result itself: each of its returns returns val, and
// so does its end.
func (c *holeCtx) resultAdapter(e goast.Expr, x string, hs *types.Signature, res, val string) string {
	if lit, ok := goast.Unparen(e).(*goast.FuncLit); ok {
		if s := c.literalResult(lit, res, val); s != "" {
			return s
		}
	} else if !stable(e) {
		return ""
	}
	avoid := c.avoidNames(e)
	var params, args []string
	for i := range hs.Params().Len() {
		n := "x" + strconv.Itoa(i)
		if i < 3 {
			n = []string{"x", "y", "z"}[i]
		}
		n = fresh(avoid, n)
		avoid[n] = true
		params = append(params, n+" "+types.TypeString(hs.Params().At(i).Type(), c.qual))
		args = append(args, n)
	}
	// A literal is called where it stands: func(…) {…}(x).
	return "func(" + strings.Join(params, ", ") + ") " + res + " {\n\t" + x + "(" + strings.Join(args, ", ") + ")\n\treturn " + val + "\n}"
}

// literalResult returns the text of lit with the result res: every
// return of its own (not of a literal inside it) returns val, and val is
// returned at its end unless it ends in a return or a panic; "" when the
// literal's text is not in the hole.
func (c *holeCtx) literalResult(lit *goast.FuncLit, res, val string) string {
	base, ok := c.rel(lit.Pos())
	end, ok2 := c.rel(lit.End())
	if !ok || !ok2 || lit.Body == nil || lit.Type.Results != nil && len(lit.Type.Results.List) > 0 {
		return ""
	}
	src := c.h.Original[base:end]
	type ins struct {
		at   int
		text string
	}
	var edits []ins
	at, _ := c.rel(lit.Type.Params.End())
	edits = append(edits, ins{at - base, " " + res})
	goast.Inspect(lit.Body, func(n goast.Node) bool {
		switch n := n.(type) {
		case *goast.FuncLit:
			return false
		case *goast.ReturnStmt:
			if len(n.Results) == 0 {
				p, _ := c.rel(n.End())
				edits = append(edits, ins{p - base, " " + val})
			}
		}
		return true
	})
	terminated := false
	if k := len(lit.Body.List); k > 0 {
		switch last := lit.Body.List[k-1].(type) {
		case *goast.ReturnStmt:
			terminated = true
		case *goast.ExprStmt:
			if call, ok := last.X.(*goast.CallExpr); ok {
				if id, ok := call.Fun.(*goast.Ident); ok && id.Name == "panic" {
					terminated = true
				}
			}
		}
	}
	if !terminated {
		rb, _ := c.rel(lit.Body.Rbrace)
		rb -= base
		line := strings.LastIndexByte(src[:rb], '\n')
		if ind := src[line+1 : rb]; line >= 0 && strings.TrimSpace(ind) == "" {
			edits = append(edits, ins{line + 1, ind + "\treturn " + val + "\n"})
		} else {
			edits = append(edits, ins{rb, "; return " + val + " "})
		}
	}
	slices.SortStableFunc(edits, func(a, b ins) int { return b.at - a.at })
	for _, e := range edits {
		src = src[:e.at] + e.text + src[e.at:]
	}
	return src
}

// avoidNames returns the names an adapter of e must not declare: those in
// scope at the hole and those e mentions.
func (c *holeCtx) avoidNames(e goast.Expr) map[string]bool {
	avoid := map[string]bool{}
	for _, o := range c.objs {
		avoid[o.Name()] = true
	}
	goast.Inspect(e, func(n goast.Node) bool {
		if id, ok := n.(*goast.Ident); ok {
			avoid[id.Name] = true
		}
		return true
	})
	return avoid
}

// fresh returns the first of names not in avoid, or the first with a
// number appended.
func fresh(avoid map[string]bool, names ...string) string {
	for _, n := range names {
		if !avoid[n] {
			return n
		}
	}
	for i := 2; ; i++ {
		if n := names[0] + strconv.Itoa(i); !avoid[n] {
			return n
		}
	}
}

// freshPair returns two parameter names not in avoid: a and b, else x
// and y, p and q, or a and b numbered.
func freshPair(avoid map[string]bool) (string, string) {
	for _, p := range [][2]string{{"a", "b"}, {"x", "y"}, {"p", "q"}, {"l", "r"}} {
		if !avoid[p[0]] && !avoid[p[1]] {
			return p[0], p[1]
		}
	}
	for i := 1; ; i++ {
		a, b := "a"+strconv.Itoa(i), "b"+strconv.Itoa(i)
		if !avoid[a] && !avoid[b] {
			return a, b
		}
	}
}

// stable reports whether e names a value (a variable, or a field of
// one) that evaluating again does not change: an adapter may refer to
// it at each call.
func stable(e goast.Expr) bool {
	switch e := goast.Unparen(e).(type) {
	case *goast.Ident:
		return true
	case *goast.SelectorExpr:
		return stable(e.X)
	}
	return false
}

// operand returns x, the text of e, parenthesized unless e is an
// operand a prefix operator or a call binds to as is.
func operand(e goast.Expr, x string) string {
	switch goast.Unparen(e).(type) {
	case *goast.Ident, *goast.SelectorExpr, *goast.CallExpr, *goast.IndexExpr, *goast.ParenExpr, *goast.CompositeLit:
		return x
	}
	return "(" + x + ")"
}

// addressable reports whether &e is valid Go: a variable, a field or
// element of one, a pointer indirection or a composite literal.
func (c *holeCtx) addressable(e goast.Expr) bool {
	switch e := goast.Unparen(e).(type) {
	case *goast.Ident:
		_, ok := c.info.Uses[e].(*types.Var)
		return ok
	case *goast.SelectorExpr:
		sel := c.info.Selections[e]
		if sel == nil || sel.Kind() != types.FieldVal {
			return false
		}
		if _, ok := under(c.info.TypeOf(e.X)).(*types.Pointer); ok {
			return true
		}
		return c.addressable(e.X)
	case *goast.IndexExpr:
		switch t := under(c.info.TypeOf(e.X)).(type) {
		case *types.Slice:
			return true
		case *types.Array:
			return c.addressable(e.X)
		case *types.Pointer:
			_, ok := under(t.Elem()).(*types.Array)
			return ok
		}
	case *goast.StarExpr, *goast.CompositeLit:
		return true
	}
	return false
}

// stdName reports whether name, at the hole, refers to the standard
// package of that path, or to nothing (import fixing adds it).
func (c *holeCtx) stdName(name string) bool {
	for _, o := range c.objs {
		if o.Name() == name {
			pn, ok := o.(*types.PkgName)
			return ok && pn.Imported().Path() == name
		}
	}
	return true
}

// calleeTypeParams returns the type parameters of the generic function
// that e is an argument of: those its expected type may mention.
func (c *holeCtx) calleeTypeParams(e goast.Expr) map[*types.TypeParam]bool {
	cur, ok := c.slot.CursorOf(e)
	if !ok {
		return nil
	}
	for {
		if _, paren := cur.Parent().Node().(*goast.ParenExpr); !paren {
			break
		}
		cur = cur.Parent()
	}
	call, ok := cur.Parent().Node().(*goast.CallExpr)
	if !ok {
		return nil
	}
	sig, ok := under(c.info.TypeOf(call.Fun)).(*types.Signature)
	if !ok || sig.TypeParams().Len() == 0 {
		return nil
	}
	free := map[*types.TypeParam]bool{}
	for i := range sig.TypeParams().Len() {
		free[sig.TypeParams().At(i)] = true
	}
	return free
}

// signatureOf returns the signature under t, or nil.
func signatureOf(t types.Type) *types.Signature {
	s, _ := under(t).(*types.Signature)
	return s
}

// isLess reports whether s is func(a, b T) bool.
func isLess(s *types.Signature) bool {
	p, r := s.Params(), s.Results()
	return p.Len() == 2 && types.Identical(p.At(0).Type(), p.At(1).Type()) &&
		r.Len() == 1 && types.Identical(r.At(0).Type(), types.Typ[types.Bool])
}

// seqElem returns K when t is iter.Seq[K], else nil.
func seqElem(t types.Type) types.Type {
	n, ok := t.(*types.Named)
	if !ok || n.TypeArgs().Len() != 1 {
		return nil
	}
	o := n.Origin().Obj()
	if o.Pkg() == nil || o.Pkg().Path() != "iter" || o.Name() != "Seq" {
		return nil
	}
	return n.TypeArgs().At(0)
}

// A unifier matches a wanted type, which may mention the free type
// parameters of a generic callee, with a value's type, binding each free
// parameter to one type.
type unifier struct {
	free  map[*types.TypeParam]bool
	bound map[*types.TypeParam]types.Type
}

func (u unifier) clone() unifier {
	b := make(map[*types.TypeParam]types.Type, len(u.bound))
	for k, v := range u.bound {
		b[k] = v
	}
	return unifier{free: u.free, bound: b}
}

// params unifies two parameter lists, element by element.
func (u unifier) params(want, have *types.Tuple) bool {
	if want.Len() != have.Len() {
		return false
	}
	for i := range want.Len() {
		if !u.unify(want.At(i).Type(), have.At(i).Type()) {
			return false
		}
	}
	return true
}

// unify reports whether have is identical to want once want's free type
// parameters are bound.
func (u unifier) unify(want, have types.Type) bool {
	if tp, ok := want.(*types.TypeParam); ok && u.free[tp] {
		if b, ok := u.bound[tp]; ok {
			return types.Identical(b, have)
		}
		u.bound[tp] = have
		return true
	}
	switch w := want.(type) {
	case *types.Pointer:
		if h, ok := have.(*types.Pointer); ok {
			return u.unify(w.Elem(), h.Elem())
		}
	case *types.Slice:
		if h, ok := have.(*types.Slice); ok {
			return u.unify(w.Elem(), h.Elem())
		}
	case *types.Array:
		if h, ok := have.(*types.Array); ok {
			return w.Len() == h.Len() && u.unify(w.Elem(), h.Elem())
		}
	case *types.Map:
		if h, ok := have.(*types.Map); ok {
			return u.unify(w.Key(), h.Key()) && u.unify(w.Elem(), h.Elem())
		}
	case *types.Chan:
		if h, ok := have.(*types.Chan); ok {
			return w.Dir() == h.Dir() && u.unify(w.Elem(), h.Elem())
		}
	case *types.Signature:
		if h, ok := have.(*types.Signature); ok {
			return w.Variadic() == h.Variadic() && u.params(w.Params(), h.Params()) && u.params(w.Results(), h.Results())
		}
	case *types.Named:
		if h, ok := have.(*types.Named); ok && w.TypeArgs().Len() > 0 && w.Origin() == h.Origin() && w.TypeArgs().Len() == h.TypeArgs().Len() {
			for i := range w.TypeArgs().Len() {
				if !u.unify(w.TypeArgs().At(i), h.TypeArgs().At(i)) {
					return false
				}
			}
			return true
		}
	}
	return types.Identical(want, have)
}
