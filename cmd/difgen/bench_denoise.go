package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	goast "go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/corpus"
	"github.com/difgen/difgen/model"
	"github.com/difgen/difgen/model/local"
)

// A denoiseCase is one masked span of a held-out file: tokens [I, J) of
// Doc.Tokens, bytes [Off, End) of Doc.Src.
type denoiseCase struct {
	Doc      *corpus.Doc
	Pkg      []*corpus.Doc // the files of Doc's package, Doc included
	I, J     int
	Off, End int
}

func (c *denoiseCase) want() []ast.Token { return c.Doc.Tokens[c.I:c.J] }

// pos returns c's position as file:line:col.
func (c *denoiseCase) pos() string {
	line := 1 + strings.Count(c.Doc.Src[:c.Off], "\n")
	col := c.Off - strings.LastIndex(c.Doc.Src[:c.Off], "\n")
	return fmt.Sprintf("%s:%d:%d", c.Doc.Path, line, col)
}

// A denoiseRow is one predictor measured by 'difgen bench denoise'.
type denoiseRow interface {
	name() string
	// guess returns the row's k best guesses, as source text, for c's
	// single masked token (a whole identifier for an identifier).
	guess(ctx context.Context, c *denoiseCase, k int) ([]string, error)
	// span returns the best fill of c's masked span as tokens.
	span(ctx context.Context, c *denoiseCase) ([]ast.Token, error)
}

// tokenRow measures a token model alone, or with the package cache.
type tokenRow struct {
	label string
	m     *local.NGram
	cache bool
	beam  int
}

func (r *tokenRow) name() string { return r.label }

// model returns the token model for case c: with a cache over the other
// files of the package (up to cacheTokens tokens) and c's own file with
// the span cut out, so the answer is never in the cache.
func (r *tokenRow) model(c *denoiseCase) local.TokenModel {
	if !r.cache {
		return r.m
	}
	return cacheModel(r.m, c, c.I, c.J)
}

// cacheModel returns m with a cache over the files of c's package, c's
// own file with tokens [i, j) and the n-grams across them cut out.
func cacheModel(m *local.NGram, c *denoiseCase, i, j int) local.TokenModel {
	const cacheTokens = 60000
	seqs := [][]ast.Token{c.Doc.Tokens[:i], c.Doc.Tokens[j:]}
	n := len(c.Doc.Tokens)
	for _, d := range c.Pkg {
		if d != c.Doc && n+len(d.Tokens) <= cacheTokens {
			seqs = append(seqs, d.Tokens)
			n += len(d.Tokens)
		}
	}
	return m.WithCacheTokens(seqs...)
}

func (r *tokenRow) guess(ctx context.Context, c *denoiseCase, k int) ([]string, error) {
	m := r.model(c)
	left, right := c.Doc.Tokens[:c.I], c.Doc.Tokens[c.J:]
	var out []string
	if c.want()[0].Kind == ast.IdentPiece {
		for _, g := range local.Identifiers(m, left, right, k) {
			out = append(out, g.Text)
		}
		return out, nil
	}
	for _, p := range m.Predict(left, right, k+4) {
		t := p.Token
		if t.Kind == ast.IdentPiece || t.Kind == ast.Literal && ast.LiteralClass(t.Text) == t.Text {
			continue // an identifier piece, or a literal's class: not a token's text
		}
		if len(out) < k {
			out = append(out, t.Text)
		}
	}
	return out, nil
}

// hit reports whether guess is the text of c's masked token; literals
// match by value, so "a" is `a`.
func (c *denoiseCase) hit(guess string) bool {
	src := c.Doc.Src[c.Off:c.End]
	if guess == src {
		return true
	}
	if c.want()[0].Kind != ast.Literal {
		return false
	}
	a, err1 := strconv.Unquote(guess)
	b, err2 := strconv.Unquote(src)
	return err1 == nil && err2 == nil && a == b
}

// span fills the span left to right by beam search; the last token is
// predicted with the right context too.
func (r *tokenRow) span(ctx context.Context, c *denoiseCase) ([]ast.Token, error) {
	m := r.model(c)
	type hyp struct {
		toks []ast.Token
		lp   float64
	}
	left := c.Doc.Tokens[max(0, c.I-4):c.I]
	n := c.J - c.I
	beam := []hyp{{}}
	for step := range n {
		var next []hyp
		for _, h := range beam {
			var right []ast.Token
			if step == n-1 {
				right = c.Doc.Tokens[c.J:]
			}
			ctxToks := append(slices.Clip(left), h.toks...)
			for _, p := range m.Predict(ctxToks, right, r.beam) {
				next = append(next, hyp{append(slices.Clip(h.toks), p.Token), h.lp + p.LogProb})
			}
		}
		slices.SortStableFunc(next, func(a, b hyp) int {
			switch {
			case a.lp > b.lp:
				return -1
			case a.lp < b.lp:
				return 1
			}
			return 0
		})
		beam = next[:min(len(next), r.beam)]
		if len(beam) == 0 {
			return nil, nil
		}
	}
	return beam[0].toks, nil
}

// denoiseRows returns the rows to measure.
func denoiseRows(m *local.NGram) []denoiseRow {
	return []denoiseRow{
		&tokenRow{label: "ngram", m: m, beam: 4},
		&tokenRow{label: "ngram+cache", m: m, cache: true, beam: 4},
		newFullRow(m),
	}
}

type denoiseClassStats struct {
	Cases int `json:"cases"`
	Top1  int `json:"top1"`
	Top5  int `json:"top5"`
}

type denoiseSpanStats struct {
	Cases  int `json:"cases"`
	Exact  int `json:"exact"`
	Tokens int `json:"tokens"`
	Right  int `json:"right"` // tokens right at their position
}

type denoiseRowResult struct {
	Row     string                        `json:"row"`
	Token   map[string]*denoiseClassStats `json:"token"` // by class, and "all"
	Span    map[string]*denoiseSpanStats  `json:"span"`  // by length bucket
	Note    string                        `json:"note,omitempty"`
	Seconds float64                       `json:"seconds"`
}

type denoiseResult struct {
	Model struct {
		Info       local.Info `json:"info"`
		LoadMillis float64    `json:"load_ms"`
	} `json:"model"`
	Seed int64              `json:"seed"`
	Rows []denoiseRowResult `json:"rows"`
}

var tokenClasses = []string{"all", "operator", "keyword", "identifier", "literal"}

func className(k ast.TokenKind) string {
	switch k {
	case ast.Operator:
		return "operator"
	case ast.Keyword:
		return "keyword"
	case ast.IdentPiece:
		return "identifier"
	}
	return "literal"
}

var spanBuckets = []string{"2-3", "4-7", "8-16"}

func spanBucket(n int) string {
	switch {
	case n <= 3:
		return "2-3"
	case n <= 7:
		return "4-7"
	}
	return "8-16"
}

// benchDenoise declares the flags of 'difgen bench denoise' on fs and
// returns its runner.
func benchDenoise(fs *flag.FlagSet) func(context.Context, *env, []string) error {
	var (
		n        = fs.Int("n", 2000, "single-token cases")
		spans    = fs.Int("spans", 300, "expression cases")
		seed     = fs.Int64("seed", 1, "random seed for choosing cases")
		asJSON   = fs.Bool("json", false, "print JSON")
		corpusFl = fs.String("corpus", "", "comma-separated directories or module@version (default GOROOT/src); held-out packages are measured")
		missesFl = fs.String("misses", "", "write each single-token miss to `file` (row, class, position, want, guesses; tab-separated)")
		modelFl  = fs.String("model", "", "token model file trained with -holdout (default: the cached holdout model, built on first use)")
	)
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usageErrorf("bench denoise: unexpected arguments %q", args)
		}
		copts, err := corpusOptions(ctx, *corpusFl, "")
		if err != nil {
			return err
		}
		var res denoiseResult
		res.Seed = *seed
		start := time.Now()
		m, err := loadModel(ctx, &modelOptions{
			Path: *modelFl, Holdout: true, Corpus: copts, NoWrite: *corpusFl != "" && *modelFl == "",
			Progress: trainProgress(e),
		})
		clearProgress(e)
		if err != nil {
			return fmt.Errorf("bench denoise: %w", err)
		}
		if !m.Info().Holdout {
			return fmt.Errorf("bench denoise: the model was trained on held-out packages; train it with -holdout")
		}
		res.Model.Info = m.Info()
		res.Model.LoadMillis = float64(time.Since(start).Microseconds()) / 1e3

		held := *copts
		held.HeldOnly, held.KeepSource = true, true
		docs, err := corpus.Load(ctx, &held)
		if err != nil {
			return err
		}
		tokCases, spanCases := denoiseCases(docs, *n, *spans, *seed)
		if len(tokCases) == 0 {
			return fmt.Errorf("bench denoise: no held-out files in the corpus")
		}
		var misses io.Writer
		if *missesFl != "" {
			f, err := os.Create(*missesFl)
			if err != nil {
				return fmt.Errorf("bench denoise: %w", err)
			}
			defer f.Close()
			misses = f
		}
		for _, row := range denoiseRows(m) {
			r, err := runDenoiseRow(ctx, e, row, tokCases, spanCases, misses)
			if err != nil {
				return err
			}
			res.Rows = append(res.Rows, r)
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "\t")
			return enc.Encode(res)
		}
		printDenoise(e, &res, len(docs))
		return nil
	}
}

// denoiseCases picks n single-token cases (go/scanner tokens, so a whole
// identifier of several pieces is one case; never an inserted semicolon),
// uniformly over the held-out tokens, and nspan expression cases
// (expressions of 2 to 16 tokens, uniformly over files then expressions),
// deterministically from seed.
func denoiseCases(docs []*corpus.Doc, n, nspan int, seed int64) (tok, span []*denoiseCase) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x646966))
	pkgOf := map[*corpus.Doc][]*corpus.Doc{}
	for _, p := range corpus.Packages(docs) {
		for _, d := range p {
			pkgOf[d] = p
		}
	}
	var (
		units [][][2]int // per doc, the token ranges of its scanner tokens
		cum   []int
		total int
	)
	for _, d := range docs {
		var us [][2]int
		for i := 0; i < len(d.Tokens); {
			t := d.Tokens[i]
			if t.Off == t.End { // inserted semicolon
				i++
				continue
			}
			j := i + 1
			if t.Kind == ast.IdentPiece {
				_, j = identRange(d.Tokens, i)
			}
			us = append(us, [2]int{i, j})
			i = j
		}
		units = append(units, us)
		total += len(us)
		cum = append(cum, total)
	}
	for len(tok) < n && total > 0 {
		x := rng.IntN(total)
		di, _ := slices.BinarySearch(cum, x+1)
		d := docs[di]
		u := units[di][x-(cum[di]-len(units[di]))]
		tok = append(tok, &denoiseCase{Doc: d, Pkg: pkgOf[d], I: u[0], J: u[1], Off: d.Tokens[u[0]].Off, End: d.Tokens[u[1]-1].End})
	}
	fset := token.NewFileSet()
	for tries := 0; len(span) < nspan && tries < 20*nspan && len(docs) > 0; tries++ {
		d := docs[rng.IntN(len(docs))]
		f, err := parser.ParseFile(fset, d.Path, d.Src, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		base := fset.File(f.Pos()).Base()
		var cands [][2]int
		goast.Inspect(f, func(nd goast.Node) bool {
			e, ok := nd.(goast.Expr)
			if !ok || nd == nil {
				return true
			}
			if _, lit := e.(*goast.FuncLit); lit {
				return true
			}
			off, end := int(e.Pos())-base, int(e.End())-base
			i, _ := slices.BinarySearchFunc(d.Tokens, off, func(t ast.Token, off int) int { return t.Off - off })
			j, _ := slices.BinarySearchFunc(d.Tokens, end, func(t ast.Token, end int) int { return t.Off - end })
			if n := j - i; n >= 2 && n <= 16 {
				cands = append(cands, [2]int{i, j})
			}
			return true
		})
		if len(cands) == 0 {
			continue
		}
		c := cands[rng.IntN(len(cands))]
		span = append(span, &denoiseCase{Doc: d, Pkg: pkgOf[d], I: c[0], J: c[1], Off: d.Tokens[c[0]].Off, End: d.Tokens[c[1]-1].End})
	}
	return tok, span
}

func sameToken(a, b ast.Token) bool {
	return a.Kind == b.Kind && a.Text == b.Text && (a.Kind != ast.IdentPiece || a.Start == b.Start)
}

// runDenoiseRow measures row on the cases, GOMAXPROCS cases at a time;
// the sums do not depend on the order the cases finish in.
// Each single-token miss is written to misses, when not nil, as a
// tab-separated line: row, class, position, want, guesses.
func runDenoiseRow(ctx context.Context, e *env, row denoiseRow, toks, spans []*denoiseCase, misses io.Writer) (denoiseRowResult, error) {
	start := time.Now()
	r := denoiseRowResult{Row: row.name(), Token: map[string]*denoiseClassStats{}, Span: map[string]*denoiseSpanStats{}}
	for _, c := range tokenClasses {
		r.Token[c] = new(denoiseClassStats)
	}
	for _, b := range spanBuckets {
		r.Span[b] = new(denoiseSpanStats)
	}
	prog := trainProgress(e)
	guesses := make([][]string, len(toks))
	if err := forEachCase(ctx, len(toks), func(i int) error {
		var err error
		guesses[i], err = row.guess(ctx, toks[i], 5)
		return err
	}, prog, row.name()+" tokens"); err != nil {
		return r, err
	}
	ranks := make([]int, len(toks))
	for i, c := range toks {
		ranks[i] = slices.IndexFunc(guesses[i], c.hit)
		if ranks[i] != 0 && misses != nil {
			fmt.Fprintf(misses, "%s\t%s\t%s\t%q\t%q\n", row.name(), className(c.want()[0].Kind), c.pos(), c.Doc.Src[c.Off:c.End], guesses[i])
		}
	}
	for i, c := range toks {
		for _, cl := range []string{"all", className(c.want()[0].Kind)} {
			s := r.Token[cl]
			s.Cases++
			if ranks[i] == 0 {
				s.Top1++
			}
			if ranks[i] >= 0 && ranks[i] < 5 {
				s.Top5++
			}
		}
	}
	fills := make([][]ast.Token, len(spans))
	if err := forEachCase(ctx, len(spans), func(i int) error {
		var err error
		fills[i], err = row.span(ctx, spans[i])
		return err
	}, prog, row.name()+" spans"); err != nil {
		return r, err
	}
	for i, c := range spans {
		got, want := fills[i], c.want()
		s := r.Span[spanBucket(len(want))]
		s.Cases++
		s.Tokens += len(want)
		exact := len(got) == len(want)
		for k, w := range want {
			if k < len(got) && sameToken(got[k], w) {
				s.Right++
			} else {
				exact = false
			}
		}
		if exact {
			s.Exact++
		}
	}
	clearProgress(e)
	if n, ok := row.(interface{ note() string }); ok {
		r.Note = n.note()
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

// forEachCase calls f(0..n-1) on GOMAXPROCS goroutines and returns the
// first error.
func forEachCase(ctx context.Context, n int, f func(i int) error, prog func(string, int, int), stage string) error {
	var (
		next, done atomic.Int64
		wg         sync.WaitGroup
		mu         sync.Mutex
		first      error
	)
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				err := ctx.Err()
				if err == nil {
					err = f(i)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(int64(n))
					return
				}
				if d := done.Add(1); prog != nil {
					prog(stage, int(d), n)
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

func printDenoise(e *env, res *denoiseResult, files int) {
	info := res.Model.Info
	fmt.Fprintf(e.stdout, "model: %d files, %d tokens, vocabulary %d, %d n-grams; loaded in %.0f ms\n",
		info.Files, info.Tokens, info.Vocab, info.Entries, res.Model.LoadMillis)
	fmt.Fprintf(e.stdout, "held-out files: %d; seed %d\n\nsingle tokens (top-1 / top-5):\n", files, res.Seed)
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "row\tcases\tall\toperator\tkeyword\tidentifier\tliteral\tseconds\n")
	for _, r := range res.Rows {
		fmt.Fprintf(tw, "%s\t%d", r.Row, r.Token["all"].Cases)
		for _, c := range tokenClasses {
			s := r.Token[c]
			fmt.Fprintf(tw, "\t%s / %s", pct(s.Top1, s.Cases), pct(s.Top5, s.Cases))
		}
		fmt.Fprintf(tw, "\t%.1f\n", r.Seconds)
	}
	tw.Flush()
	for _, r := range res.Rows {
		if r.Note != "" {
			fmt.Fprintf(e.stdout, "  %s\n", r.Note)
		}
	}
	fmt.Fprintf(e.stdout, "\nexpression holes (exact match / tokens right), by length in tokens:\n")
	tw = tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "row")
	for _, b := range spanBuckets {
		fmt.Fprintf(tw, "\t%s", b)
	}
	fmt.Fprintln(tw)
	for _, r := range res.Rows {
		fmt.Fprintf(tw, "%s", r.Row)
		for _, b := range spanBuckets {
			s := r.Span[b]
			fmt.Fprintf(tw, "\t%s / %s (%d)", pct(s.Exact, s.Cases), pct(s.Right, s.Tokens), s.Cases)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// fullRow measures the complete local denoiser: type-directed candidates
// over a real type check of the held-out package, ranked by the token
// model with the package cache and verified in process.
//
// The answer never reaches the denoiser. The masked span is replaced by
// the placeholder identifier __ in the canvas, and the package is
// type-checked with that text, so Types, the cache and the canvas all
// see __ and never the original; the hole's Original is "". An
// identifier case is an Ident hole, right only when a candidate is the
// whole identifier. An operator, keyword or literal case goes to
// [local.Denoiser.Token]: the token model's guesses re-checked by
// go/types, with the package type-checked from the file's own text only
// for its imports. Files outside the default build (other GOOS, build
// tags) are not type-checked: their cases go to the denoiser without
// Types.
type fullRow struct {
	m   *local.NGram
	imp *lockedImporter

	mu   sync.Mutex
	dirs map[string]*buildDir

	typed, untyped atomic.Int64
}

func newFullRow(m *local.NGram) *fullRow {
	return &fullRow{
		m:    m,
		imp:  &lockedImporter{imp: importer.ForCompiler(token.NewFileSet(), "source", nil).(types.ImporterFrom)},
		dirs: map[string]*buildDir{},
	}
}

func (r *fullRow) name() string { return "full" }

func (r *fullRow) note() string {
	return fmt.Sprintf("full: identifiers as identifier holes with typed candidates; operators, keywords and literals as ngram+cache predictions re-checked by go/types; %d holes type-checked, %d without types (file outside the default build)",
		r.typed.Load(), r.untyped.Load())
}

// identRange returns the tokens [i, j) of the whole identifier that
// token k of c.Doc is a piece of.
func identRange(toks []ast.Token, k int) (i, j int) {
	i, j = k, k+1
	for i > 0 && !toks[i].Start && toks[i-1].Kind == ast.IdentPiece && toks[i-1].End == toks[i].Off {
		i--
	}
	for j < len(toks) && toks[j].Kind == ast.IdentPiece && !toks[j].Start && toks[j].Off == toks[j-1].End {
		j++
	}
	return i, j
}

func (r *fullRow) guess(ctx context.Context, c *denoiseCase, k int) ([]string, error) {
	var (
		fills []model.Candidate
		err   error
	)
	if c.want()[0].Kind == ast.IdentPiece {
		fills, err = r.denoise(ctx, c, c.I, c.J, ast.Ident, k)
	} else {
		fills, err = r.token(ctx, c, k)
	}
	var out []string
	for _, f := range fills {
		out = append(out, strings.TrimSpace(f.Text))
	}
	return out, err
}

// token asks the local denoiser for k fills of c's masked operator,
// keyword or literal. The Types are the package as on disk (checked once
// per package): the checks of the fills use only its imports.
func (r *fullRow) token(ctx context.Context, c *denoiseCase, k int) ([]model.Candidate, error) {
	const placeholder = "__"
	masked := c.Doc.Src[:c.Off] + placeholder + c.Doc.Src[c.End:]
	cv := r.canvas(c.Doc.Path, masked)
	t := r.diskTypes(c.Doc.Path)
	if t != nil {
		r.typed.Add(1)
	} else {
		r.untyped.Add(1)
	}
	req := &model.Request{
		Canvas:     cv,
		Holes:      []*ast.Hole{{ID: 1, File: c.Doc.Path, Start: c.Off, End: c.Off + len(placeholder), Kind: ast.Expr}},
		Types:      t,
		Candidates: k,
		Seed:       1,
	}
	d := local.New(cacheModel(r.m, c, c.I, c.J), &local.Options{Importer: r.imp})
	return d.Token(ctx, req)
}

func (r *fullRow) span(ctx context.Context, c *denoiseCase) ([]ast.Token, error) {
	fills, err := r.denoise(ctx, c, c.I, c.J, ast.Expr, 1)
	if err != nil || len(fills) == 0 {
		return nil, err
	}
	toks := ast.Tokenize(fills[0].Text)
	for len(toks) > 0 && toks[len(toks)-1].Off == toks[len(toks)-1].End {
		toks = toks[:len(toks)-1] // the semicolon inserted at the end
	}
	return toks, nil
}

// denoise masks tokens [i, j) of c.Doc by __ and asks the local denoiser
// for k candidates.
func (r *fullRow) denoise(ctx context.Context, c *denoiseCase, i, j int, kind ast.HoleKind, k int) ([]model.Candidate, error) {
	req := r.request(c, i, j, kind, k)
	d := local.New(cacheModel(r.m, c, i, j), &local.Options{Importer: r.imp})
	resp, err := d.Denoise(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp.Fills[0], nil
}

// request returns the request for tokens [i, j) of c.Doc masked by __:
// a canvas of the package with the masked file, the package type-checked
// with that text, and one hole over the __ whose Original is "".
func (r *fullRow) request(c *denoiseCase, i, j int, kind ast.HoleKind, k int) *model.Request {
	off, end := c.Doc.Tokens[i].Off, c.Doc.Tokens[j-1].End
	const placeholder = "__"
	masked := c.Doc.Src[:off] + placeholder + c.Doc.Src[end:]
	cv, t := r.check(c.Doc.Path, masked)
	if t != nil {
		r.typed.Add(1)
	} else {
		r.untyped.Add(1)
	}
	return &model.Request{
		Canvas:     cv,
		Holes:      []*ast.Hole{{ID: 1, File: c.Doc.Path, Start: off, End: off + len(placeholder), Kind: kind}},
		Types:      t,
		Candidates: k,
		Seed:       1,
	}
}

// A buildDir is the default build of one package directory, loaded once.
type buildDir struct {
	once sync.Once
	dir  string
	bp   *build.Package
	mu   sync.Mutex
	sets map[string]*checkSet // by file set: "lib", "test", "xtest"
}

// A checkSet is the files type-checked together for a file of a set.
type checkSet struct {
	path  string // package path for go/types
	names []string
	texts []string
	fset  *token.FileSet
	files []*goast.File // parsed texts; nil when one does not parse

	diskOnce sync.Once
	disk     *model.Types // the files as on disk, type-checked, without Info
}

// locate returns the check set of file name and the file's index in it,
// or nil when the file is outside the default build or its package does
// not parse.
func (r *fullRow) locate(name string) (*checkSet, int) {
	dir := filepath.Dir(name)
	r.mu.Lock()
	bd := r.dirs[dir]
	if bd == nil {
		bd = &buildDir{dir: dir, sets: map[string]*checkSet{}}
		r.dirs[dir] = bd
	}
	r.mu.Unlock()
	bd.once.Do(func() {
		bp, err := build.ImportDir(dir, 0)
		if err == nil {
			bd.bp = bp
		}
	})
	if bd.bp == nil {
		return nil, -1
	}
	base := filepath.Base(name)
	var set string
	switch {
	case slices.Contains(bd.bp.GoFiles, base) || slices.Contains(bd.bp.CgoFiles, base):
		set = "lib"
	case slices.Contains(bd.bp.TestGoFiles, base):
		set = "test"
	case slices.Contains(bd.bp.XTestGoFiles, base):
		set = "xtest"
	default:
		return nil, -1
	}
	cs := bd.set(set)
	idx := slices.Index(cs.names, name)
	if cs.files == nil || idx < 0 {
		return nil, -1
	}
	return cs, idx
}

// canvas returns the canvas of the package of file name with text as the
// file's text (the file alone when it is outside the default build).
func (r *fullRow) canvas(name, text string) *ast.Canvas {
	dir := filepath.Dir(name)
	cs, idx := r.locate(name)
	if cs == nil {
		return ast.NewCanvas(dir, ast.NewFile(name, text))
	}
	files := make([]*ast.File, len(cs.names))
	for n := range cs.names {
		files[n] = ast.NewFile(cs.names[n], cs.texts[n])
	}
	files[idx] = ast.NewFile(name, text)
	return ast.NewCanvas(dir, files...)
}

// check returns the canvas of the package of file name with text as the
// file's text, and the package type-checked with it, or nil Types when
// the file is outside the default build or does not parse.
func (r *fullRow) check(name, text string) (*ast.Canvas, *model.Types) {
	cv := r.canvas(name, text)
	cs, idx := r.locate(name)
	if cs == nil {
		return cv, nil
	}
	af, err := parser.ParseFile(cs.fset, name, text, parser.SkipObjectResolution)
	if err != nil {
		return cv, nil
	}
	syntax := slices.Clone(cs.files)
	syntax[idx] = af
	info := &types.Info{
		Types:      map[goast.Expr]types.TypeAndValue{},
		Instances:  map[*goast.Ident]types.Instance{},
		Defs:       map[*goast.Ident]types.Object{},
		Uses:       map[*goast.Ident]types.Object{},
		Implicits:  map[goast.Node]types.Object{},
		Selections: map[*goast.SelectorExpr]*types.Selection{},
		Scopes:     map[goast.Node]*types.Scope{},
	}
	conf := types.Config{Importer: r.imp, FakeImportC: true, Error: func(error) {}}
	pkg, _ := conf.Check(cs.path, cs.fset, syntax, info)
	return cv, &model.Types{Fset: cs.fset, Files: syntax, Names: cs.names, Pkg: pkg, Info: info}
}

// diskTypes returns the package of file name type-checked as it is on
// disk, without Info, checked once per check set; nil when the file is
// outside the default build.
func (r *fullRow) diskTypes(name string) *model.Types {
	cs, _ := r.locate(name)
	if cs == nil {
		return nil
	}
	cs.diskOnce.Do(func() {
		conf := types.Config{Importer: r.imp, FakeImportC: true, Error: func(error) {}}
		pkg, _ := conf.Check(cs.path, cs.fset, cs.files, nil)
		cs.disk = &model.Types{Fset: cs.fset, Files: cs.files, Names: cs.names, Pkg: pkg}
	})
	return cs.disk
}

// set returns the named file set of bd, reading and parsing it once.
func (bd *buildDir) set(name string) *checkSet {
	bd.mu.Lock()
	defer bd.mu.Unlock()
	if cs := bd.sets[name]; cs != nil {
		return cs
	}
	bp := bd.bp
	cs := &checkSet{path: bp.ImportPath, fset: token.NewFileSet()}
	var base []string
	switch name {
	case "lib":
		base = slices.Concat(bp.GoFiles, bp.CgoFiles)
	case "test":
		base = slices.Concat(bp.GoFiles, bp.CgoFiles, bp.TestGoFiles)
	case "xtest":
		base = bp.XTestGoFiles
		cs.path += "_test"
	}
	for _, b := range base {
		cs.names = append(cs.names, filepath.Join(bd.dir, b))
	}
	slices.Sort(cs.names) // the order of the canvas's files
	ok := true
	for _, n := range cs.names {
		data, err := os.ReadFile(n)
		if err != nil {
			ok = false
			break
		}
		cs.texts = append(cs.texts, string(data))
		af, err := parser.ParseFile(cs.fset, n, data, parser.SkipObjectResolution)
		if err != nil {
			ok = false
			break
		}
		cs.files = append(cs.files, af)
	}
	if !ok {
		cs.files = nil
	}
	bd.sets[name] = cs
	return cs
}

// lockedImporter serializes a source importer shared by all checks.
type lockedImporter struct {
	mu  sync.Mutex
	imp types.ImporterFrom
}

func (l *lockedImporter) Import(path string) (*types.Package, error) {
	return l.ImportFrom(path, "", 0)
}

func (l *lockedImporter) ImportFrom(path, dir string, mode types.ImportMode) (*types.Package, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.imp.ImportFrom(path, dir, mode)
}
