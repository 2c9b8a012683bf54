package bench

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"slices"
	"sort"
	"strings"
)

// Harmful edits. A repair that builds and passes the tests can still be
// wrong: it may silence a check by deleting what the author wrote. The
// benchmark judges every changed file of a repaired case at the level of
// go/scanner tokens, the way refine's judge judges one candidate (design
// §4b), but from the outside: it sees only the files before and after
// the fixer, not the findings the fixer answered. An edit is harmful
// when it
//
//   - replaces a value by nil, a zero value or an empty literal;
//   - replaces a reference to something computed by a constant;
//   - deletes operands, arguments or statements (names or literals), or
//     drops a call;
//   - negates a condition or flips a comparison or logical operator;
//   - adds a call of the function it is in (recursion);
//   - deletes a file.
//
// Deleting is not harmful inside an import declaration (an unused
// import) or when it deletes the declaration of a variable nothing else
// in the file names (an unused variable); a deletion that reappears
// elsewhere in the file is a move. A file that ends up equal to the
// case's reference (the original, or upstream's fix) up to gofmt is
// never judged. This re-implements refine's rules at the diff level so
// that internal/bench needs nothing of refine.

// A btok is one go/scanner token: its kind, its literal (for names and
// literals) and its line.
type btok struct {
	tok  token.Token
	lit  string
	line int
}

func (t btok) key() string {
	if t.lit != "" {
		return t.lit
	}
	return t.tok.String()
}

func (t btok) same(u btok) bool { return t.tok == u.tok && t.lit == u.lit }

func (t btok) operand() bool { return t.tok == token.IDENT || t.tok.IsLiteral() }

// scanTokens scans Go source (a whole file or a fragment) without the
// semicolons the scanner inserts at line ends, with lines numbered from
// firstLine.
func scanTokens(src string, firstLine int) []btok {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), func(token.Position, string) {}, 0)
	var out []btok
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			return out
		}
		if t == token.SEMICOLON && lit == "\n" {
			continue
		}
		if !t.IsLiteral() {
			lit = ""
		}
		out = append(out, btok{tok: t, lit: lit, line: firstLine + fset.Position(pos).Line - 1})
	}
}

// A span is a run of lines [Start, End) of a text, 0-based.
type span struct{ Start, End int }

// A lineHunk pairs the lines deleted from a with those inserted in b.
type lineHunk struct{ a, b span }

// diffLines aligns the lines of a and b on a longest common subsequence
// and returns the runs that differ. Beyond a size bound the whole middle
// (after common prefix and suffix) is one hunk.
func diffLines(a, b []string) []lineHunk {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	x, y := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(x) == 0 && len(y) == 0 {
		return nil
	}
	if len(x)*len(y) > 4_000_000 {
		return []lineHunk{{span{pre, pre + len(x)}, span{pre, pre + len(y)}}}
	}
	ops := lcsOps(len(x), len(y), func(i, j int) bool { return x[i] == y[j] })
	var hunks []lineHunk
	i, j := 0, 0
	var cur *lineHunk
	for _, op := range ops {
		switch op {
		case '=':
			if cur != nil {
				hunks = append(hunks, *cur)
				cur = nil
			}
			i++
			j++
		case '-':
			if cur == nil {
				cur = &lineHunk{span{pre + i, pre + i}, span{pre + j, pre + j}}
			}
			cur.a.End++
			i++
		case '+':
			if cur == nil {
				cur = &lineHunk{span{pre + i, pre + i}, span{pre + j, pre + j}}
			}
			cur.b.End++
			j++
		}
	}
	if cur != nil {
		hunks = append(hunks, *cur)
	}
	return hunks
}

// lcsOps returns an edit script ('=' keep, '-' delete from a, '+' insert
// from b) of a longest common subsequence of sequences of lengths n and
// m.
func lcsOps(n, m int, eq func(i, j int) bool) []byte {
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if eq(i, j) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []byte
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && eq(i, j):
			ops = append(ops, '=')
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			ops = append(ops, '+')
			j++
		default:
			ops = append(ops, '-')
			i++
		}
	}
	return ops
}

// A tokHunk is a run of deleted and inserted tokens between common ones.
type tokHunk struct{ del, ins []btok }

// diffToks aligns token runs a and b; beyond a size bound they are one
// hunk.
func diffToks(a, b []btok) []tokHunk {
	if len(a)*len(b) > 1_000_000 {
		return []tokHunk{{a, b}}
	}
	var hunks []tokHunk
	var cur *tokHunk
	i, j := 0, 0
	for _, op := range lcsOps(len(a), len(b), func(i, j int) bool { return a[i].same(b[j]) }) {
		if op == '=' {
			if cur != nil {
				hunks = append(hunks, *cur)
				cur = nil
			}
			i++
			j++
			continue
		}
		if cur == nil {
			cur = &tokHunk{}
		}
		if op == '-' {
			cur.del = append(cur.del, a[i])
			i++
		} else {
			cur.ins = append(cur.ins, b[j])
			j++
		}
	}
	if cur != nil {
		hunks = append(hunks, *cur)
	}
	return hunks
}

// Harms judges the edits that turned the files before into the files
// after (slash paths to Go source) and returns why any of them deletes
// meaning, as "file:line: reason", in file order. A file whose text after
// equals its text in want up to gofmt is not judged.
func Harms(before, after, want map[string]string) []string {
	var out []string
	for _, name := range sortedKeys(before) {
		if _, ok := after[name]; !ok {
			if w, ok := want[name]; !ok || w != "" {
				out = append(out, name+": deletes the file")
			}
		}
	}
	for _, name := range sortedKeys(after) {
		a, b := before[name], after[name]
		if a == b {
			continue
		}
		if w, ok := want[name]; ok && normalize(w) == normalize(b) {
			continue
		}
		for _, h := range fileHarms(a, b) {
			out = append(out, name+":"+h)
		}
	}
	return out
}

// fileHarms judges one file's edit; each reason starts with the line (in
// the text after) it concerns.
func fileHarms(a, b string) []string {
	al, bl := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	hunks := diffLines(al, bl)
	imports := importLines(a)
	aToks := scanTokens(a, 1)
	count := map[string]int{} // how often each name is spelled in a
	for _, t := range aToks {
		if t.tok == token.IDENT {
			count[t.lit]++
		}
	}
	type judged struct {
		line       int
		th         []tokHunk
		importOnly bool // deletes only lines of import declarations
		del, ins   []btok
	}
	var js []judged
	moved := map[string]int{} // operands inserted anywhere in the file
	for _, h := range hunks {
		del := scanTokens(strings.Join(al[h.a.Start:h.a.End], ""), h.a.Start+1)
		ins := scanTokens(strings.Join(bl[h.b.Start:h.b.End], ""), h.b.Start+1)
		for _, t := range ins {
			if t.operand() {
				moved[t.key()]++
			}
		}
		inImport := h.a.Start < h.a.End
		for l := h.a.Start; l < h.a.End; l++ {
			inImport = inImport && imports[l+1]
		}
		js = append(js, judged{line: h.b.Start + 1, th: diffToks(del, ins), importOnly: inImport && len(ins) == 0, del: del, ins: ins})
	}
	var out []string
	for _, j := range js {
		if j.importOnly {
			continue
		}
		reason := ""
		for _, th := range j.th {
			if reason = judgeHunk(th, moved, count); reason != "" {
				break
			}
		}
		if reason == "" {
			if d := droppedCall(j.del, j.ins, moved); d != "" {
				reason = "drops the call of " + d
			}
		}
		if reason != "" {
			out = append(out, fmt.Sprintf("%d: %s", j.line, reason))
		}
	}
	out = append(out, newSelfCalls(a, b)...)
	sort.SliceStable(out, func(i, k int) bool { return lineOf(out[i]) < lineOf(out[k]) })
	return out
}

func lineOf(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			break
		}
		n = 10*n + int(r-'0')
	}
	return n
}

// judgeHunk names the harm of one token hunk, or returns "". moved holds
// the operands inserted anywhere in the file (deleting one of those is a
// move); count how often each name is spelled in the file before.
func judgeHunk(h tokHunk, moved map[string]int, count map[string]int) string {
	if msg := flipOf(h); msg != "" {
		return msg
	}
	if len(h.del) > 0 && zeroValue(h.ins) && !zeroValue(h.del) {
		return fmt.Sprintf("replaces %s by %s", quoteBtoks(h.del), quoteBtoks(h.ins))
	}
	if namesSomething(h.del) && len(h.ins) > 0 && !namesSomething(h.ins) && !takeMoved(moved, h.del) {
		return fmt.Sprintf("replaces %s by the constant %s", quoteBtoks(h.del), quoteBtoks(h.ins))
	}
	if len(h.ins) == 0 && slices.ContainsFunc(h.del, btok.operand) && !unusedDecl(h.del, count) && !stringer(h.del) && !takeMoved(moved, h.del) {
		return fmt.Sprintf("deletes %s", quoteBtoks(h.del))
	}
	return ""
}

var flipTable = map[token.Token][]token.Token{
	token.EQL:  {token.NEQ, token.LSS, token.GTR, token.LEQ, token.GEQ},
	token.NEQ:  {token.EQL, token.LSS, token.GTR, token.LEQ, token.GEQ},
	token.LSS:  {token.GEQ, token.GTR, token.LEQ, token.EQL, token.NEQ},
	token.GTR:  {token.LEQ, token.LSS, token.GEQ, token.EQL, token.NEQ},
	token.LEQ:  {token.GTR, token.LSS, token.GEQ, token.EQL, token.NEQ},
	token.GEQ:  {token.LSS, token.GTR, token.LEQ, token.EQL, token.NEQ},
	token.LAND: {token.LOR},
	token.LOR:  {token.LAND},
}

// flipOf names the condition a hunk negates or flips, if it does.
func flipOf(h tokHunk) string {
	ops := func(ts []btok) []token.Token {
		var out []token.Token
		for _, t := range ts {
			if t.tok == token.NOT || flipTable[t.tok] != nil {
				out = append(out, t.tok)
			}
		}
		return out
	}
	d, i := ops(h.del), ops(h.ins)
	for _, x := range d {
		for _, y := range i {
			if slices.Contains(flipTable[x], y) {
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

// zeroValue reports whether ts is a zero value or an empty literal: nil,
// 0, 0.0, "", “, false, T{} or &T{}.
func zeroValue(ts []btok) bool {
	if len(ts) == 1 {
		t := ts[0]
		switch t.tok {
		case token.INT, token.FLOAT:
			return strings.Trim(t.lit, "0._xXoObB") == ""
		case token.STRING:
			return t.lit == `""` || t.lit == "``"
		case token.CHAR:
			return t.lit == `'\x00'` || t.lit == `'\000'`
		case token.IDENT:
			return t.lit == "nil" || t.lit == "false"
		}
		return false
	}
	n := len(ts)
	return n >= 3 && ts[n-2].tok == token.LBRACE && ts[n-1].tok == token.RBRACE &&
		!slices.ContainsFunc(ts[:n-2], func(t btok) bool { return t.tok == token.LBRACE || t.tok == token.LPAREN })
}

// namesSomething reports whether ts holds an identifier other than nil,
// true, false and iota: a reference to something the program computes.
func namesSomething(ts []btok) bool {
	return slices.ContainsFunc(ts, func(t btok) bool {
		return t.tok == token.IDENT && t.lit != "nil" && t.lit != "true" && t.lit != "false" && t.lit != "iota"
	})
}

// takeMoved reports whether every operand of ts is in pool, and takes
// them from it if so.
func takeMoved(pool map[string]int, ts []btok) bool {
	need := map[string]int{}
	for _, t := range ts {
		if t.operand() {
			need[t.key()]++
		}
	}
	if len(need) == 0 {
		return false
	}
	for k, n := range need {
		if pool[k] < n {
			return false
		}
	}
	for k, n := range need {
		pool[k] -= n
	}
	return true
}

// unusedDecl reports whether del is the declaration of variables
// (x := e, x, y := e, var x T = e) none of which the file before names
// anywhere else: deleting an unused variable.
func unusedDecl(del []btok, count map[string]int) bool {
	var names []string
	switch {
	case len(del) >= 2 && del[0].tok == token.VAR:
		for _, t := range del[1:] {
			if t.tok != token.IDENT {
				break
			}
			names = append(names, t.lit)
		}
	default:
		i := 0
		for i < len(del) && del[i].tok == token.IDENT {
			names = append(names, del[i].lit)
			i++
			if i < len(del) && del[i].tok == token.COMMA {
				i++
			}
		}
		if i >= len(del) || del[i].tok != token.DEFINE {
			return false
		}
	}
	if len(names) == 0 {
		return false
	}
	used := false
	for _, n := range names {
		if n != "_" && count[n] > 1 {
			used = true
		}
	}
	return !used
}

// stringer reports whether ts holds nothing but the parts of a call of
// .Error() or .String() without arguments: deleting one where a value is
// printed loses nothing (t.Fatal(err) for t.Fatalf(err.Error())).
func stringer(ts []btok) bool {
	name := false
	for _, t := range ts {
		switch {
		case t.tok == token.IDENT && (t.lit == "Error" || t.lit == "String"):
			name = true
		case t.tok == token.PERIOD || t.tok == token.LPAREN || t.tok == token.RPAREN:
		default:
			return false
		}
	}
	return name
}

// pureCalls are the predeclared functions and conversions whose calls
// have no effect.
var pureCalls = map[string]bool{
	"len": true, "cap": true, "make": true, "new": true, "min": true, "max": true,
	"complex": true, "real": true, "imag": true,
	"bool": true, "byte": true, "rune": true, "string": true, "int": true, "int8": true,
	"int16": true, "int32": true, "int64": true, "uint": true, "uint8": true, "uint16": true,
	"uint32": true, "uint64": true, "uintptr": true, "float32": true, "float64": true,
	"complex64": true, "complex128": true, "any": true, "error": true,
}

// callNames returns the names called in ts (the name before each "("),
// but for the pure predeclared functions and conversions.
func callNames(ts []btok) []string {
	var out []string
	for i := 1; i < len(ts); i++ {
		if ts[i].tok == token.LPAREN && ts[i-1].tok == token.IDENT {
			dot := i >= 2 && ts[i-2].tok == token.PERIOD
			k := ts[i-1].lit
			if dot && (k == "Error" || k == "String") && i+1 < len(ts) && ts[i+1].tok == token.RPAREN {
				continue
			}
			if dot || !pureCalls[k] {
				out = append(out, k)
			}
		}
	}
	return out
}

// droppedCall returns the name of a function that a calls more often
// than b when b calls fewer functions in all and the call does not
// reappear elsewhere in the file: a call deleted, not renamed or moved.
func droppedCall(a, b []btok, moved map[string]int) string {
	ca, cb := callNames(a), callNames(b)
	if len(cb) >= len(ca) {
		return ""
	}
	for _, name := range ca {
		if i := slices.Index(cb, name); i >= 0 {
			cb = slices.Delete(cb, i, i+1)
			continue
		}
		if moved[name] > 0 {
			moved[name]--
			continue
		}
		return name
	}
	return ""
}

// importLines returns the 1-based lines of src's import declarations.
func importLines(src string) map[int]bool {
	fset := token.NewFileSet()
	f, _ := parser.ParseFile(fset, "", src, parser.ImportsOnly|parser.ParseComments)
	lines := map[int]bool{}
	if f == nil {
		return lines
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		for l := fset.Position(gd.Pos()).Line; l <= fset.Position(gd.End()).Line; l++ {
			lines[l] = true
		}
	}
	return lines
}

// newSelfCalls names each function of b that calls itself more often
// than the function of the same name and receiver did in a.
func newSelfCalls(a, b string) []string {
	ca, _ := selfCallCounts(a)
	cb, lines := selfCallCounts(b)
	var out []string
	for _, k := range sortedKeys(cb) {
		if cb[k] > ca[k] {
			name := k[strings.LastIndexByte(k, '.')+1:]
			out = append(out, fmt.Sprintf("%d: calls %s, the function it is in", lines[k], name))
		}
	}
	return out
}

// selfCallCounts counts, for each function declared in src ("name" or
// "Recv.name"), the calls of itself in its body, and the line of each
// declaration.
func selfCallCounts(src string) (map[string]int, map[string]int) {
	counts, lines := map[string]int{}, map[string]int{}
	fset := token.NewFileSet()
	f, _ := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if f == nil {
		return counts, lines
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		key, recv := fd.Name.Name, ""
		if fd.Recv != nil {
			if len(fd.Recv.List) != 1 || len(fd.Recv.List[0].Names) != 1 {
				continue // an unnamed receiver cannot be called through
			}
			recv = fd.Recv.List[0].Names[0].Name
			key = recvTypeName(fd.Recv.List[0].Type) + "." + key
		}
		lines[key] = fset.Position(fd.Pos()).Line
		n := 0
		ast.Inspect(fd.Body, func(node ast.Node) bool {
			call, ok := node.(*ast.CallExpr)
			if !ok {
				return true
			}
			switch fun := ast.Unparen(call.Fun).(type) {
			case *ast.Ident:
				if recv == "" && fun.Name == fd.Name.Name {
					n++
				}
			case *ast.SelectorExpr:
				if x, ok := fun.X.(*ast.Ident); ok && recv != "" && x.Name == recv && fun.Sel.Name == fd.Name.Name {
					n++
				}
			}
			return true
		})
		counts[key] = n
	}
	return counts, lines
}

func recvTypeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return recvTypeName(e.X)
	case *ast.IndexExpr:
		return recvTypeName(e.X)
	case *ast.IndexListExpr:
		return recvTypeName(e.X)
	case *ast.Ident:
		return e.Name
	}
	return "?"
}

func quoteBtoks(ts []btok) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 && spaceBetween(ts[i-1], t) {
			b.WriteByte(' ')
		}
		b.WriteString(t.key())
	}
	s := b.String()
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return "`" + s + "`"
}

func spaceBetween(a, b btok) bool {
	if b.tok == token.LBRACE && (a.tok == token.IDENT || a.tok == token.RBRACK) {
		return false
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
