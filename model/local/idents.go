package local

import (
	"cmp"
	"go/token"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
)

// An IdentGuess is a whole identifier proposed by a token model, with the
// log-probability of its pieces between the hole's left and right context.
type IdentGuess struct {
	Text    string
	LogProb float64
}

// Identifiers returns up to k whole identifiers that lm finds likeliest
// between left and right, best first. It searches the identifier's pieces
// left to right with a small beam (the first piece must start an
// identifier, the rest must continue one) and scores every prefix with the
// right context, so the right context decides where the identifier ends.
func Identifiers(lm TokenModel, left, right []ast.Token, k int) []IdentGuess {
	const (
		firstWidth = 24 // first pieces considered
		nextWidth  = 6  // continuations per hypothesis
		beamWidth  = 8
		maxPieces  = 5
	)
	type hyp struct {
		pieces []ast.Token
		lp     float64 // left-to-right log-probability of the pieces
	}
	seen := map[string]bool{}
	var out []IdentGuess
	emit := func(h hyp) {
		var b strings.Builder
		for _, p := range h.pieces {
			b.WriteString(p.Text)
		}
		text := b.String()
		if seen[text] || !token.IsIdentifier(text) || text == "__" {
			return
		}
		seen[text] = true
		out = append(out, IdentGuess{Text: text, LogProb: lm.LogProb(left, h.pieces, right)})
	}

	// First pieces: those likely before the right context and those
	// likely as the start of a longer name.
	var beam []hyp
	firsts := map[string]bool{}
	for _, r := range [][]ast.Token{right, nil} {
		for _, p := range lm.Predict(left, r, firstWidth) {
			t := p.Token
			if t.Kind != ast.IdentPiece || !t.Start || firsts[t.Text] {
				continue
			}
			firsts[t.Text] = true
			beam = append(beam, hyp{[]ast.Token{t}, p.LogProb})
		}
	}
	for _, h := range beam {
		emit(h)
	}
	for range maxPieces - 1 {
		var next []hyp
		for _, h := range beam {
			l := append(slices.Clip(left), h.pieces...)
			for _, p := range lm.Predict(l, nil, nextWidth) {
				t := p.Token
				if t.Kind != ast.IdentPiece || t.Start {
					continue
				}
				next = append(next, hyp{append(slices.Clip(h.pieces), t), h.lp + p.LogProb})
			}
		}
		if len(next) == 0 {
			break
		}
		slices.SortStableFunc(next, func(a, b hyp) int { return cmp.Compare(b.lp, a.lp) })
		beam = next[:min(len(next), beamWidth)]
		for _, h := range beam {
			emit(h)
		}
	}
	slices.SortStableFunc(out, func(a, b IdentGuess) int {
		return cmp.Or(cmp.Compare(b.LogProb, a.LogProb), cmp.Compare(a.Text, b.Text))
	})
	return out[:min(k, len(out))]
}
