package ast

import (
	"fmt"
	"strings"
)

// The one mapping between byte offsets and positions: lines are 1-based,
// columns 1-based and counted in bytes, as go/token and gopls's
// file.go:line:col positions count them.

// LineCol returns the line and column of byte offset off of text (clamped
// to the text).
func LineCol(text string, off int) (line, col int) {
	off = min(max(off, 0), len(text))
	line = 1 + strings.Count(text[:off], "\n")
	col = off - (strings.LastIndexByte(text[:off], '\n') + 1) + 1
	return line, col
}

// Offset returns the byte offset of line:col in text, clamped to the
// line (a column past its end is its end; a line past the text's end is
// the text's end), and reports whether line:col lies in the text: the
// line exists and the column is at most one past its last byte.
func Offset(text string, line, col int) (int, bool) {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text), false
		}
		off += i + 1
	}
	ok := line >= 1 && col >= 1
	col = max(col, 1)
	end := len(text)
	if i := strings.IndexByte(text[off:], '\n'); i >= 0 {
		end = off + i
	}
	if off+col-1 > end {
		return end, false
	}
	return off + col - 1, ok
}

// Position returns "name:line:col" for byte offset off of text.
func Position(name, text string, off int) string {
	line, col := LineCol(text, off)
	return fmt.Sprintf("%s:%d:%d", name, line, col)
}
