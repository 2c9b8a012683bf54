package main

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// unifiedDiff returns the unified diff (3 lines of context) turning old
// into new, with the given file labels, or "" when they are equal.
func unifiedDiff(oldName, newName, old, new string) string {
	if old == new {
		return ""
	}
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(old, new)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)

	// Flatten into one op per line.
	type line struct {
		op   diffmatchpatch.Operation
		text string
	}
	var ls []line
	for _, d := range diffs {
		for _, t := range splitLines(d.Text) {
			ls = append(ls, line{d.Type, t})
		}
	}

	const context = 3
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", oldName, newName)
	oldLine, newLine := 1, 1 // line numbers at ls[i]
	for i := 0; i < len(ls); {
		if ls[i].op == diffmatchpatch.DiffEqual {
			oldLine++
			newLine++
			i++
			continue
		}
		// A hunk starts context lines before i and runs until context*2
		// equal lines in a row (or the end).
		start := max(0, i-context)
		hOld, hNew := oldLine-(i-start), newLine-(i-start)
		end := i
		for j := i; j < len(ls); j++ {
			if ls[j].op != diffmatchpatch.DiffEqual {
				end = j + 1
				continue
			}
			if j-end >= 2*context {
				break
			}
		}
		stop := min(len(ls), end+context)
		var nOld, nNew int
		var body strings.Builder
		for _, l := range ls[start:stop] {
			switch l.op {
			case diffmatchpatch.DiffEqual:
				body.WriteString(" " + l.text)
				nOld++
				nNew++
			case diffmatchpatch.DiffDelete:
				body.WriteString("-" + l.text)
				nOld++
			case diffmatchpatch.DiffInsert:
				body.WriteString("+" + l.text)
				nNew++
			}
			if !strings.HasSuffix(l.text, "\n") {
				body.WriteString("\n\\ No newline at end of file\n")
			}
		}
		if nOld == 0 {
			hOld--
		}
		if nNew == 0 {
			hNew--
		}
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n%s", hunkRange(hOld, nOld), hunkRange(hNew, nNew), body.String())
		for _, l := range ls[i:stop] {
			if l.op != diffmatchpatch.DiffInsert {
				oldLine++
			}
			if l.op != diffmatchpatch.DiffDelete {
				newLine++
			}
		}
		i = stop
	}
	return sb.String()
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// splitLines splits s after each newline; the last line may lack one.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}
