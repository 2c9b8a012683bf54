// Package route composes two denoisers for hybrid runs
// (-model local,openai:NAME): a hole goes to the first (the local model)
// the first time refine asks about its function, and to the second (a
// remote model) when refine asks about that function again, because it
// kept none of the first's candidates there or their tests failed. The holes the first denoiser fills never
// cost a call of the second; [Stats] counts them.
package route

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model"
)

// Options configures a Router. The zero value works.
type Options struct {
	// FirstCandidates is the number of candidates per hole to ask of the
	// first denoiser; 0 means as many as the request asks for. (The local
	// model's candidates cost no tokens, so a run may ask it for more.)
	FirstCandidates int
}

// A Router is a model.Denoiser that routes holes between two denoisers.
// Routers made with the same State share what they know of holes, so a
// run may make one per package.
type Router struct {
	first, second model.Denoiser
	st            *State
	opts          Options
}

var _ model.Denoiser = (*Router)(nil)

// New returns a router from first to second sharing st (nil for a
// state of its own).
func New(first, second model.Denoiser, st *State, opts *Options) *Router {
	if st == nil {
		st = NewState()
	}
	r := &Router{first: first, second: second, st: st}
	if opts != nil {
		r.opts = *opts
	}
	st.mu.Lock()
	st.stats.First, st.stats.Second = first.Name(), second.Name()
	st.mu.Unlock()
	return r
}

// Name returns "FIRST,SECOND", e.g. "local,openai:gpt-4.1".
func (r *Router) Name() string { return r.first.Name() + "," + r.second.Name() }

// Second returns the second denoiser.
func (r *Router) Second() model.Denoiser { return r.second }

// Stats returns the counts of the routers sharing r's state.
func (r *Router) Stats() Stats { return r.st.Stats() }

// A State is what the routers of one run share. It is safe for
// concurrent use.
type State struct {
	mu        sync.Mutex
	asked     map[string]bool // holes the first denoiser was asked for
	escalated map[string]bool // holes then asked of the second
	firstReqs []firstReq
	stats     Stats
}

// firstReq is a request that went to the first denoiser alone.
type firstReq struct {
	keys   []string
	tokens int // estimated prompt tokens of the same request to the second
}

// NewState returns an empty state.
func NewState() *State {
	return &State{asked: map[string]bool{}, escalated: map[string]bool{}}
}

// Stats counts what the routers of a state did.
type Stats struct {
	First, Second string // the denoisers' names
	// FirstHoles and SecondHoles count the holes asked of each (a hole
	// asked twice counts twice).
	FirstHoles, SecondHoles int
	// FirstUsage and SecondUsage are what each denoiser's answers cost.
	FirstUsage, SecondUsage model.Usage
	// SavedCalls counts the requests that only the first denoiser
	// answered and for none of whose holes refine asked again: each would
	// have been a request to the second without routing. SavedTokens
	// estimates their prompt tokens (a quarter of the bytes of the files
	// they concern): an estimate, not a count.
	SavedCalls, SavedTokens int
}

// String summarizes s in one line.
func (s Stats) String() string {
	return fmt.Sprintf("hybrid %s,%s: %d holes asked of %s, %d of %s (%d calls, %d+%d tokens); %s saved about %d calls and %d prompt tokens",
		s.First, s.Second, s.FirstHoles, s.First, s.SecondHoles, s.Second, s.SecondUsage.Calls,
		s.SecondUsage.PromptTokens, s.SecondUsage.CompletionTokens, s.First, s.SavedCalls, s.SavedTokens)
}

// Stats returns the counts so far.
func (st *State) Stats() Stats {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.stats
	for _, fr := range st.firstReqs {
		again := false
		for _, k := range fr.keys {
			if st.escalated[k] {
				again = true
				break
			}
		}
		if !again {
			s.SavedCalls++
			s.SavedTokens += fr.tokens
		}
	}
	return s
}

// holeKey identifies what a hole is about across the requests of a run:
// its function (file and signature). When refine asks again about a
// function, the first denoiser has had its chance there (refine masks
// the statements of a fill that fails its tests, or widens a hole that
// did not type-check, so the text differs but the function does not). A
// hole outside any function is known by its text.
func holeKey(h *ast.Hole) string {
	if h.Slot != nil && h.Slot.Func != "" {
		return h.File + "\x00" + h.Slot.Func
	}
	return strings.Join([]string{h.File, h.Kind.String(), h.Instruction, h.Original}, "\x00")
}

// Denoise sends the holes asked for the first time to the first
// denoiser and the others to the second, and merges their answers.
func (r *Router) Denoise(ctx context.Context, req *model.Request) (*model.Response, error) {
	var toFirst, toSecond []int
	keys := make([]string, len(req.Holes))
	r.st.mu.Lock()
	for i, h := range req.Holes {
		keys[i] = holeKey(h)
		if r.st.asked[keys[i]] {
			toSecond = append(toSecond, i)
			r.st.escalated[keys[i]] = true
		} else {
			toFirst = append(toFirst, i)
			r.st.asked[keys[i]] = true
		}
	}
	r.st.stats.FirstHoles += len(toFirst)
	r.st.stats.SecondHoles += len(toSecond)
	r.st.mu.Unlock()

	resp := &model.Response{Fills: make([][]model.Candidate, len(req.Holes))}
	ask := func(d model.Denoiser, idx []int, k int) (model.Usage, error) {
		sub := *req
		sub.Holes = make([]*ast.Hole, len(idx))
		for j, i := range idx {
			sub.Holes[j] = req.Holes[i]
		}
		if k > 0 {
			sub.Candidates = k
		}
		out, err := d.Denoise(ctx, &sub)
		if err != nil {
			return model.Usage{}, err
		}
		if len(out.Fills) != len(idx) {
			return model.Usage{}, fmt.Errorf("%s: %d candidate lists for %d holes", d.Name(), len(out.Fills), len(idx))
		}
		for j, i := range idx {
			resp.Fills[i] = out.Fills[j]
		}
		u := out.Usage
		if u.Calls == 0 {
			u.Calls = 1
		}
		return u, nil
	}
	if len(toFirst) > 0 {
		u, err := ask(r.first, toFirst, r.opts.FirstCandidates)
		if err != nil {
			return nil, err
		}
		resp.Usage.Add(u)
		r.st.mu.Lock()
		r.st.stats.FirstUsage.Add(u)
		if len(toSecond) == 0 {
			fr := firstReq{tokens: promptBytes(req, toFirst) / 4}
			for _, i := range toFirst {
				fr.keys = append(fr.keys, keys[i])
			}
			r.st.firstReqs = append(r.st.firstReqs, fr)
		}
		r.st.mu.Unlock()
	}
	if len(toSecond) > 0 {
		u, err := ask(r.second, toSecond, 0)
		if err != nil {
			return nil, err
		}
		resp.Usage.Add(u)
		r.st.mu.Lock()
		r.st.stats.SecondUsage.Add(u)
		r.st.mu.Unlock()
	}
	return resp, nil
}

// promptBytes returns the bytes of the files that hold the holes idx of
// req: what a chat request for them would send at least.
func promptBytes(req *model.Request, idx []int) int {
	seen := map[string]bool{}
	n := 0
	for _, i := range idx {
		h := req.Holes[i]
		if seen[h.File] || req.Canvas == nil {
			continue
		}
		seen[h.File] = true
		if f := req.Canvas.File(h.File); f != nil {
			n += len(f.Text)
		}
		n += len(h.Instruction)
	}
	return n
}
