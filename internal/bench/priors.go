package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/corpus"
	"github.com/difgen/difgen/model/local"
	"github.com/difgen/difgen/refine"
)

// FitPackages are the standard-library packages the local denoiser's
// priors are fitted on (see CollectPriors): packages whose tests pass in
// a module of their own, in neither benchmark — not among StdPackages
// (bench repair), not held out (bench denoise: corpus.HeldOut) — and left
// out of the token model the fitting uses.
var FitPackages = []string{
	"go/build/constraint", "go/format", "index/suffixarray", "io", "maps", "math/bits",
	"net/mail", "net/textproto", "testing/iotest", "testing/quick", "text/template/parse",
	"unicode/utf8",
}

// A Sample is one hole the local denoiser ranked while the priors' data
// was collected: its candidates as recorded (local.Options.Record), the
// scoring context, and which candidates are right.
type Sample struct {
	Case    string           `json:"case"`
	Ctx     string           `json:"ctx"`
	Cands   []local.Recorded `json:"cands"`
	Correct []int            `json:"correct"` // indices in Cands
}

// PriorsOptions configure CollectPriors. Model is required.
type PriorsOptions struct {
	// Model is the token model, trained without Packages.
	Model *local.NGram
	// Packages are the standard-library packages to corrupt and mask;
	// nil means FitPackages.
	Packages []string
	// Families, Seeds and PerFamily choose the corruption cases, as for
	// Run; nil Seeds means {1}, PerFamily 0 means 1.
	Families  []Family
	Seeds     []int64
	PerFamily int
	// Predict is the number of masked identifiers and expressions, in
	// all, of the packages' files (new code, as bench denoise asks); 0
	// means 400.
	Predict int
	Jobs    int           // cases at once; 0 means 1
	Timeout time.Duration // per case; 0 means 2 minutes
	WorkDir string
	Logf    func(format string, args ...any)
}

// CollectPriors collects the data the priors are fitted on: it corrupts
// the packages in every family (as bench repair does, with the same
// generator, on other packages), repairs each case in process with the
// local denoiser exactly as 'difgen fix' and 'difgen fill' would, and
// records every hole's candidates, marking those that restore the
// original; then it masks identifiers and expressions of the packages'
// files (as bench denoise does) and records those holes too.
func CollectPriors(ctx context.Context, opt PriorsOptions) ([]Sample, *Report, error) {
	pkgs := opt.Packages
	if pkgs == nil {
		pkgs = FitPackages
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	per := opt.PerFamily
	if per <= 0 {
		per = 1
	}
	var (
		mu      sync.Mutex
		samples []Sample
	)
	add := func(s Sample) {
		mu.Lock()
		samples = append(samples, s)
		mu.Unlock()
	}
	cache := new(constraints.Cache)
	rep, err := Run(ctx, Options{
		Std: pkgs, Families: opt.Families, Seeds: opt.Seeds, PerFamily: per,
		Fixers: []*Fixer{recordFixer(opt.Model, cache, timeout, add)},
		Jobs:   opt.Jobs, Timeout: timeout, WorkDir: opt.WorkDir, Logf: opt.Logf,
	})
	if err != nil {
		return nil, nil, err
	}
	n := opt.Predict
	if n == 0 {
		n = 400
	}
	docs, err := corpus.Load(ctx, &corpus.Options{Packages: pkgs, KeepSource: true})
	if err != nil {
		return nil, nil, err
	}
	if err := recordPredictions(ctx, opt.Model, docs, n, add); err != nil {
		return nil, nil, err
	}
	slices.SortStableFunc(samples, func(a, b Sample) int { return strings.Compare(a.Case, b.Case) })
	return samples, rep, nil
}

// recordFixer returns a fixer that repairs a case in process, as 'difgen
// fix -w' (or 'difgen fill -w') does with the local model m, and records
// every hole the denoiser ranks. A candidate is right when, put in its
// hole, it makes the file the original (up to white space): the case's
// reference.
func recordFixer(m *local.NGram, cache *constraints.Cache, timeout time.Duration, add func(Sample)) *Fixer {
	return &Fixer{
		Name:  "difgen-record",
		Holes: true,
		Run: func(ctx context.Context, dir string, c *Case) FixStats {
			err := repairInProcess(ctx, dir, c, m, cache, timeout, func(h *ast.Hole, src, sctx string, cands []local.Recorded) {
				rel, err := filepath.Rel(dir, h.File)
				if err != nil {
					return
				}
				want, ok := c.Want[filepath.ToSlash(rel)]
				if !ok {
					return
				}
				right, ok := rightFill(src, want, h)
				if !ok {
					return
				}
				s := Sample{Case: c.ID, Ctx: sctx, Cands: cands}
				for i, x := range cands {
					if sameCode(x.Text, right) {
						s.Correct = append(s.Correct, i)
					}
				}
				add(s)
			})
			if err != nil {
				return FixStats{Err: err.Error()}
			}
			return FixStats{}
		},
	}
}

// repairInProcess repairs (or, for a hole case, fills) the package of c
// in dir with the local denoiser and writes the result.
func repairInProcess(ctx context.Context, dir string, c *Case, m *local.NGram, cache *constraints.Cache, timeout time.Duration, record func(*ast.Hole, string, string, []local.Recorded)) error {
	copts := &constraints.Options{Cache: cache, Timeout: 30 * time.Second}
	pkgs, err := constraints.Load(ctx, filepath.Join(dir, filepath.FromSlash(c.Pkg)), nil, copts)
	if err != nil {
		return err
	}
	if len(pkgs) != 1 {
		return fmt.Errorf("%d packages", len(pkgs))
	}
	chk, err := constraints.NewChecker(ctx, pkgs[0], copts)
	if err != nil {
		return err
	}
	cv, err := pkgs[0].Canvas()
	if err != nil {
		return err
	}
	var texts []string
	for _, f := range cv.Files() {
		texts = append(texts, f.Text)
	}
	opts := &refine.Options{
		Denoiser: local.New(m.WithCache(texts...), &local.Options{Record: record}),
		UpTo:     constraints.Tests,
		MaxTime:  timeout,
	}
	var res *refine.Result
	if c.Fill {
		var holes []*ast.Hole
		for _, f := range cv.Files() {
			hs, err := ast.FindCanvasHoles(cv, f.Name)
			if err != nil {
				return err
			}
			holes = append(holes, hs...)
		}
		res, err = refine.Fill(ctx, cv, holes, chk, opts)
	} else {
		res, err = refine.Fix(ctx, cv, chk, opts)
	}
	if err != nil {
		return err
	}
	for _, name := range res.After.Changed(res.Before) {
		if err := os.WriteFile(name, []byte(res.After.File(name).Text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// rightFill returns the fill of hole h of src (a file's text) that makes
// it want, when src and want differ only inside the hole.
func rightFill(src, want string, h *ast.Hole) (string, bool) {
	if src == want {
		return "", false
	}
	lo := 0
	for lo < len(src) && lo < len(want) && src[lo] == want[lo] {
		lo++
	}
	s := 0
	for s < len(src)-lo && s < len(want)-lo && src[len(src)-1-s] == want[len(want)-1-s] {
		s++
	}
	// src[lo:len(src)-s] became want[lo:len(want)-s]: inside the hole?
	if lo < h.Start || len(src)-s > h.End || h.End > len(src) {
		return "", false
	}
	return want[h.Start : h.End+len(want)-len(src)], true
}

// sameCode reports whether two fragments of Go are the same up to white
// space.
func sameCode(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// recordPredictions masks n identifiers and expressions of docs (half
// each, chosen as bench denoise chooses its cases) and records the full
// denoiser's candidates for them.
func recordPredictions(ctx context.Context, m *local.NGram, docs []*corpus.Doc, n int, add func(Sample)) error {
	toks, spans := denoiseCases(docs, 4*n, n/2, 7)
	var idents []*denoiseCase
	for _, c := range toks {
		if c.want()[0].Kind == ast.IdentPiece && len(idents) < n-n/2 {
			idents = append(idents, c)
		}
	}
	r := newFullRow(m)
	for stage, cases := range [][]*denoiseCase{idents, spans} {
		if err := forEachCase(ctx, byPackage(r, cases, func(i int) error {
			c := cases[i]
			kind, ci, cj := ast.Expr, c.I, c.J
			if stage == 0 {
				kind = ast.Ident
				ci, cj = identRange(c.Doc.Tokens, c.I)
			}
			want := c.Doc.Src[c.Doc.Tokens[ci].Off:c.Doc.Tokens[cj-1].End]
			req, err := r.request(ctx, c, ci, cj, kind, 8)
			if err != nil {
				return err
			}
			d := local.New(cacheModel(m, c, ci, cj), &local.Options{Record: func(h *ast.Hole, src, sctx string, cands []local.Recorded) {
				s := Sample{Case: fmt.Sprintf("predict/%s/%d", c.Doc.PkgPath, c.Off), Ctx: sctx, Cands: cands}
				for i, x := range cands {
					if sameCode(x.Text, want) {
						s.Correct = append(s.Correct, i)
					}
				}
				add(s)
			}})
			_, err = d.Denoise(ctx, req)
			return err
		}), nil, "predict"); err != nil {
			return err
		}
	}
	return nil
}
