package local

import (
	"context"
	goast "go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
	"github.com/difgen/difgen/model"
)

// A cand is one candidate fill being ranked.
type cand struct {
	text    string
	prior   float64 // generator's log-scale preference
	source  string
	score   float64 // prior plus the token model's opinion
	errs    float64 // weighted type errors with the candidate applied
	checked bool
	tie     uint64
}

// A holeCtx is what the generators know about one hole.
type holeCtx struct {
	ctx      context.Context
	d        *Denoiser
	rs       *reqState
	req      *model.Request
	h        *ast.Hole
	src      string // the text of h.File
	fileToks []ast.Token

	// The hole's slot (see ast.Slot), when go/types covers h.File as it
	// is, and the facts read from it.
	slot     *ast.Slot
	info     *types.Info
	pkg      *types.Package
	fset     *token.FileSet
	file     *goast.File
	tf       *token.File
	pos, end token.Pos
	path     []goast.Node // innermost first
	node     goast.Node   // the node spanning exactly the hole, if any
	expected types.Type
	sig      *types.Signature // of the enclosing function
	objs     []types.Object   // in scope at the hole, nearest first

	cands map[string]*cand
	order []string
}

func (d *Denoiser) newHoleCtx(ctx context.Context, rs *reqState, h *ast.Hole) *holeCtx {
	req := rs.req
	c := &holeCtx{ctx: ctx, d: d, rs: rs, req: req, h: h, cands: map[string]*cand{}}
	if req.Canvas != nil {
		if f := req.Canvas.File(h.File); f != nil {
			c.src = f.Text
		}
	}
	s := h.Slot
	if s == nil {
		// A request that refine did not make: the slot is computed here,
		// by the same function.
		if t := req.Types; t != nil && t.Info != nil && t.Pkg != nil && t.Fset != nil {
			s = ast.Describe(h, t.Fset, t.File(h.File), t.Pkg, t.Info)
		}
	}
	if s == nil || s.Info == nil || s.Pkg == nil || s.Tok == nil || s.Tok.Size() != len(c.src) || h.Start < 0 || h.End < h.Start || h.End > len(c.src) {
		return c
	}
	c.slot = s
	c.info, c.pkg, c.fset, c.file, c.tf = s.Info, s.Pkg, s.Fset, s.File, s.Tok
	c.pos, c.end = s.Tok.Pos(h.Start), s.Tok.Pos(h.End)
	c.path = s.Path()
	c.node = s.Node
	c.sig = s.Signature
	c.objs = s.Scope
	c.expected = s.Expected
	return c
}

// add proposes text with a prior, keeping the best prior of duplicates.
func (c *holeCtx) add(text string, prior float64, source string) {
	if text == c.h.Original && c.h.Original != "" {
		return // refine already knows the original fails
	}
	if x, ok := c.cands[text]; ok {
		if prior > x.prior {
			x.prior, x.source = prior, source
		}
		return
	}
	c.cands[text] = &cand{text: text, prior: prior, source: source}
	c.order = append(c.order, text)
}

// list returns the candidates in the order they were first proposed.
func (c *holeCtx) list() []*cand {
	out := make([]*cand, len(c.order))
	for i, t := range c.order {
		out[i] = c.cands[t]
	}
	return out
}

// context returns up to n tokens either side of the hole.
func (c *holeCtx) context(n int) (left, right []ast.Token) {
	toks := c.fileToks
	// toks[:i] end at or before Start: a token just before the hole,
	// with no space between, is left context too.
	i, _ := slices.BinarySearchFunc(toks, c.h.Start, func(t ast.Token, start int) int {
		if t.End <= start {
			return -1
		}
		return 1
	})
	j := i
	for j < len(toks) && toks[j].Off < c.h.End {
		j++
	}
	left = toks[max(0, i-n):i]
	right = toks[j:min(len(toks), j+n)]
	return left, right
}

// generate runs every generator that applies to the hole.
func (c *holeCtx) generate() {
	h := c.h
	switch h.Kind {
	case ast.Ident, ast.Expr:
		if c.predicting() {
			c.predict()
			break
		}
		c.exprCandidates()
		c.unmask()
	case ast.Stmts, ast.Body:
		c.templateCandidates()
	}
	c.nearMiss()
	if h.Original != "" && !h.User {
		c.tokenEdits()
	}
	c.repairs()
	if c.predicting() && h.Kind == ast.Ident {
		c.keepIdents()
	}
	if h.Original != "" && !h.User && testFailures(h.Findings) {
		// The code compiled and a test fails: the slip is most likely one
		// token of the original, not a different expression.
		for _, x := range c.cands {
			if x.source != "edit" {
				x.prior -= 2
			}
		}
	}
}

// testFailures reports whether every finding the hole answers is a
// failing test.
func testFailures(fs []diag.Finding) bool {
	for _, f := range fs {
		if f.Category != diag.Tests {
			return false
		}
	}
	return len(fs) > 0
}

// findings returns the findings of the hole with one of the codes, in
// the hole's file.
func (c *holeCtx) findings(codes ...diag.Code) []diag.Finding {
	var out []diag.Finding
	for _, f := range c.h.Findings {
		if f.File == c.h.File && slices.Contains(codes, f.Code) {
			out = append(out, f)
		}
	}
	return out
}

// has reports whether the hole answers a finding with one of the codes.
func (c *holeCtx) has(codes ...diag.Code) bool {
	return slices.ContainsFunc(c.h.Findings, func(f diag.Finding) bool { return slices.Contains(codes, f.Code) })
}

// subject returns the source text of f's span: the name f is about.
func (c *holeCtx) subject(f diag.Finding) string { return f.Subject(c.src) }

// qualifier returns the identifier before the dot that precedes offset
// off of the hole's file (pkg in pkg.Name), or "".
func (c *holeCtx) qualifier(off int) string {
	i := off
	for i > 0 && (c.src[i-1] == ' ' || c.src[i-1] == '\t') {
		i--
	}
	if i == 0 || c.src[i-1] != '.' {
		return ""
	}
	i--
	for i > 0 && (c.src[i-1] == ' ' || c.src[i-1] == '\t') {
		i--
	}
	j := i
	for i > 0 && isIdentRune(rune(c.src[i-1])) {
		i--
	}
	return c.src[i:j]
}

// qual qualifies types relative to the hole's package.
func (c *holeCtx) qual(p *types.Package) string {
	if p == c.pkg {
		return ""
	}
	return p.Name()
}

// valid returns t, or nil when t is missing or invalid.
func valid(t types.Type) types.Type {
	if t == nil || t == types.Typ[types.Invalid] {
		return nil
	}
	return t
}

func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

// assignable reports whether a value of type v fits t.
func assignable(v, t types.Type) bool {
	if v == nil || t == nil {
		return true
	}
	if valid(v) == nil || valid(t) == nil {
		return false
	}
	if _, ok := t.(*types.TypeParam); ok {
		return true
	}
	return types.AssignableTo(v, t)
}

// exprCandidates proposes identifiers, selectors, calls, literals, zero
// values and conversions, kept only when they fit the expected type.
func (c *holeCtx) exprCandidates() {
	if c.pkg == nil {
		for _, lit := range []string{"nil", "0", `""`, "true", "false", "1"} {
			c.add(lit, -2.5, "literal")
		}
		return
	}
	if c.selectorMembers() {
		return
	}
	exp := c.expected
	add := func(text string, t types.Type, prior float64, src string) {
		if exp != nil && !assignable(t, exp) {
			return
		}
		if exp != nil && t == nil {
			prior -= 1
		}
		c.add(text, prior, src)
	}
	if exp != nil {
		c.add(zeroValue(exp, c.qual), -0.8, "zero")
		if b, ok := under(exp).(*types.Basic); ok {
			switch {
			case b.Info()&types.IsInteger != 0:
				c.add("1", -1.2, "literal")
				c.add("-1", -2, "literal")
			case b.Info()&types.IsBoolean != 0:
				c.add("true", -0.8, "literal")
			}
		}
	} else {
		for _, lit := range []string{"nil", "0", `""`, "true", "false", "1"} {
			c.add(lit, -2.5, "literal")
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
			add(name, o.Type(), p, "scope")
			c.memberCands(name, o.Type(), p-0.7, vars, add)
			if sig, ok := under(o.Type()).(*types.Signature); ok && sig.Params().Len() == 0 && resultType(sig) != nil {
				add(name+"()", resultType(sig), p-0.6, "types") // var now = time.Now
				c.resultMembers(name, sig, p-1.2, vars, add)
			}
			if exp != nil && !assignable(o.Type(), exp) && types.ConvertibleTo(o.Type(), exp) && isBasic(exp) && isBasic(o.Type()) {
				add(types.TypeString(exp, c.qual)+"("+name+")", exp, p-1.2, "conversion")
			}
			if exp != nil && isInt(exp) {
				switch under(o.Type()).(type) {
				case *types.Slice, *types.Map, *types.Chan, *types.Array:
					add("len("+name+")", types.Typ[types.Int], p-0.6, "types")
				case *types.Basic:
					if isString(o.Type()) {
						add("len("+name+")", types.Typ[types.Int], p-0.6, "types")
					}
				}
			}
		case *types.Const:
			add(name, o.Type(), p, "scope")
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
func (c *holeCtx) callCands(name string, fn *types.Func, p float64, vars []*types.Var, add func(string, types.Type, float64, string)) {
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
		add(name+"("+args+")", rt, p-0.2*float64(i), "types")
	}
}

// resultMembers proposes the fields and methods of the result of calling
// name, a function of type t with no parameters and one result that is
// not a basic type or error (timeNow().UnixNano()).
func (c *holeCtx) resultMembers(name string, t types.Type, p float64, vars []*types.Var, add func(string, types.Type, float64, string)) {
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
func (c *holeCtx) memberCands(x string, t types.Type, p float64, vars []*types.Var, add func(string, types.Type, float64, string)) {
	for _, m := range members(t, c.pkg) {
		switch m := m.(type) {
		case *types.Var:
			add(x+"."+m.Name(), m.Type(), p, "field")
		case *types.Func:
			c.callCands(x+"."+m.Name(), m, p-0.2, vars, add)
		}
	}
}

// members returns the fields and methods of t visible from pkg, sorted
// by name.
func members(t types.Type, pkg *types.Package) []types.Object {
	if t == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []types.Object
	visible := func(o types.Object) bool { return o.Exported() || o.Pkg() == pkg }
	ms := types.NewMethodSet(t)
	if _, isPtr := t.(*types.Pointer); !isPtr && !types.IsInterface(t) {
		ms = types.NewMethodSet(types.NewPointer(t))
	}
	for i := range ms.Len() {
		o := ms.At(i).Obj()
		if visible(o) && !seen[o.Name()] {
			seen[o.Name()] = true
			out = append(out, o)
		}
	}
	var walk func(t types.Type, depth int)
	walk = func(t types.Type, depth int) {
		if p, ok := under(t).(*types.Pointer); ok {
			t = p.Elem()
		}
		st, ok := under(t).(*types.Struct)
		if !ok || depth > 2 {
			return
		}
		for i := range st.NumFields() {
			f := st.Field(i)
			if visible(f) && !seen[f.Name()] {
				seen[f.Name()] = true
				out = append(out, f)
			}
			if f.Embedded() {
				walk(f.Type(), depth+1)
			}
		}
	}
	walk(t, 0)
	slices.SortFunc(out, func(a, b types.Object) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}

// pkgMembers proposes the exported constants, variables and calls of pkg,
// imported under name.
func (c *holeCtx) pkgMembers(pkg *types.Package, name string, p float64, vars []*types.Var, add func(string, types.Type, float64, string)) {
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
			add(name+"."+n, o.Type(), p, "package")
		case *types.Func:
			c.callCands(name+"."+n, o, p-0.2, vars, add)
		}
	}
}

// lookupPkgName returns the package imported under name at the hole.
func (c *holeCtx) lookupPkgName(name string) *types.PkgName {
	for _, o := range c.objs {
		if o.Name() == name {
			pn, _ := o.(*types.PkgName)
			return pn
		}
	}
	return nil
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

func isIdentRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127
}

// zeroValue returns the zero value of t as Go source.
func zeroValue(t types.Type, q types.Qualifier) string {
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
	if _, ok := t.(*types.TypeParam); ok {
		return "*new(" + types.TypeString(t, q) + ")"
	}
	return "*new(" + types.TypeString(t, q) + ")"
}

// stdPackages maps the names of common standard-library packages to
// their import paths.
var stdPackages = map[string]string{
	"bufio": "bufio", "bytes": "bytes", "cmp": "cmp", "context": "context",
	"errors": "errors", "filepath": "path/filepath", "fmt": "fmt", "io": "io",
	"json": "encoding/json", "maps": "maps", "math": "math", "os": "os",
	"path": "path", "reflect": "reflect", "regexp": "regexp", "slices": "slices",
	"sort": "sort", "strconv": "strconv", "strings": "strings", "sync": "sync",
	"time": "time", "unicode": "unicode", "utf8": "unicode/utf8", "bits": "math/bits",
	"hex": "encoding/hex", "binary": "encoding/binary", "atomic": "sync/atomic",
	"rand": "math/rand", "http": "net/http", "url": "net/url", "exec": "os/exec",
	"log": "log", "iter": "iter", "base64": "encoding/base64",
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
			c.add(n, -1, "member") // the token model decides
			continue
		}
		d := editDistance(strings.ToLower(id.Name), strings.ToLower(n))
		c.add(n, -1-0.3*float64(min(d, 10)), "member")
	}
	return true
}
