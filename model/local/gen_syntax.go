package local

import (
	"cmp"
	"context"
	"go/parser"
	"go/scanner"
	"go/token"
	"slices"
	"strings"
)

// syntaxRepairs proposes repairs of the syntax error a tokens hole
// answers, by error-correcting parsing in the manner of Burke and
// Fisher: around the parser's first error, each single token edit (a Go
// token inserted, deleted or replaced, the open brackets closed, a
// quoted string given Go's quotes) is tried, and the parser itself says
// which edits let it get further. A beam of the cheapest edit sequences
// that reach past the error (or parse) is kept and extended, up to
// maxSyntaxEdits edits within the hole, so several errors of a window
// are repaired together. What comes out is only known to parse; like
// every candidate, it is type-checked before refine takes it.
func (c *holeCtx) syntaxRepairs() {
	if c.src == "" {
		return
	}
	rs := repairSyntax(c.ctx, c.src, c.h.Start, c.h.End, maxSyntaxRepairs)
	for _, r := range rs {
		// Repairs of equal cost tie; the token model tells them apart.
		c.add(r.text, -5*(r.cost-rs[0].cost))
	}
}

const (
	maxSyntaxRepairs = 24   // repairs proposed per hole
	maxSyntaxEdits   = 4    // token edits per repair
	syntaxBeam       = 6    // partial repairs extended per round
	syntaxWindow     = 8    // tokens before the error that may be edited
	syntaxAfter      = 4    // and after it (the parser may stop early: "for _, v in")
	syntaxProgress   = 3    // tokens past the error the parser must get
	maxSyntaxParses  = 6000 // parses per hole
)

// syntaxVocab are the tokens a repair may insert, or put in the place of
// another: Go's operators and delimiters and the statement keywords, and
// the range clause's two-token heads.
var syntaxVocab = []string{
	"(", ")", "[", "]", "{", "}", ",", ";", ":", ".",
	"=", ":=", "==", "!=", "<", "<=", ">", ">=",
	"+", "-", "*", "/", "%", "&", "|", "&&", "||", "!", "++", "--", "+=", "-=",
	"for", "if", "else", "range", "return", "var", "func", "break", "continue",
	":= range", "= range",
}

// otherKeywords are other languages' keywords that Go spells otherwise,
// where the parser meets them as names: each is replaced by Go's words
// at half an edit's cost.
var otherKeywords = map[string]string{
	"while": "for", "elif": "else if", "elsif": "else if",
	"and": "&&", "or": "||", "not": "!", "in": ":= range",
}

// A synTok is a token of the text a repair works on.
type synTok struct {
	off, end int // byte offsets; end == off for an automatic semicolon and EOF
	tok      token.Token
	lit      string
}

// synTokens scans src into tokens, comments left out; the last is EOF.
func synTokens(src string) []synTok {
	var s scanner.Scanner
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(src))
	s.Init(f, []byte(src), func(token.Position, string) {}, 0)
	var out []synTok
	for {
		pos, tok, lit := s.Scan()
		off := f.Offset(pos)
		end := off
		switch {
		case tok == token.EOF, tok == token.SEMICOLON && lit == "\n":
		case lit != "":
			end = off + len(lit)
		default:
			end = off + len(tok.String())
		}
		out = append(out, synTok{off, min(end, len(src)), tok, lit})
		if tok == token.EOF {
			return out
		}
	}
}

// firstSyntaxError returns the offset of the first syntax error of src
// parsed as a Go file, or -1 if it parses.
func firstSyntaxError(src string) int {
	_, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err == nil {
		return -1
	}
	if list, ok := err.(scanner.ErrorList); ok && len(list) > 0 {
		return list[0].Pos.Offset
	}
	return 0
}

// declChunk returns the top-level declarations around [lo, hi) of src:
// from the last line at or before lo that starts a declaration at its
// first column to the first such line after the line of hi. Parsing the
// chunk alone keeps each try's cost that of a declaration, not a file.
func declChunk(src string, lo, hi int) (start, end int) {
	starts := func(line string) bool {
		for _, kw := range [...]string{"func", "type", "var", "const", "import"} {
			if rest, ok := strings.CutPrefix(line, kw); ok && (rest == "" || rest[0] == ' ' || rest[0] == '(' || rest[0] == '\t') {
				return true
			}
		}
		return false
	}
	for i := strings.LastIndexByte(src[:lo], '\n') + 1; ; i = strings.LastIndexByte(src[:i-1], '\n') + 1 {
		if starts(src[i:]) {
			start = i
			break
		}
		if i == 0 {
			break
		}
	}
	end = len(src)
	nl := strings.IndexByte(src[hi:], '\n')
	if nl < 0 {
		return start, end
	}
	for i := hi + nl + 1; i < len(src); {
		if starts(src[i:]) {
			return start, i
		}
		n := strings.IndexByte(src[i:], '\n')
		if n < 0 {
			break
		}
		i += n + 1
	}
	return start, end
}

// A synState is a partial repair: the chunk's text with some edits made.
type synState struct {
	text  string
	hi    int     // the hole's end in text
	err   int     // text's first syntax error; -1 if none
	cost  float64 // of the edits made
	edits int
}

// A synRepair is a repaired text of a hole and what its edits cost.
type synRepair struct {
	text string
	cost float64
}

// repairSyntax returns up to n texts for [lo, hi) of src, cheapest first,
// each of which lets the parser past the first syntax error in that span
// (to the span's end or further, or to no error at all). An edit costs 1
// (2 to delete a name or literal, 1.5 to replace one), and a tenth more
// for each token it lies before the error, where the parser stopped.
func repairSyntax(ctx context.Context, src string, lo, hi, n int) []synRepair {
	cs, ce := declChunk(src, lo, hi)
	prefix := ""
	if cs > 0 {
		prefix = "package p\n"
	}
	chunk := prefix + src[cs:ce]
	shift := len(prefix) - cs // a src offset plus shift is a chunk offset
	clo, chi := lo+shift, hi+shift
	e0 := firstSyntaxError(chunk)
	if e0 < clo || e0 > chi {
		return nil // no error in the hole, or an earlier one outside it
	}
	type done struct {
		text  string
		cost  float64
		clean bool // the chunk parses, not only the hole
		ord   int
	}
	var found []done
	seen := map[string]bool{chunk: true}
	beam := []synState{{text: chunk, hi: chi, err: e0}}
	parses := 0
	for round := 0; round < maxSyntaxEdits && len(beam) > 0; round++ {
		var next []synState
		for _, s := range beam {
			for _, e := range syntaxEdits(s, clo) {
				if parses >= maxSyntaxParses || ctx.Err() != nil {
					break
				}
				t := s.text[:e.start] + e.text + s.text[e.end:]
				if seen[t] {
					continue
				}
				seen[t] = true
				parses++
				delta := len(e.text) - (e.end - e.start)
				ns := synState{text: t, hi: s.hi + delta, cost: s.cost + e.cost, edits: s.edits + 1}
				ns.err = firstSyntaxError(t)
				if ns.err < 0 || ns.err >= ns.hi {
					found = append(found, done{t[clo:ns.hi], ns.cost, ns.err < 0, len(found)})
					continue
				}
				// Where would the new error be in the text before the edit?
				at := ns.err - delta
				if ns.err < e.start+len(e.text) {
					continue // at or before the edit: no progress
				}
				if tokensBetween(s.text, s.err, at) < syntaxProgress {
					continue
				}
				next = append(next, ns)
			}
		}
		slices.SortStableFunc(next, func(a, b synState) int {
			if c := cmp.Compare(a.cost, b.cost); c != 0 {
				return c
			}
			return b.err - b.hi - (a.err - a.hi) // further first
		})
		beam = next[:min(len(next), syntaxBeam)]
	}
	slices.SortStableFunc(found, func(a, b done) int {
		if a.clean != b.clean {
			if a.clean {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(a.cost, b.cost); c != 0 {
			return c
		}
		return a.ord - b.ord
	})
	var out []synRepair
	for _, d := range found {
		if !slices.ContainsFunc(out, func(r synRepair) bool { return r.text == d.text }) {
			out = append(out, synRepair{d.text, d.cost})
		}
		if len(out) == n {
			break
		}
	}
	return out
}

// tokensBetween counts the tokens of src that start in (from, to).
func tokensBetween(src string, from, to int) int {
	if to <= from {
		return 0
	}
	n := 0
	for _, t := range synTokens(src[from:to]) {
		if t.tok != token.EOF && t.off > 0 {
			n++
		}
	}
	return n
}

// A synEdit replaces text[start:end] of a partial repair.
type synEdit struct {
	start, end int
	text       string
	cost       float64
}

// syntaxEdits returns the single token edits of s around its error, no
// earlier than lo: at each of the syntaxWindow tokens before the error,
// the error's own token and the syntaxAfter after it, an insertion before the
// token (of each word of syntaxVocab, or of the closers of the brackets
// open there), its deletion, its replacement by a word of syntaxVocab,
// a character literal of several characters made a string, and the
// token's line joined to the line before.
func syntaxEdits(s synState, lo int) []synEdit {
	toks := synTokens(s.text)
	at := slices.IndexFunc(toks, func(t synTok) bool { return t.off >= s.err })
	if at < 0 {
		at = len(toks) - 1
	}
	var out []synEdit
	var open []token.Token // brackets open before token i
	first := max(at-syntaxWindow, 0)
	for i, t := range toks {
		if i > at+syntaxAfter {
			break
		}
		if i >= first && t.off >= lo && t.off <= s.hi {
			prevEnd := t.off
			if i > 0 {
				prevEnd = toks[i-1].end
			}
			lineStart := strings.Contains(s.text[prevEnd:t.off], "\n")
			es := editsAt(s.text, t, max(prevEnd, lo), lineStart, t.end <= s.hi, open)
			// A line joined to the one before: the newline's automatic
			// semicolon goes (an else on a line of its own).
			if i > 0 && toks[i-1].tok == token.SEMICOLON && toks[i-1].end == toks[i-1].off && toks[i-1].off >= lo {
				es = append(es, synEdit{toks[i-1].off, t.off, " ", 1})
			}
			for j := range es {
				es[j].cost += 0.1 * float64(max(at-i, 0))
			}
			out = append(out, es...)
		}
		switch t.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			open = append(open, t.tok)
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if k := len(open) - 1; k >= 0 && open[k]+5 == t.tok { // LPAREN+5 == RPAREN, and so on
				open = open[:k]
			}
		}
	}
	// Cheapest first: of two edits that make the same text, the first
	// tried is the one kept.
	slices.SortStableFunc(out, func(a, b synEdit) int { return cmp.Compare(a.cost, b.cost) })
	return out
}

// wordCost is what inserting w costs: an opening bracket, which rarely
// repairs and often hides an error until the end of the file, half as
// much again as another token.
func wordCost(w string) float64 {
	if w == "(" || w == "[" || w == "{" {
		return 1.5
	}
	return 1
}

// editsAt returns the edits at token t; lineStart says t begins a line,
// prevEnd is where the token before it ends, replace says t itself may
// change, open are the brackets open before it, innermost last.
func editsAt(src string, t synTok, prevEnd int, lineStart, replace bool, open []token.Token) []synEdit {
	var out []synEdit
	// Insertions go right after the token before, on t's line.
	at := t.off
	if !lineStart {
		at = prevEnd
	}
	for _, w := range syntaxVocab {
		out = append(out, synEdit{at, at, padded(src, at, at, w), wordCost(w)})
	}
	// The closers of the innermost k open brackets, for each k: on lines
	// of their own after the previous token when there is a brace among
	// them or t starts a line (so a comment before t stays with it).
	var cl []string
	for k := len(open) - 1; k >= 0; k-- {
		cl = append(cl, closerOf(open[k]))
		if lineStart || slices.Contains(cl, "}") {
			out = append(out, synEdit{prevEnd, prevEnd, "\n" + strings.Join(cl, "\n"), 1})
		} else {
			out = append(out, synEdit{t.off, t.off, strings.Join(cl, ""), 1})
		}
	}
	if t.end == t.off || !replace {
		return out // an automatic semicolon, or EOF: nothing to delete
	}
	operand := t.tok == token.IDENT || t.tok.IsLiteral()
	del := 1.0
	if operand {
		del = 2
	}
	out = append(out, synEdit{t.off, t.end, "", del})
	rep := 1.0
	if operand {
		rep = 1.5
	}
	for _, w := range syntaxVocab {
		if w != src[t.off:t.end] {
			out = append(out, synEdit{t.off, t.end, padded(src, t.off, t.end, w), max(rep, wordCost(w))})
		}
	}
	if w, ok := otherKeywords[t.lit]; ok && t.tok == token.IDENT {
		out = append(out, synEdit{t.off, t.end, padded(src, t.off, t.end, w), 0.5})
	}
	if t.tok == token.CHAR && len(t.lit) > 3 {
		inner := t.lit[1 : len(t.lit)-1]
		if !strings.HasPrefix(inner, `\`) || len(inner) > 4 {
			inner = strings.ReplaceAll(strings.ReplaceAll(inner, `\'`, `'`), `"`, `\"`)
			out = append(out, synEdit{t.off, t.end, `"` + inner + `"`, 1})
		}
	}
	return out
}

// padded returns w with a space on each side where it would otherwise
// fuse with its neighbour in src once it replaces src[start:end] (two
// words, or two operator characters).
func padded(src string, start, end int, w string) string {
	if start > 0 && fuses(src[start-1], w[0]) {
		w = " " + w
	}
	if end < len(src) && fuses(w[len(w)-1], src[end]) {
		w += " "
	}
	return w
}

func fuses(a, b byte) bool {
	word := func(c byte) bool {
		return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
	}
	op := func(c byte) bool { return strings.IndexByte("+-*/%&|^<>=!:.", c) >= 0 }
	return word(a) && word(b) || op(a) && op(b)
}

func closerOf(t token.Token) string {
	switch t {
	case token.LPAREN:
		return ")"
	case token.LBRACK:
		return "]"
	}
	return "}"
}
