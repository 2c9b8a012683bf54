package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/corpus"
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

// A denoiseRow is one predictor measured by 'difgen bench denoise'.
type denoiseRow interface {
	name() string
	// rank returns the 0-based rank of the right answer among the row's k
	// best guesses for c's single masked token, or -1.
	rank(ctx context.Context, c *denoiseCase, k int) (int, error)
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

func (r *tokenRow) rank(ctx context.Context, c *denoiseCase, k int) (int, error) {
	want := c.want()[0]
	for i, p := range r.model(c).Predict(c.Doc.Tokens[:c.I], c.Doc.Tokens[c.J:], k) {
		if sameToken(p.Token, want) {
			return i, nil
		}
	}
	return -1, nil
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
		// TODO(issue 3): the "full" row goes here: the complete local
		// denoiser (local.New(m.WithCache(package), nil)) with type-directed
		// candidates, asked through model.Denoiser with a canvas of
		// c.Pkg's files and one expression hole over bytes [c.Off, c.End)
		// of c.Doc.
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
		for _, row := range denoiseRows(m) {
			r, err := runDenoiseRow(ctx, e, row, tokCases, spanCases)
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

// denoiseCases picks n single-token cases (any token but an inserted
// semicolon, uniformly over the held-out tokens) and nspan expression
// cases (expressions of 2 to 16 tokens, uniformly over files then
// expressions), deterministically from seed.
func denoiseCases(docs []*corpus.Doc, n, nspan int, seed int64) (tok, span []*denoiseCase) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x646966))
	pkgOf := map[*corpus.Doc][]*corpus.Doc{}
	var cum []int
	total := 0
	for _, p := range corpus.Packages(docs) {
		for _, d := range p {
			pkgOf[d] = p
		}
	}
	for _, d := range docs {
		total += len(d.Tokens)
		cum = append(cum, total)
	}
	for tries := 0; len(tok) < n && tries < 20*n && total > 0; tries++ {
		x := rng.IntN(total)
		di, _ := slices.BinarySearch(cum, x+1)
		d := docs[di]
		i := x - (cum[di] - len(d.Tokens))
		t := d.Tokens[i]
		if t.Off == t.End { // inserted semicolon
			continue
		}
		tok = append(tok, &denoiseCase{Doc: d, Pkg: pkgOf[d], I: i, J: i + 1, Off: t.Off, End: t.End})
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
func runDenoiseRow(ctx context.Context, e *env, row denoiseRow, toks, spans []*denoiseCase) (denoiseRowResult, error) {
	start := time.Now()
	r := denoiseRowResult{Row: row.name(), Token: map[string]*denoiseClassStats{}, Span: map[string]*denoiseSpanStats{}}
	for _, c := range tokenClasses {
		r.Token[c] = new(denoiseClassStats)
	}
	for _, b := range spanBuckets {
		r.Span[b] = new(denoiseSpanStats)
	}
	prog := trainProgress(e)
	ranks := make([]int, len(toks))
	if err := forEachCase(ctx, len(toks), func(i int) error {
		var err error
		ranks[i], err = row.rank(ctx, toks[i], 5)
		return err
	}, prog, row.name()+" tokens"); err != nil {
		return r, err
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
