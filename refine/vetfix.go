package refine

import (
	"context"
	"fmt"
	"slices"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/diag"
)

// vetFixPass applies, at once, the first suggested fix of every vet
// finding of one analyzer (printf's "%s" before a non-constant format,
// and the like: analysis.SuggestedFix, as go vet -json reports them), as
// "fix all" does in an editor: one check for a dozen findings instead of a
// step each. The vetfix generator proposes the same fixes one hole at a
// time, where a batch does not make the package better. Fixes that
// overlap another, or that the judge of meaning refuses (a deletion), are
// left to the steps. It returns nil when no batch makes the package better.
func (r *run) vetFixPass(ctx context.Context, st *state) (*state, error) {
	if r.fillMode {
		return nil, nil
	}
	type batch struct {
		edits map[string][]ast.Edit
		why   []string
		n     int
	}
	var order []diag.Code
	batches := map[diag.Code]*batch{}
findings:
	for _, f := range st.rep.Findings {
		if f.Category != constraints.Vet || len(f.Fixes) == 0 || len(f.Fixes[0].Edits) == 0 {
			continue
		}
		b := batches[f.Code]
		if b == nil {
			b = &batch{edits: map[string][]ast.Edit{}}
		}
		fx := f.Fixes[0]
		for _, e := range fx.Edits {
			cf := st.cv.File(e.File)
			if cf == nil || !r.writable(e.File, cf.Text) || e.Start < 0 || e.End < e.Start || e.End > len(cf.Text) {
				continue findings
			}
			// The judge of meaning, as for every candidate: a fix that
			// deletes code (unreachable code's) is not taken at once.
			if j := judge(cf.Text[e.Start:e.End], e.New, selfRef{}, []diag.Code{f.Code}, nil, false); j.harm != "" {
				r.logf("vetall: %s: the suggested fix %s: not taken", f, j.harm)
				continue findings
			}
			for _, o := range b.edits[e.File] {
				if o == (ast.Edit{Start: e.Start, End: e.End, New: e.New}) {
					continue
				}
				if e.Start < o.End && o.Start < e.End || e.Start == e.End && e.Start == o.Start {
					continue findings // overlaps another finding's fix
				}
			}
		}
		for _, e := range fx.Edits {
			es := b.edits[e.File]
			ed := ast.Edit{Start: e.Start, End: e.End, New: e.New}
			if !slices.Contains(es, ed) {
				b.edits[e.File] = append(es, ed)
			}
		}
		if !slices.Contains(b.why, f.Message) {
			b.why = append(b.why, f.Message)
		}
		b.n++
		if batches[f.Code] == nil {
			batches[f.Code] = b
			order = append(order, f.Code)
		}
	}
	for _, code := range order {
		b := batches[code]
		tried := fmt.Sprintf("vet|%s|%v", code, b.edits)
		if r.followed[tried] {
			continue
		}
		r.followed[tried] = true
		next, err := r.tryEdits(ctx, st, b.edits, b.why, "vetall", fmt.Sprintf("the %s analyzer's suggested fix at %d findings", code, b.n), true)
		if err != nil || next != nil {
			return next, err
		}
	}
	return nil, nil
}
