package remote

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model"
)

// A Denoiser proposes fills by asking an OpenAI-compatible server. It is
// safe for concurrent use.
type Denoiser struct {
	name, model string
	prov        provider
	mode        Mode
	fim         FIMStyle
	template    string
	maxTok      int
	temp        float32
	logprobs    bool
	logf        func(string, ...any)
	timeout     time.Duration
	maxRetries  int

	baseURL, fimBaseURL string
	baseVar             string // the variable to name when the server cannot be reached
	apiKey, keyVar      string

	http   *http.Client
	client *openai.Client

	mu          sync.Mutex
	noSuffixFIM bool // the server rejected "suffix": build FIM prompts instead
}

var _ model.Denoiser = (*Denoiser)(nil)

// Name returns the spec the denoiser was parsed from, e.g. "openai:gpt-4.1".
func (d *Denoiser) Name() string { return d.name }

// BaseURL returns the base URL the denoiser sends requests to.
func (d *Denoiser) BaseURL() string { return d.baseURL }

// Denoise asks the server for fills of req's holes. A single hole goes to
// a FIM endpoint when the mode and provider say so; otherwise all holes go
// in one chat request. Holes the server leaves unanswered get empty
// candidate lists. Usage counts HTTP requests, retries included.
func (d *Denoiser) Denoise(ctx context.Context, req *model.Request) (*model.Response, error) {
	n := len(req.Holes)
	resp := &model.Response{Fills: make([][]model.Candidate, n)}
	if n == 0 {
		return resp, ctx.Err()
	}
	if req.Canvas == nil {
		return nil, errors.New("remote: request has no canvas")
	}
	ci := &callInfo{seed: req.Seed}
	ctx = withCallInfo(ctx, ci)
	j := newJob(req)

	var err error
	useFIM := d.mode == FIM || (d.mode == Auto && d.fim != "" && n == 1)
	if useFIM {
		err = d.denoiseFIM(ctx, j)
		var e *Error
		if err != nil && d.mode == Auto && ctx.Err() == nil && errors.As(err, &e) &&
			e.Status >= 400 && e.Status < 500 && e.Status != 401 && e.Status != 403 && e.Status != 429 {
			d.logf("remote: %s: FIM failed (%v); falling back to chat", d.name, err)
			j = newJob(req)
			err = d.denoiseChat(ctx, j)
		}
	} else {
		err = d.denoiseChat(ctx, j)
	}
	if err != nil {
		return nil, d.explain(ctx, d.baseURL, err)
	}
	resp.Fills = j.rank()
	resp.Usage = j.use
	resp.Usage.Calls = int(ci.calls.Load())
	return resp, nil
}

// A job collects the samples of one Denoise call.
type job struct {
	req   *model.Request
	holes []*ast.Hole // copies of req.Holes numbered 1..N in order
	k     int

	mu      sync.Mutex
	samples [][]sample
	use     model.Usage
}

func newJob(req *model.Request) *job {
	j := &job{req: req, k: max(req.Candidates, 1), samples: make([][]sample, len(req.Holes))}
	for i, h := range req.Holes {
		c := *h
		c.ID = i + 1
		j.holes = append(j.holes, &c)
	}
	return j
}

func (j *job) usage(prompt, completion int) {
	j.mu.Lock()
	j.use.PromptTokens += prompt
	j.use.CompletionTokens += completion
	j.mu.Unlock()
}

// add records a raw fill of hole i.
func (j *job) add(i int, raw string, lp float64, hasLP bool, order *int) {
	h := j.holes[i]
	var indent, suffix string
	if f := j.req.Canvas.File(h.File); f != nil && h.End <= len(f.Text) {
		indent = lineIndent(f.Text, h.Start)
		suffix = f.Text[h.End:]
		if len(suffix) > 4000 {
			suffix = suffix[:4000]
		}
	}
	text, ok := cleanFill(raw, h, indent, suffix)
	if !ok {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.samples[i] = append(j.samples[i], sample{text: text, order: *order, logprob: lp, hasLP: hasLP})
	*order++
}

// rank merges equal samples and orders each hole's candidates by votes,
// then log probability, then arrival. Confidence is the share of samples
// that agree, scaled by the answer's token probability when known
// (0.8 otherwise) and decaying slightly with rank.
func (j *job) rank() [][]model.Candidate {
	out := make([][]model.Candidate, len(j.samples))
	for i, ss := range j.samples {
		type group struct {
			text  string
			votes int
			first int
			lp    float64
			hasLP bool
		}
		var groups []*group
		for _, s := range ss {
			idx := slices.IndexFunc(groups, func(g *group) bool { return g.text == s.text })
			if idx < 0 {
				groups = append(groups, &group{text: s.text, first: s.order, lp: s.logprob, hasLP: s.hasLP})
				idx = len(groups) - 1
			}
			g := groups[idx]
			g.votes++
			if s.hasLP && (!g.hasLP || s.logprob > g.lp) {
				g.lp, g.hasLP = s.logprob, true
			}
		}
		slices.SortStableFunc(groups, func(a, b *group) int {
			if a.votes != b.votes {
				return b.votes - a.votes
			}
			if a.hasLP && b.hasLP && a.lp != b.lp {
				if a.lp > b.lp {
					return -1
				}
				return 1
			}
			return a.first - b.first
		})
		cands := []model.Candidate{}
		for r, g := range groups {
			if r >= j.k {
				break
			}
			p := 0.8
			if g.hasLP {
				p = math.Exp(g.lp)
			}
			conf := p * float64(g.votes) / float64(len(ss)) * math.Pow(0.98, float64(r))
			cands = append(cands, model.Candidate{Text: g.text, Confidence: min(max(conf, 0), 1), Source: "remote"})
		}
		out[i] = cands
	}
	return out
}
