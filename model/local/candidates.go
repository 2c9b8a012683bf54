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
	text  string
	props []proposal // the generators that proposed it
	// source is the generator whose proposal scores best, and prior that
	// score (without the token model); set by score.
	source  string
	prior   float64
	score   float64 // prior plus the token model's opinion
	errs    float64 // weighted type errors with the candidate applied
	checked bool
	tie     uint64
}

// A proposal is one generator's proposal of a candidate: its own
// preference (key, higher first) and its rank among the generator's
// proposals for the hole (0 for the best; set by score).
type proposal struct {
	gen  int // index in generators
	key  float64
	rank int
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

	gen        int      // the generator running (index in generators)
	noLiterals bool     // the typed generator leaves out zero values and literals
	toks       []rawTok // the tokens of h.Original (see origTokens)
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
			s = ast.Describe(h, t.Fset, t.File(h.File), t.PkgOf(h.File), t.Info)
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

// add records the running generator's proposal of text, with key its
// preference among its own proposals for the hole (higher first).
func (c *holeCtx) add(text string, key float64) {
	if text == c.h.Original && c.h.Original != "" {
		return // refine already knows the original fails
	}
	x, ok := c.cands[text]
	if !ok {
		x = &cand{text: text}
		c.cands[text] = x
		c.order = append(c.order, text)
	}
	for i, p := range x.props {
		if p.gen == c.gen {
			x.props[i].key = max(p.key, key)
			return
		}
	}
	x.props = append(x.props, proposal{gen: c.gen, key: key})
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

func isIdentRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127
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
