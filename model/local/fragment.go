package local

import (
	"go/token"

	"github.com/difgen/difgen/ast"
)

// A rawTok is a go/scanner token of a fragment, with byte offsets.
type rawTok struct {
	tok      token.Token
	lit      string
	off, end int
	prev     token.Token // the previous token, or ILLEGAL at the start
}

// scanTokens returns the lexemes of src (see ast.Lex) with their
// predecessors.
func scanTokens(src string) []rawTok {
	var out []rawTok
	prev := token.ILLEGAL
	for _, l := range ast.Lex(src) {
		out = append(out, rawTok{tok: l.Tok, lit: l.Text, off: l.Off, end: l.End, prev: prev})
		prev = l.Tok
	}
	return out
}

// editDistance returns the optimal-string-alignment distance of a and b:
// insertions, deletions, substitutions and adjacent transpositions.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// matchParen returns the index of the token closing the parenthesis at
// toks[open], or -1.
func matchParen(toks []rawTok, open int) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch toks[j].tok {
		case token.LPAREN:
			depth++
		case token.RPAREN:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}
