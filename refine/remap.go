package refine

import (
	"github.com/difgen/difgen/ast"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// A remap maps byte offsets of a file's old text to its new text after an
// edit, however many places the edit touched (a fill and an import block).
type remap struct {
	diffs []diffmatchpatch.Diff
	dmp   *diffmatchpatch.DiffMatchPatch
	// runeOff converts: diffmatchpatch counts runes, we count bytes.
	oldText, newText string
}

func newRemap(oldText, newText string) *remap {
	dmp := diffmatchpatch.New()
	return &remap{diffs: dmp.DiffMain(oldText, newText, false), dmp: dmp, oldText: oldText, newText: newText}
}

// off maps a byte offset of the old text to the new text.
func (m *remap) off(o int) int {
	if o <= 0 {
		return o
	}
	if o > len(m.oldText) {
		o = len(m.oldText)
	}
	runes := len([]rune(m.oldText[:o]))
	nr := m.dmp.DiffXIndex(m.diffs, runes)
	// Back to bytes in the new text.
	n := 0
	for i := range m.newText {
		if n == nr {
			return i
		}
		n++
	}
	return len(m.newText)
}

// span maps [start, end) of the old text to the new text. Text inserted
// at either edge counts as inside the span, so a span grows with its fill.
func (m *remap) span(start, end int) (int, int) {
	s, e := start, m.off(end)
	if start > 0 {
		// Map the byte before the span, which the edit left alone, and step
		// past it; mapping start itself would skip an insertion at start.
		s = m.off(start-1) + 1
	}
	if e < s {
		e = s
	}
	return s, e
}

// holes returns copies of the holes of file name moved to the new text;
// holes of other files are returned as they are.
func (m *remap) holes(name string, hs []*ast.Hole) []*ast.Hole {
	out := make([]*ast.Hole, 0, len(hs))
	for _, h := range hs {
		if h.File == name {
			c := *h
			c.Start, c.End = m.span(h.Start, h.End)
			h = &c
		}
		out = append(out, h)
	}
	return out
}

// A span is a byte range of one file.
type span struct {
	file       string
	start, end int
}

// regions are the spans that Fill may change. A nil regions allows all.
type regions []span

// contains reports whether [start, end) of file lies inside a region.
func (rs regions) contains(file string, start, end int) bool {
	if rs == nil {
		return true
	}
	for _, s := range rs {
		if s.file == file && s.start <= start && end <= s.end {
			return true
		}
	}
	return false
}

// remap returns the regions moved through m, an edit of file.
func (rs regions) remap(file string, m *remap) regions {
	if rs == nil {
		return nil
	}
	out := make(regions, len(rs))
	for i, s := range rs {
		if s.file == file {
			// The end maps past any text inserted at it, so a region grows
			// with its fill.
			s.start, s.end = m.span(s.start, s.end)
		}
		out[i] = s
	}
	return out
}

func removeHole(hs []*ast.Hole, h *ast.Hole) []*ast.Hole {
	out := make([]*ast.Hole, 0, len(hs))
	for _, o := range hs {
		if o.File == h.File && o.Start == h.Start && o.End == h.End {
			continue
		}
		out = append(out, o)
	}
	return out
}
