package bench

import (
	"context"
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"io"
	"math/rand/v2"
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
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/corpus"
	"github.com/difgen/difgen/model"
	"github.com/difgen/difgen/model/local"
	"github.com/difgen/difgen/refine"
)

// DenoiseOptions configure [Denoise]. Model and Docs are required.
type DenoiseOptions struct {
	// Model is the token model, trained without the held-out packages.
	Model *local.NGram
	// Docs are the held-out files, with their source (corpus.Load with
	// HeldOnly and KeepSource).
	Docs []*corpus.Doc
	// Tokens and Spans are the numbers of single-token and expression
	// cases; 0 means 2000 and 300.
	Tokens, Spans int
	Seed          int64
	// Misses, if set, gets each single-token miss as a tab-separated line:
	// row, class, position, want, guesses.
	Misses io.Writer
	// Progress, if set, reports the cases done of each row's stage.
	Progress func(stage string, done, total int)
}

// Denoise masks single go/scanner tokens (an identifier whole) and whole
// expressions of the held-out files, chosen by opts.Seed, and measures
// top-1/top-5 by token class and exact match of expression holes by
// length, for the token model alone, with the package cache, and for the
// full local denoiser (types and verification through constraints, the
// package cache).
func Denoise(ctx context.Context, opts *DenoiseOptions) (*DenoiseReport, error) {
	ntok, nspan := opts.Tokens, opts.Spans
	if ntok == 0 {
		ntok = 2000
	}
	if nspan == 0 {
		nspan = 300
	}
	res := &DenoiseReport{Seed: opts.Seed, Files: len(opts.Docs)}
	res.Model.Info = opts.Model.Info()
	tokCases, spanCases := denoiseCases(opts.Docs, ntok, nspan, opts.Seed)
	if len(tokCases) == 0 {
		return nil, fmt.Errorf("bench denoise: no held-out files in the corpus")
	}
	for _, row := range denoiseRows(opts.Model) {
		r, err := runDenoiseRow(ctx, row, tokCases, spanCases, opts.Misses, opts.Progress)
		if err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, r)
	}
	return res, nil
}

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
func (c *denoiseCase) pos() string { return ast.Position(c.Doc.Path, c.Doc.Src, c.Off) }

// tokenText returns the texts of toks, space-separated.
func tokenText(toks []ast.Token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.Text)
	}
	return b.String()
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

// A DenoiseReport is the outcome of Denoise, as 'difgen bench denoise
// -json' prints it.
type DenoiseReport struct {
	Model struct {
		Info       local.Info `json:"info"`
		LoadMillis float64    `json:"load_ms"` // set by the caller that loaded it
	} `json:"model"`
	Seed  int64              `json:"seed"`
	Files int                `json:"files"` // held-out files
	Rows  []denoiseRowResult `json:"rows"`
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
// Each miss is written to misses, when not nil, as a tab-separated line:
// row, class (exprN-M for an expression hole of N to M tokens), position,
// want, guesses (an expression hole's one fill).
func runDenoiseRow(ctx context.Context, row denoiseRow, toks, spans []*denoiseCase, misses io.Writer, prog func(string, int, int)) (denoiseRowResult, error) {
	start := time.Now()
	r := denoiseRowResult{Row: row.name(), Token: map[string]*denoiseClassStats{}, Span: map[string]*denoiseSpanStats{}}
	for _, c := range tokenClasses {
		r.Token[c] = new(denoiseClassStats)
	}
	for _, b := range spanBuckets {
		r.Span[b] = new(denoiseSpanStats)
	}
	guesses := make([][]string, len(toks))
	if err := forEachCase(ctx, byPackage(row, toks, func(i int) error {
		var err error
		guesses[i], err = row.guess(ctx, toks[i], 5)
		return err
	}), prog, row.name()+" tokens"); err != nil {
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
	if err := forEachCase(ctx, byPackage(row, spans, func(i int) error {
		var err error
		fills[i], err = row.span(ctx, spans[i])
		return err
	}), prog, row.name()+" spans"); err != nil {
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
		} else if misses != nil {
			fmt.Fprintf(misses, "%s\texpr%s\t%s\t%q\t%q\n", row.name(), spanBucket(len(want)), c.pos(), tokenText(want), tokenText(got))
		}
	}
	if n, ok := row.(interface{ note() string }); ok {
		r.Note = n.note()
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

// A caseRun is the cases of one stage in the order they are run, and
// what runs case i.
type caseRun struct {
	order []int
	f     func(i int) error
}

// byPackage orders cases by package directory, so that a row that holds
// a checker per package (the full row) holds one or two at a time: when
// the last case of a package is done, the row releases its checker. The
// results do not depend on the order.
func byPackage(row denoiseRow, cases []*denoiseCase, f func(i int) error) caseRun {
	order := make([]int, len(cases))
	left := map[string]int{}
	for i, c := range cases {
		order[i] = i
		left[filepath.Dir(c.Doc.Path)]++
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return strings.Compare(filepath.Dir(cases[a].Doc.Path), filepath.Dir(cases[b].Doc.Path))
	})
	rel, ok := row.(interface{ release(dir string) })
	if !ok {
		return caseRun{order, f}
	}
	var mu sync.Mutex
	return caseRun{order, func(i int) error {
		err := f(i)
		dir := filepath.Dir(cases[i].Doc.Path)
		mu.Lock()
		left[dir]--
		done := left[dir] == 0
		mu.Unlock()
		if done {
			rel.release(dir)
		}
		return err
	}}
}

// forEachCase runs the cases of run in its order on GOMAXPROCS
// goroutines and returns the first error.
func forEachCase(ctx context.Context, run caseRun, prog func(string, int, int), stage string) error {
	n, f := len(run.order), func(i int) error { return run.f(run.order[i]) }
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

// pct1 formats a/b as a percentage with one decimal.
func pct1(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

// WriteText writes the report as tables.
func (res *DenoiseReport) WriteText(w io.Writer) error {
	info := res.Model.Info
	fmt.Fprintf(w, "model: %d files, %d tokens, vocabulary %d, %d n-grams; loaded in %.0f ms\n",
		info.Files, info.Tokens, info.Vocab, info.Entries, res.Model.LoadMillis)
	fmt.Fprintf(w, "held-out files: %d; seed %d\n\nsingle tokens (top-1 / top-5):\n", res.Files, res.Seed)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "row\tcases\tall\toperator\tkeyword\tidentifier\tliteral\tseconds\n")
	for _, r := range res.Rows {
		fmt.Fprintf(tw, "%s\t%d", r.Row, r.Token["all"].Cases)
		for _, c := range tokenClasses {
			s := r.Token[c]
			fmt.Fprintf(tw, "\t%s / %s", pct1(s.Top1, s.Cases), pct1(s.Top5, s.Cases))
		}
		fmt.Fprintf(tw, "\t%.1f\n", r.Seconds)
	}
	tw.Flush()
	for _, r := range res.Rows {
		if r.Note != "" {
			fmt.Fprintf(w, "  %s\n", r.Note)
		}
	}
	fmt.Fprintf(w, "\nexpression holes (exact match / tokens right), by length in tokens:\n")
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "row")
	for _, b := range spanBuckets {
		fmt.Fprintf(tw, "\t%s", b)
	}
	fmt.Fprintln(tw)
	for _, r := range res.Rows {
		fmt.Fprintf(tw, "%s", r.Row)
		for _, b := range spanBuckets {
			s := r.Span[b]
			fmt.Fprintf(tw, "\t%s / %s (%d)", pct1(s.Exact, s.Cases), pct1(s.Right, s.Tokens), s.Cases)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// fullRow measures the complete local denoiser: type-directed candidates
// over a real type check of the held-out package (constraints, the
// checker refine uses), ranked by the token model with the package cache
// and verified by the same checker, as refine verifies them.
//
// The answer never reaches the denoiser. The masked span is replaced by
// the placeholder identifier __ in the canvas, and the package is
// type-checked with that text, so Types, the cache and the canvas all
// see __ and never the original; the hole's Original is "". An
// identifier case is an Ident hole, right only when a candidate is the
// whole identifier. An operator, keyword or literal case goes to
// [local.Denoiser.Token]: the token model's guesses re-checked by the
// checker. Files outside the default build (other GOOS, build tags) are
// not type-checked: their cases go to the denoiser without Types or
// verification.
type fullRow struct {
	m     *local.NGram
	cache *constraints.Cache

	mu   sync.Mutex
	pkgs map[string]*pkgCheck // by directory

	typed, untyped atomic.Int64
}

// A pkgCheck is the checker of one package directory, made once.
type pkgCheck struct {
	once sync.Once
	chk  *constraints.Checker
	base *ast.Canvas // the package as on disk
	pkg  *constraints.Package
}

func newFullRow(m *local.NGram) *fullRow {
	return &fullRow{m: m, cache: new(constraints.Cache), pkgs: map[string]*pkgCheck{}}
}

func (r *fullRow) name() string { return "full" }

func (r *fullRow) note() string {
	return fmt.Sprintf("full: identifiers as identifier holes with typed candidates; operators, keywords and literals as ngram+cache predictions re-checked by go/types; %d holes type-checked, %d without types (file outside the default build)",
		r.typed.Load(), r.untyped.Load())
}

// release drops the checker of dir: its cases are done.
func (r *fullRow) release(dir string) {
	r.mu.Lock()
	delete(r.pkgs, dir)
	r.mu.Unlock()
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
// keyword or literal, verified by the package's checker.
func (r *fullRow) token(ctx context.Context, c *denoiseCase, k int) ([]model.Candidate, error) {
	req, err := r.requestAt(ctx, c, c.Off, c.End, ast.Expr, k, false)
	if err != nil {
		return nil, err
	}
	d := local.New(cacheModel(r.m, c, c.I, c.J), nil)
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
	req, err := r.request(ctx, c, i, j, kind, k)
	if err != nil {
		return nil, err
	}
	d := local.New(cacheModel(r.m, c, i, j), nil)
	resp, err := d.Denoise(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp.Fills[0], nil
}

// request returns the request for tokens [i, j) of c.Doc masked by __
// (see requestAt), the package type-checked with that text.
func (r *fullRow) request(ctx context.Context, c *denoiseCase, i, j int, kind ast.HoleKind, k int) (*model.Request, error) {
	return r.requestAt(ctx, c, c.Doc.Tokens[i].Off, c.Doc.Tokens[j-1].End, kind, k, true)
}

// requestAt returns the request for bytes [off, end) of c.Doc masked by
// __: a canvas of the package with the masked file, one hole over the __
// whose Original is "", and, with typed, the package type-checked with
// that text (a single-token case leaves that to the verifier).
func (r *fullRow) requestAt(ctx context.Context, c *denoiseCase, off, end int, kind ast.HoleKind, k int, typed bool) (*model.Request, error) {
	const placeholder = "__"
	masked := c.Doc.Src[:off] + placeholder + c.Doc.Src[end:]
	req := &model.Request{
		Holes:      []*ast.Hole{{ID: 1, File: c.Doc.Path, Start: off, End: off + len(placeholder), Kind: kind}},
		Candidates: k,
		Seed:       1,
	}
	pc, err := r.checker(ctx, c.Doc.Path)
	if err != nil {
		return nil, err
	}
	if pc == nil {
		r.untyped.Add(1)
		req.Canvas = ast.NewCanvas(filepath.Dir(c.Doc.Path), ast.NewFile(c.Doc.Path, masked))
		req.Verify = refine.Verifier(nil, req.Canvas, nil) // it must parse
		return req, nil
	}
	r.typed.Add(1)
	req.Canvas = pc.base.WithText(c.Doc.Path, masked)
	if typed {
		rep, err := pc.chk.Check(ctx, req.Canvas, constraints.Types)
		if err != nil {
			return nil, err
		}
		if rep.Pkg != nil {
			req.Types = &model.Types{Fset: rep.Fset, Files: rep.Files, Names: rep.Names, Pkg: rep.Pkg, XPkg: rep.XPkg, Info: rep.Info}
		}
	}
	req.Verify = refine.Verifier(pc.chk, req.Canvas, nil)
	req.Import = pc.chk.Import
	return req, nil
}

// checker returns the checker of the package of file name, made on first
// use; nil when the file is outside the package's default build (or the
// directory does not load as a package).
func (r *fullRow) checker(ctx context.Context, name string) (*pkgCheck, error) {
	dir := filepath.Dir(name)
	r.mu.Lock()
	pc := r.pkgs[dir]
	if pc == nil {
		pc = &pkgCheck{}
		r.pkgs[dir] = pc
	}
	r.mu.Unlock()
	pc.once.Do(func() {
		pkgs, err := constraints.Load(ctx, dir, nil, &constraints.Options{Cache: r.cache})
		if err != nil || len(pkgs) != 1 || len(pkgs[0].Errors) > 0 {
			return
		}
		chk, err := constraints.NewChecker(ctx, pkgs[0], &constraints.Options{Cache: r.cache})
		if err != nil {
			return
		}
		base, err := pkgs[0].Canvas()
		if err != nil {
			return
		}
		pc.chk, pc.base, pc.pkg = chk, base, pkgs[0]
	})
	if pc.chk == nil {
		return nil, ctx.Err()
	}
	p := pc.pkg
	if !slices.Contains(p.GoFiles, name) && !slices.Contains(p.TestGoFiles, name) && !slices.Contains(p.XTestGoFiles, name) {
		return nil, nil
	}
	return pc, nil
}
