package local

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"sync"

	"github.com/difgen/difgen/ast"
)

// TrainOptions configures a Trainer. The zero value gives the defaults.
type TrainOptions struct {
	// MinCount is the vocabulary threshold: tokens seen fewer times fall
	// into their class. 0 means 3.
	MinCount int
	// MaxVocab caps the vocabulary (classes included). 0 means 60000.
	MaxVocab int
	// Prune drops entries seen fewer times than Prune from tables with two
	// or more context tokens. 0 means 2 (singletons dropped); 1 keeps all.
	Prune int
	// Workers counts tables concurrently; 0 means GOMAXPROCS.
	Workers int
	// Progress, if set, is called as tables are counted.
	Progress func(done, total int)
}

// A Trainer collects token sequences and counts an NGram from them.
type Trainer struct {
	opts  TrainOptions
	dict  map[string]uint32 // token key → provisional id
	keys  []string
	count []int64
	seq   []uint32 // provisional ids, documents separated by boundary
	files int
	buf   []byte
	info  Info
}

// NewTrainer returns a Trainer; opts may be nil.
func NewTrainer(opts *TrainOptions) *Trainer {
	t := &Trainer{dict: map[string]uint32{}}
	if opts != nil {
		t.opts = *opts
	}
	for _, k := range classKeys() {
		t.intern(k)
	}
	t.seq = append(t.seq, boundary)
	return t
}

func (t *Trainer) intern(k string) uint32 {
	id, ok := t.dict[k]
	if !ok {
		id = uint32(len(t.keys))
		t.dict[k] = id
		t.keys = append(t.keys, k)
		t.count = append(t.count, 0)
	}
	return id
}

// Add adds one document (a file's tokens).
func (t *Trainer) Add(toks []ast.Token) {
	for _, tok := range toks {
		t.buf = tokKey(t.buf, tok)
		id, ok := t.dict[string(t.buf)]
		if !ok {
			id = t.intern(string(t.buf))
		}
		t.count[id]++
		t.seq = append(t.seq, id)
	}
	t.seq = append(t.seq, boundary)
	t.files++
}

// SetInfo records the corpus description stored with the model.
func (t *Trainer) SetInfo(corpus []string, holdout bool) {
	t.info.Corpus = corpus
	t.info.Holdout = holdout
}

// Train counts the model from the documents added so far.
func (t *Trainer) Train(ctx context.Context) (*NGram, error) {
	return t.train(ctx, false)
}

func (t *Trainer) train(ctx context.Context, open bool) (*NGram, error) {
	minCount := int64(cmp.Or(t.opts.MinCount, 3))
	maxV := min(cmp.Or(t.opts.MaxVocab, 60000), maxVocab)
	prune := uint32(cmp.Or(t.opts.Prune, 2))
	if open {
		minCount, maxV, prune = 1, maxVocab, 1
	}

	// Vocabulary: boundary and classes first, then tokens by count.
	nClass := len(classKeys())
	order := make([]uint32, 0, len(t.keys))
	for id := nClass; id < len(t.keys); id++ {
		if t.count[id] >= minCount {
			order = append(order, uint32(id))
		}
	}
	slices.SortFunc(order, func(a, b uint32) int {
		if c := cmp.Compare(t.count[b], t.count[a]); c != 0 {
			return c
		}
		return cmp.Compare(t.keys[a], t.keys[b])
	})
	if len(order) > maxV-nClass {
		order = order[:maxV-nClass]
	}
	m := &NGram{ids: map[string]uint32{}, unkN: map[uint32]float64{}, open: open}
	remap := make([]uint32, len(t.keys))
	for id := range nClass {
		m.keys = append(m.keys, t.keys[id])
		remap[id] = uint32(id)
	}
	for _, id := range order {
		remap[id] = uint32(len(m.keys))
		m.keys = append(m.keys, t.keys[id])
	}
	for i, k := range m.keys {
		m.ids[k] = uint32(i)
	}
	for id := nClass; id < len(t.keys); id++ {
		if _, ok := m.ids[t.keys[id]]; !ok {
			c := m.ids[unkClass(t.keys[id])]
			remap[id] = c
			m.unkN[c]++
		}
	}
	seq := make([]uint32, len(t.seq))
	uc := make([]float64, len(m.keys))
	for i, id := range t.seq {
		seq[i] = remap[id]
		uc[seq[i]]++
	}
	uc[boundary] = 0
	total := float64(len(seq) - t.files - 1)
	m.uni = make([]float64, len(m.keys))
	for i, c := range uc {
		m.uni[i] = (c + 0.5) / (total + 0.5*float64(len(uc)))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Tables, a few at a time.
	workers := cmp.Or(t.opts.Workers, runtime.GOMAXPROCS(0))
	if open || len(seq) < 1<<16 {
		workers = 1
	}
	sem := make(chan struct{}, workers)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	for ti := range nTab {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			p := prune
			if specs[ti].l+specs[ti].r < 2 {
				p = 1
			}
			d := -1.0 // estimated
			if open {
				d = cacheDiscount
			}
			m.tab[ti] = countTable(seq, ti, p, d)
			mu.Lock()
			done++
			if t.opts.Progress != nil {
				t.opts.Progress(done, nTab)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.info = t.info
	m.info.Version = FormatVersion
	m.info.Files = t.files
	m.info.Tokens = int64(total)
	m.info.Vocab = len(m.keys)
	for i := range m.tab {
		m.info.Entries += len(m.tab[i].w)
		m.info.Contexts += len(m.tab[i].ctx)
	}
	return m, nil
}

// cacheDiscount is the fixed discount of a package cache's tables: their
// counts are too few to estimate one, and nearly all are singletons.
const cacheDiscount = 0.7

// countTable counts table ti over seq, dropping entries seen fewer than
// prune times. The discount is d, or estimated from the counts when d < 0
// (and then kept within [0.3, 0.9]).
func countTable(seq []uint32, ti int, prune uint32, d float64) table {
	keys := make([]uint64, 0, len(seq))
	var w window
	w.nl, w.nr = 2, 2
	for i := 2; i+2 < len(seq); i++ {
		if seq[i] == boundary {
			continue
		}
		w.l = [2]uint32{seq[i-1], seq[i-2]}
		w.r = [2]uint32{seq[i+1], seq[i+2]}
		h, _ := ctxHash(ti, &w)
		keys = append(keys, h<<wBits|uint64(seq[i]))
	}
	radixSort(keys)

	// Count of counts for the discount.
	var n1, n2 float64
	forRuns(keys, func(_ uint64, c uint32) {
		switch c {
		case 1:
			n1++
		case 2:
			n2++
		}
	})
	tb := table{d: d}
	if d < 0 {
		tb.d = 0.75
		if n1 > 0 {
			tb.d = min(max(n1/(n1+2*n2), 0.3), 0.9)
		}
	}
	const wMask = 1<<wBits - 1
	var (
		cur     uint64
		start   int
		n, kept float64
		inCtx   bool
	)
	end := func() {
		if inCtx && len(tb.w) > start { // keep contexts with kept entries
			tb.ctx = append(tb.ctx, cur)
			tb.n = append(tb.n, uint32(n))
			tb.gamma = append(tb.gamma, float32(1-kept/n))
			tb.off = append(tb.off, uint32(start))
		}
	}
	forRuns(keys, func(k uint64, c uint32) {
		if h := k >> wBits; !inCtx || h != cur {
			end()
			cur, start, n, kept, inCtx = h, len(tb.w), 0, 0, true
		}
		n += float64(c)
		if c >= prune {
			tb.w = append(tb.w, uint32(k&wMask))
			tb.c = append(tb.c, c)
			kept += float64(c) - tb.d
		}
	})
	end()
	tb.off = append(tb.off, uint32(len(tb.w)))
	return tb.compact()
}

// compact copies the table's slices to their exact lengths.
func (tb table) compact() table {
	return table{d: tb.d, ctx: slices.Clone(tb.ctx), n: slices.Clone(tb.n), gamma: slices.Clone(tb.gamma),
		off: slices.Clone(tb.off), w: slices.Clone(tb.w), c: slices.Clone(tb.c)}
}

// forRuns calls f with each distinct key of sorted keys and its count.
func forRuns(keys []uint64, f func(k uint64, c uint32)) {
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		f(keys[i], uint32(j-i))
		i = j
	}
}

// radixSort sorts keys with a 16-bit LSD radix sort.
func radixSort(keys []uint64) {
	if len(keys) < 1<<12 {
		slices.Sort(keys)
		return
	}
	tmp := make([]uint64, len(keys))
	src, dst := keys, tmp
	var cnt [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(cnt[:])
		for _, k := range src {
			cnt[(k>>shift)&0xffff]++
		}
		if cnt[(src[0]>>shift)&0xffff] == len(src) {
			continue // all keys share this digit
		}
		sum := 0
		for i, c := range cnt {
			cnt[i] = sum
			sum += c
		}
		for _, k := range src {
			d := (k >> shift) & 0xffff
			dst[cnt[d]] = k
			cnt[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}
