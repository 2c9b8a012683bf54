package ast

import (
	"go/scanner"
	"go/token"
)

// A Lexeme is one go/scanner token of a fragment of Go source, with its
// byte span: the unit of edits and comparisons of code (where [Tokenize]
// gives the token model's vocabulary).
type Lexeme struct {
	Tok      token.Token
	Text     string // the source text: the literal, or the operator or keyword
	Off, End int
}

// Lex scans src, a fragment of Go (an expression, statements, a file),
// skipping comments and the semicolons the scanner inserts at line ends.
// Scanning errors are ignored: Lex returns the scanner's best effort.
func Lex(src string) []Lexeme {
	var s scanner.Scanner
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(src))
	s.Init(f, []byte(src), func(token.Position, string) {}, 0)
	var out []Lexeme
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.SEMICOLON && lit != ";" || tok == token.COMMENT {
			continue
		}
		off := f.Offset(pos)
		text := lit
		if text == "" {
			text = tok.String()
		}
		out = append(out, Lexeme{Tok: tok, Text: text, Off: off, End: off + len(text)})
	}
}
