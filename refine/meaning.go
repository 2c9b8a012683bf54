package refine

import (
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// Fixes that keep meaning (design §4b). A candidate that silences a check
// by deleting what the user wrote is worse than no edit: it compiles, and
// it is wrong. judge compares a hole's original text with a candidate at
// the level of go/scanner tokens and names the harm, if any:
//
//   - a value or argument replaced by nil, a zero value or an empty
//     literal (less → nil, "msg" → "");
//   - operands, arguments or statements deleted, or a call dropped;
//   - a condition negated or a comparison or logical operator flipped;
//   - a call of the enclosing function that was not there (recursion).
//
// Deleting is allowed where the type checker asks for fewer operands (too
// many arguments or results, an unused variable or label); value changes,
// deletions and flips are allowed where a failing test executes the
// code and proves them (test-driven repair). A self-call is never
// proposed by repair.

// tok is one go/scanner token of a fragment.
type tok struct {
	tok token.Token
	lit string
}

func (t tok) String() string {
	if t.lit != "" {
		return t.lit
	}
	return t.tok.String()
}

// tokens returns the lexemes of a Go fragment (see ast.Lex), with the
// text of literals only.
func tokens(src string) []tok {
	var out []tok
	for _, l := range ast.Lex(src) {
		t := tok{tok: l.Tok}
		if l.Tok.IsLiteral() {
			t.lit = l.Text
		}
		out = append(out, t)
	}
	return out
}

// A hunk is a run of deleted and inserted tokens between common ones.
type hunk struct {
	del, ins []tok
}

// diffTokens aligns a and b on a longest common subsequence and returns
// the hunks and the edit distance (tokens deleted plus inserted).
func diffTokens(a, b []tok) ([]hunk, int) {
	n, m := len(a), len(b)
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var hunks []hunk
	var cur *hunk
	flush := func() {
		if cur != nil {
			hunks = append(hunks, *cur)
			cur = nil
		}
	}
	open := func() *hunk {
		if cur == nil {
			cur = &hunk{}
		}
		return cur
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			flush()
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			open().ins = append(open().ins, b[j])
			j++
		default:
			open().del = append(open().del, a[i])
			i++
		}
	}
	flush()
	return hunks, n + m - 2*int(lcs[0][0])
}

// maxJudged bounds the tokens judge aligns (the table is quadratic); a
// longer fragment is judged by its self-calls only.
const maxJudged = 1500

// judgement is what judge says of a candidate.
type judgement struct {
	harm     string // why the candidate deletes meaning; "" if it does not
	selfCall bool   // it adds a call of the enclosing function
	dist     int    // token edit distance from the original
}

// judge compares the original text of a hole with a candidate fill.
// self describes the enclosing function (see selfOf); codes are the
// finding codes the hole answers and free the names its findings are
// about (an undefined name, the value of a mismatched type), which a
// repair may replace; proven says a failing test executes the hole, so
// value changes, deletions and flips are allowed.
func judge(orig, fill string, self selfRef, codes []diag.Code, free []string, proven bool) judgement {
	a, b := tokens(orig), tokens(fill)
	var j judgement
	if self.name != "" && self.count(b) > self.count(a) {
		j.selfCall = true
		j.harm = fmt.Sprintf("calls %s, the function it is in", self.name)
	}
	if len(a)+len(b) > maxJudged {
		j.dist = len(a) + len(b)
		return j
	}
	hunks, dist := diffTokens(a, b)
	j.dist = dist
	if j.harm != "" || proven {
		return j
	}
	mayDelete := slices.ContainsFunc(codes, func(c diag.Code) bool {
		switch c {
		case diag.WrongArgCount, diag.WrongResultCount, diag.UnusedVar, diag.UnusedLabel, diag.UnusedImport:
			return true
		}
		return false
	})
	// Operands inserted anywhere: a deletion of operands inserted
	// elsewhere is a move (swapped arguments), not a deletion.
	moved := map[tok]int{}
	for _, h := range hunks {
		for _, t := range h.ins {
			if isOperand(t) {
				moved[t]++
			}
		}
	}
	// An arithmetic operator changed for another answers only a finding
	// that the operator is not defined on its operands (or a syntax
	// error); elsewhere it changes what the code computes.
	mayChangeOp := slices.ContainsFunc(codes, func(c diag.Code) bool { return c == diag.UndefinedOp || c == diag.SyntaxError })
	for _, h := range hunks {
		if msg := flip(h); msg != "" {
			j.harm = msg
			return j
		}
		if msg := opSwap(h); msg != "" && !mayChangeOp {
			j.harm = msg
			return j
		}
		if len(h.del) > 0 && isZero(h.ins) && !isZero(h.del) {
			j.harm = fmt.Sprintf("replaces %s by %s", quoteToks(h.del), quoteToks(h.ins))
			return j
		}
		// (A name replaced by keywords and punctuation alone is no
		// constant: while → for, s.length → len(s).)
		if hasName(h.del) && slices.ContainsFunc(h.ins, isOperand) && !hasName(h.ins) && !takeAll(moved, h.del) {
			j.harm = fmt.Sprintf("replaces %s by the constant %s", quoteToks(h.del), quoteToks(h.ins))
			return j
		}
		if len(h.del) > 0 && len(h.ins) == 0 && !mayDelete && !takeAll(moved, h.del) {
			j.harm = fmt.Sprintf("deletes %s", quoteToks(h.del))
			return j
		}
	}
	if dropped := droppedCalls(a, b, free); dropped != "" && !slices.Contains(codes, diag.WrongResultCount) {
		j.harm = fmt.Sprintf("drops the call of %s", dropped)
		return j
	}
	if !mayDelete && !slices.Contains(codes, diag.SyntaxError) {
		if name := droppedValue(a, b, free); name != "" {
			j.harm = fmt.Sprintf("drops the value %s", name)
		}
	}
	return j
}

// droppedValue returns a name that a uses as a value and b does not use
// at all, if there is one: a variable the fill no longer reads
// (arr.append(arr[i]) → reflect.ValueOf(arr) drops arr and i). Names
// after a dot or before a parenthesis (what is selected or called: a
// repair renames those), predeclared names and the free ones do not
// count.
func droppedValue(a, b []tok, free []string) string {
	uses := map[string]int{}
	for _, t := range b {
		if t.tok == token.IDENT {
			uses[t.lit]++
		}
	}
	for i, t := range a {
		if t.tok != token.IDENT || predeclared(t.lit) || slices.Contains(free, t.lit) || uses[t.lit] > 0 {
			continue
		}
		if i > 0 && a[i-1].tok == token.PERIOD || i+1 < len(a) && a[i+1].tok == token.LPAREN {
			continue
		}
		return "`" + t.lit + "`"
	}
	return ""
}

// predeclared reports whether a value named name is one of the
// universe's: a constant, a type (a conversion's) or the blank.
func predeclared(name string) bool {
	switch name {
	case "_", "nil", "true", "false", "iota", "any", "error", "complex64", "complex128":
		return true
	}
	return pure[name]
}

var flips = map[token.Token][]token.Token{
	token.EQL:  {token.NEQ, token.LSS, token.GTR, token.LEQ, token.GEQ},
	token.NEQ:  {token.EQL, token.LSS, token.GTR, token.LEQ, token.GEQ},
	token.LSS:  {token.GEQ, token.GTR, token.LEQ, token.EQL, token.NEQ},
	token.GTR:  {token.LEQ, token.LSS, token.GEQ, token.EQL, token.NEQ},
	token.LEQ:  {token.GTR, token.LSS, token.GEQ, token.EQL, token.NEQ},
	token.GEQ:  {token.LSS, token.GTR, token.LEQ, token.EQL, token.NEQ},
	token.LAND: {token.LOR},
	token.LOR:  {token.LAND},
}

// flip names the condition a hunk negates or flips, if it does.
func flip(h hunk) string {
	ops := func(ts []tok) []token.Token {
		var out []token.Token
		for _, t := range ts {
			if t.tok == token.NOT || flips[t.tok] != nil {
				out = append(out, t.tok)
			}
		}
		return out
	}
	d, i := ops(h.del), ops(h.ins)
	for _, x := range d {
		for _, y := range i {
			if slices.Contains(flips[x], y) {
				return fmt.Sprintf("flips %s to %s", x, y)
			}
		}
	}
	if slices.Contains(d, token.NOT) && !slices.Contains(i, token.NOT) {
		return "removes a negation (!)"
	}
	if slices.Contains(i, token.NOT) && !slices.Contains(d, token.NOT) {
		return "negates a condition (!)"
	}
	return ""
}

// arith are the arithmetic and bitwise operators, alone or assigning.
var arith = map[token.Token]bool{
	token.ADD: true, token.SUB: true, token.MUL: true, token.QUO: true, token.REM: true,
	token.AND: true, token.OR: true, token.XOR: true, token.SHL: true, token.SHR: true, token.AND_NOT: true,
	token.ADD_ASSIGN: true, token.SUB_ASSIGN: true, token.MUL_ASSIGN: true, token.QUO_ASSIGN: true, token.REM_ASSIGN: true,
	token.AND_ASSIGN: true, token.OR_ASSIGN: true, token.XOR_ASSIGN: true, token.SHL_ASSIGN: true, token.SHR_ASSIGN: true, token.AND_NOT_ASSIGN: true,
	token.INC: true, token.DEC: true,
}

// opSwap describes a hunk that replaces an arithmetic operator by another
// (b * b → b + b), or returns "".
func opSwap(h hunk) string {
	if len(h.del) != 1 || len(h.ins) != 1 {
		return ""
	}
	x, y := h.del[0].tok, h.ins[0].tok
	if arith[x] && arith[y] && x != y {
		return fmt.Sprintf("changes the operator %s to %s", x, y)
	}
	return ""
}

// isZero reports whether ts is a zero value or an empty literal: nil, 0,
// 0.0, "", “, false, T{} or &T{}.
func isZero(ts []tok) bool {
	if len(ts) == 1 {
		t := ts[0]
		switch t.tok {
		case token.INT, token.FLOAT:
			return strings.Trim(t.lit, "0._xXoObB") == "" // 0, 0.0, 0x0
		case token.STRING:
			return t.lit == `""` || t.lit == "``"
		case token.CHAR:
			return t.lit == `'\x00'` || t.lit == `'\000'`
		case token.IDENT:
			return t.lit == "nil" || t.lit == "false"
		}
		return false
	}
	// T{}, pkg.T{}, &T{}, []T{}, map[K]V{}: ends in an empty brace pair.
	n := len(ts)
	return n >= 3 && ts[n-2].tok == token.LBRACE && ts[n-1].tok == token.RBRACE &&
		!slices.ContainsFunc(ts[:n-2], func(t tok) bool { return t.tok == token.LBRACE || t.tok == token.LPAREN })
}

// isOperand reports whether t is a name or a literal: deleting only
// punctuation or keywords (a stray comma) deletes no value.
func isOperand(t tok) bool { return t.tok == token.IDENT || t.tok.IsLiteral() }

// hasName reports whether ts holds an identifier other than nil, true,
// false and iota: a reference to something the program computes.
func hasName(ts []tok) bool {
	return slices.ContainsFunc(ts, func(t tok) bool {
		return t.tok == token.IDENT && t.lit != "nil" && t.lit != "true" && t.lit != "false" && t.lit != "iota"
	})
}

// takeAll reports whether every operand of ts is in pool, and takes them
// from it if so.
func takeAll(pool map[tok]int, ts []tok) bool {
	need := map[tok]int{}
	for _, t := range ts {
		if isOperand(t) {
			need[t]++
		}
	}
	for t, n := range need {
		if pool[t] < n {
			return false
		}
	}
	for t, n := range need {
		pool[t] -= n
	}
	return true
}

// pure lists the predeclared functions and types whose calls have no
// effect: dropping one loses no effect (its value is judged as a value).
var pure = map[string]bool{
	"len": true, "cap": true, "make": true, "new": true, "min": true, "max": true,
	"complex": true, "real": true, "imag": true,
	"bool": true, "byte": true, "rune": true, "string": true, "int": true, "int8": true,
	"int16": true, "int32": true, "int64": true, "uint": true, "uint8": true, "uint16": true,
	"uint32": true, "uint64": true, "uintptr": true, "float32": true, "float64": true,
	"complex64": true, "complex128": true, "any": true, "error": true,
}

// droppedCalls returns the name of a function that a calls and b does
// not, under its name or a similar one: a call deleted or replaced, not
// renamed. The free names (an undefined method's) do not count.
func droppedCalls(a, b []tok, free []string) string {
	ca, cb := callees(a), callees(b)
	// A call of what does not exist (an undefined method) is no call to
	// keep.
	ca = slices.DeleteFunc(ca, func(name string) bool { return slices.Contains(free, name) })
	// Each call a made is still made, or made under a similar name (a
	// typo fixed, t.Errorf → t.Error): a call replaced by another of the
	// right type (store.Fetch("name") → Path()) drops it as surely as a
	// deletion does.
	var gone []string
	for _, name := range ca {
		if i := slices.Index(cb, name); i >= 0 {
			cb = slices.Delete(cb, i, i+1)
			continue
		}
		gone = append(gone, name)
	}
	for _, name := range gone {
		i := slices.IndexFunc(cb, func(n string) bool { return similarNames(name, n) })
		if i < 0 {
			return name
		}
		cb = slices.Delete(cb, i, i+1)
	}
	return ""
}

// callees returns the names called in ts (the name before each "("),
// but for the pure predeclared functions and conversions.
func callees(ts []tok) []string {
	var out []string
	for i := 1; i < len(ts); i++ {
		if ts[i].tok == token.LPAREN && ts[i-1].tok == token.IDENT {
			dot := i >= 2 && ts[i-2].tok == token.PERIOD
			if k := ts[i-1].lit; k != "" && (dot || !pure[k]) {
				out = append(out, k)
			}
		}
	}
	return out
}

func quoteToks(ts []tok) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 && needsSpace(ts[i-1], t) {
			b.WriteByte(' ')
		}
		b.WriteString(t.String())
	}
	s := b.String()
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return "`" + s + "`"
}

func needsSpace(a, b tok) bool {
	if b.tok == token.LBRACE && (a.tok == token.IDENT || a.tok == token.RBRACK) {
		return false // T{...}, []T{...}
	}
	switch b.tok {
	case token.COMMA, token.RPAREN, token.RBRACK, token.RBRACE, token.PERIOD, token.LPAREN, token.LBRACK, token.SEMICOLON, token.COLON:
		return false
	}
	switch a.tok {
	case token.LPAREN, token.LBRACK, token.LBRACE, token.PERIOD, token.NOT, token.AND, token.MUL:
		return false
	}
	return true
}

// A selfRef describes how the enclosing function is called: name(…), or
// recv.name(…) for a method with receiver recv.
type selfRef struct {
	name, recv string
}

// count returns how often ts calls the function.
func (s selfRef) count(ts []tok) int {
	n := 0
	for i := 1; i < len(ts); i++ {
		if ts[i].tok != token.LPAREN || ts[i-1].tok != token.IDENT || ts[i-1].lit != s.name {
			continue
		}
		dot := i >= 2 && ts[i-2].tok == token.PERIOD
		switch {
		case s.recv == "" && !dot:
			n++
		case s.recv != "" && dot && i >= 3 && ts[i-3].lit == s.recv:
			n++
		}
	}
	return n
}

// selfCalls counts, in src, the calls of function s inside its own body:
// recursion. It reads the whole declaration, so a fill that completes a
// call whose parentheses lie outside its hole is counted too.
func selfCalls(src string, s selfRef) int {
	if s.name == "" {
		return 0
	}
	fset := token.NewFileSet()
	file, _ := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if file == nil {
		return 0
	}
	n := 0
	for _, d := range file.Decls {
		fd, ok := d.(*goast.FuncDecl)
		if !ok || fd.Body == nil || fd.Name.Name != s.name || (fd.Recv == nil) != (s.recv == "") {
			continue
		}
		goast.Inspect(fd.Body, func(node goast.Node) bool {
			call, ok := node.(*goast.CallExpr)
			if !ok {
				return true
			}
			switch fun := goast.Unparen(call.Fun).(type) {
			case *goast.Ident:
				if s.recv == "" && fun.Name == s.name {
					n++
				}
			case *goast.SelectorExpr:
				if x, ok := fun.X.(*goast.Ident); ok && s.recv != "" && x.Name == s.recv && fun.Sel.Name == s.name {
					n++
				}
			}
			return true
		})
	}
	return n
}

// selfAt returns how the function declared around offset off of f is
// called; zero outside functions (or when f does not parse that far).
func selfAt(f *ast.File, off int) selfRef {
	if f == nil {
		return selfRef{}
	}
	fset := token.NewFileSet()
	file, _ := parser.ParseFile(fset, f.Name, f.Text, parser.SkipObjectResolution)
	if file == nil {
		return selfRef{}
	}
	tf := fset.File(file.Pos())
	for _, d := range file.Decls {
		fd, ok := d.(*goast.FuncDecl)
		if !ok || fd.Body == nil || off < tf.Offset(fd.Pos()) || off > tf.Offset(fd.End()) {
			continue
		}
		s := selfRef{name: fd.Name.Name}
		if fd.Recv != nil && len(fd.Recv.List) == 1 && len(fd.Recv.List[0].Names) == 1 {
			s.recv = fd.Recv.List[0].Names[0].Name
		} else if fd.Recv != nil {
			return selfRef{} // an unnamed receiver cannot be called through
		}
		return s
	}
	return selfRef{}
}
