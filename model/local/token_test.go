package local

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model"
)

func TestIdentifiers(t *testing.T) {
	m := smallModel(t)
	src := "package p\n\nfunc f(s string) bool {\n\treturn strings.HasPrefix(s, \"x\")\n}\n"
	// HasPrefix is two pieces: the search must join them, and the right
	// context must end the name there.
	left, _, right := split(t, src, "Has", 0)
	right = right[1:] // drop "Prefix"
	got := Identifiers(m, left, right, 10)
	var texts []string
	for _, g := range got {
		texts = append(texts, g.Text)
	}
	if !slices.Contains(texts, "HasPrefix") {
		t.Errorf("Identifiers after strings. = %q, want HasPrefix among them", texts)
	}
	for i := 1; i < len(got); i++ {
		if got[i].LogProb > got[i-1].LogProb {
			t.Errorf("not best first: %v", got)
		}
	}
	for _, g := range got {
		if lp := m.LogProb(left, ast.Tokenize(g.Text)[:len(pieces(g.Text))], right); lp != g.LogProb {
			t.Errorf("%s: LogProb %g, LogProb of its pieces %g", g.Text, g.LogProb, lp)
		}
	}
}

// pieces returns the identifier pieces of name.
func pieces(name string) []ast.Token {
	var out []ast.Token
	for _, t := range ast.Tokenize(name) {
		if t.Kind == ast.IdentPiece {
			out = append(out, t)
		}
	}
	return out
}

func TestContextAdjacent(t *testing.T) {
	// The hole follows "[]" with no space: "]" is left context.
	src := "package p\n\nfunc f(data []__) {}\n"
	start := strings.Index(src, "__")
	c := &holeCtx{src: src, h: &ast.Hole{Start: start, End: start + 2}, fileToks: ast.Tokenize(src)}
	left, right := c.context(3)
	if got := texts(left); !slices.Equal(got, []string{"data", "[", "]"}) {
		t.Errorf("left = %q, want data [ ]", got)
	}
	if got := texts(right); !slices.Equal(got, []string{")", "{", "}"}) {
		t.Errorf("right = %q, want ) { }", got)
	}
}

func texts(toks []ast.Token) []string {
	var out []string
	for _, t := range toks {
		out = append(out, t.Text)
	}
	return out
}

func TestFillTokens(t *testing.T) {
	for text, want := range map[string]int{"byte": 1, "x := 1": 3, "f(x)": 4, "a;": 2, "return\n": 2} {
		if got := fillTokens(text); len(got) != want {
			t.Errorf("fillTokens(%q) = %q, want %d tokens", text, texts(got), want)
		}
	}
}

func TestToken(t *testing.T) {
	d := New(smallModel(t), nil)
	const src = "package p\n\nfunc f(a, b []int) bool {\n\treturn len(a) < len(b)\n}\n"
	// Mask "<": whatever the model proposes, a fill that type-checks
	// comes before one that does not, and no literal class placeholder
	// is ever a fill.
	off := strings.Index(src, "<")
	masked := src[:off] + "__" + src[off+1:]
	cv, types, _ := checkPackage(t, map[string]string{"p.go": src})
	cv = ast.NewCanvas(cv.Dir, ast.NewFile(testDir+"/p.go", masked))
	req := withChecks(&model.Request{
		Canvas:     cv,
		Holes:      []*ast.Hole{{ID: 1, File: testDir + "/p.go", Start: off, End: off + 2, Kind: ast.Expr}},
		Types:      &model.Types{Fset: types.Fset, Files: types.Files, Names: types.Names, Pkg: types.Pkg},
		Candidates: 5,
	})
	got, err := d.Token(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatal("no fills")
	}
	rs := newReqState(req)
	ctx := context.Background()
	prev := -1.0
	for _, c := range got {
		if ast.LiteralClass(c.Text) == c.Text && strings.HasPrefix(c.Text, "<") && len(c.Text) > 2 {
			t.Errorf("fill %q is a class placeholder", c.Text)
		}
		errs := rs.check(ctx, req.Holes[0], c.Text)
		if errs < prev {
			t.Errorf("fills %v: %q has %g errors, after one with %g", got, c.Text, errs, prev)
		}
		prev = errs
	}
	if rs.check(ctx, req.Holes[0], got[0].Text) != 0 {
		t.Errorf("best fill %q does not type-check (fills %v)", got[0].Text, got)
	}
}

func TestSpreadSites(t *testing.T) {
	orig := "return x >= lo || x <= hi"
	mk := func(text string, score, errs float64) *cand { return &cand{text: text, score: score, errs: errs} }
	in := []*cand{ // as rank orders them: by errors, then score
		mk("return x >= lo || x < hi", 0, 0),
		mk("return x >= lo || x == hi", -0.1, 0),
		mk("return x >= lo || x > hi", -0.2, 0),
		mk("return x >= lo && x <= hi", -0.5, 0),
		mk("return x > lo || x <= hi", -0.9, 0),
		mk("return x >= lo || x <= hi + 1", 5, 1),
	}
	var got []string
	for _, x := range spreadSites(in, orig) {
		got = append(got, x.text)
	}
	want := []string{
		"return x >= lo || x < hi",      // best at the last comparison
		"return x >= lo && x <= hi",     // best at ||
		"return x > lo || x <= hi",      // best at the first comparison
		"return x >= lo || x == hi",     // second best at the last comparison (-0.1 - 1)
		"return x >= lo || x > hi",      // third (-0.2 - 2)
		"return x >= lo || x <= hi + 1", // more errors: last, as before
	}
	if !slices.Equal(got, want) {
		t.Errorf("spreadSites =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTestedVars(t *testing.T) {
	const src = `package p

import "io"

func f(errRead, other error) error {
	if errRead == io.EOF {
		return __
	} else {
		return __
	}
}
`
	cv, types, _ := checkPackage(t, map[string]string{"a.go": src})
	d := New(nil, nil)
	for i, want := range []bool{true, false} { // then-branch, else-branch
		off := strings.Index(src, "__")
		if i == 1 {
			off = strings.LastIndex(src, "__")
		}
		req := &model.Request{Canvas: cv, Types: types, Holes: []*ast.Hole{{ID: 1, File: testDir + "/a.go", Start: off, End: off + 2, Kind: ast.Expr}}}
		c := d.newHoleCtx(context.Background(), newReqState(req), req.Holes[0])
		got := map[string]bool{}
		for v := range c.testedVars() {
			got[v.Name()] = true
		}
		if got["errRead"] != want || got["other"] {
			t.Errorf("hole %d: tested vars %v, want errRead: %v", i, got, want)
		}
	}
}
