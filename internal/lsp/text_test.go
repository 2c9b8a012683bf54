package lsp

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestPositions(t *testing.T) {
	// "é" is 2 bytes and 1 UTF-16 unit; "𝄞" is 4 bytes and 2 units.
	text := "a := \"é𝄞\"\nb\n"
	for _, tc := range []struct {
		off       int
		enc       string
		line, chr uint32
	}{
		{0, encodingUTF16, 0, 0},
		{6, encodingUTF16, 0, 6},  // before é
		{8, encodingUTF16, 0, 7},  // after é
		{12, encodingUTF16, 0, 9}, // after 𝄞
		{12, encodingUTF8, 0, 12},
		{14, encodingUTF16, 1, 0},
		{16, encodingUTF16, 2, 0}, // the end
	} {
		p := positionOf(text, tc.off, tc.enc)
		if p.Line != tc.line || p.Character != tc.chr {
			t.Errorf("positionOf(%d, %s) = %d:%d, want %d:%d", tc.off, tc.enc, p.Line, p.Character, tc.line, tc.chr)
		}
		off, err := offsetOf(text, p, tc.enc)
		if err != nil || off != tc.off {
			t.Errorf("offsetOf(%d:%d, %s) = %d, %v; want %d", p.Line, p.Character, tc.enc, off, err, tc.off)
		}
	}
	// A character past the end of its line means the line's end.
	if off, err := offsetOf(text, position{Line: 1, Character: 40}, encodingUTF16); err != nil || off != 15 {
		t.Errorf("offsetOf past the line's end = %d, %v; want 15", off, err)
	}
	if _, err := offsetOf(text, position{Line: 5}, encodingUTF16); err == nil {
		t.Error("offsetOf a line past the end: no error")
	}
}

// TestTextEdits checks textEdits against applying its edits, on seeded
// random changes of a multi-byte text, in both encodings.
func TestTextEdits(t *testing.T) {
	lines := []string{"package p\n", "// é𝄞 comment\n", "func f() {}\n", "var x = \"ü\"\n", "\n", "type T int\n"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		var a, b strings.Builder
		for range 1 + rng.IntN(12) {
			l := lines[rng.IntN(len(lines))]
			switch rng.IntN(4) {
			case 0:
				a.WriteString(l)
			case 1:
				b.WriteString(l)
			default:
				a.WriteString(l)
				b.WriteString(l)
			}
		}
		before, after := a.String(), b.String()
		if rng.IntN(5) == 0 {
			after = strings.TrimSuffix(after, "\n") // no final newline
		}
		for _, enc := range []string{encodingUTF8, encodingUTF16} {
			got := before
			edits := textEdits(before, after, enc)
			for j := len(edits) - 1; j >= 0; j-- { // sorted, disjoint
				e := edits[j]
				start, err1 := offsetOf(before, e.Range.Start, enc)
				end, err2 := offsetOf(before, e.Range.End, enc)
				if err1 != nil || err2 != nil || end < start {
					t.Fatalf("case %d: bad edit %+v: %v %v", i, e, err1, err2)
				}
				got = got[:start] + e.NewText + got[end:]
			}
			if got != after {
				t.Fatalf("case %d (%s): edits %+v turn\n%q\ninto\n%q\nwant\n%q", i, enc, edits, before, got, after)
			}
		}
	}
}

func TestApplyChange(t *testing.T) {
	text := "ab\ncé\n"
	got, err := applyChange(text, contentChange{Range: &lspRange{Start: position{1, 1}, End: position{1, 2}}, Text: "e"}, encodingUTF16)
	if err != nil || got != "ab\nce\n" {
		t.Errorf("applyChange = %q, %v", got, err)
	}
	if got, _ := applyChange(text, contentChange{Text: "new"}, encodingUTF16); got != "new" {
		t.Errorf("full change = %q", got)
	}
}
