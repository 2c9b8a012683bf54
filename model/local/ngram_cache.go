package local

import (
	"context"
	"math"
	"slices"

	"github.com/difgen/difgen/ast"
)

// cacheTables is how many of the cache's tables, the most specific
// first, stand before the trained model in the back-off chain of a
// cached model: those with at least two tokens of context.
const cacheTables = 6

// WithCache returns m combined with a package-local cache: an open
// n-gram model of the same shape counted over texts (the Go source of the
// package being repaired), so the package's own names and phrases weigh
// most. The cache's tables with two or more context tokens go first in
// the back-off chain, with their own discounts; the mass they leave goes
// to m. Its vocabulary is everything in texts, so it proposes identifiers
// the trained vocabulary does not know.
func (m *NGram) WithCache(texts ...string) TokenModel {
	seqs := make([][]ast.Token, len(texts))
	for i, t := range texts {
		seqs[i] = ast.Tokenize(t)
	}
	return m.WithCacheTokens(seqs...)
}

// WithCacheTokens is WithCache for already tokenized sequences; each is
// counted as a document of its own, so splitting a file at a hole keeps
// the hole's tokens and the n-grams across it out of the cache.
func (m *NGram) WithCacheTokens(seqs ...[]ast.Token) TokenModel {
	t := NewTrainer(nil)
	for _, s := range seqs {
		t.Add(s)
	}
	c, _ := t.train(context.Background(), true)
	return &cached{m: m, c: c}
}

// cached is a model combined with its package cache.
type cached struct {
	m, c *NGram
}

func (x *cached) tokProb(left, right []ast.Token, t ast.Token) float64 {
	var buf [64]byte
	wm, b := x.m.window(buf[:0], left, right)
	wc, b := x.c.window(b, left, right)
	return x.prob(b, &wm, &wc, t)
}

func (x *cached) prob(buf []byte, wm, wc *window, t ast.Token) float64 {
	pc, gamma := 0.0, 1.0
	if id, f, _ := x.c.lookup(buf, t); f != 0 {
		pc, gamma = x.c.partial(wc, id, cacheTables)
	} else {
		_, gamma = x.c.partial(wc, math.MaxUint32>>(32-wBits), cacheTables)
	}
	pm, _ := x.m.tokenProb(buf, wm, t)
	return pc + gamma*pm
}

func (x *cached) LogProb(left, fill, right []ast.Token) float64 {
	return logProb(x, left, fill, right)
}

// Predict takes the union of both models' best candidates and ranks them
// by the combined probability.
func (x *cached) Predict(left, right []ast.Token, k int) []Prediction {
	if k <= 0 {
		return nil
	}
	var buf [64]byte
	wm, b := x.m.window(buf[:0], left, right)
	wc, b := x.c.window(b, left, right)
	n := k + 16
	type cand struct {
		key string
		p   float64
	}
	var cands []cand
	seen := map[string]bool{}
	mids, _ := x.m.candidates(&wm, n)
	cids, _ := x.c.candidatesIn(&wc, n, cacheTables)
	add := func(key string) {
		if seen[key] {
			return
		}
		seen[key] = true
		cands = append(cands, cand{key, x.prob(b, &wm, &wc, keyToken(key))})
	}
	for _, id := range mids {
		add(x.m.keys[id])
	}
	for _, id := range cids {
		add(x.c.keys[id])
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		switch {
		case a.p > b.p:
			return -1
		case a.p < b.p:
			return 1
		}
		return 0
	})
	out := make([]Prediction, 0, min(k, len(cands)))
	for _, c := range cands[:min(k, len(cands))] {
		out = append(out, Prediction{Token: keyToken(c.key), LogProb: math.Log(max(c.p, minProb))})
	}
	return out
}
