package bench

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/corpus"
	"github.com/difgen/difgen/model/local"
)

// benchPkg is a tiny package for the full row: sumOfSquares appears
// only once, so no view of the masked file may hold it.
const benchPkg = `package p

func sumOfSquares(xs []int) int {
	total := 0
	for _, x := range xs {
		total += x * x
	}
	return total
}
`

const benchOther = `package p

func count(xs []int) int {
	n := 0
	for range xs {
		n++
	}
	n += 0
	n += len(xs) - len(xs)
	return n
}
`

// benchFixture writes benchPkg (and, if ignored, a file outside the
// default build) into a temporary directory and returns the full row and
// the documents.
func benchFixture(t *testing.T, ignored string) (*fullRow, *corpus.Doc, []*corpus.Doc) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"p.go": benchPkg, "q.go": benchOther}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module p\n\ngo 1.22\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	if ignored != "" {
		files["z.go"] = ignored
	}
	var pkg []*corpus.Doc
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
		pkg = append(pkg, &corpus.Doc{Path: path, PkgPath: "p", Src: src, Tokens: ast.Tokenize(src), Held: true})
	}
	slices.SortFunc(pkg, func(a, b *corpus.Doc) int { return strings.Compare(a.Path, b.Path) })
	tr := local.NewTrainer(nil)
	for range 3 {
		tr.Add(ast.Tokenize(benchOther))
	}
	m, err := tr.Train(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return newFullRow(m), pkg[0], pkg
}

// tokenCase returns the single-token case of the n'th token of d whose
// text is text.
func tokenCase(t *testing.T, d *corpus.Doc, pkg []*corpus.Doc, text string, n int) *denoiseCase {
	t.Helper()
	for i, tok := range d.Tokens {
		if tok.Text == text && tok.Off != tok.End {
			if n == 0 {
				return &denoiseCase{Doc: d, Pkg: pkg, I: i, J: i + 1, Off: tok.Off, End: tok.End}
			}
			n--
		}
	}
	t.Fatalf("no token %q", text)
	return nil
}

func TestFullRowNoLeak(t *testing.T) {
	r, d, pkg := benchFixture(t, "")
	// "Squares" is a piece of sumOfSquares: the whole identifier is masked.
	c := tokenCase(t, d, pkg, "Squares", 0)
	i, j := identRange(d.Tokens, c.I)
	if got := d.Src[d.Tokens[i].Off:d.Tokens[j-1].End]; got != "sumOfSquares" {
		t.Fatalf("identRange = %q, want sumOfSquares", got)
	}
	req, err := r.request(context.Background(), c, i, j, ast.Ident, 5)
	if err != nil {
		t.Fatal(err)
	}
	h := req.Holes[0]
	if h.Original != "" || h.Kind != ast.Ident {
		t.Errorf("hole Original %q, Kind %v; want \"\", ident", h.Original, h.Kind)
	}
	if got := req.Canvas.File(d.Path).Text[h.Start:h.End]; got != "__" {
		t.Errorf("hole holds %q, want __", got)
	}
	for _, f := range req.Canvas.Files() {
		if strings.Contains(f.Text, "sumOfSquares") {
			t.Errorf("canvas file %s holds the answer", f.Name)
		}
	}
	if req.Types == nil {
		t.Fatal("package not type-checked")
	}
	if len(req.Types.Names) != 2 {
		t.Errorf("type-checked %v, want p.go and q.go", req.Types.Names)
	}
	if obj := req.Types.Pkg.Scope().Lookup("sumOfSquares"); obj != nil {
		t.Errorf("Types holds the answer: %v", obj)
	}
	for id := range req.Types.Info.Defs {
		if id.Name == "sumOfSquares" {
			t.Errorf("Types.Info defines the answer at %v", req.Types.Fset.Position(id.Pos()))
		}
	}
}

func TestFullRowRanks(t *testing.T) {
	ctx := context.Background()
	r, d, pkg := benchFixture(t, "//go:build ignore\n\npackage p\n\nfunc z(total int) int { return total }\n")

	// return total: an int in scope, which the types propose.
	c := tokenCase(t, d, pkg, "total", 2)
	if g, err := r.guess(ctx, c, 5); err != nil || slices.IndexFunc(g, c.hit) < 0 {
		t.Errorf("guesses for total in 'return total' = %q, %v; want it in the top 5", g, err)
	}
	// An operator: the token model's guesses, re-checked by go/types, so
	// "+=" (total += x * x) comes before anything that does not compile.
	op := tokenCase(t, d, pkg, "+=", 0)
	g, err := r.guess(ctx, op, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(g) == 0 || !op.hit(g[0]) {
		t.Errorf("guesses for += = %q, want += first", g)
	}
	if r.typed.Load() != 2 || r.untyped.Load() != 0 {
		t.Errorf("typed, untyped = %d, %d; want 2, 0", r.typed.Load(), r.untyped.Load())
	}
	// A file outside the default build is denoised without types.
	var z *corpus.Doc
	for _, x := range pkg {
		if filepath.Base(x.Path) == "z.go" {
			z = x
		}
	}
	if _, err := r.guess(ctx, tokenCase(t, z, pkg, "total", 1), 5); err != nil {
		t.Fatal(err)
	}
	if r.untyped.Load() != 1 {
		t.Errorf("untyped = %d, want 1", r.untyped.Load())
	}
	// An expression hole: x * x.
	x := tokenCase(t, d, pkg, "x", 1)
	span := &denoiseCase{Doc: d, Pkg: pkg, I: x.I, J: x.I + 3, Off: x.Off, End: d.Tokens[x.I+2].End}
	if got := d.Src[span.Off:span.End]; got != "x * x" {
		t.Fatalf("span = %q", got)
	}
	toks, err := r.span(ctx, span)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) == 0 || toks[len(toks)-1].Off == toks[len(toks)-1].End {
		t.Errorf("span fill %v: want tokens without the inserted semicolon", toks)
	}
}

func TestDenoiseCasesScannerTokens(t *testing.T) {
	src := "package p\n\nvar sumOfSquares = 1 + 2\n"
	d := &corpus.Doc{Path: "p.go", PkgPath: "p", Src: src, Tokens: ast.Tokenize(src), Held: true}
	toks, _ := denoiseCases([]*corpus.Doc{d}, 400, 0, 1)
	seen := map[string]int{}
	for _, c := range toks {
		seen[src[c.Off:c.End]]++
		if c.want()[0].Off == c.want()[0].End {
			t.Errorf("case %d:%d is an inserted semicolon", c.I, c.J)
		}
	}
	// Eight scanner tokens: package p var sumOfSquares = 1 + 2 (the
	// identifier is one case, not three pieces).
	want := []string{"package", "p", "var", "sumOfSquares", "=", "1", "+", "2"}
	for _, w := range want {
		if seen[w] == 0 {
			t.Errorf("token %q never sampled (%v)", w, seen)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("sampled %v, want exactly the tokens %q", seen, want)
	}
	// Uniform over tokens: the three-piece identifier is not sampled
	// three times as often as the others.
	if n := seen["sumOfSquares"]; n > 2*400/len(want) {
		t.Errorf("sumOfSquares sampled %d times of 400, want about %d", n, 400/len(want))
	}
}

func TestCaseHit(t *testing.T) {
	src := "package p\n\nvar s = `abc`\n"
	d := &corpus.Doc{Path: "p.go", Src: src, Tokens: ast.Tokenize(src)}
	c := tokenCase(t, d, nil, `"abc"`, 0) // the raw string, normalised
	for guess, want := range map[string]bool{"`abc`": true, `"abc"`: true, `"abd"`: false, "<string>": false} {
		if got := c.hit(guess); got != want {
			t.Errorf("hit(%s) = %v, want %v", guess, got, want)
		}
	}
}
