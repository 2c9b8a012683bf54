package local

import (
	"go/types"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
)

// synthStd are the standard-library packages whose functions
// synthBodies wraps, by the name they are imported under.
var synthStd = map[string]string{
	"strings": "strings", "strconv": "strconv", "unicode": "unicode", "math": "math",
	"slices": "slices", "utf8": "unicode/utf8",
}

// synthBodies proposes whole bodies built from the function's signature
// and the words of its doc comment (the instruction of a body hole that
// difgen gen writes): with one result, a return of one expression of the
// result type (a parameter, a field, a length, a zero check, a call of a
// standard-library function its words name); without results, an append
// to a slice field or a field set from a parameter. Candidates whose
// identifiers the words name rank first.
func (c *holeCtx) synthBodies() {
	if c.sig == nil || c.info == nil || c.h.Kind != ast.Body {
		return
	}
	words := instructionWords(c.h.Instruction + " " + funcName(c.path))
	switch c.sig.Results().Len() {
	case 1:
		c.synthReturns(c.sig.Results().At(0).Type(), words)
	case 0:
		c.synthStatements(words)
	}
}

// synthReturns proposes "return E" for expressions E of type r.
func (c *holeCtx) synthReturns(r types.Type, words map[string]bool) {
	saved, savedOrder, savedExp := c.cands, c.order, c.expected
	c.cands, c.order, c.expected = map[string]*cand{}, nil, r
	c.exprCandidates()
	add := func(text string, t types.Type, prior float64) {
		if t != nil && !assignable(t, r) {
			return
		}
		c.add(text, prior)
	}
	vars := c.vars(12)
	for _, v := range c.localVars(5) {
		c.derived(v.Name(), v.Type(), r, add)
		for _, m := range members(v.Type(), c.pkg) {
			switch m := m.(type) {
			case *types.Var:
				c.derived(v.Name()+"."+m.Name(), m.Type(), r, add)
			case *types.Func:
				sig, ok := m.Type().(*types.Signature)
				if ok && sig.Params().Len() == 0 && resultType(sig) != nil && isBasic(resultType(sig)) {
					c.derived(v.Name()+"."+m.Name()+"()", resultType(sig), r, add)
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(synthStd)) {
		if c.lookupPkgName(name) != nil {
			continue // exprCandidates proposed its members
		}
		pkg := c.rs.stdPackage(c.ctx, synthStd[name])
		if pkg == nil {
			continue
		}
		s := pkg.Scope()
		for _, n := range s.Names() {
			fn, ok := s.Lookup(n).(*types.Func)
			if !ok || !fn.Exported() {
				continue
			}
			if ov := overlap(words, n); ov > 0 {
				c.callCands(name+"."+n, fn, 0.5+float64(ov), vars, add)
			}
		}
	}
	exprs := c.list()
	c.cands, c.order, c.expected = saved, savedOrder, savedExp
	for _, x := range exprs {
		if x.text == "" {
			continue
		}
		key := math.Inf(-1) // the expression generators' preference
		for _, pr := range x.props {
			key = max(key, pr.key)
		}
		p := key + 1.2*float64(overlap(words, x.text))
		c.add("return "+x.text, p+0.5)
	}
}

// derived proposes, for x of type t, the expressions of type r that
// simple bodies compute from it: its length, and, for a bool result,
// whether it is empty, zero or nil.
func (c *holeCtx) derived(x string, t types.Type, r types.Type, add func(string, types.Type, float64)) {
	u := under(t)
	hasLen := false
	switch u.(type) {
	case *types.Slice, *types.Map, *types.Chan, *types.Array:
		hasLen = true
	}
	if isString(t) {
		hasLen = true
	}
	if isInt(r) && hasLen {
		add("len("+x+")", types.Typ[types.Int], 0)
	}
	if b, ok := under(r).(*types.Basic); !ok || b.Info()&types.IsBoolean == 0 {
		return
	}
	boolean := types.Typ[types.Bool]
	switch {
	case hasLen:
		add("len("+x+") == 0", boolean, 0)
		add("len("+x+") > 0", boolean, -0.3)
	case isNillable(u):
		add(x+" == nil", boolean, 0)
		add(x+" != nil", boolean, -0.3)
	case isBasic(t) && under(t).(*types.Basic).Info()&types.IsNumeric != 0:
		add(x+" == 0", boolean, 0)
		add(x+" != 0", boolean, -0.3)
		add(x+" > 0", boolean, -0.4)
		add(x+" < 0", boolean, -0.4)
	}
}

func isNillable(u types.Type) bool {
	switch u.(type) {
	case *types.Pointer, *types.Interface, *types.Signature:
		return true
	}
	return false
}

// synthStatements proposes bodies without results: appending a parameter
// to a slice field, or setting a field from a parameter, of a pointer
// parameter or receiver.
func (c *holeCtx) synthStatements(words map[string]bool) {
	vars := c.localVars(6)
	for _, v := range vars {
		if _, ok := v.Type().Underlying().(*types.Pointer); !ok {
			continue
		}
		for _, m := range members(v.Type(), c.pkg) {
			f, ok := m.(*types.Var)
			if !ok {
				continue
			}
			sel := v.Name() + "." + f.Name()
			for _, p := range vars {
				if p == v {
					continue
				}
				bonus := 1.2 * float64(overlap(words, f.Name()))
				if strings.EqualFold(p.Name(), f.Name()) {
					bonus += 1
				}
				if s, ok := under(f.Type()).(*types.Slice); ok && types.AssignableTo(p.Type(), s.Elem()) {
					c.add(sel+" = append("+sel+", "+p.Name()+")", 1.5+bonus)
				}
				if types.AssignableTo(p.Type(), f.Type()) {
					c.add(sel+" = "+p.Name(), 0.5+bonus)
				}
			}
		}
	}
}

// stopWords are instruction words that say nothing about which code to
// write.
var stopWords = map[string]bool{
	"the": true, "a": true, "an": true, "of": true, "in": true, "on": true, "to": true,
	"is": true, "it": true, "its": true, "and": true, "or": true, "returns": true,
	"return": true, "reports": true, "whether": true, "given": true, "for": true,
	"with": true, "by": true, "as": true, "be": true, "that": true, "this": true,
	"from": true, "if": true, "at": true, "when": true, "then": true, "into": true,
	"all": true, "any": true, "are": true, "has": true, "have": true, "not": true,
}

// instructionWords returns the words of s that may name code: lower-case,
// without stop words and with a plural s removed.
func instructionWords(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) {
		for _, t := range ast.Tokenize(w) {
			p := stem(strings.ToLower(t.Text))
			if len(p) >= 2 && !stopWords[p] {
				out[p] = true
			}
		}
	}
	return out
}

func stem(w string) string {
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		return w[:len(w)-1]
	}
	return w
}

// overlap counts the distinct words of the identifiers in code that are
// among words.
func overlap(words map[string]bool, code string) int {
	seen := map[string]bool{}
	for _, id := range strings.FieldsFunc(code, func(r rune) bool { return !isIdentRune(r) }) {
		for _, t := range ast.Tokenize(id) {
			p := stem(strings.ToLower(t.Text))
			if words[p] && !seen[p] {
				seen[p] = true
			}
		}
	}
	return len(seen)
}
