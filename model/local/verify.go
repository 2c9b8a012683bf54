package local

import (
	"context"
	"fmt"
	"go/types"
	"sync"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
	"github.com/difgen/difgen/model"
)

// A reqState is what the holes of one request share: the candidates
// already verified and the packages already imported. The checking
// itself is the request's (model.Request.Verify and Import): the
// denoiser has no type checker of its own.
type reqState struct {
	req *model.Request

	mu      sync.Mutex
	checked map[string]float64        // by hole span and text
	std     map[string]*types.Package // by import path; nil when it failed
}

func newReqState(req *model.Request) *reqState {
	return &reqState{req: req, checked: map[string]float64{}, std: map[string]*types.Package{}}
}

// canVerify reports whether the request can verify candidates.
func (rs *reqState) canVerify() bool { return rs.req.Verify != nil && rs.req.Canvas != nil }

// check returns the weighted errors of the package with h filled by text:
// a type error counts 1, a soft one (an unused variable or import) ½,
// and a file that no longer parses 100 plus one per syntax error. A
// failed check counts as unknown, +Inf.
func (rs *reqState) check(ctx context.Context, h *ast.Hole, text string) float64 {
	key := fmt.Sprintf("%s:%d:%d:%s", h.File, h.Start, h.End, text)
	rs.mu.Lock()
	n, ok := rs.checked[key]
	rs.mu.Unlock()
	if ok {
		return n
	}
	fs, err := rs.req.Verify(ctx, h, text)
	if err != nil {
		return inf
	}
	n = errorWeight(fs)
	rs.mu.Lock()
	rs.checked[key] = n
	rs.mu.Unlock()
	return n
}

// inf is the errors of a candidate that could not be checked.
const inf = 1e9

// errorWeight weighs the findings of a verified candidate.
func errorWeight(fs []diag.Finding) float64 {
	syntax := 0
	var n float64
	for _, f := range fs {
		switch f.Category {
		case diag.Syntax:
			syntax++
		case diag.Types:
			if f.Soft {
				n += 0.5
			} else {
				n++
			}
		}
	}
	if syntax > 0 {
		return 100 + float64(syntax)
	}
	return n
}

// stdPackage returns the types of the standard-library package at path,
// imported once per request, or nil.
func (rs *reqState) stdPackage(ctx context.Context, path string) *types.Package {
	if path == "" || rs.req.Import == nil {
		return nil
	}
	rs.mu.Lock()
	p, ok := rs.std[path]
	rs.mu.Unlock()
	if ok {
		return p
	}
	p, err := rs.req.Import(ctx, path)
	if err != nil {
		p = nil
	}
	rs.mu.Lock()
	rs.std[path] = p
	rs.mu.Unlock()
	return p
}
