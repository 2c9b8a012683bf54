package local

import (
	"math"
	"slices"
	"sync"

	"github.com/difgen/difgen/ast"
)

// NGram is a two-sided back-off n-gram masked-token model: it predicts the
// token at a masked position from up to two tokens on each side.
//
// # Model
//
// For a masked position with context l2 l1 _ r1 r2 the model keeps counts
// of the masked token in eight context tables, from most to least
// specific:
//
//	l2 l1 _ r1 r2   l2 l1 _ r1   l1 _ r1 r2   l1 _ r1
//	l2 l1 _         _ r1 r2      l1 _         _ r1
//
// and a unigram base. The probabilities are interpolated down this chain
// with absolute discounting: a context seen N times whose kept entries
// have counts c(w) gives w the mass max(c(w)-D, 0)/N and passes the rest
// (gamma) to the next table; D is estimated per table from the
// count-of-counts as n1/(n1+2·n2). Tables whose context is not known (a
// caller passing fewer than two tokens of left or right context) are
// skipped. Entries of tables with two or more context tokens seen only once
// are pruned at training time; their mass stays in gamma.
//
// Tokens below the vocabulary count threshold share a class per kind
// (<ident>, <piece>, <op>, <kw>; rare literals fall into their literal
// placeholder, such as <string>); the probability of an unknown token is
// its class's probability divided by the number of distinct tokens the
// class stood for in training.
//
// An NGram is immutable and safe for concurrent use.
type NGram struct {
	info    Info
	keys    []string // id → token key (see tokKey)
	ids     map[string]uint32
	uni     []float64 // smoothed unigram probability by id
	unkN    map[uint32]float64
	tab     [nTab]table
	accPool sync.Pool // *accum
	// open is set for a cache model: unknown tokens get probability 0
	// instead of an unknown class.
	open bool
}

// Info describes how a model was trained; it is stored in the model file.
type Info struct {
	Version  int      `json:"version"`
	Corpus   []string `json:"corpus"`   // roots or packages trained on
	Holdout  bool     `json:"holdout"`  // held-out packages were left out
	Files    int      `json:"files"`    // files trained on
	Tokens   int64    `json:"tokens"`   // tokens trained on
	Vocab    int      `json:"vocab"`    // vocabulary size, classes included
	Entries  int      `json:"entries"`  // n-gram entries kept
	Contexts int      `json:"contexts"` // contexts kept
}

// Info returns how m was trained.
func (m *NGram) Info() Info { return m.info }

const (
	nTab     = 8
	wBits    = 20 // bits of a token id in a counting key
	maxVocab = 1<<wBits - 1
	boundary = 0 // id of the document boundary token
)

// specs gives the context of each table: tokens on the left and right.
var specs = [nTab]struct{ l, r int }{{2, 2}, {2, 1}, {1, 2}, {1, 1}, {2, 0}, {0, 2}, {1, 0}, {0, 1}}

// A table holds the counts of one context shape: contexts sorted by hash,
// each with its entries sorted by token id.
type table struct {
	d     float64
	ctx   []uint64 // context hashes (64-wBits bits), ascending
	n     []uint32 // times the context was seen
	gamma []float32
	off   []uint32 // entries of ctx[i] are w[off[i]:off[i+1]]
	w     []uint32
	c     []uint32
}

func (tb *table) find(h uint64) int {
	i, ok := slices.BinarySearch(tb.ctx, h)
	if !ok {
		return -1
	}
	return i
}

// count returns the count of w in context i.
func (tb *table) count(i int, w uint32) uint32 {
	ws := tb.w[tb.off[i]:tb.off[i+1]]
	j, ok := slices.BinarySearch(ws, w)
	if !ok {
		return 0
	}
	return tb.c[int(tb.off[i])+j]
}

// A window is the context of a masked position in token ids: l[0] is the
// token just left of it, r[0] the one just right; nl and nr say how many
// are known.
type window struct {
	l, r   [2]uint32
	nl, nr int
}

func mix(h uint64) uint64 {
	h ^= h >> 31
	h *= 0x7fb5d329728ea185
	h ^= h >> 27
	h *= 0x81dadef4bc2dd44d
	h ^= h >> 33
	return h
}

// ctxHash returns the context hash of table t for w, and whether the
// table's context is known.
func ctxHash(t int, w *window) (uint64, bool) {
	sp := specs[t]
	if sp.l > w.nl || sp.r > w.nr {
		return 0, false
	}
	h := uint64(t+1) * 0x9e3779b97f4a7c15
	for j := 0; j < sp.l; j++ {
		h = mix(h ^ uint64(w.l[j]))
	}
	for j := 0; j < sp.r; j++ {
		h = mix(h ^ uint64(w.r[j]) ^ 0xa5a5a5a5_00000000)
	}
	return h >> wBits, true
}

// tokKey is the vocabulary key of a token: its kind (with the Start bit)
// and its text.
func tokKey(buf []byte, t ast.Token) []byte {
	kb := byte(t.Kind) << 1
	if t.Start && t.Kind == ast.IdentPiece {
		kb |= 1
	}
	buf = append(buf[:0], kb)
	return append(buf, t.Text...)
}

func keyToken(k string) ast.Token {
	return ast.Token{Kind: ast.TokenKind(k[0] >> 1), Start: k[0]&1 != 0, Text: k[1:]}
}

// Class keys for tokens outside the vocabulary.
var (
	unkIdent = string([]byte{byte(ast.IdentPiece)<<1 | 1}) + "<ident>"
	unkPiece = string([]byte{byte(ast.IdentPiece) << 1}) + "<piece>"
	unkOp    = string([]byte{byte(ast.Operator) << 1}) + "<op>"
	unkKw    = string([]byte{byte(ast.Keyword) << 1}) + "<kw>"
	boundKey = string([]byte{byte(ast.EOF) << 1}) + "<b>"
)

func classKeys() []string {
	ks := []string{boundKey, unkIdent, unkPiece, unkOp, unkKw}
	for _, c := range []string{ast.IntClass, ast.FloatClass, ast.ImagClass, ast.CharClass, ast.StringClass} {
		ks = append(ks, string([]byte{byte(ast.Literal) << 1})+c)
	}
	return ks
}

// unkClass returns the class key of an out-of-vocabulary token key.
func unkClass(k string) string {
	switch ast.TokenKind(k[0] >> 1) {
	case ast.IdentPiece:
		if k[0]&1 != 0 {
			return unkIdent
		}
		return unkPiece
	case ast.Keyword:
		return unkKw
	case ast.Literal:
		return string([]byte{byte(ast.Literal) << 1}) + ast.LiteralClass(k[1:])
	}
	return unkOp
}

// isClass reports whether id is a class or boundary, which Predict never
// returns (literal placeholders are real tokens and are returned).
func (m *NGram) isClass(id uint32) bool {
	if id == boundary {
		return true
	}
	k := m.keys[id]
	return k == unkIdent || k == unkPiece || k == unkOp || k == unkKw
}

// lookup maps a token to its id and the factor its probability is
// multiplied by (1 for a vocabulary token, 1/types for a class, 0 for a
// token unknown to an open model).
func (m *NGram) lookup(buf []byte, t ast.Token) (uint32, float64, []byte) {
	buf = tokKey(buf, t)
	if id, ok := m.ids[string(buf)]; ok {
		return id, 1, buf
	}
	if m.open {
		return 0, 0, buf
	}
	id := m.ids[unkClass(string(buf))]
	n := m.unkN[id]
	if n < 1 {
		n = 1
	}
	return id, 1 / n, buf
}

// ctxID maps a context token to its id (classes for unknown tokens).
func (m *NGram) ctxID(buf []byte, t ast.Token) (uint32, []byte) {
	buf = tokKey(buf, t)
	if id, ok := m.ids[string(buf)]; ok {
		return id, buf
	}
	if m.open {
		return math.MaxUint32 >> (32 - wBits), buf // never counted
	}
	return m.ids[unkClass(string(buf))], buf
}

func (m *NGram) window(buf []byte, left, right []ast.Token) (window, []byte) {
	var w window
	for j := 0; j < 2 && j < len(left); j++ {
		w.l[j], buf = m.ctxID(buf, left[len(left)-1-j])
		w.nl++
	}
	for j := 0; j < 2 && j < len(right); j++ {
		w.r[j], buf = m.ctxID(buf, right[j])
		w.nr++
	}
	return w, buf
}

// prob returns the interpolated probability of id in window w.
func (m *NGram) prob(w *window, id uint32) float64 {
	p, weight := m.partial(w, id, nTab)
	if int(id) < len(m.uni) {
		p += weight * m.uni[id]
	}
	return p
}

// partial returns the mass that the first ntab tables give id in window
// w, and the mass they leave to what follows in the chain.
func (m *NGram) partial(w *window, id uint32, ntab int) (p, weight float64) {
	weight = 1
	for t := range ntab {
		tb := &m.tab[t]
		h, ok := ctxHash(t, w)
		if !ok {
			continue
		}
		i := tb.find(h)
		if i < 0 {
			continue
		}
		if c := float64(tb.count(i, id)); c > tb.d {
			p += weight * (c - tb.d) / float64(tb.n[i])
		}
		weight *= float64(tb.gamma[i])
	}
	return p, weight
}

// tokenProb returns the probability of token t in window w.
func (m *NGram) tokenProb(buf []byte, w *window, t ast.Token) (float64, []byte) {
	id, f, buf := m.lookup(buf, t)
	if f == 0 {
		return 0, buf
	}
	return f * m.prob(w, id), buf
}

// minProb bounds log-probabilities from below.
const minProb = 1e-12

// LogProb implements TokenModel. A fill of several tokens is scored left
// to right: every token but the last is predicted from its left context
// only (the left-only tables of the chain), and the last from both sides,
// so the right context weighs in exactly once. An empty fill is scored as
// the probability of right[0] standing just after left.
func (m *NGram) LogProb(left, fill, right []ast.Token) float64 {
	return logProb(m, left, fill, right)
}

// A scorer gives the probability of one token in a two-sided context.
type scorer interface {
	tokProb(left, right []ast.Token, t ast.Token) float64
}

func (m *NGram) tokProb(left, right []ast.Token, t ast.Token) float64 {
	var buf [64]byte
	w, b := m.window(buf[:0], left, right)
	p, _ := m.tokenProb(b, &w, t)
	return p
}

func logProb(s scorer, left, fill, right []ast.Token) float64 {
	if len(fill) == 0 {
		if len(right) == 0 {
			return 0
		}
		return math.Log(max(s.tokProb(left, right[1:], right[0]), minProb))
	}
	ctx := left
	if len(fill) > 1 {
		ctx = make([]ast.Token, 0, 2+len(fill))
		ctx = append(ctx, left[max(0, len(left)-2):]...)
	}
	lp := 0.0
	for i, f := range fill {
		r := right
		if i < len(fill)-1 {
			r = nil
		}
		lp += math.Log(max(s.tokProb(ctx, r, f), minProb))
		if i < len(fill)-1 {
			ctx = append(ctx, f) // ctx is our own copy here
		}
	}
	return lp
}

// accum is a dense accumulator over the vocabulary.
type accum struct {
	p       []float64
	touched []uint32
}

func (a *accum) add(id uint32, v float64) {
	if a.p[id] == 0 {
		a.touched = append(a.touched, id)
	}
	a.p[id] += v
}

// candidates returns the ids with the highest probability in window w,
// best first, at most k (and their probabilities).
func (m *NGram) candidates(w *window, k int) ([]uint32, []float64) {
	return m.candidatesIn(w, k, nTab)
}

// candidatesIn is candidates over the first ntab tables only (and no
// unigram base when ntab < nTab).
func (m *NGram) candidatesIn(w *window, k, ntab int) ([]uint32, []float64) {
	a, _ := m.accPool.Get().(*accum)
	if a == nil || len(a.p) != len(m.keys) {
		a = &accum{p: make([]float64, len(m.keys))}
	}
	weight := 1.0
	for t := range ntab {
		tb := &m.tab[t]
		h, ok := ctxHash(t, w)
		if !ok {
			continue
		}
		i := tb.find(h)
		if i < 0 {
			continue
		}
		n := float64(tb.n[i])
		for j := tb.off[i]; j < tb.off[i+1]; j++ {
			if c := float64(tb.c[j]); c > tb.d {
				a.add(tb.w[j], weight*(c-tb.d)/n)
			}
		}
		weight *= float64(tb.gamma[i])
	}
	if ntab < nTab {
		weight = 0 // no base: the caller adds what follows the chain
	} else {
		// The most frequent tokens (lowest ids) are always candidates.
		for id := uint32(0); id < uint32(min(len(m.keys), 64)); id++ {
			a.add(id, 1e-300)
		}
	}
	var top topK
	top.k = k
	for _, id := range a.touched {
		if m.isClass(id) {
			continue
		}
		top.push(id, a.p[id]+weight*m.uni[id])
	}
	for _, id := range a.touched {
		a.p[id] = 0
	}
	a.touched = a.touched[:0]
	m.accPool.Put(a)
	return top.sorted()
}

// topK keeps the k best (id, p) pairs.
type topK struct {
	k   int
	ids []uint32
	ps  []float64
}

func (t *topK) push(id uint32, p float64) {
	if len(t.ids) == t.k && p <= t.ps[len(t.ps)-1] {
		return
	}
	i := len(t.ps)
	for i > 0 && (t.ps[i-1] < p || t.ps[i-1] == p && t.ids[i-1] > id) {
		i--
	}
	if len(t.ids) < t.k {
		t.ids = append(t.ids, 0)
		t.ps = append(t.ps, 0)
	}
	copy(t.ids[i+1:], t.ids[i:])
	copy(t.ps[i+1:], t.ps[i:])
	t.ids[i], t.ps[i] = id, p
}

func (t *topK) sorted() ([]uint32, []float64) { return t.ids, t.ps }

// Predict implements TokenModel. Context shorter than two tokens on a
// side counts as unknown there, not as a file boundary.
func (m *NGram) Predict(left, right []ast.Token, k int) []Prediction {
	if k <= 0 {
		return nil
	}
	var buf [64]byte
	w, _ := m.window(buf[:0], left, right)
	ids, ps := m.candidates(&w, k)
	out := make([]Prediction, len(ids))
	for i, id := range ids {
		out[i] = Prediction{Token: keyToken(m.keys[id]), LogProb: math.Log(max(ps[i], minProb))}
	}
	return out
}
