package local

import (
	"context"
	"strings"
	"testing"
)

func TestDeclChunk(t *testing.T) {
	src := "package p\n\nimport \"fmt\"\n\n// F prints.\nfunc F() {\n\tfmt.Println(1\n}\n\ntype T int\n\nvar v = 1\n"
	lo := strings.Index(src, "\tfmt.Println(1")
	hi := lo + len("\tfmt.Println(1")
	start, end := declChunk(src, lo, hi)
	if got, want := src[start:end], "func F() {\n\tfmt.Println(1\n}\n\n"; got != want {
		t.Errorf("declChunk = %q, want %q", got, want)
	}
	// Before the first declaration the chunk starts at the file's start.
	start, _ = declChunk(src, 0, 5)
	if start != 0 {
		t.Errorf("declChunk of the package clause starts at %d", start)
	}
}

func TestRepairSyntax(t *testing.T) {
	for _, tc := range []struct {
		src, hole, want string
	}{
		{"package p\n\nfunc f(a, b int) int {\n\treturn max(a b)\n}\n", "\treturn max(a b)", "\treturn max(a, b)"},
		{"package p\n\nfunc f(xs []int) {\n\tfor i := 0; i < len(xs); i++ {\n\t\txs[i]++\n}\n", "\t\txs[i]++\n}\n", "\t\txs[i]++\n}\n}"},
		{"package p\n\nfunc f() string {\n\treturn 'abc'\n}\n", "\treturn 'abc'", "\treturn \"abc\""},
	} {
		lo := strings.Index(tc.src, tc.hole)
		rs := repairSyntax(context.Background(), tc.src, lo, lo+len(tc.hole), 4)
		if len(rs) == 0 {
			t.Errorf("%q: no repair", tc.hole)
			continue
		}
		if rs[0].text != tc.want {
			var got []string
			for _, r := range rs {
				got = append(got, r.text)
			}
			t.Errorf("%q: best repair %q, want %q (all %q)", tc.hole, rs[0].text, tc.want, got)
		}
	}
}
