package refine

import (
	"context"
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/diag"
)

// sigPass carries a changed signature through its calls (refactor
// follow-through, and API drift where a dependency changed one). Where the
// calls of one function have one argument too few, every call gets the
// argument at the one position the types allow, its value taken from scope
// (a variable of the parameter's name and type; for a context.Context the
// caller's context, else context.TODO(), the standard library's
// placeholder for a context not yet threaded through), or the zero value
// when the function declared here never reads the parameter, so that no
// value changes what it does. Without such a value a call is left as it
// is: difgen does not invent one. Where the calls have one argument too
// many, the argument at the one position the types allow is dropped when
// it has no effects (a name, a literal, a field). Where a function's
// result became (T, error), each call that takes one value takes both and
// handles the error as the caller can: return it with zero values, or
// t.Fatal it in a test; elsewhere the call is left as it is.
//
// It returns nil when no repair makes the package better.
func (r *run) sigPass(ctx context.Context, st *state) (*state, error) {
	if r.fillMode || st.rep.Pkg == nil || st.rep.Info == nil {
		return nil, nil
	}
	for _, g := range r.sigGroups(st) {
		var (
			edits map[string][]ast.Edit
			what  string
		)
		switch g.kind {
		case sigArgs:
			edits, what = r.argEdits(st, g)
		case sigResult:
			edits, what = r.resultEdits(st, g)
		}
		if len(edits) == 0 {
			continue
		}
		tried := fmt.Sprintf("sig|%s|%v", what, edits)
		if r.followed[tried] {
			continue
		}
		r.followed[tried] = true
		var why []string
		for _, s := range g.sites {
			if !slices.Contains(why, s.f.Message) {
				why = append(why, s.f.Message)
			}
		}
		next, err := r.tryEdits(ctx, st, edits, why, "signature", what, true)
		if err != nil || next != nil {
			return next, err
		}
	}
	return nil, nil
}

type sigKind int

const (
	sigArgs   sigKind = iota // calls with an argument too few or too many
	sigResult                // calls that take one value of a (T, error) result
)

// A sigGroup is the calls of one function that disagree with its
// signature in one way.
type sigGroup struct {
	kind   sigKind
	callee types.Object
	sig    *types.Signature
	sites  []sigSite
}

type sigSite struct {
	f    constraints.Finding
	file *goast.File
	call *goast.CallExpr
	path []goast.Node // from the call outwards
}

// sigGroups returns the calls of st's findings grouped by callee, in the
// order of their first finding.
func (r *run) sigGroups(st *state) []*sigGroup {
	rep := st.rep
	broken := brokenDirs(rep)
	var groups []*sigGroup
	index := map[string]*sigGroup{}
	seen := map[*goast.CallExpr]bool{}
	for _, f := range rep.Findings {
		if f.Category != constraints.Types || broken[filepath.Dir(f.File)] {
			continue
		}
		var kinds []sigKind
		switch f.Code {
		case diag.WrongArgCount:
			// f(g()) where g's result became (T, error) is an argument
			// count of f's.
			kinds = []sigKind{sigArgs, sigResult}
		case diag.WrongAssignCount, diag.TooManyValues, diag.WrongResultCount:
			kinds = []sigKind{sigResult}
		default:
			continue
		}
		cf := st.cv.File(f.File)
		i := slices.Index(rep.Names, f.File)
		if cf == nil || !r.writable(f.File, cf.Text) || i < 0 || rep.Files[i] == nil {
			continue
		}
		file := rep.Files[i]
		path, _ := pathAt(rep, f.File, f.Start)
		if path == nil {
			continue
		}
		var (
			call *goast.CallExpr
			sig  *types.Signature
			kind sigKind
		)
		for _, kind = range kinds {
			if call, sig = mismatchedCall(rep.Info, path, kind); call != nil {
				break
			}
		}
		if call == nil || seen[call] {
			continue
		}
		rest, _ := astutil.PathEnclosingInterval(file, call.Lparen, call.Lparen)
		callee := calleeObject(rep.Info, call.Fun)
		if callee == nil || sig.TypeParams().Len() > 0 {
			continue
		}
		seen[call] = true
		key := fmt.Sprintf("%d|%p", kind, callee)
		g := index[key]
		if g == nil {
			g = &sigGroup{kind: kind, callee: callee, sig: sig}
			index[key] = g
			groups = append(groups, g)
		}
		g.sites = append(g.sites, sigSite{f: f, file: file, call: call, path: rest})
	}
	return groups
}

// mismatchedCall returns the innermost call of path that disagrees with
// its callee's signature in the way kind says, and its signature. For
// results, the call may also be the one value of an assignment or a
// return that path holds.
func mismatchedCall(info *types.Info, path []goast.Node, kind sigKind) (*goast.CallExpr, *types.Signature) {
	for _, n := range path {
		var call *goast.CallExpr
		switch n := n.(type) {
		case *goast.CallExpr:
			call = n
		case *goast.AssignStmt:
			if kind == sigResult && len(n.Rhs) == 1 {
				call, _ = goast.Unparen(n.Rhs[0]).(*goast.CallExpr)
			}
		case *goast.ReturnStmt:
			if kind == sigResult && len(n.Results) == 1 {
				call, _ = goast.Unparen(n.Results[0]).(*goast.CallExpr)
			}
		}
		if call == nil {
			continue
		}
		if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
			continue // a conversion
		}
		t := info.TypeOf(call.Fun)
		if t == nil {
			continue
		}
		sig, ok := t.Underlying().(*types.Signature)
		if !ok {
			continue
		}
		switch kind {
		case sigArgs:
			if !sig.Variadic() && len(call.Args) != sig.Params().Len() && call.Ellipsis == token.NoPos {
				return call, sig
			}
		case sigResult:
			if res := sig.Results(); res.Len() == 2 && isError(res.At(1).Type()) {
				return call, sig
			}
		}
	}
	return nil, nil
}

// calleeObject returns the function or method a call's Fun names, or nil.
func calleeObject(info *types.Info, fun goast.Expr) types.Object {
	switch f := goast.Unparen(fun).(type) {
	case *goast.Ident:
		if o, ok := info.Uses[f].(*types.Func); ok {
			return o
		}
	case *goast.SelectorExpr:
		if s := info.Selections[f]; s != nil {
			if o, ok := s.Obj().(*types.Func); ok {
				return o
			}
			return nil
		}
		if o, ok := info.Uses[f.Sel].(*types.Func); ok {
			return o // a package's function
		}
	}
	return nil
}

func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

func isContext(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Name() == "Context" && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context"
}

// argEdits returns the edits that give every call of g the argument its
// callee gained, or take away the one it lost, and a description.
func (r *run) argEdits(st *state, g *sigGroup) (map[string][]ast.Edit, string) {
	params := g.sig.Params()
	n := params.Len()
	var short, long []sigSite
	for _, s := range g.sites {
		switch len(s.call.Args) {
		case n - 1:
			short = append(short, s)
		case n + 1:
			long = append(long, s)
		}
	}
	if len(short) > 0 && len(long) > 0 || len(short)+len(long) == 0 {
		return nil, ""
	}
	if len(long) > 0 {
		return r.dropArg(st, g, long)
	}
	return r.addArg(st, g, short)
}

// fits reports whether args, with the argument at skip left out (skip < 0:
// none), or with a gap at gap (gap < 0: none), are assignable to params.
func fits(info *types.Info, args []goast.Expr, params *types.Tuple, skip, gap int) bool {
	j := 0
	for i, a := range args {
		if i == skip {
			continue
		}
		if j == gap {
			j++
		}
		if j >= params.Len() {
			return false
		}
		t := info.TypeOf(a)
		if t == nil {
			return false
		}
		if _, multi := t.(*types.Tuple); multi || !assignableValue(info, a, t, params.At(j).Type()) {
			return false
		}
		j++
	}
	return true
}

// assignableValue reports whether the value a of type t may be passed as
// a parameter of type p (an untyped constant by its value).
func assignableValue(info *types.Info, a goast.Expr, t, p types.Type) bool {
	if b, ok := t.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		if b.Kind() == types.UntypedNil {
			switch p.Underlying().(type) {
			case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
				return true
			}
			return false
		}
		if tv, ok := info.Types[a]; ok && tv.Value != nil {
			if pb, ok := p.Underlying().(*types.Basic); ok {
				return types.AssignableTo(types.Default(t), p) || pb.Info()&types.IsConstType != 0 && constFits(b, pb)
			}
			return types.AssignableTo(types.Default(t), p) || types.IsInterface(p)
		}
		return types.AssignableTo(types.Default(t), p)
	}
	return types.AssignableTo(t, p)
}

// constFits reports whether an untyped constant of kind b may be a value
// of basic type p (an untyped integer may be a float, not a string).
func constFits(b, p *types.Basic) bool {
	switch {
	case b.Info()&types.IsNumeric != 0:
		return p.Info()&types.IsNumeric != 0
	case b.Info()&types.IsString != 0:
		return p.Info()&types.IsString != 0
	case b.Info()&types.IsBoolean != 0:
		return p.Info()&types.IsBoolean != 0
	}
	return false
}

// addArg gives each call of sites the argument it lacks.
func (r *run) addArg(st *state, g *sigGroup, sites []sigSite) (map[string][]ast.Edit, string) {
	info := st.rep.Info
	params := g.sig.Params()
	// The positions the types allow at every call.
	var cands []int
	for i := range params.Len() {
		if !slices.ContainsFunc(sites, func(s sigSite) bool { return !fits(info, s.call.Args, params, -1, i) }) {
			cands = append(cands, i)
		}
	}
	unused := r.unusedParams(st, g.callee)
	// Of several, the one whose values the calls have in scope, then the
	// one the function does not read yet.
	if len(cands) > 1 {
		best, ok := uniqueBest(cands, func(i int) int {
			k := 0
			for _, s := range sites {
				if v := r.scopeValue(st, s, params.At(i)); v != "" {
					k++
				}
			}
			return k
		})
		if !ok {
			var free []int
			for _, i := range cands {
				if unused[i] {
					free = append(free, i)
				}
			}
			if len(free) != 1 {
				r.logf("signature: the calls of %s lack an argument at one of %d positions; not guessing which", g.callee.Name(), len(cands))
				return nil, ""
			}
			best = free[0]
		}
		cands = []int{best}
	}
	if len(cands) != 1 {
		return nil, ""
	}
	i := cands[0]
	p := params.At(i)
	edits := map[string][]ast.Edit{}
	done := 0
	for _, s := range sites {
		v := r.scopeValue(st, s, p)
		if v == "" && unused[i] {
			v = r.zeroIn(st, s.file, p.Type())
		}
		if v == "" && r.nilDocumented(st.rep.Fset, g.callee, p) {
			v = "nil" // the function's doc says what nil means for it
		}
		if v == "" {
			r.note(s.f, fmt.Sprintf("the call of %s needs a value for its new parameter %s %s, and none is in scope: left for you to choose",
				g.callee.Name(), p.Name(), types.TypeString(p.Type(), types.RelativeTo(st.rep.PkgOf(s.file)))))
			continue
		}
		name := st.rep.Fset.Position(s.call.Pos()).Filename
		args := s.call.Args
		var e ast.Edit
		switch {
		case i < len(args):
			at := st.rep.Fset.Position(args[i].Pos()).Offset
			e = ast.Edit{Start: at, End: at, New: v + ", "}
		case len(args) == 0:
			at := st.rep.Fset.Position(s.call.Lparen).Offset + 1
			e = ast.Edit{Start: at, End: at, New: v}
		default:
			at := st.rep.Fset.Position(args[len(args)-1].End()).Offset
			e = ast.Edit{Start: at, End: at, New: ", " + v}
		}
		edits[name] = append(edits[name], e)
		done++
	}
	if done == 0 {
		return nil, ""
	}
	return edits, fmt.Sprintf("%d calls of %s get the argument for its parameter %s", done, g.callee.Name(), p.Name())
}

// scopeValue returns the value for parameter p at the call of s that its
// scope holds: a variable of p's name whose type fits, or for a context
// the one context variable in scope (ctx of several), else
// context.TODO(); "" when there is none.
func (r *run) scopeValue(st *state, s sigSite, p *types.Var) string {
	pkg := st.rep.PkgOf(s.file)
	if pkg == nil {
		return ""
	}
	pos := s.call.Pos()
	sc := pkg.Scope().Innermost(pos)
	if sc == nil {
		return ""
	}
	if p.Name() != "" && p.Name() != "_" {
		if _, o := sc.LookupParent(p.Name(), pos); o != nil {
			if v, ok := o.(*types.Var); ok && v.Pkg() == pkg && types.AssignableTo(v.Type(), p.Type()) {
				return p.Name()
			}
		}
	}
	if !isContext(p.Type()) {
		return ""
	}
	var ctxs []string
	for c := sc; c != nil && c != pkg.Scope() && c != types.Universe; c = c.Parent() {
		for _, name := range c.Names() {
			if v, ok := c.Lookup(name).(*types.Var); ok && v.Pos() < pos && isContext(v.Type()) && !slices.Contains(ctxs, name) {
				if _, o := sc.LookupParent(name, pos); o == v {
					ctxs = append(ctxs, name)
				}
			}
		}
	}
	switch {
	case len(ctxs) == 1:
		return ctxs[0]
	case slices.Contains(ctxs, "ctx"):
		return "ctx"
	case len(ctxs) > 1:
		return ""
	}
	if q := importName(s.file, "context"); q != "" {
		return q + ".TODO()"
	}
	if _, o := sc.LookupParent("context", pos); o != nil {
		return "" // the name is taken: an import cannot be added
	}
	return "context.TODO()" // the import is added (tryEdits fixes imports)
}

// nilDocumented reports whether the doc comment of fn, read from its
// source, says what a nil p means ("If opts is nil, the default options
// are used."), for a parameter that can be nil: the API's own word that
// nil is a value to pass.
func (r *run) nilDocumented(fset *token.FileSet, fn types.Object, p *types.Var) bool {
	key := fset.Position(fn.Pos()).String() + "|" + p.Name()
	if v, ok := r.nilDoc[key]; ok {
		return v // the source is read once a run, not at every step
	}
	v := nilDocumentedIn(fset, fn, p)
	r.nilDoc[key] = v
	return v
}

func nilDocumentedIn(fset *token.FileSet, fn types.Object, p *types.Var) bool {
	switch p.Type().Underlying().(type) {
	case *types.Pointer, *types.Map, *types.Slice, *types.Signature, *types.Interface, *types.Chan:
	default:
		return false
	}
	if p.Name() == "" || p.Name() == "_" || !fn.Pos().IsValid() {
		return false
	}
	pos := fset.Position(fn.Pos())
	src, err := os.ReadFile(pos.Filename)
	if err != nil {
		return false
	}
	f, err := parser.ParseFile(token.NewFileSet(), pos.Filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return false
	}
	for _, d := range f.Decls {
		fd, ok := d.(*goast.FuncDecl)
		if !ok || fd.Name.Name != fn.Name() || fd.Doc == nil {
			continue
		}
		for _, sentence := range strings.Split(fd.Doc.Text(), ".") {
			words := strings.FieldsFunc(sentence, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' })
			if slices.Contains(words, p.Name()) && slices.Contains(words, "nil") {
				return true
			}
		}
	}
	return false
}

// unusedParams returns which parameters of the package's own function fn
// its body never reads; nil for a function declared elsewhere.
func (r *run) unusedParams(st *state, fn types.Object) map[int]bool {
	rep := st.rep
	decl := funcDecl(rep, fn)
	if decl == nil || decl.Body == nil {
		return nil
	}
	read := map[types.Object]bool{}
	goast.Inspect(decl.Body, func(n goast.Node) bool {
		if id, ok := n.(*goast.Ident); ok {
			if o := rep.Info.Uses[id]; o != nil {
				read[o] = true
			}
		}
		return true
	})
	sig := fn.Type().(*types.Signature)
	out := map[int]bool{}
	for i := range sig.Params().Len() {
		if p := sig.Params().At(i); !read[p] {
			out[i] = true
		}
	}
	return out
}

// zeroIn returns the zero value of t as file writes it, or "" when file
// does not import a package t names.
func (r *run) zeroIn(st *state, file *goast.File, t types.Type) string {
	q, ok := fileQualifier(st.rep, file, t)
	if !ok {
		return ""
	}
	return ast.ZeroValue(t, q)
}

// importName returns the name under which file imports path, or "".
func importName(file *goast.File, path string) string {
	for _, is := range file.Imports {
		if p, _ := strconv.Unquote(is.Path.Value); p != path {
			continue
		}
		if is.Name != nil {
			if is.Name.Name == "_" || is.Name.Name == "." {
				return ""
			}
			return is.Name.Name
		}
		if i := strings.LastIndex(path, "/"); i >= 0 {
			path = path[i+1:]
		}
		return path
	}
	return ""
}

// dropArg takes from each call of sites the argument its callee no longer
// takes, when the types allow one position only and the argument has no
// effects.
func (r *run) dropArg(st *state, g *sigGroup, sites []sigSite) (map[string][]ast.Edit, string) {
	info := st.rep.Info
	params := g.sig.Params()
	var cands []int
	for i := range params.Len() + 1 {
		if !slices.ContainsFunc(sites, func(s sigSite) bool { return !fits(info, s.call.Args, params, i, -1) || !effectFree(s.call.Args[i]) }) {
			cands = append(cands, i)
		}
	}
	if len(cands) > 1 {
		// The position after whose removal the calls' names agree with the
		// parameters' names.
		best, ok := uniqueBest(cands, func(i int) int {
			k := 0
			for _, s := range sites {
				j := 0
				for a, arg := range s.call.Args {
					if a == i {
						continue
					}
					if id, ok := arg.(*goast.Ident); ok && id.Name == params.At(j).Name() {
						k++
					}
					j++
				}
			}
			return k
		})
		if !ok {
			r.logf("signature: the calls of %s have an argument too many at one of %d positions; not guessing which", g.callee.Name(), len(cands))
			return nil, ""
		}
		cands = []int{best}
	}
	if len(cands) != 1 {
		return nil, ""
	}
	i := cands[0]
	edits := map[string][]ast.Edit{}
	for _, s := range sites {
		args := s.call.Args
		off := func(p token.Pos) int { return st.rep.Fset.Position(p).Offset }
		var e ast.Edit
		switch {
		case i+1 < len(args):
			e = ast.Edit{Start: off(args[i].Pos()), End: off(args[i+1].Pos())}
		case i > 0:
			e = ast.Edit{Start: off(args[i-1].End()), End: off(args[i].End())}
		default:
			e = ast.Edit{Start: off(args[i].Pos()), End: off(args[i].End())}
		}
		name := st.rep.Fset.Position(s.call.Pos()).Filename
		edits[name] = append(edits[name], e)
	}
	return edits, fmt.Sprintf("%d calls of %s drop the argument it no longer takes (position %d)", len(sites), g.callee.Name(), i+1)
}

// uniqueBest returns the candidate of the highest score, when that score
// is above zero and no other candidate has it.
func uniqueBest(cands []int, score func(int) int) (int, bool) {
	best, bestN, tie := -1, 0, false
	for _, i := range cands {
		switch k := score(i); {
		case k > bestN:
			best, bestN, tie = i, k, false
		case k == bestN:
			tie = true
		}
	}
	return best, best >= 0 && !tie
}

// effectFree reports whether evaluating e has no effects, so a call may stop
// passing it: a name, a literal, a field of one, its address.
func effectFree(e goast.Expr) bool {
	switch e := goast.Unparen(e).(type) {
	case *goast.Ident, *goast.BasicLit:
		return true
	case *goast.SelectorExpr:
		return effectFree(e.X)
	case *goast.UnaryExpr:
		return e.Op == token.AND && effectFree(e.X)
	}
	return false
}

// resultEdits makes every call of g that takes one value of a (T, error)
// result take both and handle the error.
func (r *run) resultEdits(st *state, g *sigGroup) (map[string][]ast.Edit, string) {
	edits := map[string][]ast.Edit{}
	done := 0
	for _, s := range g.sites {
		name, e, ok := r.takeError(st, g, s)
		if !ok {
			continue
		}
		edits[name] = append(edits[name], e)
		done++
	}
	if done == 0 {
		return nil, ""
	}
	return edits, fmt.Sprintf("%d calls of %s take its error too", done, g.callee.Name())
}

// takeError returns the edit that makes the call of s take both results
// and handle the error: x := f() becomes x, err := f() and a check; a call
// inside an expression moves before its statement into a variable.
func (r *run) takeError(st *state, g *sigGroup, s sigSite) (string, ast.Edit, bool) {
	rep := st.rep
	fset := rep.Fset
	name := fset.Position(s.call.Pos()).Filename
	cf := st.cv.File(name)
	if cf == nil {
		return "", ast.Edit{}, false
	}
	src := cf.Text
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	// The statement the call is in, the block it is in, and the function.
	var stmt goast.Stmt
	var fn goast.Node
	var ifInit *goast.IfStmt
	for i, n := range s.path[1:] {
		switch n := n.(type) {
		case *goast.FuncLit, *goast.FuncDecl:
			fn = n
		case *goast.BinaryExpr:
			if stmt == nil && (n.Op == token.LAND || n.Op == token.LOR) && n.X.End() <= s.call.Pos() {
				return "", ast.Edit{}, false // evaluated only sometimes: it cannot move
			}
		}
		if fn != nil {
			break
		}
		sn, ok := n.(goast.Stmt)
		if !ok || stmt != nil {
			continue
		}
		switch sn.(type) {
		case *goast.ForStmt, *goast.CaseClause, *goast.CommClause, *goast.BlockStmt:
			return "", ast.Edit{}, false // a for's condition or a case's value: evaluated at each turn
		}
		if hasInit(sn) {
			return "", ast.Edit{}, false // after the init: it cannot move before it
		}
		var parent goast.Node
		if i+2 < len(s.path) {
			parent = s.path[i+2]
		}
		switch p := parent.(type) {
		case *goast.BlockStmt, *goast.CaseClause, *goast.CommClause:
			stmt = sn
		case *goast.IfStmt:
			if p.Init != sn || i+3 >= len(s.path) {
				return "", ast.Edit{}, false
			}
			if _, ok := s.path[i+3].(*goast.BlockStmt); !ok {
				return "", ast.Edit{}, false // an else if: no place before it
			}
			ifInit, stmt = p, p // if x := f(); cond: the init moves before the if
		default:
			return "", ast.Edit{}, false // a for's init or post, a labeled statement
		}
	}
	if stmt == nil || fn == nil {
		return "", ast.Edit{}, false
	}
	pkg := rep.PkgOf(s.file)
	sc := pkg.Scope().Innermost(stmt.Pos())
	if sc == nil {
		return "", ast.Edit{}, false
	}
	ind := indentAt(src, off(stmt.Pos()))
	call := src[off(s.call.Pos()):off(s.call.End())]
	handle, ok := r.handleErr(st, s.file, fn)
	if !ok {
		// Where the caller can neither return nor report the error, and
		// the function returns a nil error on every path (its signature
		// changed before any path can fail), the error is ignored: the
		// code does what it did. Otherwise the call is left as it is.
		if !r.neverFails(st, g.callee) {
			r.note(s.f, fmt.Sprintf("%s now returns an error, which %s can neither return nor report: left for you to handle", g.callee.Name(), funcName(fn)))
			return "", ast.Edit{}, false
		}
		r.logf("signature: %s: %s cannot return or report the error of %s, which is nil on every path yet; it is ignored", fset.Position(s.call.Pos()), funcName(fn), g.callee.Name())
		if a := assignOf(stmt, ifInit, s.call); a != nil {
			if len(a.Lhs) != 1 {
				return "", ast.Edit{}, false
			}
			at := off(a.Lhs[0].End())
			return name, ast.Edit{Start: at, End: at, New: ", _"}, true
		}
		v := freshName(sc, stmt.Pos(), g.callee.Name())
		if v == "" || ifInit != nil {
			return "", ast.Edit{}, false
		}
		return name, ast.Edit{Start: off(stmt.Pos()), End: off(s.call.End()), New: v + ", _ := " + call + "\n" + ind + src[off(stmt.Pos()):off(s.call.Pos())] + v}, true
	}
	_, errObj := sc.LookupParent("err", stmt.Pos())
	if errObj != nil && !isError(errObj.Type()) {
		return "", ast.Edit{}, false
	}
	check := "if err != nil {\n" + ind + "\t" + handle + "\n" + ind + "}"
	if ifInit != nil {
		a, ok := ifInit.Init.(*goast.AssignStmt)
		if !ok || a.Tok != token.DEFINE || len(a.Lhs) != 1 || len(a.Rhs) != 1 || goast.Unparen(a.Rhs[0]) != s.call {
			return "", ast.Edit{}, false
		}
		// The init's variable moves to the enclosing block: only where the
		// block does not declare the name after the if.
		id, ok := a.Lhs[0].(*goast.Ident)
		if !ok || declaredAfter(s.path, ifInit, id.Name) {
			return "", ast.Edit{}, false
		}
		return name, ast.Edit{Start: off(ifInit.Pos()), End: off(ifInit.Cond.Pos()), New: id.Name + ", err := " + call + "\n" + ind + check + "\n" + ind + "if "}, true
	}
	if a, ok := stmt.(*goast.AssignStmt); ok && len(a.Rhs) == 1 && goast.Unparen(a.Rhs[0]) == s.call {
		if len(a.Lhs) != 1 {
			return "", ast.Edit{}, false
		}
		tok := a.Tok.String()
		switch {
		case a.Tok == token.DEFINE:
		case a.Tok == token.ASSIGN && errObj == nil:
			// x, err := f() assigns x only where x is of this scope.
			id, ok := a.Lhs[0].(*goast.Ident)
			if !ok || sc.Lookup(id.Name) == nil {
				return "", ast.Edit{}, false
			}
			tok = ":="
		case a.Tok == token.ASSIGN:
		default:
			return "", ast.Edit{}, false
		}
		lhs := src[off(a.Lhs[0].Pos()):off(a.Lhs[0].End())]
		return name, ast.Edit{Start: off(a.Pos()), End: off(a.End()), New: lhs + ", err " + tok + " " + call + "\n" + ind + check}, true
	}
	v := freshName(sc, stmt.Pos(), g.callee.Name())
	if v == "" {
		return "", ast.Edit{}, false
	}
	pre := v + ", err := " + call + "\n" + ind + check + "\n" + ind
	return name, ast.Edit{Start: off(stmt.Pos()), End: off(s.call.End()), New: pre + src[off(stmt.Pos()):off(s.call.Pos())] + v}, true
}

// assignOf returns the assignment whose one value is call: stmt, or the
// init of ifInit; nil if there is none.
func assignOf(stmt goast.Stmt, ifInit *goast.IfStmt, call *goast.CallExpr) *goast.AssignStmt {
	if ifInit != nil {
		stmt = ifInit.Init
	}
	a, ok := stmt.(*goast.AssignStmt)
	if !ok || len(a.Rhs) != 1 || goast.Unparen(a.Rhs[0]) != call || a.Tok != token.DEFINE && a.Tok != token.ASSIGN {
		return nil
	}
	return a
}

// neverFails reports whether fn, a function of the package with an error
// last result, returns the literal nil for it on every path.
func (r *run) neverFails(st *state, fn types.Object) bool {
	decl := funcDecl(st.rep, fn)
	if decl == nil || decl.Body == nil {
		return false
	}
	nilObj := types.Universe.Lookup("nil")
	fine, any := true, false
	goast.Inspect(decl.Body, func(n goast.Node) bool {
		switch n := n.(type) {
		case *goast.FuncLit:
			return false
		case *goast.ReturnStmt:
			any = true
			if len(n.Results) < 2 {
				fine = false // a bare return of named results, or one call's results
				return false
			}
			id, ok := goast.Unparen(n.Results[len(n.Results)-1]).(*goast.Ident)
			if !ok || st.rep.Info.Uses[id] != nilObj {
				fine = false
			}
		}
		return fine
	})
	return fine && any
}

// funcDecl returns the declaration of the package's function fn, or nil.
func funcDecl(rep *constraints.Report, fn types.Object) *goast.FuncDecl {
	if fn.Pkg() != rep.Pkg {
		return nil
	}
	for _, f := range rep.Files {
		if f == nil || f.Pos() > fn.Pos() || fn.Pos() > f.End() {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*goast.FuncDecl); ok && fd.Name.Pos() == fn.Pos() {
				return fd
			}
		}
	}
	return nil
}

// handleErr returns the statement that handles err in fn: a return of it
// with zero values where fn's last result is an error, t.Fatal(err) where
// fn takes a test's *testing.T, B, F or a testing.TB.
func (r *run) handleErr(st *state, file *goast.File, fn goast.Node) (string, bool) {
	info := st.rep.Info
	var ft *goast.FuncType
	switch fn := fn.(type) {
	case *goast.FuncDecl:
		ft = fn.Type
	case *goast.FuncLit:
		ft = fn.Type
	}
	var sig *types.Signature
	switch fn := fn.(type) {
	case *goast.FuncDecl:
		if o, ok := info.Defs[fn.Name].(*types.Func); ok {
			sig = o.Type().(*types.Signature)
		}
	case *goast.FuncLit:
		sig, _ = info.TypeOf(fn).(*types.Signature)
	}
	if sig == nil || ft == nil {
		return "", false
	}
	if res := sig.Results(); res.Len() > 0 && isError(res.At(res.Len()-1).Type()) {
		var vals []string
		for i := range res.Len() - 1 {
			q, ok := fileQualifier(st.rep, file, res.At(i).Type())
			if !ok {
				return "", false
			}
			vals = append(vals, ast.ZeroValue(res.At(i).Type(), q))
		}
		return "return " + strings.Join(append(vals, "err"), ", "), true
	}
	if sig.Results().Len() > 0 {
		return "", false
	}
	for i := range sig.Params().Len() {
		p := sig.Params().At(i)
		t := p.Type()
		if pt, ok := t.(*types.Pointer); ok {
			t = pt.Elem()
		}
		n, ok := t.(*types.Named)
		if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "testing" || p.Name() == "" || p.Name() == "_" {
			continue
		}
		switch n.Obj().Name() {
		case "T", "B", "F", "TB":
			return p.Name() + ".Fatal(err)", true
		}
	}
	return "", false
}

// declaredAfter reports whether the block that holds stmt (of path)
// declares name after stmt, at its own level.
func declaredAfter(path []goast.Node, stmt goast.Stmt, name string) bool {
	for i, n := range path {
		if n != stmt || i+1 >= len(path) {
			continue
		}
		b, ok := path[i+1].(*goast.BlockStmt)
		if !ok {
			return true
		}
		for _, s := range b.List {
			if s.Pos() <= stmt.Pos() {
				continue
			}
			switch s := s.(type) {
			case *goast.AssignStmt:
				if s.Tok == token.DEFINE && slices.ContainsFunc(s.Lhs, func(e goast.Expr) bool { id, ok := e.(*goast.Ident); return ok && id.Name == name }) {
					return true
				}
			case *goast.DeclStmt:
				found := false
				goast.Inspect(s, func(n goast.Node) bool {
					if id, ok := n.(*goast.Ident); ok && id.Name == name {
						found = true
					}
					return !found
				})
				if found {
					return true
				}
			}
		}
		return false
	}
	return true
}

func hasInit(n goast.Node) bool {
	switch n := n.(type) {
	case *goast.IfStmt:
		return n.Init != nil
	case *goast.SwitchStmt:
		return n.Init != nil
	case *goast.TypeSwitchStmt:
		return n.Init != nil
	}
	return false
}

func funcName(fn goast.Node) string {
	if fd, ok := fn.(*goast.FuncDecl); ok {
		return fd.Name.Name
	}
	return "the function literal"
}

// freshName returns a name for the value of a call of callee, unused at
// pos: the last word of callee's name (computeTotal: total), or v.
func freshName(sc *types.Scope, pos token.Pos, callee string) string {
	var cands []string
	if w := nameWords(callee); len(w) > 0 {
		cands = append(cands, w[len(w)-1])
	}
	cands = append(cands, "v", "v1", "v2")
	for _, c := range cands {
		if !token.IsIdentifier(c) || c == callee {
			continue
		}
		if _, o := sc.LookupParent(c, pos); o == nil {
			return c
		}
	}
	return ""
}

// indentAt returns the indentation of the line that holds offset off.
func indentAt(src string, off int) string {
	start := strings.LastIndexByte(src[:off], '\n') + 1
	end := start
	for end < len(src) && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	return src[start:end]
}
