package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
)

// commandArgs is the argument of the difgen.* commands and the data of an
// unresolved code action.
type commandArgs struct {
	URI string `json:"uri"`
	// Position (or Offset, a byte offset) selects the hole to fill; with
	// neither, difgen.fillHole fills every hole of the file.
	Position *position `json:"position,omitempty"`
	Offset   *int      `json:"offset,omitempty"`
}

// actionData is the data of a code action resolved later.
type actionData struct {
	Command string      `json:"command"`
	Args    commandArgs `json:"args"`
}

// A request names what a code action, a resolve or a command asks for.
type request struct {
	cmd    string
	doc    *document
	offset int // cmdFillHole: the hole's offset, or -1
}

func (s *server) document(uri string) *document {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docs[uri]
}

// parseArgs resolves command arguments against the open buffers.
func (s *server) parseArgs(cmd string, a commandArgs) (*request, error) {
	switch cmd {
	case cmdFillHole, cmdFixFile, cmdFixPackage:
	default:
		return nil, &replyErr{codeInvalidParams, "unknown command " + cmd}
	}
	if a.URI == "" {
		return nil, &replyErr{codeInvalidParams, cmd + ": missing uri argument"}
	}
	d := s.document(a.URI)
	if d == nil {
		return nil, &replyErr{codeInvalidParams, cmd + ": " + a.URI + " is not open"}
	}
	r := &request{cmd: cmd, doc: d, offset: -1}
	if cmd != cmdFillHole {
		return r, nil
	}
	off := -1
	switch {
	case a.Position != nil:
		s.mu.Lock()
		enc := s.enc
		s.mu.Unlock()
		o, err := offsetOf(d.text, *a.Position, enc)
		if err != nil {
			return nil, &replyErr{codeInvalidParams, cmd + ": " + err.Error()}
		}
		off = o
	case a.Offset != nil:
		off = *a.Offset
	}
	if off >= 0 {
		h := holeAt(d, off, off)
		if h == nil {
			return nil, &replyErr{codeInvalidParams, cmd + ": no hole at this position"}
		}
		r.offset = h.Start
	}
	return r, nil
}

// holeAt returns the first hole of d that overlaps [start, end], or nil.
func holeAt(d *document, start, end int) *ast.Hole {
	holes, err := ast.FindHoles(d.path, d.text)
	if err != nil {
		return nil
	}
	for _, h := range holes {
		if h.Start <= end && start <= h.End {
			return h
		}
	}
	return nil
}

// title returns the title of the action for r; fix titles name what
// they fix, as the contract says ("Fix … with difgen", "Fill hole").
func title(cmd string, diags []diagnostic) string {
	switch cmd {
	case cmdFillHole:
		return "Fill hole"
	case cmdFixPackage:
		return "Fix package with difgen"
	}
	if len(diags) == 0 {
		return "Fix file with difgen"
	}
	msg := strings.Join(strings.Fields(diags[0].Message), " ")
	if len(msg) > 60 {
		msg = msg[:57] + "..."
	}
	if len(diags) > 1 {
		return fmt.Sprintf("Fix %q and %d more with difgen", msg, len(diags)-1)
	}
	return fmt.Sprintf("Fix %q with difgen", msg)
}

// codeAction answers textDocument/codeAction. A quick fix or a fill that
// the user asked for explicitly (triggerKind Invoked, or a client that
// does not say) is computed now and offered only when the loop made the
// package better, with its edit; one that the editor asks for on its own
// (a light bulb) is offered unresolved, computed by codeAction/resolve,
// unless an earlier run on the same buffers already knows the answer.
// Diagnostics are gopls's: the server publishes none.
func (s *server) codeAction(ctx context.Context, p *codeActionParams) ([]codeAction, error) {
	actions := []codeAction{}
	d := s.document(p.TextDocument.URI)
	if d == nil || !strings.HasSuffix(d.path, ".go") {
		return actions, nil
	}
	s.mu.Lock()
	enc := s.enc
	resolve := s.caps.TextDocument.CodeAction.ResolveSupport != nil &&
		slices.Contains(s.caps.TextDocument.CodeAction.ResolveSupport.Properties, "edit")
	s.mu.Unlock()
	start, err := offsetOf(d.text, p.Range.Start, enc)
	if err != nil {
		return nil, &replyErr{codeInvalidParams, err.Error()}
	}
	end, err := offsetOf(d.text, p.Range.End, enc)
	if err != nil {
		return nil, &replyErr{codeInvalidParams, err.Error()}
	}
	want := func(kind string) bool {
		if len(p.Context.Only) == 0 {
			return true
		}
		for _, o := range p.Context.Only {
			if kind == o || strings.HasPrefix(kind, o+".") {
				return true
			}
		}
		return false
	}
	invoked := p.Context.TriggerKind != triggerKindAutomatic

	// The fix or fill at the range.
	var r *request
	var kind string
	var diags []diagnostic      // the client's diagnostics the action fixes
	var titleDiags []diagnostic // what the title names: diags, or the server's own findings
	if h := holeAt(d, start, end); h != nil {
		r, kind = &request{cmd: cmdFillHole, doc: d, offset: h.Start}, kindRefactorRewrite
		for _, dg := range p.Context.Diagnostics {
			if a, err1 := offsetOf(d.text, dg.Range.Start, enc); err1 == nil {
				if b, err2 := offsetOf(d.text, dg.Range.End, enc); err2 == nil && a <= h.End && h.Start <= b {
					diags, kind = append(diags, dg), kindQuickFix
				}
			}
		}
	} else {
		// Errors and warnings (vet's findings are gopls's warnings);
		// not hints and information, which are style.
		for _, dg := range p.Context.Diagnostics {
			if dg.Severity == 0 || dg.Severity == severityError || dg.Severity == severityWarning {
				diags = append(diags, dg)
			}
		}
		// Without the client's diagnostics, the server's own check of
		// the line, when the user asks (not on every cursor move).
		titled := diags
		if len(diags) == 0 && invoked && want(kindQuickFix) {
			titled = s.ownFindings(ctx, d, start, end)
		}
		if len(titled) > 0 {
			r, kind = &request{cmd: cmdFixFile, doc: d, offset: -1}, kindQuickFix
		}
		titleDiags = titled
	}
	if r != nil && want(kind) {
		if titleDiags == nil {
			titleDiags = diags
		}
		a := codeAction{Title: title(r.cmd, titleDiags), Kind: kind, Diagnostics: diags, IsPreferred: r.cmd == cmdFillHole}
		var t *task
		if invoked {
			ctx, cancel := context.WithCancel(ctx)
			rep := s.startProgress(ctx, p.WorkDoneToken, a.Title, cancel)
			t, err = s.run(ctx, r.cmd, d.path, r.offset, rep.report)
			cancel()
			rep.end(endMessage(t, err))
			if err != nil && errors.Is(err, context.Canceled) {
				return nil, err
			}
			if err != nil {
				s.opts.Logf("lsp: %s: %v", a.Title, err)
			}
		} else {
			t = s.cached(taskKey{cmd: r.cmd, file: d.path, offset: r.offset, gen: s.generation()})
		}
		switch {
		case t != nil && t.improved():
			a.Edit = s.workspaceEdit(t)
			if t.out.Remote {
				a.Tags = []int{tagLLMGenerated}
			}
			actions = append(actions, a)
		case t != nil || invoked:
			// The loop found nothing better: no action.
		case resolve:
			a.Data, _ = json.Marshal(actionData{Command: r.cmd, Args: r.args()})
			actions = append(actions, a)
		default:
			a.Command = r.command(a.Title)
			actions = append(actions, a)
		}
	}

	// Fixes of the whole file and package run as commands: nothing is
	// computed until the user picks one.
	for _, cmd := range []string{cmdFixFile, cmdFixPackage} {
		kind := kindSourceFixFile
		if cmd == cmdFixPackage {
			kind = kindSourceFixPackage
		}
		if !want(kind) {
			continue
		}
		t := s.cached(taskKey{cmd: cmd, file: d.path, offset: -1, gen: s.generation()})
		if t != nil && !t.improved() {
			continue
		}
		rq := &request{cmd: cmd, doc: d, offset: -1}
		a := codeAction{Title: title(cmd, nil), Kind: kind, Command: rq.command(title(cmd, nil))}
		actions = append(actions, a)
	}
	return actions, nil
}

// ownFindings returns, as diagnostics, the server's own findings on the
// lines of [start, end] of d, for clients that send no diagnostics.
func (s *server) ownFindings(ctx context.Context, d *document, start, end int) []diagnostic {
	if s.opts.Findings == nil {
		return nil
	}
	s.mu.Lock()
	job, _, _ := s.newJobLocked(cmdFixFile, d.path, -1)
	enc := s.enc
	s.mu.Unlock()
	fs, err := s.opts.Findings(ctx, job)
	if err != nil {
		s.opts.Logf("lsp: findings of %s: %v", d.path, err)
		return nil
	}
	// The lines of the range, as editors put the cursor's line's
	// diagnostics into a request.
	lineStart := strings.LastIndexByte(d.text[:start], '\n') + 1
	lineEnd := len(d.text)
	if i := strings.IndexByte(d.text[end:], '\n'); i >= 0 {
		lineEnd = end + i
	}
	var out []diagnostic
	for _, f := range fs {
		if f.Start > lineEnd || f.End < lineStart {
			continue
		}
		sev := severityError
		if f.Warning {
			sev = severityWarning
		}
		out = append(out, diagnostic{
			Range:    lspRange{Start: positionOf(d.text, f.Start, enc), End: positionOf(d.text, f.End, enc)},
			Severity: sev, Source: "difgen", Message: f.Message,
		})
	}
	return out
}

func (s *server) generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

func (r *request) args() commandArgs {
	a := commandArgs{URI: r.doc.uri}
	if r.offset >= 0 {
		off := r.offset
		a.Offset = &off
	}
	return a
}

func (r *request) command(title string) *command {
	arg, _ := json.Marshal(r.args())
	return &command{Title: title, Command: r.cmd, Arguments: []json.RawMessage{arg}}
}

// endMessage is the last progress message of a run.
func endMessage(t *task, err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "cancelled; nothing changed"
	case err != nil:
		return err.Error()
	case t.improved():
		return t.out.Summary
	}
	return "no change makes the package better: " + t.out.Summary
}

// resolve answers codeAction/resolve: it runs the fix or fill the action
// names and returns the action with its edit, or an error when the loop
// found nothing better.
func (s *server) resolve(ctx context.Context, a *codeAction) (*codeAction, error) {
	if a.Edit != nil || len(a.Data) == 0 {
		return a, nil
	}
	var data actionData
	if err := json.Unmarshal(a.Data, &data); err != nil {
		return nil, &replyErr{codeInvalidParams, "codeAction/resolve: bad data: " + err.Error()}
	}
	r, err := s.parseArgs(data.Command, data.Args)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rep := s.startProgress(ctx, nil, a.Title, cancel)
	t, err := s.run(ctx, r.cmd, r.doc.path, r.offset, rep.report)
	rep.end(endMessage(t, err))
	if err != nil {
		return nil, err
	}
	if !t.improved() {
		return nil, &replyErr{codeRequestFailed, "difgen: no change makes the package better (" + t.out.Summary + "); nothing changed"}
	}
	if s.stale(t) {
		return nil, &replyErr{codeContentModified, "difgen: the buffer changed while difgen ran; ask again"}
	}
	s.logReasons(t)
	out := *a
	out.Edit = s.workspaceEdit(t)
	out.Data = nil
	if t.out.Remote {
		out.Tags = []int{tagLLMGenerated}
	}
	return &out, nil
}

// executeCommand runs difgen.fillHole, difgen.fixFile or
// difgen.fixPackage and applies the result with workspace/applyEdit.
func (s *server) executeCommand(ctx context.Context, p *executeCommandParams) (any, error) {
	var args commandArgs
	if len(p.Arguments) > 0 {
		if err := json.Unmarshal(p.Arguments[0], &args); err != nil {
			return nil, &replyErr{codeInvalidParams, p.Command + ": bad argument: " + err.Error()}
		}
	}
	r, err := s.parseArgs(p.Command, args)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rep := s.startProgress(ctx, p.WorkDoneToken, title(r.cmd, nil), cancel)
	t, err := s.run(ctx, r.cmd, r.doc.path, r.offset, rep.report)
	rep.end(endMessage(t, err))
	if err != nil {
		return nil, err
	}
	if !t.improved() {
		s.showMessage(messageTypeInfo, "difgen: no change makes the package better ("+t.out.Summary+"); nothing changed")
		return nil, nil
	}
	if s.stale(t) {
		return nil, &replyErr{codeContentModified, "difgen: the buffer changed while difgen ran; ask again"}
	}
	s.logReasons(t)
	var res applyWorkspaceEditResult
	label := title(r.cmd, nil)
	if err := s.conn.Call(ctx, methodApplyEdit, &applyWorkspaceEditParams{Label: label, Edit: *s.workspaceEdit(t)}, &res); err != nil {
		return nil, err
	}
	if !res.Applied {
		msg := "difgen: the editor did not apply the edit"
		if res.FailureReason != "" {
			msg += ": " + res.FailureReason
		}
		return nil, &replyErr{codeRequestFailed, msg}
	}
	return nil, nil
}
