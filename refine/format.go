package refine

import (
	"go/format"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// isFormatted reports whether src is gofmt-clean.
func isFormatted(src string) bool {
	out, err := format.Source([]byte(src))
	return err == nil && string(out) == src
}

// formatEdit formats the lines that an edit changed. old is a file's text
// before the edit, src after it. If old was gofmt-clean, all of src is
// formatted; otherwise only the formatting changes that touch the edited
// lines are taken, so that a fill is always written gofmt'd and the
// user's other lines stay as they were. src is returned unchanged when it
// does not parse.
func formatEdit(old, src string, wasFormatted bool) string {
	out, err := format.Source([]byte(src))
	if err != nil || string(out) == src {
		return src
	}
	if wasFormatted {
		return string(out)
	}
	lo, hi := changedLines(old, src)
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(src, string(out))
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	var sb strings.Builder
	line := 0 // lines of src consumed
	for i := 0; i < len(diffs); i++ {
		d := diffs[i]
		if d.Type == diffmatchpatch.DiffEqual {
			sb.WriteString(d.Text)
			line += strings.Count(d.Text, "\n")
			continue
		}
		// A run of deletions and insertions: take the formatted lines if
		// the run touches the edited lines [lo, hi].
		var del, ins strings.Builder
		for ; i < len(diffs) && diffs[i].Type != diffmatchpatch.DiffEqual; i++ {
			if diffs[i].Type == diffmatchpatch.DiffDelete {
				del.WriteString(diffs[i].Text)
			} else {
				ins.WriteString(diffs[i].Text)
			}
		}
		i--
		n := strings.Count(del.String(), "\n")
		if line <= hi && line+max(n, 1)-1 >= lo {
			sb.WriteString(ins.String())
		} else {
			sb.WriteString(del.String())
		}
		line += n
	}
	return sb.String()
}

// changedLines returns the 0-based first and last lines of src that
// differ from old (after their common prefix and suffix of lines).
func changedLines(old, src string) (lo, hi int) {
	a, b := strings.SplitAfter(old, "\n"), strings.SplitAfter(src, "\n")
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return p, max(p, len(b)-1-s)
}
