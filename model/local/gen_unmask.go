package local

import (
	"strings"

	"github.com/difgen/difgen/ast"
)

// unmask fills expression holes from the token model alone, by iterative
// unmasking: of L masked positions, the one the model is surest of is
// committed first and the rest are predicted again given it. The first
// commit branches on the model's top choices; the rest are greedy, so the
// result is deterministic.
func (c *holeCtx) unmask() {
	lm := c.d.lm
	if lm == nil || c.d.opts.Span < 0 {
		return
	}
	left, right := c.context(8)
	branch := max(c.req.Candidates, 2)
	for n := 1; n <= c.d.opts.Span; n++ {
		for b := range branch {
			slots := make([]*ast.Token, n)
			var total float64
			ok := true
			for step := range n {
				bestP, bestLP := -1, 0.0
				var bestTok ast.Token
				for p := range slots {
					if slots[p] != nil {
						continue
					}
					l, r := slotContext(slots, p, left, right)
					k := 1
					if step == 0 {
						k = branch
					}
					preds := lm.Predict(l, r, k)
					i := 0
					if step == 0 {
						i = b
					}
					if i >= len(preds) {
						continue
					}
					if bestP < 0 || preds[i].LogProb > bestLP {
						bestP, bestLP, bestTok = p, preds[i].LogProb, preds[i].Token
					}
				}
				if bestP < 0 {
					ok = false
					break
				}
				t := bestTok
				slots[bestP] = &t
				total += bestLP
			}
			if !ok {
				continue
			}
			toks := make([]ast.Token, n)
			for i, t := range slots {
				toks[i] = *t
			}
			if text, ok := detokenize(toks); ok {
				c.add(text, 0.5*total-3)
			}
		}
	}
}

// slotContext returns the context of masked slot p: the committed run
// next to it on each side, extended by the outer context when the run
// reaches the end of the span.
func slotContext(slots []*ast.Token, p int, left, right []ast.Token) (l, r []ast.Token) {
	i := p
	for i > 0 && slots[i-1] != nil {
		i--
	}
	if i == 0 {
		l = append(l, left...)
	}
	for _, t := range slots[i:p] {
		l = append(l, *t)
	}
	j := p + 1
	for j < len(slots) && slots[j] != nil {
		r = append(r, *slots[j])
		j++
	}
	if j == len(slots) {
		r = append(r, right...)
	}
	return l, r
}

// detokenize joins tokens into source text; it fails on literal class
// placeholders and statement ends, which no expression can hold.
func detokenize(toks []ast.Token) (string, bool) {
	var sb strings.Builder
	for i, t := range toks {
		if t.Text == ";" || strings.HasPrefix(t.Text, "<") && strings.HasSuffix(t.Text, ">") && len(t.Text) > 2 {
			return "", false
		}
		if i > 0 && !(t.Kind == ast.IdentPiece && !t.Start) {
			sb.WriteByte(' ')
		}
		sb.WriteString(t.Text)
	}
	return sb.String(), sb.Len() > 0
}
