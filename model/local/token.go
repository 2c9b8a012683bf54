package local

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model"
)

// tokenVerify is how many of the token model's predictions [Denoiser.Token]
// re-checks; the right token is among the model's best 5 about 95 % of
// the time.
const tokenVerify = 6

// Token returns up to req.Candidates fills for the first hole of req when
// it masks one go/scanner token that is not an identifier (an operator, a
// keyword or a literal): the token model's predictions in the hole's
// context, re-ranked so that the fills with which the package parses and
// type-checks with the fewest errors come first. Literal class
// placeholders are never returned: a fill is always source text.
// Identifier holes go through [Denoiser.Denoise], which proposes typed
// candidates.
func (d *Denoiser) Token(ctx context.Context, req *model.Request) ([]model.Candidate, error) {
	if len(req.Holes) == 0 {
		return nil, errors.New("local: no hole to fill")
	}
	if d.lm == nil {
		return nil, nil
	}
	h := req.Holes[0]
	rs := newReqState(req)
	c := d.newHoleCtx(ctx, rs, h)
	if h.Start < 0 || h.End < h.Start || h.End > len(c.src) {
		return nil, fmt.Errorf("local: hole %d:%d outside %s", h.Start, h.End, h.File)
	}
	// The context is tokenized on each side of the hole apart: the
	// placeholder would run into a neighbouring identifier (x__y for
	// the dot of x.y).
	left := fillTokens(c.src[:h.Start]) // without the semicolon the scanner ends it with
	left = left[max(0, len(left)-8):]
	right := ast.Tokenize(c.src[h.End:])
	right = right[:min(len(right), 8)]
	type pred struct {
		text string
		lp   float64
		errs float64
	}
	var preds []pred
	for _, p := range d.lm.Predict(left, right, 2*tokenVerify+4) {
		t := p.Token
		if t.Kind == ast.IdentPiece || t.Kind == ast.Literal && ast.LiteralClass(t.Text) == t.Text {
			continue
		}
		preds = append(preds, pred{text: t.Text, lp: p.LogProb})
	}
	if d.opts.Verify > 0 && rs.canVerify() {
		for i := range preds {
			if i >= tokenVerify || ctx.Err() != nil {
				preds[i].errs = math.Inf(1)
				continue
			}
			preds[i].errs = rs.check(ctx, h, preds[i].text)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(preds, func(a, b pred) int { return cmp.Compare(a.errs, b.errs) })
	k := min(max(req.Candidates, 1), len(preds))
	var z float64
	for _, p := range preds {
		z += math.Exp(p.lp - 4*min(p.errs, 50))
	}
	out := make([]model.Candidate, 0, k)
	for _, p := range preds[:k] {
		conf := 0.0
		if z > 0 {
			conf = math.Exp(p.lp-4*min(p.errs, 50)) / z
		}
		out = append(out, model.Candidate{Text: p.text, Confidence: max(0, min(1, conf)), Source: "ngram"})
	}
	return out, nil
}
