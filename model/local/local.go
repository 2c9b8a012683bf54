package local

import (
	"cmp"
	"context"
	"hash/fnv"
	"math"
	"slices"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model"
)

// Options configure a local [Denoiser]. The zero value is a valid
// configuration.
type Options struct {
	// Verify is how many of the best-scored candidates of each hole are
	// verified (by the request's Verify, with the candidate applied)
	// before the final ranking. 0 means 24; a negative value turns
	// verification off.
	Verify int
	// Templates are the statement shapes used for statement and body
	// holes; nil means DefaultTemplates.
	Templates []Template
	// Span is the most tokens the token model fills on its own, by
	// iterative unmasking, in an expression hole. 0 means 3; negative
	// turns it off.
	Span int
	// Generators are the names of the generators to run (see
	// GeneratorNames and ParseGenerators); nil means all.
	Generators []string
	// Priors weigh the generators' proposals; nil means the fitted ones.
	Priors *Priors
	// Record, if set, is given every hole's candidates, with what each
	// generator proposed, the text of the hole's file and the scoring
	// context ("repair", "test", "fill", "predict", "predict-ident"): the
	// data the priors are fitted on.
	Record func(h *ast.Hole, src, ctx string, cands []Recorded)
}

// A Recorded candidate is a candidate of a hole as Options.Record sees
// it: its text, the token model's log-probability and token count, its
// weighted errors when verified (-1 if not), and its proposals.
type Recorded struct {
	Text      string
	LogProb   float64
	Tokens    int
	Errs      float64
	Proposals []RecordedProposal
}

// A RecordedProposal is one generator's proposal of a candidate.
type RecordedProposal struct {
	Generator string
	Key       float64
	Rank      int
}

// A Denoiser is the local, embedded denoiser: type-directed candidates
// from go/types, single-token edits of the masked text, repairs keyed by
// the last diagnostics and statement templates, ranked by a token model
// and checked in process.
type Denoiser struct {
	lm        TokenModel
	opts      Options
	templates []Template
	enabled   []bool // by index in generators
	priors    *Priors
}

// New returns a local denoiser that ranks candidates with lm. A nil lm
// ranks by the candidates' priors alone; nil opts means defaults.
func New(lm TokenModel, opts *Options) *Denoiser {
	d := &Denoiser{lm: lm}
	if opts != nil {
		d.opts = *opts
	}
	if d.opts.Verify == 0 {
		d.opts.Verify = 24
	}
	if d.opts.Span == 0 {
		d.opts.Span = 3
	}
	d.templates = d.opts.Templates
	if d.templates == nil {
		d.templates = DefaultTemplates()
	}
	d.enabled = make([]bool, len(generators))
	for i, g := range generators {
		d.enabled[i] = d.opts.Generators == nil || slices.Contains(d.opts.Generators, g.name)
	}
	d.priors = d.opts.Priors
	if d.priors == nil {
		d.priors = &fittedPriors
	}
	return d
}

// Name returns "local".
func (d *Denoiser) Name() string { return "local" }

// Denoise returns up to req.Candidates candidates for each hole of req,
// best first. Equal requests with equal seeds give equal answers.
func (d *Denoiser) Denoise(ctx context.Context, req *model.Request) (*model.Response, error) {
	resp := &model.Response{Fills: make([][]model.Candidate, len(req.Holes))}
	k := max(req.Candidates, 1)
	rs := newReqState(req)
	toks := map[string][]ast.Token{}
	for i, h := range req.Holes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := d.newHoleCtx(ctx, rs, h)
		if c.src != "" || h.Start == 0 {
			if _, ok := toks[h.File]; !ok {
				toks[h.File] = ast.Tokenize(c.src)
			}
			c.fileToks = toks[h.File]
		}
		c.generate()
		resp.Fills[i] = d.rank(ctx, c, k, req.Seed)
	}
	resp.Usage.Calls = 1
	return resp, nil
}

// rank scores, checks and orders c's candidates and returns the best k.
func (d *Denoiser) rank(ctx context.Context, c *holeCtx, k int, seed int64) []model.Candidate {
	cands := c.list()
	if len(cands) == 0 {
		return nil
	}
	left, right := c.context(8)
	sctx := c.scoreCtx()
	rankProposals(cands)
	var rec []Recorded
	if d.opts.Record != nil {
		rec = make([]Recorded, len(cands))
	}
	for i, x := range cands {
		d.priors.prior(x, sctx)
		x.score = x.prior
		var lp float64
		fill := fillTokens(x.text)
		if d.lm != nil {
			lp = d.lm.LogProb(left, fill, right)
			x.score += d.priors.lm(lp, len(fill), sctx)
		}
		x.tie = tieHash(seed, x.text)
		if rec != nil {
			rec[i] = Recorded{Text: x.text, LogProb: lp, Tokens: len(fill), Errs: -1}
			for _, p := range x.props {
				rec[i].Proposals = append(rec[i].Proposals, RecordedProposal{Generator: generators[p.gen].name, Key: p.key, Rank: p.rank})
			}
		}
	}
	byScore := func(a, b *cand) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.tie, b.tie), cmp.Compare(a.text, b.text))
	}
	slices.SortFunc(cands, byScore)

	if rs := c.rs; d.opts.Verify > 0 && rs.canVerify() {
		base := rs.check(ctx, c.h, c.h.Original)
		n := 0
		for _, x := range cands {
			if n >= d.opts.Verify || ctx.Err() != nil {
				break
			}
			x.errs = rs.check(ctx, c.h, x.text)
			x.checked = true
			n++
		}
		for _, x := range cands {
			if !x.checked {
				x.errs = base + 0.25
			}
		}
		slices.SortFunc(cands, func(a, b *cand) int {
			return cmp.Or(cmp.Compare(a.errs, b.errs), byScore(a, b))
		})
	}
	if rec != nil {
		for i := range rec {
			if x := c.cands[rec[i].Text]; x.checked {
				rec[i].Errs = x.errs
			}
		}
		d.opts.Record(c.h, c.src, sctx.String(), rec)
	}
	if c.h.Original != "" && testFailures(c.h.Findings) {
		cands = spreadSites(cands, c.h.Original)
	}
	// Confidence: a softmax over all candidates of the score less a
	// penalty per remaining error.
	total := func(x *cand) float64 { return x.score - 4*x.errs }
	hi := total(cands[0])
	for _, x := range cands {
		hi = max(hi, total(x))
	}
	var z float64
	for _, x := range cands {
		z += math.Exp(total(x) - hi)
	}
	out := make([]model.Candidate, 0, min(k, len(cands)))
	for _, x := range cands[:min(k, len(cands))] {
		conf := max(0, min(1, math.Exp(total(x)-hi)/z))
		if n := len(out); n > 0 {
			// A candidate with fewer errors ranks first even when the
			// model likes it less: its confidence is at most its
			// predecessor's.
			conf = min(conf, out[n-1].Confidence)
		}
		out = append(out, model.Candidate{Text: x.text, Confidence: conf, Source: x.source})
	}
	return out
}

// spreadSites reorders the well-typed candidates of a hole that only
// the tests find wrong so that the first few edit different places of
// the original: a candidate's score drops by sitePenalty for each better
// candidate at the same site. Nothing tells the token model which token
// a test disagrees with, so trying a change at each of several places
// beats trying every change at the place the model happens to like. A
// candidate's site is the original's token where it first differs. The
// order by errors is kept.
func spreadSites(cands []*cand, orig string) []*cand {
	const sitePenalty = 1.0
	n := 0
	for n < len(cands) && cands[n].errs == cands[0].errs {
		n++
	}
	toks := ast.Tokenize(orig)
	seen := map[int]int{}
	adj := make(map[*cand]float64, n)
	for _, x := range cands[:n] { // best first
		p := commonPrefix(x.text, orig)
		site := 0
		for _, t := range toks {
			if t.Off > p {
				break
			}
			site = t.Off
		}
		adj[x] = x.score - sitePenalty*float64(seen[site])
		seen[site]++
	}
	out := slices.Clone(cands)
	slices.SortStableFunc(out[:n], func(a, b *cand) int { return cmp.Compare(adj[b], adj[a]) })
	return out
}

// commonPrefix returns the length of the longest common prefix of a and b.
func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// fillTokens returns the tokens of a fill's text, without the semicolon
// the scanner inserts at its end: the hole's right context follows the
// fill directly.
func fillTokens(text string) []ast.Token {
	toks := ast.Tokenize(text)
	if n := len(toks); n > 0 && toks[n-1].Off == toks[n-1].End && toks[n-1].Off == len(text) {
		toks = toks[:n-1]
	}
	return toks
}

// tieHash orders equal scores deterministically for a seed.
func tieHash(seed int64, text string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(seed >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte(text))
	return h.Sum64()
}
