package local

import (
	"maps"
	"math"
	"slices"

	"github.com/difgen/difgen/ast"
)

// A scoreCtx is the kind of hole a candidate is ranked for: the priors
// of a generator differ between them.
type scoreCtx int

const (
	ctxRepair       scoreCtx = iota // code with compile (or vet) findings
	ctxTest                         // code that compiles and fails tests
	ctxFill                         // a hole the user wrote
	ctxPredict                      // an expression with no text at all (new code)
	ctxPredictIdent                 // an identifier with no text at all
	numCtx
)

var ctxNames = [numCtx]string{"repair", "test", "fill", "predict", "predict-ident"}

func (x scoreCtx) String() string { return ctxNames[x] }

// Priors weigh what the generators propose against each other and
// against the token model. A proposal of generator g, with key k (the
// generator's own preference) and rank r among g's proposals for the
// hole, scores
//
//	Gen[g].Bias[ctx] + Gen[g].Key·k + Gen[g].Rank·log(1+r)
//	+ clamp(±LM[ctx].Clamp, LM[ctx].Weight·(logP + LM[ctx].Bonus·n))
//
// where logP is the token model's log-probability of the fill's n tokens
// in the hole's context; a candidate proposed by several generators takes
// its best proposal. The values in use are fitted on data (see
// priors_fitted.go and 'difgen bench priors'), never set by hand.
type Priors struct {
	Gen map[string]GenWeights
	LM  [numCtx]LMWeights
}

// GenWeights are one generator's weights.
type GenWeights struct {
	Bias [numCtx]float64
	Key  float64
	Rank float64
}

// LMWeights say how much the token model's opinion counts.
type LMWeights struct {
	Weight, Bonus, Clamp float64
}

// context returns the scoring context of the hole.
func (c *holeCtx) scoreCtx() scoreCtx {
	switch {
	case c.predicting() && c.h.Kind == ast.Ident:
		return ctxPredictIdent
	case c.predicting():
		return ctxPredict
	case c.repairing() && testFailures(c.h.Findings):
		return ctxTest
	case c.repairing():
		return ctxRepair
	}
	return ctxFill
}

// rankProposals sets the rank of each proposal among its generator's
// proposals for the hole, by key (higher first; ties in the order
// proposed).
func rankProposals(cands []*cand) {
	type ref struct {
		p   *proposal
		ord int
	}
	byGen := map[int][]ref{}
	n := 0
	for _, x := range cands {
		for i := range x.props {
			p := &x.props[i]
			byGen[p.gen] = append(byGen[p.gen], ref{p, n})
			n++
		}
	}
	for _, refs := range byGen {
		slices.SortStableFunc(refs, func(a, b ref) int {
			switch {
			case a.p.key > b.p.key:
				return -1
			case a.p.key < b.p.key:
				return 1
			}
			return a.ord - b.ord
		})
		for r, ref := range refs {
			ref.p.rank = r
		}
	}
}

// prior sets x.prior and x.source from its best proposal under pr in
// context ctx.
func (pr *Priors) prior(x *cand, ctx scoreCtx) {
	x.prior, x.source = math.Inf(-1), ""
	for _, p := range x.props {
		g := generators[p.gen].name
		if s := pr.proposal(g, p.key, p.rank, ctx); s > x.prior {
			x.prior, x.source = s, g
		}
	}
}

// proposal returns the score of a proposal of generator g with key and
// rank, before the token model's say.
func (pr *Priors) proposal(g string, key float64, rank int, ctx scoreCtx) float64 {
	w := pr.Gen[g]
	return w.Bias[ctx] + w.Key*key + w.Rank*math.Log1p(float64(rank))
}

// Score returns the score of a recorded candidate in the scoring context
// named ctx (see ContextNames), as the denoiser ranks it before
// verification, and the generator whose proposal counts.
func (pr *Priors) Score(ctx string, c Recorded) (float64, string) {
	x := ContextIndex(ctx)
	best, src := math.Inf(-1), ""
	for _, p := range c.Proposals {
		if s := pr.proposal(p.Generator, p.Key, p.Rank, x); s > best {
			best, src = s, p.Generator
		}
	}
	return best + pr.lm(c.LogProb, c.Tokens, x), src
}

// ContextNames returns the names of the scoring contexts, by index in
// GenWeights.Bias and Priors.LM.
func ContextNames() []string { return ctxNames[:] }

// ContextIndex returns the index of the scoring context named name, or
// -1.
func ContextIndex(name string) scoreCtx {
	for i, n := range ctxNames {
		if n == name {
			return scoreCtx(i)
		}
	}
	return -1
}

// Fitted returns the priors in use (a copy).
func Fitted() *Priors {
	p := fittedPriors
	p.Gen = maps.Clone(p.Gen)
	return &p
}

// lm returns the token model's say on a fill of n tokens of
// log-probability lp, in context ctx.
func (pr *Priors) lm(lp float64, n int, ctx scoreCtx) float64 {
	w := pr.LM[ctx]
	v := w.Weight * (lp + w.Bonus*float64(n))
	if w.Clamp > 0 {
		v = max(-w.Clamp, min(w.Clamp, v))
	}
	return v
}
