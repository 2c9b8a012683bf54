package ast

import (
	"fmt"
	"slices"
	"strings"
)

// Render returns, for each file of cv that holds holes, its text with each
// hole replaced by its placeholder, laid out by [IndentFill]: expression
// holes in place, statement and body holes on lines of their own, so
//
//	func f() int { panic("TODO") }
//
// renders as
//
//	func f() int {
//		__difgen_hole_1__()
//	}
//
// A hole in a file that cv lacks, a span out of range, and overlapping
// holes are errors.
func Render(cv *Canvas, holes []*Hole) (map[string]string, error) {
	byFile := make(map[string][]*Hole)
	for _, h := range holes {
		f := cv.File(h.File)
		if f == nil {
			return nil, fmt.Errorf("render: hole %d: no file %s in canvas", h.ID, h.File)
		}
		if h.Start < 0 || h.End < h.Start || h.End > len(f.Text) {
			return nil, fmt.Errorf("render: %s: hole %d: span [%d,%d) out of range [0,%d)", f.Name, h.ID, h.Start, h.End, len(f.Text))
		}
		byFile[h.File] = append(byFile[h.File], h)
	}
	out := make(map[string]string, len(byFile))
	for name, hs := range byFile {
		src := cv.File(name).Text
		hs = slices.Clone(hs)
		slices.SortStableFunc(hs, func(a, b *Hole) int {
			if a.Start != b.Start {
				return a.Start - b.Start
			}
			return a.End - b.End
		})
		edits := make([]Edit, len(hs))
		for i, h := range hs {
			if i > 0 && h.Start < hs[i-1].End {
				return nil, fmt.Errorf("render: %s: hole %d overlaps hole %d", Position(name, src, h.Start), h.ID, hs[i-1].ID)
			}
			edits[i] = IndentFill(src, h, h.Placeholder())
		}
		text, err := Apply(src, edits)
		if err != nil {
			return nil, fmt.Errorf("render: %s: %v", name, err)
		}
		out[name] = text
	}
	return out, nil
}

// IndentFill returns the edit that fills h, a hole of src, with text,
// laid out to parse and to read like the code around it.
//
// Expression and identifier fills go in place (with a space where the
// fill would otherwise fuse with an adjacent word). Statement and body
// fills are first stripped of surrounding blank lines and of their common
// indentation, then:
//   - inside braces or after a case's colon, they go on lines of their own,
//     one level deeper than the line of the brace, and the closing brace
//     keeps its own line;
//   - at an insertion point at the start of a line, they become whole lines
//     indented like that line (one level deeper before a closing brace);
//   - at an insertion point inside a line, they go on lines of their own;
//   - over a statement, the first line goes in place and the rest are
//     indented like the statement's line.
//
// After the edit, the filled hole spans [h.Start, h.Start+len(edit.New)).
func IndentFill(src string, h *Hole, text string) Edit {
	if h.Kind != Stmts && h.Kind != Body {
		if text != "" {
			if h.Start > 0 && fusesByte(src[h.Start-1]) && fusesByte(text[0]) {
				text = " " + text
			}
			if h.End < len(src) && fusesByte(src[h.End]) && fusesByte(text[len(text)-1]) {
				text += " "
			}
		}
		return h.Fill(text)
	}
	lines := stmtLines(text)
	ls := lineStart(src, h.Start)
	indent := leadingSpace(src[ls:])
	closing := func(off int) bool { return off < len(src) && src[off] == '}' }
	switch {
	case h.Start > 0 && (src[h.Start-1] == '{' || src[h.Start-1] == ':'):
		if len(lines) == 0 {
			return h.Fill("")
		}
		s := "\n" + indentLines(lines, indent+"\t")
		if closing(h.End) {
			s += "\n" + indent
		}
		return h.Fill(s)
	case h.Start == h.End && strings.TrimSpace(src[ls:h.Start]) == "":
		if len(lines) == 0 {
			return h.Fill("")
		}
		in := indent
		if closing(ls + len(indent)) {
			in += "\t"
		}
		return h.Fill(indentLines(lines, in) + "\n")
	case h.Start == h.End:
		if len(lines) == 0 {
			return h.Fill("")
		}
		in := indent
		if closing(h.Start) {
			in += "\t"
		}
		return h.Fill("\n" + indentLines(lines, in) + "\n" + indent)
	}
	if len(lines) == 0 {
		return h.Fill("")
	}
	return h.Fill(lines[0] + restLines(lines[1:], indent))
}

// restLines returns lines, each preceded by a newline and indented.
func restLines(lines []string, indent string) string {
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteByte('\n')
		if l != "" {
			sb.WriteString(indent)
			sb.WriteString(l)
		}
	}
	return sb.String()
}

// indentLines joins lines with newlines, indenting each non-empty one.
func indentLines(lines []string, indent string) string {
	if len(lines) == 0 {
		return ""
	}
	return indent + lines[0] + restLines(lines[1:], indent)
}

// stmtLines splits text into lines without surrounding blank lines,
// trailing spaces, or the indentation common to its non-blank lines.
func stmtLines(text string) []string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	common, first := "", true
	for _, l := range lines {
		if l == "" {
			continue
		}
		sp := leadingSpace(l)
		if first {
			common, first = sp, false
			continue
		}
		for !strings.HasPrefix(sp, common) {
			common = common[:len(common)-1]
		}
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, common)
	}
	return lines
}

// leadingSpace returns the spaces and tabs that begin s.
func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}

// fusesByte reports whether b may be part of an identifier, keyword or
// number, so that two such bytes side by side fuse into one token.
func fusesByte(b byte) bool {
	return b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b >= 0x80
}
