package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/sourcegraph/jsonrpc2"
)

// A reporter sends workDoneProgress notifications for one request; the
// zero reporter (the client wants no progress) sends nothing.
type reporter struct {
	s     *server
	token json.RawMessage
}

// startProgress begins progress for a request under the client's token,
// or under a token the server creates when the client supports that. A
// progress the user cancels in the editor cancels the request (cancel).
func (s *server) startProgress(ctx context.Context, token json.RawMessage, title string, cancel context.CancelFunc) *reporter {
	if len(token) == 0 || string(token) == "null" {
		s.mu.Lock()
		ok := s.caps.Window.WorkDoneProgress
		s.progressSeq++
		token = json.RawMessage(strconv.Quote(fmt.Sprintf("difgen-%d", s.progressSeq)))
		s.mu.Unlock()
		if !ok {
			return &reporter{}
		}
		if err := s.conn.Call(ctx, methodProgressCreate, &workDoneProgressCreateParams{Token: token}, nil); err != nil {
			if !errors.Is(err, jsonrpc2.ErrClosed) && ctx.Err() == nil {
				s.opts.Logf("lsp: %s: %v", methodProgressCreate, err)
			}
			return &reporter{}
		}
	}
	r := &reporter{s: s, token: token}
	s.mu.Lock()
	s.progressCancel[string(token)] = cancel
	s.mu.Unlock()
	r.send(&workDoneProgressBegin{Kind: "begin", Title: title, Cancellable: true, Message: "checking the package"})
	return r
}

func (r *reporter) send(v any) {
	if r.s == nil {
		return
	}
	if err := r.s.conn.Notify(r.s.ctx, methodProgress, &progressParams{Token: r.token, Value: v}); err != nil && !errors.Is(err, jsonrpc2.ErrClosed) {
		r.s.opts.Logf("lsp: %s: %v", methodProgress, err)
	}
}

// report reports one step of the loop: the step, the holes asked for and
// the findings left.
func (r *reporter) report(p Progress) {
	r.send(&workDoneProgressReport{Kind: "report", Message: fmt.Sprintf("step %d: %d holes, %d findings left, %d model calls", p.Step, p.Holes, p.Findings, p.Calls)})
}

// end ends the progress with a message.
func (r *reporter) end(msg string) {
	if r.s == nil {
		return
	}
	r.send(&workDoneProgressEnd{Kind: "end", Message: msg})
	r.s.mu.Lock()
	delete(r.s.progressCancel, string(r.token))
	r.s.mu.Unlock()
}
