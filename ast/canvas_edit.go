package ast

import (
	"fmt"
	"slices"
	"strings"
)

// An Edit replaces the bytes [Start, End) of a text with New.
// Start == End inserts; New == "" deletes.
type Edit struct {
	Start, End int
	New        string
}

// Apply applies edits to src. Edits are sorted stably by position;
// overlapping edits, or edits out of range, are an error. Two insertions at
// the same offset are applied in their given order.
func Apply(src string, edits []Edit) (string, error) {
	if len(edits) == 0 {
		return src, nil
	}
	es := slices.Clone(edits)
	slices.SortStableFunc(es, func(a, b Edit) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	var sb strings.Builder
	sb.Grow(len(src))
	last := 0
	for i, e := range es {
		if e.Start < 0 || e.End < e.Start || e.End > len(src) {
			return "", fmt.Errorf("edit [%d,%d) out of range [0,%d)", e.Start, e.End, len(src))
		}
		if e.Start < last {
			return "", fmt.Errorf("edit [%d,%d) overlaps edit [%d,%d)", e.Start, e.End, es[i-1].Start, es[i-1].End)
		}
		sb.WriteString(src[last:e.Start])
		sb.WriteString(e.New)
		last = e.End
	}
	sb.WriteString(src[last:])
	return sb.String(), nil
}
