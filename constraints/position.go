package constraints

import (
	"go/scanner"
	"go/token"
	"strings"

	"github.com/difgen/difgen/ast"

	"github.com/difgen/difgen/diag"
)

// offsetOf returns the byte offset of the 1-based line and column (in
// bytes) in text, clamped to the text (see ast.Offset).
func offsetOf(text string, line, col int) int {
	off, _ := ast.Offset(text, line, col)
	return off
}

// lineCol returns the 1-based line and byte column of offset off in text.
func lineCol(text string, off int) (line, col int) { return ast.LineCol(text, off) }

// lineSpan returns the span of the given line without its leading and
// trailing blanks.
func lineSpan(text string, line int) (start, end int) {
	start = offsetOf(text, line, 1)
	end = len(text)
	if i := strings.IndexByte(text[start:], '\n'); i >= 0 {
		end = start + i
	}
	for start < end && (text[start] == ' ' || text[start] == '\t') {
		start++
	}
	for end > start && (text[end-1] == ' ' || text[end-1] == '\t' || text[end-1] == '\r') {
		end--
	}
	return start, end
}

// tokenEnd returns the end offset of the Go token that starts at off in
// text, or off if none does (at end of file, or inside a comment).
func tokenEnd(text string, off int) int {
	if off < 0 || off >= len(text) {
		return max(0, min(off, len(text)))
	}
	src := []byte(text[off:])
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, 0)
	pos, tok, lit := s.Scan()
	if tok == token.EOF || file.Offset(pos) != 0 {
		return off
	}
	n := len(lit)
	if n == 0 {
		n = len(tok.String())
	}
	if tok == token.SEMICOLON && lit == "\n" {
		n = 0
	}
	return off + n
}

// finding returns a finding at the byte span [start, end) of a file.
func finding(cat Category, file, text string, start, end int, code diag.Code, msg string) Finding {
	start = min(max(start, 0), len(text))
	end = min(max(end, start), len(text))
	line, col := lineCol(text, start)
	return Finding{File: file, Start: start, End: end, Line: line, Col: col, Category: cat, Code: code, Message: msg, Weight: 1}
}
