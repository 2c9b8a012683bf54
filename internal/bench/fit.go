package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/difgen/difgen/model/local"
)

// Fitting the priors.
//
// A sample's candidates compete for the top of the list; after
// verification the denoiser orders them by their errors first, so a
// right candidate competes only with the candidates that have no more
// errors than it (and with those not verified). FitPriors maximises, over
// the samples with a right candidate, the log-probability that a softmax
// of the scores (local.Priors.Score) puts on the right candidates among
// their competitors, less an L2 penalty, by full-batch Adam from zero;
// the token model's clamp is chosen per context from a small grid. A
// generator with no proposal at all in a context takes there the largest
// bias fitted in that context (the vet analyzers' fixes, which no
// corruption family calls for, are not held back by a lack of data).

// FitStats say how a set of priors ranks the right candidates of the
// samples that have one.
type FitStats struct {
	Samples  int     // samples with a right candidate
	Top1     int     // ... ranked first among their competitors
	Top8     int     // ... ranked in the first 8 (refine tries 8)
	LogLik   float64 // mean log-probability of the right candidates
	ByCtx    map[string][2]int
	Generats map[string]int // right candidates by the generator whose proposal counts
}

func (s FitStats) String() string {
	return fmt.Sprintf("%d samples: top-1 %.1f%%, top-8 %.1f%%, log-likelihood %.3f",
		s.Samples, 100*float64(s.Top1)/float64(max(1, s.Samples)), 100*float64(s.Top8)/float64(max(1, s.Samples)), s.LogLik)
}

// competitors returns the indices of the candidates of s that compete
// with its right ones: those verified with no more errors than the best
// right one, and those not verified.
func (s *Sample) competitors() []int {
	best := math.Inf(1)
	for _, i := range s.Correct {
		if e := s.Cands[i].Errs; e >= 0 {
			best = min(best, e)
		}
	}
	var out []int
	for i, c := range s.Cands {
		if c.Errs < 0 || c.Errs <= best || slices.Contains(s.Correct, i) {
			out = append(out, i)
		}
	}
	return out
}

// EvalPriors returns how p ranks the right candidates of samples.
func EvalPriors(p *local.Priors, samples []Sample) FitStats {
	st := FitStats{ByCtx: map[string][2]int{}, Generats: map[string]int{}}
	for i := range samples {
		s := &samples[i]
		if len(s.Correct) == 0 {
			continue
		}
		st.Samples++
		comp := s.competitors()
		scores := make(map[int]float64, len(comp))
		for _, j := range comp {
			scores[j], _ = p.Score(s.Ctx, s.Cands[j])
		}
		bestRight, rightSrc := math.Inf(-1), ""
		for _, j := range s.Correct {
			if scores[j] > bestRight {
				bestRight = scores[j]
				_, rightSrc = p.Score(s.Ctx, s.Cands[j])
			}
		}
		above := 0
		for _, j := range comp {
			if !slices.Contains(s.Correct, j) && scores[j] > bestRight {
				above++
			}
		}
		bc := st.ByCtx[s.Ctx]
		bc[0]++
		if above == 0 {
			st.Top1++
		}
		if above < 8 {
			st.Top8++
			bc[1]++
			st.Generats[rightSrc]++
		}
		st.ByCtx[s.Ctx] = bc
		st.LogLik += logSoftmax(scores, s.Correct, comp)
	}
	st.LogLik /= float64(max(1, st.Samples))
	return st
}

// logSoftmax returns log Σ_right e^s − log Σ_comp e^s.
func logSoftmax(scores map[int]float64, right, comp []int) float64 {
	hi := math.Inf(-1)
	for _, j := range comp {
		hi = max(hi, scores[j])
	}
	var zr, z float64
	for _, j := range comp {
		z += math.Exp(scores[j] - hi)
	}
	for _, j := range right {
		zr += math.Exp(scores[j] - hi)
	}
	return math.Log(zr) - math.Log(z)
}

// params are the fitted numbers, flat: per generator the biases by
// context, the key weight and the rank weight; then per context the
// token model's weight and bonus.
type params struct {
	gens []string
	nctx int
	v    []float64
}

func (p *params) bias(g, x int) int { return g*(p.nctx+2) + x }
func (p *params) key(g int) int     { return g*(p.nctx+2) + p.nctx }
func (p *params) rank(g int) int    { return g*(p.nctx+2) + p.nctx + 1 }
func (p *params) lmW(x int) int     { return len(p.gens)*(p.nctx+2) + 2*x }
func (p *params) lmB(x int) int     { return len(p.gens)*(p.nctx+2) + 2*x + 1 }

// priors returns the local.Priors of p with clamps c.
func (p *params) priors(clamps []float64) *local.Priors {
	pr := local.Fitted()
	pr.Gen = map[string]local.GenWeights{}
	for g, name := range p.gens {
		var w local.GenWeights
		for x := range p.nctx {
			w.Bias[x] = p.v[p.bias(g, x)]
		}
		w.Key, w.Rank = p.v[p.key(g)], p.v[p.rank(g)]
		pr.Gen[name] = w
	}
	for x := range p.nctx {
		pr.LM[x] = local.LMWeights{Weight: p.v[p.lmW(x)], Bonus: p.v[p.lmB(x)], Clamp: clamps[x]}
	}
	return pr
}

// A prepared sample: its candidates' features, indexed.
type prepared struct {
	x     int
	right []int
	comp  []int
	cands []preparedCand
}

type preparedCand struct {
	lp    float64
	n     float64
	props []preparedProp
}

type preparedProp struct {
	g         int
	key, rank float64
}

// FitPriors fits the priors of the generators gens on samples (see the
// comment above); it returns them with the fit's statistics on the
// samples.
func FitPriors(samples []Sample, gens []string, logf func(string, ...any)) (*local.Priors, FitStats) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ctxs := local.ContextNames()
	p := &params{gens: gens, nctx: len(ctxs)}
	p.v = make([]float64, len(gens)*(p.nctx+2)+2*p.nctx)
	gi := map[string]int{}
	for i, g := range gens {
		gi[g] = i
	}
	xi := map[string]int{}
	for i, x := range ctxs {
		xi[x] = i
	}
	seen := make([]bool, len(gens)*p.nctx) // generator g proposed in context x
	var data []prepared
	for i := range samples {
		s := &samples[i]
		x, ok := xi[s.Ctx]
		if !ok {
			continue
		}
		for _, c := range s.Cands {
			for _, pp := range c.Proposals {
				if g, ok := gi[pp.Generator]; ok {
					seen[g*p.nctx+x] = true
				}
			}
		}
		if len(s.Correct) == 0 {
			continue
		}
		d := prepared{x: x, right: s.Correct, comp: s.competitors()}
		for _, c := range s.Cands {
			pc := preparedCand{lp: c.LogProb, n: float64(c.Tokens)}
			for _, pp := range c.Proposals {
				if g, ok := gi[pp.Generator]; ok {
					pc.props = append(pc.props, preparedProp{g, pp.Key, math.Log1p(float64(pp.Rank))})
				}
			}
			d.cands = append(d.cands, pc)
		}
		data = append(data, d)
	}
	inf := math.Inf(1)
	grid := []float64{3, 8, inf}
	clamps := make([]float64, p.nctx)
	for x := range clamps {
		clamps[x] = inf
	}
	fit := func(iters int) float64 { return adam(p, data, clamps, iters) }
	best := fit(600)
	for x := range p.nctx {
		if !slices.ContainsFunc(data, func(d prepared) bool { return d.x == x }) {
			continue
		}
		bestC := clamps[x]
		for _, c := range grid {
			if c == clamps[x] {
				continue
			}
			save := slices.Clone(p.v)
			clamps[x] = c
			if ll := fit(600); ll > best {
				best, bestC = ll, c
			} else {
				copy(p.v, save)
			}
			clamps[x] = bestC
		}
		logf("priors: context %s: clamp %g (objective %.4f)", ctxs[x], bestC, best)
	}
	fit(3000)
	// A generator never seen in a context takes the largest bias there.
	for x := range p.nctx {
		hi := math.Inf(-1)
		for g := range gens {
			if seen[g*p.nctx+x] {
				hi = max(hi, p.v[p.bias(g, x)])
			}
		}
		if math.IsInf(hi, -1) {
			continue
		}
		for g := range gens {
			if !seen[g*p.nctx+x] {
				p.v[p.bias(g, x)] = hi
			}
		}
	}
	for x := range clamps {
		if math.IsInf(clamps[x], 1) {
			clamps[x] = 0 // no clamp
		}
	}
	pr := p.priors(clamps)
	return pr, EvalPriors(pr, samples)
}

// l2 is the weight of the penalty on the squared parameters, per sample.
const l2 = 1e-3

// adam runs iters steps of full-batch Adam on the objective of p over
// data, from p's current values, and returns the final objective (mean
// log-likelihood less the penalty).
func adam(p *params, data []prepared, clamps []float64, iters int) float64 {
	const (
		lr           = 0.05
		beta1, beta2 = 0.9, 0.999
		eps          = 1e-8
	)
	m := make([]float64, len(p.v))
	v := make([]float64, len(p.v))
	grad := make([]float64, len(p.v))
	var obj float64
	for it := 1; it <= iters; it++ {
		obj = objective(p, data, clamps, grad)
		for i := range p.v {
			g := -grad[i] // descend on the negative objective
			m[i] = beta1*m[i] + (1-beta1)*g
			v[i] = beta2*v[i] + (1-beta2)*g*g
			mh := m[i] / (1 - math.Pow(beta1, float64(it)))
			vh := v[i] / (1 - math.Pow(beta2, float64(it)))
			p.v[i] -= lr * mh / (math.Sqrt(vh) + eps)
		}
	}
	return obj
}

// objective returns the mean log-likelihood of data under p less the
// penalty, and sets grad to its gradient.
func objective(p *params, data []prepared, clamps []float64, grad []float64) float64 {
	clear(grad)
	n := float64(max(1, len(data)))
	var ll float64
	type score struct {
		s        float64
		prop     preparedProp
		hasProp  bool
		lmActive bool
		lmArg    float64
	}
	scores := []score{}
	for di := range data {
		d := &data[di]
		scores = scores[:0]
		for _, c := range d.cands {
			var sc score
			sc.s = math.Inf(-1)
			for _, pp := range c.props {
				s := p.v[p.bias(pp.g, d.x)] + p.v[p.key(pp.g)]*pp.key + p.v[p.rank(pp.g)]*pp.rank
				if s > sc.s {
					sc.s, sc.prop, sc.hasProp = s, pp, true
				}
			}
			if !sc.hasProp {
				sc.s = 0
			}
			w, b := p.v[p.lmW(d.x)], p.v[p.lmB(d.x)]
			sc.lmArg = c.lp + b*c.n
			lm := w * sc.lmArg
			sc.lmActive = math.Abs(lm) < clamps[d.x]
			if !sc.lmActive {
				lm = math.Copysign(clamps[d.x], lm)
			}
			sc.s += lm
			scores = append(scores, sc)
		}
		hi := math.Inf(-1)
		for _, j := range d.comp {
			hi = max(hi, scores[j].s)
		}
		var z, zr float64
		for _, j := range d.comp {
			z += math.Exp(scores[j].s - hi)
		}
		for _, j := range d.right {
			zr += math.Exp(scores[j].s - hi)
		}
		ll += math.Log(zr) - math.Log(z)
		// d/ds_j: right share (within the right) − share (within comp).
		addGrad := func(j int, wgt float64) {
			sc := scores[j]
			c := d.cands[j]
			if sc.hasProp {
				grad[p.bias(sc.prop.g, d.x)] += wgt / n
				grad[p.key(sc.prop.g)] += wgt * sc.prop.key / n
				grad[p.rank(sc.prop.g)] += wgt * sc.prop.rank / n
			}
			if sc.lmActive {
				grad[p.lmW(d.x)] += wgt * sc.lmArg / n
				grad[p.lmB(d.x)] += wgt * p.v[p.lmW(d.x)] * c.n / n
			}
		}
		for _, j := range d.right {
			addGrad(j, math.Exp(scores[j].s-hi)/zr)
		}
		for _, j := range d.comp {
			addGrad(j, -math.Exp(scores[j].s-hi)/z)
		}
	}
	var pen float64
	for i, x := range p.v {
		pen += x * x
		grad[i] -= 2 * l2 * x
	}
	return ll/n - l2*pen
}

// WritePriorsGo writes p as the Go source of model/local's
// priors_fitted.go; note says how it was fitted.
func WritePriorsGo(w io.Writer, p *local.Priors, note string) error {
	var b strings.Builder
	b.WriteString("// Code generated by 'difgen bench priors'; DO NOT EDIT.\n\npackage local\n\n")
	for _, line := range strings.Split(strings.TrimSpace(note), "\n") {
		b.WriteString("// " + line + "\n")
	}
	b.WriteString("var fittedPriors = Priors{\n\tGen: map[string]GenWeights{\n")
	for _, g := range local.GeneratorNames() {
		wt := p.Gen[g]
		fmt.Fprintf(&b, "\t\t%q: {Bias: [numCtx]float64{", g)
		for x, v := range wt.Bias {
			if x > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%.4g", v)
		}
		fmt.Fprintf(&b, "}, Key: %.4g, Rank: %.4g},\n", wt.Key, wt.Rank)
	}
	b.WriteString("\t},\n\tLM: [numCtx]LMWeights{\n")
	for x, lw := range p.LM {
		fmt.Fprintf(&b, "\t\t{Weight: %.4g, Bonus: %.4g, Clamp: %.4g}, // %s\n", lw.Weight, lw.Bonus, lw.Clamp, local.ContextNames()[x])
	}
	b.WriteString("\t},\n}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
