package local

import (
	"cmp"
	goast "go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// repairs proposes the statement-level fixes that the hole's findings
// call for: unused variables, := and =, the number of return values, a
// missing return, a value of the wrong type and a deleted declaration.
func (c *holeCtx) repairs() {
	if c.info == nil {
		if c.has(diag.MissingReturn) {
			c.missingReturn()
		}
		return
	}
	for _, f := range c.findings(diag.UnusedVar) {
		c.unusedVar(c.subject(f))
	}
	if c.has(diag.NoNewVar) {
		c.inHole(func(n goast.Node) bool {
			if a, ok := n.(*goast.AssignStmt); ok && a.Tok == token.DEFINE {
				if s, ok := c.replaceSpan(a.TokPos, a.TokPos+2, "="); ok {
					c.add(s, 6, "repair")
				}
			}
			return true
		})
	}
	if c.has(diag.WrongResultCount) {
		c.returnCount()
	}
	if c.has(diag.MissingReturn) {
		c.missingReturn()
	}
	for _, f := range c.findings(diag.IncompatibleAssign) {
		c.wrongType(f)
	}
	for _, f := range c.findings(diag.UndeclaredName) {
		c.declare(c.subject(f))
	}
}

// pure reports whether evaluating e can have no side effects.
func (c *holeCtx) pure(e goast.Expr) bool {
	ok := true
	goast.Inspect(e, func(n goast.Node) bool {
		switch n := n.(type) {
		case *goast.CallExpr:
			if tv, isT := c.info.Types[n.Fun]; isT && tv.IsType() {
				return true // a conversion
			}
			if id, isId := n.Fun.(*goast.Ident); isId {
				if _, b := c.info.Uses[id].(*types.Builtin); b && (id.Name == "len" || id.Name == "cap") {
					return true
				}
			}
			ok = false
		case *goast.UnaryExpr:
			if n.Op == token.ARROW {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// shadows reports whether the variable id declares hides a variable of an
// enclosing scope of the same function (or a package variable) to which
// its value could be assigned.
func (c *holeCtx) shadows(id *goast.Ident) bool {
	obj, ok := c.info.Defs[id].(*types.Var)
	if !ok || obj.Parent() == nil || obj.Parent().Parent() == nil {
		return false
	}
	_, outer := obj.Parent().Parent().LookupParent(id.Name, id.Pos())
	v, ok := outer.(*types.Var)
	return ok && v != obj && types.AssignableTo(obj.Type(), v.Type())
}

// unusedVar proposes fixes for "declared and not used: name".
func (c *holeCtx) unusedVar(name string) {
	if c.h.Original == name {
		c.add("_", 2, "repair")
	}
	c.inHole(func(n goast.Node) bool {
		switch n := n.(type) {
		case *goast.AssignStmt:
			if n.Tok != token.DEFINE {
				return true
			}
			idx := -1
			others := false
			for i, l := range n.Lhs {
				id, _ := l.(*goast.Ident)
				if id != nil && id.Name == name && c.info.Defs[id] != nil {
					idx = i
				} else if id != nil && id.Name != "_" && c.info.Defs[id] != nil {
					others = true
				}
			}
			if idx < 0 {
				return true
			}
			if !others && c.shadows(n.Lhs[idx].(*goast.Ident)) {
				// t := t[1:] inside a block, with t declared outside: the
				// new variable hides the one meant to be assigned.
				if s, ok := c.replaceSpan(n.TokPos, n.TokPos+2, "="); ok {
					c.add(s, 7, "repair")
				}
			}
			if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
				rhs := c.text(n.Rhs[0])
				if c.pure(n.Rhs[0]) {
					if s, ok := c.replaceNode(n, ""); ok {
						c.add(strings.TrimSpace(s), 5, "repair")
					}
					if s, ok := c.replaceNode(n, "_ = "+rhs); ok {
						c.add(s, 4, "repair")
					}
				} else if s, ok := c.replaceNode(n, "_ = "+rhs); ok {
					c.add(s, 5, "repair")
				}
				return true
			}
			ls, ok1 := c.rel(n.Lhs[idx].Pos())
			le, _ := c.rel(n.Lhs[idx].End())
			ts, ok2 := c.rel(n.TokPos)
			if !ok1 || !ok2 {
				return true
			}
			o := c.h.Original
			tok := ":="
			if !others {
				tok = "="
			}
			c.add(o[:ls]+"_"+o[le:ts]+tok+o[ts+2:], 5.5, "repair")
		case *goast.RangeStmt:
			if id, ok := n.Value.(*goast.Ident); ok && id.Name == name {
				if s, ok := c.replaceSpan(n.Key.End(), n.Value.End(), ""); ok {
					c.add(s, 5.5, "repair")
				}
			}
			if id, ok := n.Key.(*goast.Ident); ok && id.Name == name {
				if n.Value == nil {
					if s, ok := c.replaceSpan(n.Key.Pos(), n.X.Pos(), "range "); ok {
						s = strings.Replace(s, "range range ", "range ", 1)
						c.add(s, 5.5, "repair")
					}
				} else if s, ok := c.replaceNode(n.Key, "_"); ok {
					c.add(s, 5.5, "repair")
				}
			}
		case *goast.DeclStmt:
			g, ok := n.Decl.(*goast.GenDecl)
			if !ok || g.Tok != token.VAR || len(g.Specs) != 1 {
				return true
			}
			vs := g.Specs[0].(*goast.ValueSpec)
			if len(vs.Names) != 1 || vs.Names[0].Name != name {
				return true
			}
			if len(vs.Values) == 0 || c.pure(vs.Values[0]) {
				if s, ok := c.replaceNode(n, ""); ok {
					c.add(strings.TrimSpace(s), 5, "repair")
				}
			} else if s, ok := c.replaceNode(n, "_ = "+c.text(vs.Values[0])); ok {
				c.add(s, 5, "repair")
			}
		}
		return true
	})
}

// errVar returns the name of the nearest variable of type error in scope,
// or "".
func (c *holeCtx) errVar() string {
	for _, o := range c.objs {
		if v, ok := o.(*types.Var); ok && isError(v.Type()) && v.Parent() != c.pkg.Scope() {
			return v.Name()
		}
	}
	return ""
}

// inErrCheck reports whether the hole is inside "if err != nil".
func (c *holeCtx) inErrCheck(err string) bool {
	for _, n := range c.path {
		if s, ok := n.(*goast.IfStmt); ok {
			if b, ok := s.Cond.(*goast.BinaryExpr); ok && b.Op == token.NEQ {
				if id, ok := b.X.(*goast.Ident); ok && id.Name == err {
					return true
				}
			}
		}
	}
	return false
}

// errChoices returns the values to try in an error result slot, best
// first.
func (c *holeCtx) errChoices() []string {
	err := c.errVar()
	switch {
	case err == "":
		return []string{"nil"}
	case c.inErrCheck(err):
		return []string{err, "nil"}
	case c.errChecked(err):
		return []string{"nil"} // err is known to be nil here
	}
	return []string{"nil", err}
}

// resultSets returns result lists for the enclosing signature in which
// the given expressions (with their types) keep their order and fill the
// slots they fit; the other slots get zero values (or err / nil).
func (c *holeCtx) resultSets(exprs []string, typs []types.Type, limit int) []string {
	res := c.sig.Results()
	n, m := res.Len(), len(exprs)
	var out []string
	var rec func(slot, next int, acc []string)
	rec = func(slot, next int, acc []string) {
		if len(out) >= limit {
			return
		}
		if slot == n {
			if next == m {
				out = append(out, strings.Join(acc, ", "))
			}
			return
		}
		t := res.At(slot).Type()
		if next < m && n-slot >= m-next && assignable(typs[next], t) {
			rec(slot+1, next+1, append(acc[:len(acc):len(acc)], exprs[next]))
		}
		if n-slot > m-next {
			if isError(t) {
				for _, e := range c.errChoices() {
					rec(slot+1, next, append(acc[:len(acc):len(acc)], e))
				}
			} else {
				// A dropped value is as often a variable at hand as a zero.
				for _, v := range c.slotVars(t, 2, exprs) {
					rec(slot+1, next, append(acc[:len(acc):len(acc)], v))
				}
				rec(slot+1, next, append(acc[:len(acc):len(acc)], zeroValue(t, c.qual)))
			}
		}
	}
	rec(0, 0, nil)
	return out
}

// returnCount fixes return statements with too few or too many values.
func (c *holeCtx) returnCount() {
	if c.sig == nil {
		return
	}
	n := c.sig.Results().Len()
	c.inHole(func(x goast.Node) bool {
		ret, ok := x.(*goast.ReturnStmt)
		if !ok || len(ret.Results) == n {
			return true
		}
		var exprs []string
		var typs []types.Type
		for _, r := range ret.Results {
			exprs = append(exprs, c.text(r))
			typs = append(typs, valid(c.info.TypeOf(r)))
		}
		var sets []string
		if len(exprs) < n {
			sets = c.resultSets(exprs, typs, 8)
		} else {
			// Drop values: keep each order-preserving subset that fits.
			var rec func(i int, keep []int)
			rec = func(i int, keep []int) {
				if len(keep) == n {
					var parts []string
					for slot, k := range keep {
						if !assignable(typs[k], c.sig.Results().At(slot).Type()) {
							return
						}
						parts = append(parts, exprs[k])
					}
					sets = append(sets, strings.Join(parts, ", "))
					return
				}
				if i == len(exprs) || len(sets) >= 8 {
					return
				}
				rec(i+1, append(keep[:len(keep):len(keep)], i))
				rec(i+1, keep)
			}
			rec(0, nil)
		}
		for i, s := range sets {
			stmt := "return"
			if s != "" {
				stmt += " " + s
			}
			if t, ok := c.replaceNode(ret, stmt); ok {
				c.add(t, 6-0.3*float64(i), "repair")
			}
		}
		return true
	})
}

// returnStmts returns return statements for the end of the enclosing
// function: the most recently declared variables that fit the result
// slots, and zero values.
func (c *holeCtx) returnStmts() []string {
	res := c.sig.Results()
	if res.Len() == 0 {
		return nil
	}
	var zeros []string
	for i := range res.Len() {
		if isError(res.At(i).Type()) {
			zeros = append(zeros, "nil")
		} else {
			zeros = append(zeros, zeroValue(res.At(i).Type(), c.qual))
		}
	}
	var out []string
	// Named results: a bare return, as such functions end, and the
	// names spelled out.
	if names := resultNames(res); names != nil {
		out = append(out, "return", "return "+strings.Join(names, ", "))
	}
	// Variables that fit each slot, nearest first.
	vars := c.vars(16)
	choices := make([][]string, res.Len())
	for i := range res.Len() {
		t := res.At(i).Type()
		if isError(t) {
			choices[i] = c.errChoices()
			continue
		}
		for _, v := range vars {
			if v.Parent() != c.pkg.Scope() && types.AssignableTo(v.Type(), t) && len(choices[i]) < 2 {
				choices[i] = append(choices[i], v.Name())
			}
		}
		choices[i] = append(choices[i], zeros[i])
	}
	var rec func(i int, acc []string)
	rec = func(i int, acc []string) {
		if len(out) >= 10 {
			return
		}
		if i == len(choices) {
			out = append(out, "return "+strings.Join(acc, ", "))
			return
		}
		for _, ch := range choices[i] {
			rec(i+1, append(acc[:len(acc):len(acc)], ch))
		}
	}
	rec(0, nil)
	out = append(out, "return "+strings.Join(zeros, ", "))
	return out
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

// resultNames returns the names of res, or nil when a result is unnamed
// or blank.
func resultNames(res *types.Tuple) []string {
	var names []string
	for i := range res.Len() {
		n := res.At(i).Name()
		if n == "" || n == "_" {
			return nil
		}
		names = append(names, n)
	}
	return names
}

// missingReturn proposes a final return statement.
func (c *holeCtx) missingReturn() {
	if c.sig == nil {
		if c.info == nil && c.h.Original == "" {
			c.add("panic(\"unreachable\")", 0, "repair")
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
			c.add(s, p, "repair")
		} else if c.h.User {
			continue
		} else {
			c.add(strings.TrimRight(c.h.Original, " \t\n")+"\n"+s+"\n", p, "repair")
		}
	}
}

// wrongType fixes a value of the wrong type, the operand that f's span
// covers.
func (c *holeCtx) wrongType(f diag.Finding) {
	if f.End <= f.Start {
		return
	}
	c.inHole(func(n goast.Node) bool {
		e, ok := n.(goast.Expr)
		if !ok || c.tf.Offset(e.Pos()) != f.Start || c.tf.Offset(e.End()) != f.End {
			return true
		}
		expr := c.text(e)
		want := c.expectedOf(e)
		if want == nil {
			return false
		}
		put := func(s string, p float64) {
			if t, ok := c.replaceNode(e, s); ok {
				c.add(t, p, "repair")
			}
		}
		have := valid(c.info.TypeOf(e))
		if lit, ok := e.(*goast.BasicLit); ok {
			switch {
			case lit.Kind == token.STRING && isBasic(want) && !isString(want):
				if s, err := strconv.Unquote(lit.Value); err == nil {
					if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
						put(strings.TrimSpace(s), 6)
					}
				}
			case lit.Kind != token.STRING && isString(want):
				put(strconv.Quote(lit.Value), 6)
			}
		}
		put(zeroValue(want, c.qual), 4)
		if have != nil {
			ts := types.TypeString(want, c.qual)
			if types.ConvertibleTo(have, want) && !(isString(want) && isInt(have)) {
				put(ts+"("+expr+")", 5)
			}
			if isString(want) && isInt(have) {
				put("strconv.Itoa("+expr+")", 5)
			}
			if isString(want) && !isString(have) {
				put("fmt.Sprint("+expr+")", 4)
			}
			if p, ok := under(have).(*types.Pointer); ok && types.AssignableTo(p.Elem(), want) {
				put("*"+expr, 5)
			}
			if p, ok := under(want).(*types.Pointer); ok && types.AssignableTo(have, p.Elem()) {
				put("&"+expr, 5)
			}
		}
		return false
	})
}

// expectedOf returns the type the expression e, a node of the hole's
// declaration, must have in its context (see ast.ExpectedType), or nil.
func (c *holeCtx) expectedOf(e goast.Expr) types.Type {
	cur, ok := c.slot.CursorOf(e)
	if !ok {
		return nil
	}
	return ast.ExpectedType(cur, c.info)
}

// declare fixes "undefined: name" by declaring name: an assignment
// "name = v" in the hole becomes "name := v"; otherwise "var name T" goes
// before the hole's statement, with T the type of the values assigned to
// name elsewhere in the function.
func (c *holeCtx) declare(name string) {
	done := false
	c.inHole(func(n goast.Node) bool {
		a, ok := n.(*goast.AssignStmt)
		if !ok || a.Tok != token.ASSIGN || done {
			return !done
		}
		for _, l := range a.Lhs {
			if id, ok := l.(*goast.Ident); ok && id.Name == name {
				if s, ok := c.replaceSpan(a.TokPos, a.TokPos+1, ":="); ok {
					c.add(s, 6, "repair")
					done = true
				}
			}
		}
		return true
	})
	if c.h.Kind != ast.Expr && c.h.Kind != ast.Ident && c.h.Original != "" && !done {
		t := c.inferType(name)
		if t == nil {
			t = c.useType(name)
		}
		if t != nil {
			c.add("var "+name+" "+types.TypeString(t, c.qual)+"\n"+c.h.Original, 4.5, "repair")
			// A deleted "name := value": values of the type, those whose
			// text shares a word with the name first (nano :=
			// time.Now().UnixNano()).
			for i, v := range c.valuesOfType(t, name, 6) {
				p := 4.3 - 0.1*float64(i)
				if v.named {
					p += 0.6 // above the zero value
				}
				c.add(name+" := "+v.text+"\n"+c.h.Original, p, "repair")
			}
		}
	}
}

// useType returns the type a use of the undefined name in the enclosing
// function must have (the left side of "milli = name / k"), or nil.
func (c *holeCtx) useType(name string) types.Type {
	body := c.funcBody()
	if body == nil {
		return nil
	}
	var t types.Type
	goast.Inspect(body, func(n goast.Node) bool {
		if id, ok := n.(*goast.Ident); ok && t == nil && id.Name == name && c.info.Uses[id] == nil && c.info.Defs[id] == nil {
			t = c.expectedOf(id)
		}
		return t == nil
	})
	if t != nil {
		t = types.Default(t)
	}
	return t
}

// A value is an expression proposed for a deleted declaration; named
// reports whether it shares a word with the variable's name.
type value struct {
	text  string
	named bool
}

// valuesOfType returns up to n expressions of type t built from what is
// in scope at the hole (calls, fields, package members; not zero values
// or literals), those that share a word with name first.
func (c *holeCtx) valuesOfType(t types.Type, name string, n int) []value {
	sub := *c
	sub.cands, sub.order, sub.expected = map[string]*cand{}, nil, t
	sub.exprCandidates()
	words := map[string]bool{}
	for _, p := range ast.Tokenize(name) {
		words[strings.ToLower(p.Text)] = true
	}
	type scored struct {
		value
		prior float64
	}
	var xs []scored
	for _, x := range sub.list() {
		if x.source == "zero" || x.source == "literal" || x.text == name {
			continue
		}
		y := scored{value{text: x.text}, x.prior}
		for _, p := range ast.Tokenize(x.text) {
			if p.Kind == ast.IdentPiece && words[strings.ToLower(p.Text)] {
				y.prior += 3
				y.named = true
				break
			}
		}
		xs = append(xs, y)
	}
	slices.SortStableFunc(xs, func(a, b scored) int { return cmp.Compare(b.prior, a.prior) })
	var out []value
	for _, x := range xs[:min(n, len(xs))] {
		out = append(out, x.value)
	}
	return out
}

// inferType returns the type of the values assigned to name in the
// enclosing function, defaulted.
func (c *holeCtx) inferType(name string) types.Type {
	body := c.funcBody()
	if body == nil {
		return nil
	}
	var t types.Type
	goast.Inspect(body, func(n goast.Node) bool {
		if t != nil {
			return false
		}
		switch n := n.(type) {
		case *goast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, l := range n.Lhs {
				if id, ok := l.(*goast.Ident); ok && id.Name == name {
					if rt := valid(c.info.TypeOf(n.Rhs[i])); rt != nil {
						t = types.Default(rt)
					}
				}
			}
		case *goast.IncDecStmt:
			if id, ok := n.X.(*goast.Ident); ok && id.Name == name {
				t = types.Typ[types.Int]
			}
		}
		return true
	})
	if b, ok := t.(*types.Basic); ok && b.Kind() == types.UntypedNil {
		return nil
	}
	return t
}

// errChecked reports whether an "if err != nil" statement ends before the
// hole in the enclosing function.
func (c *holeCtx) errChecked(err string) bool {
	body := c.funcBody()
	if body == nil {
		return false
	}
	found := false
	goast.Inspect(body, func(n goast.Node) bool {
		if s, ok := n.(*goast.IfStmt); ok && s.End() <= c.pos {
			if b, ok := s.Cond.(*goast.BinaryExpr); ok && b.Op == token.NEQ {
				if id, ok := b.X.(*goast.Ident); ok && id.Name == err {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// slotVars returns up to n variables in scope, nearest first, whose type is
// identical to t and that are not among used.
func (c *holeCtx) slotVars(t types.Type, n int, used []string) []string {
	var out []string
	for _, v := range c.vars(40) {
		if len(out) == n {
			break
		}
		if v.Name() == "_" || slices.Contains(used, v.Name()) || !types.Identical(v.Type(), t) {
			continue
		}
		out = append(out, v.Name())
	}
	return out
}

// funcBody returns the body of the innermost function around the hole, or
// nil.
func (c *holeCtx) funcBody() *goast.BlockStmt {
	for _, n := range c.path {
		switch f := n.(type) {
		case *goast.FuncDecl:
			return f.Body
		case *goast.FuncLit:
			return f.Body
		}
	}
	return nil
}
