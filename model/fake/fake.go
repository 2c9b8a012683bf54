// Package fake provides a deterministic denoiser for tests.
package fake

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model"
)

// A Denoiser answers from a table: the candidates for a hole are
// Answers[key], where key is the hole's instruction if it has one, else its
// original text (exact, or with surrounding space trimmed). Holes without
// an entry get no candidates. It is safe for concurrent use.
type Denoiser struct {
	// Answers maps a hole's Instruction (if any) or Original text to its
	// candidate fills, best first.
	Answers map[string][]string
	// Func, if set, is consulted before Answers.
	Func func(h *ast.Hole) []string

	calls atomic.Int64
}

// Name returns "fake".
func (d *Denoiser) Name() string { return "fake" }

// Calls reports how many times Denoise was called.
func (d *Denoiser) Calls() int { return int(d.calls.Load()) }

// Denoise returns the table's answers for each hole.
func (d *Denoiser) Denoise(ctx context.Context, req *model.Request) (*model.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.calls.Add(1)
	k := max(req.Candidates, 1)
	resp := &model.Response{Fills: make([][]model.Candidate, len(req.Holes)), Usage: model.Usage{Calls: 1}}
	for i, h := range req.Holes {
		var texts []string
		if d.Func != nil {
			texts = d.Func(h)
		}
		if texts == nil {
			key := h.Original
			if h.Instruction != "" {
				key = h.Instruction
			}
			texts = d.Answers[key]
			if texts == nil {
				texts = d.Answers[strings.TrimSpace(key)]
			}
		}
		for j, t := range texts {
			if j == k {
				break
			}
			resp.Fills[i] = append(resp.Fills[i], model.Candidate{
				Text:       t,
				Confidence: 1 / float64(j+1),
				Source:     fmt.Sprintf("fake#%d", j),
			})
		}
	}
	return resp, nil
}
