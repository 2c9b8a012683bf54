package main

import (
	"context"
	"flag"
	"os"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/internal/lsp"
	"github.com/difgen/difgen/refine"
)

var cmdLSP = &command{
	Name:      "lsp",
	UsageLine: "lsp [flags]",
	Short:     "run a language server beside gopls",
	Long:      helpText("Lsp"),
	SetFlags:  func(fs *flag.FlagSet) { lspFlags.registerSearch(fs) },
	Run: func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usageErrorf("lsp: unexpected arguments %q", args)
		}
		s, err := newSession(ctx, e, "lsp", &lspFlags)
		if err != nil {
			return err
		}
		return lsp.Serve(ctx, os.Stdin, os.Stdout, &lsp.Options{
			Repair:   s.lspRepair,
			Findings: s.lspFindings,
			Version:  buildVersion(),
			Logf:     s.logf,
		})
	},
}

var lspFlags repairFlags

// lspRepair runs an editor's job: a fix of the file (or package) or a fill
// of its holes, on the buffers the editor sent.
func (s *session) lspRepair(ctx context.Context, j *lsp.Job) (*lsp.Outcome, error) {
	req := &repairRequest{dir: j.Dir, fill: j.Fill, overlay: j.Overlay}
	if !j.WholePackage {
		req.only = func(name string) bool { return name == j.File }
	}
	if j.Fill {
		req.pos = &position{file: j.File, offset: -2}
		if j.Offset >= 0 {
			req.pos.offset = j.Offset
		}
	}
	if j.Progress != nil {
		req.progress = func(_ string, ev refine.Event) {
			j.Progress(lsp.Progress{Step: ev.Step, Holes: ev.Holes, Findings: ev.Findings, Calls: ev.Calls})
		}
	}
	r, err := s.repair(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &lsp.Outcome{Summary: resultLine(r)}
	if r.res == nil {
		return out, nil
	}
	// Why: the changes' reasons, for the action's description.
	sum := summarize(r, relTo(j.Dir), j.Fill, isLocal(s.fl.model), s.tests)
	out.Reasons = append(out.Reasons, sum.lines()[1:]...)
	for _, name := range r.write {
		out.Changes = append(out.Changes, lsp.Change{File: name, Before: r.res.Before.File(name).Text, After: r.res.After.File(name).Text})
	}
	out.Remote = len(out.Changes) > 0 && !isLocal(s.fl.model) && r.res.Usage.Calls > 0
	return out, nil
}

// lspFindings returns the syntax, type and vet findings of the job's file
// with the editor's buffers.
func (s *session) lspFindings(ctx context.Context, j *lsp.Job) ([]lsp.Finding, error) {
	chk, err := s.checker(ctx, j.Dir)
	if err != nil {
		return nil, err
	}
	cv, err := ast.LoadDir(j.Dir)
	if err != nil {
		return nil, err
	}
	for _, f := range cv.Files() {
		if text, ok := j.Overlay[f.Name]; ok {
			cv = cv.WithText(f.Name, text)
		}
	}
	rep, err := chk.Check(ctx, cv, constraints.Vet)
	if err != nil {
		return nil, err
	}
	var out []lsp.Finding
	for _, f := range rep.Findings {
		if f.File == j.File {
			out = append(out, lsp.Finding{Start: f.Start, End: f.End, Message: f.Message, Warning: f.Category == constraints.Vet})
		}
	}
	return out, nil
}
