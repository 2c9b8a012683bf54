package lsp

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// offsetOf returns the byte offset in text of p, whose character counts
// units of enc (UTF-16 code units or bytes). A character past the end of
// its line means the line's end, as LSP says; a line past the end of the
// text is an error.
func offsetOf(text string, p position, enc string) (int, error) {
	start := 0
	for l := uint32(0); l < p.Line; l++ {
		i := strings.IndexByte(text[start:], '\n')
		if i < 0 {
			if l+1 == p.Line && p.Character == 0 {
				return len(text), nil // the position just after the last line
			}
			return 0, fmt.Errorf("line %d is past the end of the document (%d lines)", p.Line+1, l+1)
		}
		start += i + 1
	}
	end := len(text)
	if i := strings.IndexByte(text[start:], '\n'); i >= 0 {
		end = start + i
	}
	line := text[start:end]
	if enc == encodingUTF8 {
		return start + min(int(p.Character), len(line)), nil
	}
	units := uint32(0)
	for i, r := range line {
		if units >= p.Character {
			return start + i, nil
		}
		units += uint32(utf16.RuneLen(r)) // an invalid byte decodes as U+FFFD: one unit
	}
	return end, nil
}

// positionOf returns the position of the byte offset off in text.
func positionOf(text string, off int, enc string) position {
	off = min(max(off, 0), len(text))
	before := text[:off]
	line := strings.Count(before, "\n")
	lineStart := strings.LastIndexByte(before, '\n') + 1
	if enc == encodingUTF8 {
		return position{Line: uint32(line), Character: uint32(off - lineStart)}
	}
	units := 0
	for _, r := range before[lineStart:] {
		units += utf16.RuneLen(r)
	}
	return position{Line: uint32(line), Character: uint32(units)}
}

// applyChange applies one didChange content change to text.
func applyChange(text string, c contentChange, enc string) (string, error) {
	if c.Range == nil {
		return c.Text, nil
	}
	start, err := offsetOf(text, c.Range.Start, enc)
	if err != nil {
		return "", err
	}
	end, err := offsetOf(text, c.Range.End, enc)
	if err != nil {
		return "", err
	}
	if end < start {
		return "", fmt.Errorf("change range ends before it starts")
	}
	return text[:start] + c.Text + text[end:], nil
}

// textEdits returns the edits that turn before into after, one per changed
// run of whole lines, with positions in before.
func textEdits(before, after, enc string) []textEdit {
	if before == after {
		return nil
	}
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(before, after)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)

	var edits []textEdit
	off := 0 // byte offset in before
	for i := 0; i < len(diffs); {
		if diffs[i].Type == diffmatchpatch.DiffEqual {
			off += len(diffs[i].Text)
			i++
			continue
		}
		start := off
		var ins strings.Builder
		for ; i < len(diffs) && diffs[i].Type != diffmatchpatch.DiffEqual; i++ {
			switch diffs[i].Type {
			case diffmatchpatch.DiffDelete:
				off += len(diffs[i].Text)
			case diffmatchpatch.DiffInsert:
				ins.WriteString(diffs[i].Text)
			}
		}
		edits = append(edits, textEdit{
			Range:   lspRange{Start: positionOf(before, start, enc), End: positionOf(before, off, enc)},
			NewText: ins.String(),
		})
	}
	return edits
}
