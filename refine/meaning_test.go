package refine

import (
	"strings"
	"testing"

	"github.com/difgen/difgen/diag"
)

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		orig, fill string
		self       selfRef
		codes      []diag.Code
		free       []string
		proven     bool
		harm       string // substring of the harm; "" for none
	}{
		// Values deleted to silence a check.
		{orig: "slices.SortFunc(x, less)", fill: "slices.SortFunc(x, nil)", harm: "replaces `less` by `nil`"},
		{orig: `t.Errorf(name + ": got delta")`, fill: `t.Errorf("")`, harm: "replaces `name + \": got delta\"` by `\"\"`"},
		{orig: "NewClient(cfg)", fill: "nil", harm: "replaces"},
		{orig: "c", fill: "&Config{}", harm: "replaces `c` by `&Config{}`"},
		{orig: "n", fill: "0", harm: "replaces `n` by `0`"},
		{orig: `tc.name + ": got delta"`, fill: `"Marshal:"`, harm: "by the constant"},
		{orig: "maxRetries", fill: "3", harm: "by the constant `3`"},
		{orig: "f(a, b)", fill: "f(a)", harm: "deletes `, b`"},
		{orig: "return append(b, a[:]...)", fill: "return b", harm: "deletes"},
		{orig: "x := compute()", fill: "", codes: []diag.Code{diag.UnusedVar}, harm: "drops the call of compute"},
		{orig: `store.Fetch("name")`, fill: "Path()", codes: []diag.Code{diag.WrongArgCount}, harm: "drops the call of Fetch"},
		// Flips where no failing test points.
		{orig: "a < b", fill: "a >= b", harm: "flips < to >="},
		{orig: "x != nil", fill: "x == nil", harm: "flips != to =="},
		{orig: "if !w.wroteHeader {", fill: "if w.wroteHeader {", harm: "removes a negation"},
		{orig: "ok && done", fill: "ok || done", harm: "flips && to ||"},
		// Arithmetic operators changed where no finding is about them.
		{orig: "math.sqrt(a*a + b*b)", fill: "math.sqrt(a*a + b + b)", codes: []diag.Code{diag.IncompatibleAssign}, harm: "changes the operator * to +"},
		{orig: "n -= 1", fill: "n += 1", harm: "changes the operator -= to +="},
		{orig: `s - "x"`, fill: `s + "x"`, codes: []diag.Code{diag.UndefinedOp}},
		{orig: "i * 2", fill: "i + 2", proven: true},
		// Self-calls.
		{orig: "return Helper()", fill: "return G()", self: selfRef{name: "G"}, harm: "calls G, the function it is in"},
		{orig: "__", fill: "return Add(a, b)", self: selfRef{name: "Add"}, proven: true, harm: "calls Add"},
		{orig: "return s.next.Len()", fill: "return s.Len()", self: selfRef{name: "Len", recv: "s"}, harm: "calls Len"},
		// Repairs that keep meaning.
		{orig: "smu", fill: "sum", free: []string{"smu"}},
		// Values the fill no longer reads.
		{orig: "arr.append(arr[i])", fill: "reflect.ValueOf(arr)", harm: "deletes `[i]`"},
		{orig: "a.length > m", fill: "reflect.DeepEqual(a, i)", free: []string{"length"}, harm: "drops the value `m`"},
		{orig: "arr.length", fill: "max_len", free: []string{"length"}, harm: "drops the value `arr`"},
		{orig: "ipairs(t1)", fill: "reflect.ValueOf(t2)", free: []string{"ipairs"}, harm: "drops the value `t1`"},
		{orig: "arr.length", fill: "len(arr)", free: []string{"length"}},
		{orig: "i < xs.len()", fill: "i < len(xs)", free: []string{"len"}},
		{orig: "i < xs.len()", fill: "i < len(xs)", harm: "drops the call of len"},
		{orig: "x", fill: "float64(x)"},
		{orig: `t.Errorf(msg)`, fill: `t.Errorf("%s", msg)`},
		{orig: `t.Errorf(msg)`, fill: `t.Error(msg)`},
		{orig: "return x", fill: "return x, nil"},
		{orig: "return x, err", fill: "return x", codes: []diag.Code{diag.WrongResultCount}},
		{orig: "f(a, b)", fill: "f(a)", codes: []diag.Code{diag.WrongArgCount}},
		{orig: "x := p.Name", fill: "", codes: []diag.Code{diag.UnusedVar}},
		{orig: "x := 1", fill: "x = 1"},
		// Syntax repairs: a name that is another language's keyword
		// becomes Go's; a name is still never deleted.
		{orig: "while i < n {", fill: "for i < n {", codes: []diag.Code{diag.SyntaxError}},
		{orig: "for _, v in xs {", fill: "for _, v := range xs {", codes: []diag.Code{diag.SyntaxError}},
		{orig: "f(a b)", fill: "f(a)", codes: []diag.Code{diag.SyntaxError}, harm: "deletes `b`"},
		{orig: "n", fill: "0", codes: []diag.Code{diag.SyntaxError}, harm: "replaces `n` by `0`"},
		{orig: "float64(n)", fill: "int(n)"},
		{orig: `"abc"`, fill: `"abd"`},
		{orig: "x + 1", fill: "x + 2"},
		{orig: "return s.next.Len()", fill: "return s.next.Size()", self: selfRef{name: "Len", recv: "s"}, proven: true},
		{orig: "return s.next.Len()", fill: "return s.next.Size()", harm: "drops the call of Len"},
		{orig: "return r.f.Len()", fill: "return r.f.Len() + 1", self: selfRef{name: "Len", recv: "s"}},
		// Adapters of API drift (the adapt generator): the value is kept
		// and called.
		{orig: "less", fill: "func(a, b E) int {\n\tif less(a, b) {\n\t\treturn -1\n\t}\n\tif less(b, a) {\n\t\treturn 1\n\t}\n\treturn 0\n}", codes: []diag.Code{diag.CannotInferTypeArgs}},
		{orig: "func(a, b T) bool { return a.n < b.n }", fill: "func(x, y T) int {\n\tless := func(a, b T) bool { return a.n < b.n }\n\tif less(x, y) {\n\t\treturn -1\n\t}\n\tif less(y, x) {\n\t\treturn 1\n\t}\n\treturn 0\n}", codes: []diag.Code{diag.CannotInferTypeArgs}},
		{orig: "visit", fill: "func(x string) error {\n\tvisit(x)\n\treturn nil\n}", codes: []diag.Code{diag.IncompatibleAssign}},
		{orig: "maps.Keys(m)", fill: "slices.Collect(maps.Keys(m))", codes: []diag.Code{diag.IncompatibleAssign}},
		{orig: "c.hits", fill: "&c.hits", codes: []diag.Code{diag.IncompatibleAssign}},
		// What a failing test proves.
		{orig: "a < b", fill: "a > b", proven: true},
		{orig: "n", fill: "0", proven: true},
	} {
		j := judge(tc.orig, tc.fill, tc.self, tc.codes, tc.free, tc.proven)
		switch {
		case tc.harm == "" && j.harm != "":
			t.Errorf("judge(%q → %q) = harm %q, want none", tc.orig, tc.fill, j.harm)
		case tc.harm != "" && !strings.Contains(j.harm, tc.harm):
			t.Errorf("judge(%q → %q) = harm %q, want %q", tc.orig, tc.fill, j.harm, tc.harm)
		}
	}
}

func TestDiffTokensDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		dist int
	}{
		{"a + b", "a + b", 0},
		{"smu", "sum", 2},
		{"f(a, b)", "f(b, a)", 4},
		{"", "return 0", 2},
	} {
		if _, d := diffTokens(tokens(tc.a), tokens(tc.b)); d != tc.dist {
			t.Errorf("distance(%q, %q) = %d, want %d", tc.a, tc.b, d, tc.dist)
		}
	}
}

func TestJudgeMoves(t *testing.T) {
	for _, tc := range []struct{ orig, fill string }{
		{"repeat(n-len(s), c)", "repeat(c, n-len(s))"},
		{"rand.Int(big.NewInt(n), rand.Reader)", "rand.Int(rand.Reader, big.NewInt(n))"},
		{"count := len(xs)", ""},
	} {
		codes := []diag.Code{diag.IncompatibleAssign}
		if tc.fill == "" {
			codes = []diag.Code{diag.UnusedVar}
		}
		if j := judge(tc.orig, tc.fill, selfRef{}, codes, nil, false); j.harm != "" {
			t.Errorf("judge(%q → %q) = harm %q, want none", tc.orig, tc.fill, j.harm)
		}
	}
}
