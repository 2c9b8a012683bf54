package local

import (
	"cmp"
	"context"
	"errors"
	"flag"
	goast "go/ast"
	"go/importer"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
	"github.com/difgen/difgen/model"
)

// A bigram is a tiny token model counted from this package's own files,
// for tests: P(b | a) with add-one smoothing.
type bigram struct {
	pairs map[[2]string]float64
	uni   map[string]float64
	toks  map[string]ast.Token
	vocab []string
}

func newBigram(t testing.TB) *bigram {
	b := &bigram{pairs: map[[2]string]float64{}, uni: map[string]float64{}, toks: map[string]ast.Token{}}
	names, _ := filepath.Glob("*.go")
	for _, n := range names {
		src, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		prev := ";"
		for _, tok := range ast.Tokenize(string(src)) {
			b.pairs[[2]string{prev, tok.Text}]++
			b.uni[prev]++
			if _, ok := b.toks[tok.Text]; !ok {
				b.toks[tok.Text] = tok
				b.vocab = append(b.vocab, tok.Text)
			}
			prev = tok.Text
		}
	}
	slices.Sort(b.vocab)
	return b
}

func (b *bigram) lp(a, c string) float64 {
	return math.Log((b.pairs[[2]string{a, c}] + 0.1) / (b.uni[a] + 0.1*float64(len(b.vocab)+1)))
}

func (b *bigram) LogProb(left, fill, right []ast.Token) float64 {
	prev := ";"
	if len(left) > 0 {
		prev = left[len(left)-1].Text
	}
	var s float64
	for _, t := range fill {
		s += b.lp(prev, t.Text)
		prev = t.Text
	}
	if len(right) > 0 {
		s += b.lp(prev, right[0].Text)
	}
	return s
}

func (b *bigram) Predict(left, right []ast.Token, k int) []Prediction {
	prev := ";"
	if len(left) > 0 {
		prev = left[len(left)-1].Text
	}
	var out []Prediction
	for _, v := range b.vocab {
		s := b.lp(prev, v)
		if len(right) > 0 {
			s += b.lp(v, right[0].Text)
		}
		out = append(out, Prediction{Token: b.toks[v], LogProb: s})
	}
	slices.SortStableFunc(out, func(x, y Prediction) int { return cmp.Compare(y.LogProb, x.LogProb) })
	return out[:min(k, len(out))]
}

var (
	srcImporterOnce sync.Once
	srcImporterMu   sync.Mutex // the source importer is not safe for concurrent use
	srcImporter     types.Importer
	testLMOnce      sync.Once
	testLM          *bigram
)

// testDenoiser returns a denoiser over the test bigram model sharing one
// source importer across tests.
func testDenoiser(t testing.TB) *Denoiser {
	srcImporterOnce.Do(func() { srcImporter = importer.ForCompiler(token.NewFileSet(), "source", nil) })
	testLMOnce.Do(func() { testLM = newBigram(t) })
	return New(testLM, nil)
}

// withChecks gives req a Verify and an Import like refine's: the fill
// applied as refine applies it (ast.IndentFill, then ast.FixImports, the
// default import fixer), the package type-checked by go/types with the
// findings' codes and spans as constraints gives them. (The package's
// tests cannot afford a constraints.Checker, which loads a module from
// disk, per scenario.)
func withChecks(req *model.Request) *model.Request {
	req.Verify = func(ctx context.Context, h *ast.Hole, text string) ([]diag.Finding, error) {
		f := req.Canvas.File(h.File)
		src, err := ast.Apply(f.Text, []ast.Edit{ast.IndentFill(f.Text, h, text)})
		if err != nil {
			return nil, err
		}
		if out, err := ast.FixImports(h.File, src, nil); err == nil {
			src = out
		}
		cv := req.Canvas.WithText(h.File, src)
		texts := map[string]string{}
		for _, f := range cv.Files() {
			texts[filepath.Base(f.Name)] = f.Text
		}
		return checkFindings(texts), nil
	}
	req.Import = func(_ context.Context, path string) (*types.Package, error) {
		srcImporterMu.Lock()
		defer srcImporterMu.Unlock()
		return srcImporter.Import(path)
	}
	return req
}

// checkFindings type-checks files (name → text) as package p and returns
// the syntax and type findings.
func checkFindings(files map[string]string) []diag.Finding {
	fset := token.NewFileSet()
	var afs []*goast.File
	var fs []diag.Finding
	for _, n := range slices.Sorted(maps.Keys(files)) {
		name := filepath.Join(testDir, n)
		f, err := parser.ParseFile(fset, name, files[n], parser.SkipObjectResolution)
		if err != nil {
			var list scanner.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					fs = append(fs, diag.Finding{File: name, Line: e.Pos.Line, Col: e.Pos.Column, Category: diag.Syntax, Code: diag.SyntaxError, Message: e.Msg})
				}
			}
			continue
		}
		afs = append(afs, f)
	}
	if len(fs) > 0 {
		return fs
	}
	srcImporterMu.Lock()
	defer srcImporterMu.Unlock()
	conf := types.Config{Importer: srcImporter, Error: func(err error) {
		e := err.(types.Error)
		tf := fset.File(e.Pos)
		fs = append(fs, typesFinding(tf, files[filepath.Base(tf.Name())], e))
	}}
	conf.Check("p", fset, afs, nil)
	return fs
}

const testDir = "/difgen/test/p"

// checkPackage type-checks files (name → text) as package p.
func checkPackage(t testing.TB, files map[string]string) (*ast.Canvas, *model.Types, []types.Error) {
	t.Helper()
	srcImporterOnce.Do(func() { srcImporter = importer.ForCompiler(token.NewFileSet(), "source", nil) })
	fset := token.NewFileSet()
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var afs []*goast.File
	var snaps []*ast.File
	var full []string
	for _, n := range names {
		full = append(full, filepath.Join(testDir, n))
		f, err := parser.ParseFile(fset, full[len(full)-1], files[n], parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		afs = append(afs, f)
		snaps = append(snaps, ast.NewFile(full[len(full)-1], files[n]))
	}
	info := &types.Info{
		Types:      map[goast.Expr]types.TypeAndValue{},
		Defs:       map[*goast.Ident]types.Object{},
		Uses:       map[*goast.Ident]types.Object{},
		Implicits:  map[goast.Node]types.Object{},
		Selections: map[*goast.SelectorExpr]*types.Selection{},
		Scopes:     map[goast.Node]*types.Scope{},
	}
	var errs []types.Error
	conf := types.Config{Importer: srcImporter, Error: func(err error) { errs = append(errs, err.(types.Error)) }}
	srcImporterMu.Lock()
	pkg, _ := conf.Check("p", fset, afs, info)
	srcImporterMu.Unlock()
	cv := ast.NewCanvas(testDir, snaps...)
	return cv, &model.Types{Fset: fset, Files: afs, Names: full, Pkg: pkg, Info: info}, errs
}

// A scenario is one txtar archive of testdata: a package in a.go, a hole
// and the fill that must be among the best candidates.
type scenario struct {
	name              string
	hole, at, kind    string
	diag, want, instr string
	rank              int
	predict           bool   // the hole's text is masked: no Original, as for new code
	vetfix            string // a vet finding over the hole whose fix inserts this at its start
	lm                string // "small": the n-gram model of smallCorpus with the package cache, not the bigram
	files             map[string]string
}

func loadScenario(t *testing.T, file string) scenario {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sc := scenario{name: strings.TrimSuffix(filepath.Base(file), ".txtar"), rank: 8, files: map[string]string{}}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		switch k {
		case "hole":
			sc.hole = v
		case "at":
			sc.at = v
		case "kind":
			sc.kind = v
		case "diag":
			sc.diag = v
		case "want":
			sc.want = v
		case "instruction":
			sc.instr = v
		case "rank":
			sc.rank, _ = strconv.Atoi(v)
		case "original":
			sc.predict = v == "none"
		case "vetfix":
			sc.vetfix = v
		case "lm":
			sc.lm = v
		}
	}
	for _, f := range ar.Files {
		sc.files[f.Name] = string(f.Data)
	}
	return sc
}

var kinds = map[string]ast.HoleKind{"expr": ast.Expr, "ident": ast.Ident, "stmts": ast.Stmts, "body": ast.Body, "tokens": ast.Tokens}

// request builds the denoising request of sc the way refine would.
func (sc scenario) request(t *testing.T) (*model.Request, *ast.Hole) {
	if sc.kind == "tokens" {
		return sc.syntaxRequest(t)
	}
	cv, ty, errs := checkPackage(t, sc.files)
	src := sc.files["a.go"]
	name := filepath.Join(testDir, "a.go")
	h := &ast.Hole{ID: 1, File: name, Kind: kinds[sc.kind], User: strings.Contains(sc.hole, "__")}
	switch {
	case sc.hole != "":
		i := strings.Index(src, sc.hole)
		if i < 0 {
			t.Fatalf("hole %q not in a.go", sc.hole)
		}
		h.Start, h.End, h.Original = i, i+len(sc.hole), sc.hole
	case sc.at != "":
		i := strings.LastIndex(src, sc.at)
		if i < 0 {
			t.Fatalf("at %q not in a.go", sc.at)
		}
		ins := ast.StmtInsertion(ty.File(name), ty.Fset, src, i)
		h.Start, h.End = ins.Start, ins.End
	}
	h.Instruction = sc.instr
	if sc.predict {
		h.Original, h.User = "", false
	}
	tf := ty.Fset.File(ty.File(name).Pos())
	switch {
	case sc.predict:
		// New code: nothing was checked wrong.
	case sc.vetfix != "":
		// A vet finding over the hole with a suggested fix, as constraints
		// reads them from go vet -json.
		h.Findings = []diag.Finding{{File: name, Start: h.Start, End: h.End, Category: diag.Vet, Code: diag.VetPrintf,
			Message: "non-constant format string", Weight: 1,
			Fixes: []diag.Fix{{Message: "Insert format string", Edits: []diag.Edit{{File: name, Start: h.Start, End: h.Start, New: sc.vetfix}}}}}}
	case strings.HasPrefix(sc.diag, "Test"):
		// A failing test, as constraints reports it.
		test, _, _ := strings.Cut(sc.diag, " ")
		h.Findings = []diag.Finding{{Category: diag.Tests, Code: diag.TestFailed, Test: test, Message: sc.diag, Weight: 1}}
	case sc.diag != "":
		// The type errors with that message.
		for _, e := range errs {
			if e.Msg == sc.diag {
				h.Findings = append(h.Findings, typesFinding(tf, src, e))
			}
		}
		if h.Findings == nil {
			t.Fatalf("no type error %q in a.go", sc.diag)
		}
	default:
		for _, e := range errs {
			if off := tf.Offset(e.Pos); off >= h.Start-1 && off <= h.End+2 {
				h.Findings = append(h.Findings, typesFinding(tf, src, e))
			}
		}
		if h.Findings == nil {
			for _, e := range errs {
				h.Findings = append(h.Findings, typesFinding(tf, src, e))
			}
		}
	}
	return withChecks(&model.Request{Canvas: cv, Holes: []*ast.Hole{h}, Types: ty, Candidates: 8, Seed: 1}), h
}

// syntaxRequest builds the request of a scenario whose a.go does not
// parse: its hole (kind tokens) answers the first syntax error, as
// refine asks for it, with no types.
func (sc scenario) syntaxRequest(t *testing.T) (*model.Request, *ast.Hole) {
	src := sc.files["a.go"]
	name := filepath.Join(testDir, "a.go")
	i := strings.Index(src, sc.hole)
	if sc.hole == "" || i < 0 {
		t.Fatalf("hole %q not in a.go", sc.hole)
	}
	h := &ast.Hole{ID: 1, File: name, Kind: ast.Tokens, Start: i, End: i + len(sc.hole), Original: sc.hole}
	fs := checkFindings(map[string]string{"a.go": src})
	if len(fs) == 0 || fs[0].Category != diag.Syntax {
		t.Fatalf("a.go has no syntax error: %v", fs)
	}
	f := fs[0]
	f.Start = offsetAt(src, f.Line, f.Col)
	f.End, f.Weight = f.Start, 1
	h.Findings = []diag.Finding{f}
	cv := ast.NewCanvas(testDir, ast.NewFile(name, src))
	return withChecks(&model.Request{Canvas: cv, Holes: []*ast.Hole{h}, Candidates: 8, Seed: 1}), h
}

// offsetAt returns the byte offset of line:col (1-based) in src.
func offsetAt(src string, line, col int) int {
	off := 0
	for range line - 1 {
		off += strings.IndexByte(src[off:], '\n') + 1
	}
	return off + col - 1
}

// denoiser returns the denoiser sc asks for, with opts.
func (sc scenario) denoiser(t *testing.T, opts *Options) *Denoiser {
	if sc.lm == "small" {
		var texts []string
		for _, n := range slices.Sorted(maps.Keys(sc.files)) {
			texts = append(texts, sc.files[n])
		}
		return New(smallModel(t).WithCache(texts...), opts)
	}
	testDenoiser(t)
	return New(testLM, opts)
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

var verbose = flag.Bool("ranks", false, "log every scenario's candidates")

func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scenarios in testdata")
	}
	for _, file := range files {
		sc := loadScenario(t, file)
		t.Run(sc.name, func(t *testing.T) {
			req, h := sc.request(t)
			resp, err := sc.denoiser(t, nil).Denoise(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			got := resp.Fills[0]
			rank := slices.IndexFunc(got, func(c model.Candidate) bool { return norm(c.Text) == norm(sc.want) }) + 1
			var lines []string
			for i, c := range got {
				lines = append(lines, strconv.Itoa(i+1)+". "+strconv.Quote(c.Text)+" "+c.Source+" "+strconv.FormatFloat(c.Confidence, 'f', 3, 64))
			}
			if rank == 0 || rank > sc.rank {
				t.Errorf("hole %q (findings %v): want %q in top %d, got rank %d among:\n%s", h.Original, h.Findings, sc.want, sc.rank, rank, strings.Join(lines, "\n"))
				return
			}
			t.Logf("rank %d/%d source %s", rank, len(got), got[rank-1].Source)
			if *verbose {
				t.Logf("findings %v\n%s", h.Findings, strings.Join(lines, "\n"))
			}
		})
	}
}

// TestGeneratorScenarios checks that every generator of the table has its
// scenario, testdata/<name>.txtar, where the generator proposes the fill
// wanted.
func TestGeneratorScenarios(t *testing.T) {
	for _, name := range GeneratorNames() {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join("testdata", name+".txtar")
			if _, err := os.Stat(file); err != nil {
				t.Fatalf("generator %s has no scenario: %v", name, err)
			}
			sc := loadScenario(t, file)
			req, _ := sc.request(t)
			d := sc.denoiser(t, nil)
			resp, err := d.Denoise(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(resp.Fills[0], func(c model.Candidate) bool { return norm(c.Text) == norm(sc.want) })
			if i < 0 {
				t.Fatalf("want %q not among %v", sc.want, resp.Fills[0])
			}
			if src := resp.Fills[0][i].Source; src != name {
				t.Errorf("want %q proposed by %s, not %s", sc.want, src, name)
			}
			// Without the generator, its fill is not proposed, or by
			// another.
			resp, err = sc.denoiser(t, &Options{Generators: slices.DeleteFunc(GeneratorNames(), func(n string) bool { return n == name })}).Denoise(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range resp.Fills[0] {
				if c.Source == name {
					t.Errorf("generator %s switched off, yet it proposed %q", name, c.Text)
				}
			}
		})
	}
}

func TestParseGenerators(t *testing.T) {
	all := GeneratorNames()
	for _, tc := range []struct {
		spec string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"all", nil, false},
		{"typed,template", []string{"typed", "template"}, false},
		{"-operator", slices.DeleteFunc(slices.Clone(all), func(n string) bool { return n == "operator" }), false},
		{"-nosuch", nil, true},
		{"typed,-operator", nil, true},
	} {
		got, err := ParseGenerators(tc.spec)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("ParseGenerators(%q) = %q, %v; want %q (error %v)", tc.spec, got, err, tc.want, tc.err)
		}
	}
}

func TestDeterministic(t *testing.T) {
	sc := loadScenario(t, "testdata/flipped_comparison.txtar")
	req, _ := sc.request(t)
	h2 := *req.Holes[0]
	h2.ID = 2
	req.Holes = append(req.Holes, &h2)
	var first *model.Response
	for i := range 3 {
		resp, err := testDenoiser(t).Denoise(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Fills) != len(req.Holes) {
			t.Fatalf("got %d candidate lists for %d holes", len(resp.Fills), len(req.Holes))
		}
		for _, fs := range resp.Fills {
			if len(fs) == 0 || len(fs) > req.Candidates {
				t.Fatalf("got %d candidates, want 1..%d", len(fs), req.Candidates)
			}
			for _, c := range fs {
				if c.Confidence < 0 || c.Confidence > 1 {
					t.Errorf("confidence %v out of [0,1]", c.Confidence)
				}
			}
		}
		if i == 0 {
			first = resp
		} else if !slices.EqualFunc(first.Fills[0], resp.Fills[0], func(a, b model.Candidate) bool { return a == b }) {
			t.Fatalf("run %d differs:\n%v\n%v", i, first.Fills[0], resp.Fills[0])
		}
	}
}

func TestNilModelAndNoTypes(t *testing.T) {
	sc := loadScenario(t, "testdata/flipped_comparison.txtar")
	req, _ := sc.request(t)
	req.Types = nil
	resp, err := New(nil, nil).Denoise(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Fills) != 1 || len(resp.Fills[0]) == 0 {
		t.Fatalf("no candidates without types: %v", resp.Fills)
	}
	if New(nil, nil).Name() != "local" {
		t.Error("name is not local")
	}
}

func TestCancelled(t *testing.T) {
	sc := loadScenario(t, "testdata/flipped_comparison.txtar")
	req, _ := sc.request(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(nil, nil).Denoise(ctx, req); err == nil {
		t.Fatal("no error from a cancelled context")
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"HasPrefx", "HasPrefix", 1}, {"cnout", "count", 2}, {"Feild", "Field", 1}, {"abc", "abc", 0}, {"", "ab", 2}, {"kitten", "sitting", 3}} {
		if d := editDistance(tc.a, tc.b); d != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, d, tc.d)
		}
	}
}

// typesFinding returns the finding of go/types error e in src, the text
// of the file tf, with its code and span as constraints gives them: the
// span go/types records, or the token at the error's position.
func typesFinding(tf *token.File, src string, e types.Error) diag.Finding {
	code, start, end := diag.TypesCode(e)
	s := tf.Offset(e.Pos)
	n := len(src) - s
	if start > 0 && end > start {
		s, n = tf.Offset(token.Pos(start)), end-start
	} else if toks := scanTokens(src[s:]); len(toks) > 0 && toks[0].off == 0 {
		n = toks[0].end
	}
	line, col := tf.Line(e.Pos), tf.Position(e.Pos).Column
	return diag.Finding{File: tf.Name(), Start: s, End: s + n, Line: line, Col: col, Category: diag.Types, Code: code, Message: e.Msg, Soft: e.Soft, Weight: 1}
}
