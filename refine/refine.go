package refine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/diag"
	"github.com/difgen/difgen/model"
)

// A Checker checks a canvas; *constraints.Checker implements it.
type Checker interface {
	Check(ctx context.Context, cv *ast.Canvas, upTo constraints.Category) (*constraints.Report, error)
	// CheckTests checks up to the tests, running only the named ones.
	CheckTests(ctx context.Context, cv *ast.Canvas, tests []string) (*constraints.Report, error)
	// Screen type-checks only what cv changed since the last full check
	// when that finds errors (a Shallow report), else it is Check.
	Screen(ctx context.Context, cv *ast.Canvas, upTo constraints.Category) (*constraints.Report, error)
	// CheckVariants checks candidates of one hole through one test build
	// where it can, and caches their reports for Check and CheckTests.
	CheckVariants(ctx context.Context, cvs []*ast.Canvas, focus []string) (int, error)
	// Suspects ranks statements by how suspicious the failing tests make
	// them; refine asks only for the canvas it masks next.
	Suspects(ctx context.Context, cv *ast.Canvas) ([]constraints.Suspect, error)
	// ScreenTypes returns the syntax and type findings of cv as cheaply as
	// a screen allows: how the denoiser's candidates are verified.
	ScreenTypes(ctx context.Context, cv *ast.Canvas) ([]constraints.Finding, error)
	// Import returns the types of a package the canvas may come to import.
	Import(ctx context.Context, path string) (*types.Package, error)
}

// Options configures a run. The zero value works with a Denoiser set.
type Options struct {
	Denoiser   model.Denoiser
	Candidates int                    // candidates per hole; 0 means 8
	MaxSteps   int                    // denoising steps; 0 means 12
	MaxCalls   int                    // denoiser calls; 0 means 60
	MaxTime    time.Duration          // wall time; 0 means no limit beyond ctx
	MaxHoles   int                    // holes per step; 0 means 8
	UpTo       constraints.Category   // last check to run; zero means Syntax, so set it (Tests for all)
	Seed       int64                  // passed to the denoiser
	Writable   func(name string) bool // files that may change; nil means all non-generated files
	// FixImports adds missing and removes unused imports of an edited
	// file; nil means ast.FixImports.
	FixImports func(name, src string) (string, error)
	Progress   func(Event)
	Logf       func(format string, args ...any)
	// Passes are the repairs of whole packages to run before each step's
	// holes (see PassNames); nil means all.
	Passes []string
}

// PassNames lists the passes of a step, in the order they run: each
// repairs the whole package at once, before holes are asked for, and
// names the changes it makes (Change.Source).
//   - imports: goimports on the files with an import finding;
//   - rename: a rename left half done, carried to the uses or the
//     declaration (followPass);
//   - field: a deleted field declared again (fieldPass);
//   - signature: a changed signature carried to its calls (sigPass);
//   - vetall: every vet suggested fix of one analyzer at once
//     (vetFixPass).
func PassNames() []string {
	return []string{"imports", "rename", "field", "signature", "vetall"}
}

// An Event reports progress after each step.
type Event struct {
	Step     int
	Holes    int // holes asked for in this step
	Findings int // findings left
	Calls    int // denoiser calls so far
	Usage    model.Usage
	Message  string
}

// A Result is the outcome of a run.
type Result struct {
	Before, After  *ast.Canvas
	FindingsBefore []constraints.Finding
	FindingsAfter  []constraints.Finding
	Outside        []constraints.Finding // Fill: findings outside the filled spans, left alone
	Unfilled       []*ast.Hole           // user holes left open (positions in After)
	UnfilledWhy    []string              // Fill: why each of Unfilled is not filled
	// Partial is, when Fill leaves holes unfilled, the canvas it reached
	// with those holes put back as they were (nil otherwise). Its fills
	// are unproven: the package did not build with holes open, or their
	// tests failed; a caller may check them one by one.
	Partial      *ast.Canvas
	Steps        int
	Usage        model.Usage
	Elapsed      time.Duration
	StopReason   string   // "clean", "steps", "calls", "time", "stuck", "cancelled", "broken-deps"
	BrokenDeps   []string // imports that do not build; nothing was changed (StopReason "broken-deps")
	ReportAfter  *constraints.Report
	ReportBefore *constraints.Report
	Changes      []Change      // the edits from Before to After and why each was made
	ModelTime    time.Duration // spent in the denoiser
	// Notes are what the passes left for the user on purpose, each with
	// the finding (of FindingsAfter) it is about: a call that needs a
	// value for a new parameter none is in scope for, an error a caller
	// can neither return nor report.
	Notes []Note
}

// A Note is something left for the user, at a finding that remains.
type Note struct {
	Finding constraints.Finding
	Text    string
}

// Improved reports whether the result is better than the input.
func (r *Result) Improved() bool { return r.After != r.Before }

// errBudget stops a run when the call budget is spent.
var errBudget = errors.New("budget spent")

type run struct {
	opts    Options
	chk     Checker
	start   time.Time
	usage   model.Usage
	widen   map[string]int    // finding key → widening level
	lastTry map[string]string // finding key → what the last rejected fill got
	// followed are the renames followPass has tried.
	followed map[string]bool
	notes    map[string]string // finding key → what a pass left there for the user
	nilDoc   map[string]bool   // function position|parameter → its doc says what nil means
	// declared are the fields fieldPass has tried to declare.
	declared map[string]bool
	// base holds the input's test results, when its tests ran: candidates
	// are judged against them (see score).
	base      map[string]constraints.TestStatus
	userHoles map[ast.Hash][]*ast.Hole // the user's holes of a file, by its content
	modelTime time.Duration            // spent in the denoiser
	fillMode  bool
	logf      func(string, ...any)
}

func (o *Options) defaults() {
	if o.Candidates == 0 {
		o.Candidates = 8
	}
	if o.MaxSteps == 0 {
		o.MaxSteps = 12
	}
	if o.MaxCalls == 0 {
		o.MaxCalls = 60
	}
	if o.MaxHoles == 0 {
		o.MaxHoles = 8
	}
	if o.FixImports == nil {
		o.FixImports = func(name, src string) (string, error) { return ast.FixImports(name, src, nil) }
	}
}

// Fix repairs the findings of cv.
func Fix(ctx context.Context, cv *ast.Canvas, chk Checker, opts *Options) (*Result, error) {
	r, err := newRun(chk, opts)
	if err != nil {
		return nil, err
	}
	return r.loop(ctx, cv, nil)
}

// Fill fills the given user holes of cv (as found by ast.FindHoles), then
// repairs the findings inside the filled spans. Code outside the holes
// does not change, except import blocks.
func Fill(ctx context.Context, cv *ast.Canvas, holes []*ast.Hole, chk Checker, opts *Options) (*Result, error) {
	r, err := newRun(chk, opts)
	if err != nil {
		return nil, err
	}
	r.fillMode = true
	return r.loop(ctx, cv, holes)
}

func newRun(chk Checker, opts *Options) (*run, error) {
	r := &run{chk: chk, widen: map[string]int{}, lastTry: map[string]string{}, followed: map[string]bool{}, notes: map[string]string{}, nilDoc: map[string]bool{}, declared: map[string]bool{}, userHoles: map[ast.Hash][]*ast.Hole{}, start: time.Now()}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.Denoiser == nil {
		return nil, errors.New("refine: no denoiser")
	}
	r.opts.defaults()
	r.logf = r.opts.Logf
	if r.logf == nil {
		r.logf = func(string, ...any) {}
	}
	return r, nil
}

// state is one accepted canvas with its report and open user holes.
type state struct {
	cv    *ast.Canvas
	rep   *constraints.Report
	holes []*ast.Hole // open user holes, positions in cv
	cost  cost
	// regions are the spans Fill may change (the user's holes and what
	// filled them), positions in cv; nil for Fix.
	regions regions
	changes []Change // the edits from the input to cv, positions in cv
}

func (r *run) check(ctx context.Context, cv *ast.Canvas) (*constraints.Report, error) {
	return r.chk.Check(ctx, cv, r.opts.UpTo)
}

// checkFirst checks cv, a candidate from st, as cheaply as tells whether
// it may be better. Where st's tests ran and some fail, it runs only those
// first (the failing tests first): the report then merges their results
// with st's for the other tests. Otherwise it screens the types (see
// constraints.Checker.Screen). Either way, when the report is partial
// focused is set, and the caller checks the candidate in full before it
// takes it.
func (r *run) checkFirst(ctx context.Context, st *state, cv *ast.Canvas) (rep *constraints.Report, focused bool, err error) {
	var failing []string
	if r.opts.UpTo == constraints.Tests && st.rep.Tests != nil && !st.rep.Focused {
		for name, s := range st.rep.Tests {
			if s.Bug() {
				failing = append(failing, name)
			}
		}
	}
	if len(failing) == 0 || len(failing) == len(st.rep.Tests) {
		// Most candidates do not type-check: the screen says so at the
		// cost of the edit.
		rep, err = r.chk.Screen(ctx, cv, r.opts.UpTo)
		return rep, rep != nil && rep.Shallow, err
	}
	rep, err = r.chk.CheckTests(ctx, cv, failing)
	if err != nil || rep.Tests == nil {
		return rep, false, err // it does not build: nothing to merge
	}
	return mergeFocused(rep, st.rep), true, nil
}

// mergeFocused returns the report of a focused run, f, with the results of
// the tests it did not run taken from prev.
func mergeFocused(f, prev *constraints.Report) *constraints.Report {
	m := *f
	m.Tests = maps.Clone(prev.Tests)
	maps.Copy(m.Tests, f.Tests)
	m.Findings = slices.Clone(f.Findings)
	for _, pf := range prev.Findings {
		if pf.Category == constraints.Tests && pf.Test != "" {
			if _, ran := f.Tests[pf.Test]; !ran {
				m.Findings = append(m.Findings, pf)
			}
		}
	}
	m.Findings = constraints.Sort(m.Findings)
	m.TestsRun, m.TestsFailed = len(m.Tests), 0
	for _, s := range m.Tests {
		if !s.Passed() {
			m.TestsFailed++
		}
	}
	return &m
}

func (r *run) loop(ctx context.Context, cv *ast.Canvas, userHoles []*ast.Hole) (*Result, error) {
	if r.opts.MaxTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.opts.MaxTime)
		defer cancel()
	}
	rep, err := r.check(ctx, cv)
	if err != nil {
		return nil, err
	}
	r.base = rep.Tests
	cur := &state{cv: cv, rep: rep, holes: userHoles}
	if len(rep.BrokenDeps) > 0 {
		// Errors that involve a broken import are hidden from the type
		// checker, and nothing builds: no edit could be verified.
		return &Result{Before: cv, After: cv, FindingsBefore: rep.Findings, FindingsAfter: rep.Findings,
			ReportBefore: rep, ReportAfter: rep, StopReason: "broken-deps", BrokenDeps: rep.BrokenDeps,
			Elapsed: time.Since(r.start)}, nil
	}
	if r.fillMode {
		cur.regions = regions{}
		for _, h := range userHoles {
			cur.regions = append(cur.regions, span{h.File, h.Start, h.End})
		}
	}
	cur.cost = r.score(rep, len(userHoles))
	res := &Result{Before: cv, FindingsBefore: rep.Findings, ReportBefore: rep}

	step := 0
	for {
		if len(cur.rep.Findings) == 0 && len(cur.holes) == 0 {
			res.StopReason = "clean"
			break
		}
		if step >= r.opts.MaxSteps {
			res.StopReason = "steps"
			break
		}
		if ctx.Err() != nil {
			res.StopReason = "time"
			if errors.Is(context.Cause(ctx), context.Canceled) {
				res.StopReason = "cancelled"
			}
			break
		}
		step++
		next, asked, err := r.step(ctx, cur)
		if errors.Is(err, errBudget) {
			res.StopReason = "calls"
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				res.StopReason = "time"
				if errors.Is(context.Cause(ctx), context.Canceled) {
					res.StopReason = "cancelled"
				}
				break
			}
			return nil, err
		}
		if r.opts.Progress != nil {
			r.opts.Progress(Event{Step: step, Holes: asked, Findings: len(next.rep.Findings) + len(next.holes),
				Calls: r.usage.Calls, Usage: r.usage})
		}
		if asked == 0 {
			res.StopReason = "stuck"
			break
		}
		cur = next
	}
	res.After = cur.cv
	res.Changes = cur.changes
	res.FindingsAfter = cur.rep.Findings
	res.ReportAfter = cur.rep
	if !r.fillMode {
		res.Unfilled = cur.holes
	}
	res.Steps = step
	res.Usage = r.usage
	res.ModelTime = r.modelTime
	res.Elapsed = time.Since(r.start)
	if ctx.Err() != nil && res.StopReason == "" {
		res.StopReason = "time"
	}
	if r.fillMode {
		r.settleFill(ctx, res, cur, userHoles)
	}
	for _, f := range res.FindingsAfter {
		if text, ok := r.notes[f.Key()]; ok && !slices.ContainsFunc(res.Notes, func(n Note) bool { return n.Text == text }) {
			res.Notes = append(res.Notes, Note{Finding: f, Text: text})
		}
	}
	return res, nil
}

// note records what a pass left at finding f for the user, and logs it.
func (r *run) note(f constraints.Finding, text string) {
	r.notes[f.Key()] = text
	r.logf("%s: %s", f.String(), text)
}

// target is a hole to ask for, with what it is meant to fix.
type target struct {
	hole   *ast.Hole
	key    string      // identity of the finding across steps, for widening
	user   bool        // a hole the user wrote
	codes  []diag.Code // codes of the findings the hole answers
	fixes  []string    // messages of the findings (or failing tests) it answers
	free   []string    // the names the findings are about (see judge)
	proven bool        // failing tests execute the hole (test-driven repair)
}

// step runs one denoising step from cur and returns the new state and the
// number of holes it asked for (0 when there was nothing left to try).
func (r *run) step(ctx context.Context, cur *state) (*state, int, error) {
	for _, p := range []struct {
		name string
		run  func(context.Context, *state) (*state, error)
	}{
		{"imports", r.importsPass},
		{"rename", r.followPass},
		{"field", r.fieldPass},
		{"signature", r.sigPass},
		{"vetall", r.vetFixPass},
	} {
		if r.opts.Passes != nil && !slices.Contains(r.opts.Passes, p.name) {
			continue
		}
		if next, err := p.run(ctx, cur); err != nil {
			return nil, 0, err
		} else if next != nil {
			return next, 1, nil
		}
	}
	var suspects []constraints.Suspect
	if slices.ContainsFunc(cur.rep.Findings, func(f constraints.Finding) bool { return f.Category == constraints.Tests && r.drives(f) }) {
		var err error
		if suspects, err = r.chk.Suspects(ctx, cur.cv); err != nil {
			return nil, 0, err
		}
	}
	targets := r.localize(cur, suspects)
	if len(targets) == 0 {
		return cur, 0, nil
	}
	if r.usage.Calls >= r.opts.MaxCalls {
		return nil, 0, errBudget
	}
	holes := make([]*ast.Hole, len(targets))
	for i, t := range targets {
		h := *t.hole
		h.ID = i + 1
		holes[i] = &h
	}
	r.describe(cur, holes)
	req := &model.Request{
		Canvas:     cur.cv,
		Holes:      holes,
		Types:      typesOf(cur.rep),
		Candidates: r.opts.Candidates,
		Seed:       r.opts.Seed + int64(len(r.widen)),
		Verify:     r.verifier(cur),
		Import:     r.chk.Import,
	}
	t0 := time.Now()
	resp, err := r.opts.Denoiser.Denoise(ctx, req)
	r.modelTime += time.Since(t0)
	if err != nil {
		if name := r.opts.Denoiser.Name(); !strings.HasPrefix(err.Error(), name) && !strings.Contains(err.Error(), name+":") {
			err = fmt.Errorf("%s: %w", name, err)
		}
		return nil, 0, err
	}
	r.usage.Add(resp.Usage)
	if resp.Usage.Calls == 0 {
		r.usage.Calls++
	}
	if len(resp.Fills) != len(holes) {
		return nil, 0, fmt.Errorf("%s: %d candidate lists for %d holes", r.opts.Denoiser.Name(), len(resp.Fills), len(holes))
	}

	// Commit the most confident holes first.
	order := make([]int, len(holes))
	for i := range order {
		order[i] = i
	}
	conf := func(i int) float64 {
		if len(resp.Fills[i]) == 0 {
			return -1
		}
		return resp.Fills[i][0].Confidence
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(conf(b), conf(a)) })

	next := cur
	for _, i := range order {
		if ctx.Err() != nil {
			break
		}
		h := holes[i]
		if h.Start < 0 { // overlapped an earlier commit
			continue
		}
		best, err := r.tryCandidates(ctx, next, h, targets[i], resp.Fills[i])
		if err != nil {
			return nil, 0, err
		}
		if best == nil {
			r.widen[targets[i].key]++
			r.logf("step: hole %d (%s %q) not fixed; widening", h.ID, h.Kind, truncate(h.Original))
			continue
		}
		// Move the holes still to try past the committed edit.
		m := newRemap(next.cv.File(h.File).Text, best.st.cv.File(h.File).Text)
		for _, o := range holes {
			if o != h && o.File == h.File && o.Start >= 0 {
				if o.Start < h.End && h.Start < o.End {
					o.Start = -1
					continue
				}
				o.Start, o.End = m.span(o.Start, o.End)
			}
		}
		next = best.st
		delete(r.widen, targets[i].key)
		if len(next.rep.Findings) == 0 && len(next.holes) == 0 {
			break // clean: the other holes have nothing left to fix
		}
	}
	return next, len(holes), nil
}

type accepted struct {
	st   *state
	dist int // token edit distance of the fill from the hole's text
}

// tryCandidates applies each candidate of h to st and returns the best
// resulting state if it lowers the cost, else nil. Of candidates of equal
// cost, the one closest to what the user wrote wins. A candidate that
// deletes meaning (see judge) is never tried where refine repairs the
// user's code; in a fill, a candidate that calls the function it fills is
// tried last, and taken only if the package then builds and passes its
// tests.
func (r *run) tryCandidates(ctx context.Context, st *state, h *ast.Hole, t target, cands []model.Candidate) (*accepted, error) {
	hs := &holeSearch{st: st, h: h, t: t, old: st.cv.File(h.File)}
	self := selfAt(hs.old, h.Start)
	hs.self, hs.selfCalls = self, selfCalls(hs.old.Text, self)
	free := t.user || r.fillMode // the span is a hole or difgen's own fill
	r.prefetchVariants(ctx, hs, cands, self, free)
	seen := map[string]bool{}
	for _, c := range cands {
		if seen[c.Text] || c.Text == h.Original {
			continue
		}
		seen[c.Text] = true
		j := judge(h.Original, c.Text, self, t.codes, t.free, t.proven || free)
		if j.selfCall && free {
			hs.recursive = append(hs.recursive, c)
			continue
		}
		if j.harm != "" {
			r.logf("hole %d: candidate %q not tried: it %s", h.ID, truncate(c.Text), j.harm)
			continue
		}
		if more, err := r.try(ctx, hs, c, j.dist, false); !more || err != nil {
			return hs.best, err
		}
	}
	for _, c := range hs.recursive {
		if hs.best != nil {
			break
		}
		r.logf("hole %d: trying %q, which calls the function it fills, last", h.ID, truncate(c.Text))
		if more, err := r.try(ctx, hs, c, 0, true); !more || err != nil {
			return hs.best, err
		}
	}
	if hs.best == nil && hs.near != nil {
		r.lastTry[t.key] = hs.near.diagnostic()
	}
	return hs.best, nil
}

// holeSearch is the state of tryCandidates for one hole.
type holeSearch struct {
	st   *state
	h    *ast.Hole
	t    target
	old  *ast.File // h's file in st
	best *accepted
	near *tried // the rejected fill that came closest, for the next ask
	// self is the function around h, and selfCalls how often it calls
	// itself in st; recursive holds the fills that add such calls, tried
	// last in a fill.
	self      selfRef
	selfCalls int
	recursive []model.Candidate
	applied   map[string]*ast.Canvas // st.cv with h filled, by fill text
}

// apply returns hs.st's canvas with hs.h filled with text (once per text).
func (hs *holeSearch) apply(r *run, text string) (*ast.Canvas, error) {
	if cv, ok := hs.applied[text]; ok {
		return cv, nil
	}
	cv, err := r.applyFill(hs.st.cv, hs.h, text)
	if err != nil {
		return nil, err
	}
	if hs.applied == nil {
		hs.applied = map[string]*ast.Canvas{}
	}
	hs.applied[text] = cv
	return cv, nil
}

// prefetchVariants checks the candidates of hs.h that will be tried,
// where the canvas builds and its tests run, through one test build for
// all (constraints.Checker.CheckVariants): try then finds their reports
// cached.
func (r *run) prefetchVariants(ctx context.Context, hs *holeSearch, cands []model.Candidate, self selfRef, free bool) {
	st := hs.st
	if r.opts.UpTo != constraints.Tests || st.rep.Tests == nil || st.rep.Focused || len(cands) < 2 {
		return
	}
	var cvs []*ast.Canvas
	seen := map[string]bool{}
	for _, c := range cands {
		if seen[c.Text] || c.Text == hs.h.Original {
			continue
		}
		seen[c.Text] = true
		if j := judge(hs.h.Original, c.Text, self, hs.t.codes, hs.t.free, hs.t.proven || free); j.harm != "" || j.selfCall {
			continue
		}
		if cv, err := hs.apply(r, c.Text); err == nil {
			cvs = append(cvs, cv)
		}
	}
	var focus []string
	for name, s := range st.rep.Tests {
		if s.Bug() {
			focus = append(focus, name)
		}
	}
	if len(focus) == len(st.rep.Tests) {
		focus = nil // all fail: the whole suite
	}
	if n, err := r.chk.CheckVariants(ctx, cvs, focus); err == nil && n > 0 {
		r.logf("hole %d: %d candidates checked through one test build", hs.h.ID, n)
	}
}

// try checks candidate c of hs.h and records it as hs.best if it beats
// it, and as hs.near if it is the closest miss. It returns false when the
// search should stop (a clean result, or the context is done). If
// needsTests, c is taken only when the result is clean with tests run.
func (r *run) try(ctx context.Context, hs *holeSearch, c model.Candidate, dist int, needsTests bool) (bool, error) {
	st, h := hs.st, hs.h
	cv, err := hs.apply(r, c.Text)
	if err != nil {
		r.logf("candidate %q: %v", truncate(c.Text), err)
		return true, nil
	}
	if !needsTests && hs.self.name != "" && selfCalls(cv.File(h.File).Text, hs.self) > hs.selfCalls {
		// The fill completes a call of the function it is in.
		if hs.t.user || r.fillMode {
			hs.recursive = append(hs.recursive, c)
		} else {
			r.logf("hole %d: candidate %q not tried: it calls %s, the function it is in", h.ID, truncate(c.Text), hs.self.name)
		}
		return true, nil
	}
	rep, focused, err := r.checkFirst(ctx, st, cv)
	if err != nil {
		if ctx.Err() != nil {
			return false, nil
		}
		return false, err
	}
	open := st.holes
	if hs.t.user {
		open = removeHole(open, h)
	}
	m := newRemap(hs.old.Text, cv.File(h.File).Text)
	open = m.holes(h.File, open)
	got := r.score(rep, len(open))
	if hs.near == nil || got.less(hs.near.cost) {
		hs.near = &tried{text: c.Text, cost: got, msgs: messagesNear(rep, h, len(c.Text))}
	}
	if r.tentative(st, rep, hs.t) {
		r.logf("hole %d: candidate %q compiles but fails the tests; widening first", h.ID, truncate(c.Text))
		return true, nil
	}
	clean := len(rep.Findings) == 0 && len(open) == 0
	if needsTests && !(clean && rep.Reached == constraints.Tests && rep.TestsRun > 0) {
		r.logf("hole %d: candidate %q calls the function it fills and the tests do not prove it", h.ID, truncate(c.Text))
		return true, nil
	}
	r.logf("hole %d: candidate %q (%s): %d findings, cost %v (was %v)", h.ID, truncate(c.Text), c.Source, len(rep.Findings), got, st.cost)
	bestCost := st.cost
	if hs.best != nil {
		bestCost = hs.best.st.cost
	}
	better := func(x cost) bool { return x.less(bestCost) || (hs.best != nil && x == bestCost && dist < hs.best.dist) }
	if better(got) && focused {
		// The failing tests pass (or fail less), or a screen found fewer
		// type errors: now the whole check.
		if rep, err = r.check(ctx, cv); err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			return false, err
		}
		if got = r.score(rep, len(open)); !better(got) {
			r.logf("hole %d: candidate %q does better on the failing tests but not on the whole suite (cost %v)", h.ID, truncate(c.Text), got)
			return true, nil
		}
		clean = len(rep.Findings) == 0 && len(open) == 0
	}
	if better(got) {
		start, end := m.span(h.Start, h.End)
		ch := Change{File: h.File, Start: start, End: end, Old: h.Original, New: cv.File(h.File).Text[start:end],
			Fixes: hs.t.fixes, Source: c.Source}
		if hs.t.user {
			ch.Fixes = []string{"hole " + holeName(h)}
		}
		if h.Kind == ast.Tokens {
			ch = trimLines(ch)
		}
		hs.best = &accepted{st: &state{cv: cv, rep: rep, holes: open, cost: got, regions: st.regions.remap(h.File, m),
			changes: addChange(remapChanges(st.changes, h.File, m), ch)}, dist: dist}
		if clean {
			return false, nil // nothing can beat it
		}
	}
	return true, nil
}

// tried is a rejected fill and what the checks said of it.
type tried struct {
	text string
	cost cost
	msgs []string
}

func (t *tried) diagnostic() string {
	msg := "no error in its span"
	if len(t.msgs) > 0 {
		msg = strings.Join(t.msgs, "; ")
	}
	return fmt.Sprintf("tried %q: %s", truncate(t.text), msg)
}

// messagesNear returns the messages of rep's findings that start inside a
// fill of length n at h's start (or, when none does, all test failures).
func messagesNear(rep *constraints.Report, h *ast.Hole, n int) []string {
	var msgs []string
	for _, f := range rep.Findings {
		if f.File == h.File && f.Start >= h.Start && f.Start <= h.Start+n {
			msgs = append(msgs, f.Message)
		}
	}
	if len(msgs) == 0 {
		for _, f := range rep.Findings {
			if f.Category == constraints.Tests {
				msgs = append(msgs, f.Message)
			}
		}
	}
	return msgs[:min(len(msgs), 3)]
}

// maxTentativeWiden is how often a compile error's hole is widened before
// refine accepts a fill that compiles but fails the tests.
const maxTentativeWiden = 4

// tentative reports whether rep, the check of a candidate for t, should
// not be accepted yet: it turns a canvas that did not compile into one that
// compiles but fails its tests. Such a fill is often the wrong repair (a
// typo "fixed" by another variable of the same type), so refine widens the
// hole first and takes the fill only when the wider holes do no better.
func (r *run) tentative(st *state, rep *constraints.Report, t target) bool {
	if t.user || st.rep.Reached >= constraints.Tests || r.widen[t.key] >= maxTentativeWiden {
		return false
	}
	return slices.ContainsFunc(rep.Findings, func(f constraints.Finding) bool { return f.Category == constraints.Tests })
}

// applyFill replaces h's span in cv with text, fixes the file's imports and
// formats the edited lines (the whole file if it was gofmt-clean).
func (r *run) applyFill(cv *ast.Canvas, h *ast.Hole, text string) (*ast.Canvas, error) {
	f := cv.File(h.File)
	if f == nil {
		return nil, fmt.Errorf("no file %s", h.File)
	}
	src, err := ast.Apply(f.Text, []ast.Edit{wholeLines(f.Text, ast.IndentFill(f.Text, h, text))})
	if err != nil {
		return nil, err
	}
	wasFormatted := isFormatted(f.Text)
	if out, err := r.opts.FixImports(h.File, src); err == nil {
		src = out
	}
	src = formatEdit(f.Text, src, wasFormatted)
	if src == f.Text {
		return nil, errors.New("no change")
	}
	return cv.WithText(h.File, src), nil
}

// verifier returns the function the denoiser verifies its candidates for
// holes of st with (see Verifier).
func (r *run) verifier(st *state) func(context.Context, *ast.Hole, string) ([]diag.Finding, error) {
	return Verifier(r.chk, st.cv, r.opts.FixImports)
}

// Verifier returns the Verify function of a model.Request over cv: the
// syntax and type findings of cv with a hole filled by a candidate as
// refine fills it, screened by chk (see constraints.Checker.ScreenTypes);
// with a nil chk (a file no checker checks), the syntax findings of the
// filled file alone.
// The imports of the filled file are fixed by fixImports (nil means
// ast.FixImports) when the fill selects from a name (strings.Index), as
// refine fixes them before it takes a fill; formatting, which changes no
// type, is left out.
func Verifier(chk Checker, cv *ast.Canvas, fixImports func(name, src string) (string, error)) func(context.Context, *ast.Hole, string) ([]diag.Finding, error) {
	if fixImports == nil {
		fixImports = func(name, src string) (string, error) { return ast.FixImports(name, src, nil) }
	}
	return func(ctx context.Context, h *ast.Hole, text string) ([]diag.Finding, error) {
		f := cv.File(h.File)
		if f == nil {
			return nil, fmt.Errorf("no file %s", h.File)
		}
		src, err := ast.Apply(f.Text, []ast.Edit{wholeLines(f.Text, ast.IndentFill(f.Text, h, text))})
		if err != nil {
			return nil, err
		}
		if selects(text) {
			if out, err := fixImports(h.File, src); err == nil {
				src = out
			}
		}
		if chk == nil {
			return constraints.SyntaxFindings(ast.NewFile(h.File, src)), nil
		}
		return chk.ScreenTypes(ctx, cv.WithText(h.File, src))
	}
}

// selects reports whether the Go fragment text selects from a name
// (x.y), so that it may need an import.
func selects(text string) bool {
	toks := tokens(text)
	for i := 1; i < len(toks); i++ {
		if toks[i].tok == token.PERIOD && toks[i-1].tok == token.IDENT && (i < 2 || toks[i-2].tok != token.PERIOD) {
			return true
		}
	}
	return false
}

func typesOf(rep *constraints.Report) *model.Types {
	if rep == nil || rep.Pkg == nil {
		return nil
	}
	return &model.Types{Fset: rep.Fset, Files: rep.Files, Names: rep.Names, Pkg: rep.Pkg, XPkg: rep.XPkg, Info: rep.Info}
}

func truncate(s string) string {
	s = strings.ReplaceAll(s, "\n", "⏎")
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// importsPass runs goimports on each writable file with an import finding
// (an unused import, or an undefined name that may be a package) and
// returns the better state, or nil when it does not help.
func (r *run) importsPass(ctx context.Context, st *state) (*state, error) {
	var names []string
	for _, f := range st.rep.Findings {
		if f.Category != constraints.Types || f.File == "" || slices.Contains(names, f.File) {
			continue
		}
		switch f.Code {
		case diag.UnusedImport, diag.UndeclaredName, diag.UndeclaredImportedName:
			names = append(names, f.File)
		}
	}
	cv := st.cv
	for _, name := range names {
		f := cv.File(name)
		if f == nil || !r.writable(name, f.Text) {
			continue
		}
		out, err := r.opts.FixImports(name, f.Text)
		if err != nil || out == f.Text {
			continue
		}
		cv = cv.WithText(name, out)
	}
	if cv == st.cv {
		return nil, nil
	}
	rep, err := r.check(ctx, cv)
	if err != nil {
		return nil, err
	}
	holes := st.holes
	regs := st.regions
	for _, name := range names {
		if old, now := st.cv.File(name), cv.File(name); old != nil && now != nil && old.Hash != now.Hash {
			m := newRemap(old.Text, now.Text)
			holes = m.holes(name, holes)
			regs = regs.remap(name, m)
		}
	}
	cost := r.score(rep, len(holes))
	if !cost.less(st.cost) {
		return nil, nil
	}
	changes := st.changes
	for _, name := range names {
		if old, now := st.cv.File(name), cv.File(name); old != nil && now != nil && old.Hash != now.Hash {
			m := newRemap(old.Text, now.Text)
			lo, oldHi, hi := changedSpan(old.Text, now.Text)
			changes = addChange(remapChanges(changes, name, m), Change{File: name, Start: lo, End: hi,
				Old: old.Text[lo:oldHi], New: now.Text[lo:hi],
				Fixes: importFixes(st.rep, name, old.Text, now.Text), Source: "imports"})
		}
	}
	return &state{cv: cv, rep: rep, holes: holes, cost: cost, regions: regs, changes: changes}, nil
}

// wholeLines widens an edit that deletes everything on its lines to delete
// the lines themselves, so removing a statement leaves no blank line.
func wholeLines(src string, e ast.Edit) ast.Edit {
	if strings.TrimSpace(e.New) != "" || e.Start == e.End {
		return e
	}
	ls := strings.LastIndexByte(src[:e.Start], '\n') + 1
	le := strings.IndexByte(src[e.End:], '\n')
	if le < 0 {
		return e
	}
	le += e.End
	if strings.TrimSpace(src[ls:e.Start]) != "" || strings.TrimSpace(src[e.End:le]) != "" {
		return e
	}
	return ast.Edit{Start: ls, End: le + 1}
}

// settleFill decides what Fill returns. Fill answers for the holes it was
// given: findings elsewhere were there before and are not its to fix. A
// hole is filled only when the package builds and vets clean in its span
// and no test that executes its fill fails (a failing test counts against
// every hole whose fill it runs, and against all holes when coverage
// cannot tell). If any hole is not filled, Fill returns the input
// unchanged (a half-right fill is worth less than the user's hole) with
// the holes and why. Failing tests that run no fill are reported.
func (r *run) settleFill(ctx context.Context, res *Result, cur *state, userHoles []*ast.Hole) {
	res.FindingsAfter, res.Outside = nil, nil
	why := make([]string, len(cur.regions))
	var failing []constraints.Finding
	for _, f := range cur.rep.Findings {
		if f.Category == constraints.Tests {
			if f.Severity() > 0 { // a flake is no evidence
				failing = append(failing, f)
			}
			continue
		}
		in := -1
		for i, s := range cur.regions {
			// A finding at the end of a region (missing return at the
			// closing brace of a filled body) is the fill's.
			if f.File == s.file && f.Start <= s.end && s.start <= max(f.End, f.Start) {
				in = i
				break
			}
		}
		if in < 0 {
			res.Outside = append(res.Outside, f)
			if !slices.ContainsFunc(res.FindingsBefore, f.Same) {
				// New since the input, and in no fill's span: a fill broke
				// it, but which one coverage cannot tell.
				res.FindingsAfter = append(res.FindingsAfter, f)
				for i := range why {
					if why[i] == "" {
						why[i] = "the fills break " + f.String()
					}
				}
			}
			continue
		}
		res.FindingsAfter = append(res.FindingsAfter, f)
		if why[in] == "" {
			why[in] = f.Message
		}
	}
	if len(failing) > 0 {
		res.FindingsAfter = append(res.FindingsAfter, failing...)
		ran := r.executedRegions(ctx, cur)
		for i := range cur.regions {
			if why[i] != "" {
				continue
			}
			// A fill without statements (an empty body) shows in no
			// coverage: coverage cannot tell whether a failing test ran it.
			blind := ran == nil || noStatements(cur.cv, cur.regions[i])
			var tests []constraints.Finding // the failing tests that run region i
			for _, f := range failing {
				if blind || f.Test == "" || slices.Contains(ran[i], f.Test) {
					tests = append(tests, f)
				}
			}
			if len(tests) > 0 {
				why[i] = "the fill compiles but " + tests[0].Message
				if len(tests) > 1 {
					why[i] += fmt.Sprintf(" (and %d more failing tests)", len(tests)-1)
				}
			}
		}
	}
	for i, h := range userHoles {
		open := slices.ContainsFunc(cur.holes, func(o *ast.Hole) bool {
			return o.File == h.File && o.Original == h.Original && o.Instruction == h.Instruction
		})
		switch {
		case open:
			res.Unfilled = append(res.Unfilled, h)
			res.UnfilledWhy = append(res.UnfilledWhy, "no candidate fill made the package better")
		case i < len(why) && why[i] != "":
			res.Unfilled = append(res.Unfilled, h)
			res.UnfilledWhy = append(res.UnfilledWhy, why[i])
		}
	}
	if len(res.Unfilled) > 0 {
		res.Partial = partial(cur, userHoles, res.Unfilled)
		res.After = res.Before
		res.FindingsAfter = nil
		res.ReportAfter = res.ReportBefore
		res.Changes = nil
	}
}

// partial returns cur's canvas with the regions of the unfilled holes
// holding the holes' original text again, or nil when they cannot be
// put back (regions that overlap).
func partial(cur *state, userHoles, unfilled []*ast.Hole) *ast.Canvas {
	if len(cur.regions) != len(userHoles) {
		return nil
	}
	byFile := map[string][]ast.Edit{}
	for i, h := range userHoles {
		if !slices.Contains(unfilled, h) {
			continue
		}
		r := cur.regions[i]
		byFile[r.file] = append(byFile[r.file], ast.Edit{Start: r.start, End: r.end, New: h.Original})
	}
	cv := cur.cv
	for name, edits := range byFile {
		f := cv.File(name)
		if f == nil {
			return nil
		}
		src, err := ast.Apply(f.Text, edits)
		if err != nil {
			return nil
		}
		cv = cv.WithText(name, src)
	}
	return cv
}

// executedRegions returns, for each fill region of cur, the failing tests
// that execute it, by statement coverage; nil when coverage cannot tell.
func (r *run) executedRegions(ctx context.Context, cur *state) [][]string {
	sus, err := r.chk.Suspects(ctx, cur.cv)
	if err != nil || len(sus) == 0 {
		return nil
	}
	ran := make([][]string, len(cur.regions))
	for i, reg := range cur.regions {
		for _, s := range sus {
			if s.File == reg.file && s.Start < max(reg.end, reg.start+1) && reg.start < s.End {
				ran[i] = append(ran[i], s.FailedBy...)
			}
		}
	}
	return ran
}

// noStatements reports whether the text of region s of cv holds nothing
// but white space and comments.
func noStatements(cv *ast.Canvas, s span) bool {
	f := cv.File(s.file)
	if f == nil || s.start < 0 || s.end > len(f.Text) || s.start > s.end {
		return false
	}
	for _, t := range ast.Tokenize(f.Text[s.start:s.end]) {
		if t.Text != ";" {
			return false
		}
	}
	return true
}
