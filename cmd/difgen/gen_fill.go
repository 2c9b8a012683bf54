package main

import (
	"context"
	"errors"
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/internal/spec"
	"github.com/difgen/difgen/model/remote"
	"github.com/difgen/difgen/refine"
)

// A genPkg is what gen did with one package.
type genPkg struct {
	pkg           *constraints.Package
	before, after *ast.Canvas
	funcs         []*genFunc
	others        int                 // holes of the spec's files that are no function body
	final         *constraints.Report // the check of after, or of after with its open functions stubbed
	stubbed       bool                // final checked stubs
	disk          map[string]ast.Hash
	err           error
}

// A genFunc is a function of the spec whose body is a hole.
type genFunc struct {
	fn   *spec.Func
	file string // absolute
	// open: its body is a hole now; kept: it was filled by an earlier
	// run and its tests pass; filled: this run filled it.
	open, kept, filled bool
	why                string // why it is not filled
	again              string // why an earlier fill was masked again
}

// Status returns "filled", "kept" or "not filled".
func (f *genFunc) status() string {
	switch {
	case f.filled:
		return "filled"
	case f.kept:
		return "kept"
	}
	return "not filled"
}

// genPackage fills the spec's holes of pkg:
//
//  1. On a resumed run, the functions filled earlier whose tests fail
//     (with the open functions stubbed) are masked again.
//  2. All holes are filled together (one request for a remote model),
//     unless the local model comes first (local, local,REMOTE) and there
//     are several: its candidates are judged by the tests, which cannot
//     run while other holes are open.
//  3. Holes still open are filled one function at a time, with the
//     other open functions stubbed (a body that returns zero values), so
//     that the package builds and each function's own tests decide.
func (g *genRun) genPackage(ctx context.Context, pkg *constraints.Package, fns []*spec.Func, copts *constraints.Options) *genPkg {
	out := &genPkg{pkg: pkg}
	cv, err := ast.LoadDir(pkg.Dir)
	if err != nil {
		out.err = err
		return out
	}
	out.before, out.after = cv, cv
	out.disk = map[string]ast.Hash{}
	for _, f := range cv.Files() {
		out.disk[f.Name] = f.Hash
	}
	chk, err := constraints.NewChecker(ctx, pkg, copts)
	if err != nil {
		out.err = err
		return out
	}
	defer chk.Close()
	den := g.newDen(cv)

	// The state of each function, and the other holes.
	specFiles := map[string]bool{}
	for _, fn := range fns {
		gf := &genFunc{fn: fn, file: filepath.Join(g.dir, filepath.FromSlash(fn.File))}
		specFiles[gf.file] = true
		out.funcs = append(out.funcs, gf)
	}
	holesOf := func(cv *ast.Canvas) (map[*genFunc]*ast.Hole, []*ast.Hole, error) {
		byFunc := map[*genFunc]*ast.Hole{}
		var others []*ast.Hole
		for _, f := range cv.Files() {
			if !specFiles[f.Name] {
				continue
			}
			hs, err := ast.FindCanvasHoles(cv, f.Name)
			if err != nil {
				return nil, nil, err
			}
			bodies, err := spec.Bodies(f.Text)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %v", g.rel(f.Name), err)
			}
			for _, h := range hs {
				var owner *genFunc
				for _, gf := range out.funcs {
					if b, ok := bodies[gf.fn.Key]; ok && gf.file == f.Name && h.Kind == ast.Body && h.Start == b.Start && h.End == b.End {
						owner = gf
					}
				}
				if owner != nil {
					byFunc[owner] = h
				} else {
					others = append(others, h)
				}
			}
		}
		return byFunc, others, nil
	}
	byFunc, others, err := holesOf(cv)
	if err != nil {
		out.err = err
		return out
	}
	for _, gf := range out.funcs {
		f := cv.File(gf.file)
		if f == nil {
			out.err = fmt.Errorf("%s: not in package %s", g.rel(gf.file), pkg.ImportPath)
			return out
		}
		bodies, err := spec.Bodies(f.Text)
		if err != nil {
			out.err = fmt.Errorf("%s: %v", g.rel(gf.file), err)
			return out
		}
		if _, ok := bodies[gf.fn.Key]; !ok {
			out.err = fmt.Errorf("%s: %s is not there (or has no body) any more: the file was edited; -force writes the spec's skeleton again", g.rel(gf.file), gf.fn.Key)
			return out
		}
		gf.open = byFunc[gf] != nil
		gf.kept = !gf.open
	}
	out.others = len(others)

	budgetLeft := func() bool {
		return ctx.Err() == nil && g.usage.Calls < g.b.calls
	}
	fillOpts := func() *refine.Options {
		opts, _ := refineOptions(pkg, cv, den, &g.fl.repairFlags, g.b, nil, g.prog.update, g.logf)
		opts.MaxCalls = max(g.b.calls-g.usage.Calls, 1)
		opts.MaxTime = 0 // ctx holds the run's deadline
		return opts
	}
	account := func(res *refine.Result) {
		g.usage.Add(res.Usage)
		g.steps += res.Steps
	}

	// 1. Mask again what the tests now blame.
	if slices.ContainsFunc(out.funcs, func(f *genFunc) bool { return f.kept }) && len(others) == 0 {
		if cv, err = g.maskFailing(ctx, chk, cv, out.funcs); err != nil {
			out.err = err
			return out
		}
		if byFunc, others, err = holesOf(cv); err != nil {
			out.err = err
			return out
		}
	}
	open := func() []*genFunc {
		var fs []*genFunc
		for _, f := range out.funcs {
			if f.open {
				fs = append(fs, f)
			}
		}
		return fs
	}

	// The skeleton must build outside its holes (a type the signatures
	// use and the spec does not declare, a test that does not compile):
	// else no fill could be proven.
	if len(others) == 0 {
		stubbed, err := stub(cv, open(), "")
		if err != nil {
			out.err = err
			return g.settle(ctx, out, chk, cv)
		}
		{
			rep, err := chk.Check(ctx, stubbed, constraints.Types)
			if err != nil {
				out.err = err
				return g.settle(ctx, out, chk, cv)
			}
			if rep.Blocked() {
				var msgs []string
				for _, f := range rep.Findings {
					if f.Category == constraints.Syntax || f.Category == constraints.Types || f.Category == constraints.Build {
						f.File = g.rel(f.File)
						msgs = append(msgs, f.String())
					}
				}
				if len(msgs) > 3 {
					msgs = append(msgs[:3], fmt.Sprintf("and %d more", len(msgs)-3))
				}
				for _, gf := range open() {
					gf.why = "the skeleton does not build outside the holes"
				}
				out.err = fmt.Errorf("the skeleton does not build outside its holes, so no fill can be proven: %s", strings.Join(msgs, "; "))
				return g.settle(ctx, out, chk, cv)
			}
		}
	}

	// 2. All holes together.
	all := slices.Clone(others)
	for _, gf := range open() {
		all = append(all, byFunc[gf])
	}
	// With the local model first (local, or local,REMOTE), one function
	// at a time: its candidates are judged by their tests at once.
	localFirst := isLocal(strings.Split(g.fl.model, ",")[0])
	together := len(all) == 1 || len(others) > 0 || !localFirst && len(all) > 0
	if together && budgetLeft() {
		res, err := refine.Fill(ctx, cv, all, chk, fillOpts())
		switch {
		case errors.Is(err, remote.ErrContextExceeded):
			// Split: one function at a time below.
			g.logf("%s: the holes together do not fit the model's context; one function at a time", pkg.ImportPath)
		case err != nil && ctx.Err() == nil:
			out.err = err
			return g.settle(ctx, out, chk, cv)
		}
		if res != nil {
			account(res)
			if len(res.Unfilled) == 0 && res.StopReason != "cancelled" {
				cv = res.After
				for _, gf := range open() {
					gf.open, gf.filled = false, true
				}
				others = nil
			} else {
				unfilled := map[*genFunc]bool{}
				for i, h := range res.Unfilled {
					for _, gf := range open() {
						if byFunc[gf] != nil && byFunc[gf].Start == h.Start && byFunc[gf].File == h.File {
							unfilled[gf] = true
							if i < len(res.UnfilledWhy) {
								gf.why = res.UnfilledWhy[i]
							}
						}
					}
				}
				// Keep the joint fill's other functions when their tests
				// pass with the unfilled ones stubbed: no model call.
				if res.Partial != nil && res.StopReason != "cancelled" && len(others) == 0 {
					var tentative []*genFunc
					for _, gf := range open() {
						if !unfilled[gf] {
							gf.open, gf.filled = false, true
							tentative = append(tentative, gf)
						}
					}
					if len(tentative) > 0 {
						next, err := g.maskFailing(ctx, chk, res.Partial, out.funcs)
						if err == nil {
							cv = next
						} else {
							for _, gf := range tentative {
								gf.open, gf.filled = true, false
							}
						}
						if _, others, err = holesOf(cv); err != nil {
							out.err = err
							return g.settle(ctx, out, chk, cv)
						}
					}
				}
			}
		}
	}

	// 3. One function at a time, the others stubbed.
	for sweep := 0; sweep < 2 && len(others) == 0 && len(open()) > 0 && budgetLeft(); sweep++ {
		progress := false
		for _, gf := range open() {
			if !budgetLeft() {
				break
			}
			var rest []*genFunc
			for _, o := range open() {
				if o != gf {
					rest = append(rest, o)
				}
			}
			stubbed, err := stub(cv, rest, gf.file)
			if err != nil {
				out.err = err
				return g.settle(ctx, out, chk, cv)
			}
			stubbed = focusTests(stubbed, gf, rest)
			hs, _, err := holesOf(stubbed)
			if err != nil || hs[gf] == nil {
				gf.why = "its hole is gone"
				continue
			}
			res, err := refine.Fill(ctx, stubbed, []*ast.Hole{hs[gf]}, chk, fillOpts())
			if errors.Is(err, remote.ErrContextExceeded) {
				gf.why = "its prompt does not fit the model's context, even alone (cut down to the function): " + err.Error()
				continue
			}
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				out.err = err
				return g.settle(ctx, out, chk, cv)
			}
			account(res)
			if len(res.Unfilled) > 0 {
				if len(res.UnfilledWhy) > 0 {
					gf.why = res.UnfilledWhy[0]
				}
				continue
			}
			if res.StopReason == "cancelled" {
				break
			}
			if ok, named := proven(res.ReportAfter, testMentions(res.After), gf); !ok {
				gf.why = fmt.Sprintf("its fill is unproven: %s, which names it, does not pass with the open functions stubbed", strings.Join(named, ", "))
				continue
			}
			filled := res.After.File(gf.file)
			bs, err := spec.Bodies(filled.Text)
			if err != nil {
				continue
			}
			b := bs[gf.fn.Key]
			text, err := spec.SetBody(cv.File(gf.file).Text, gf.fn.Key, filled.Text[b.Start:b.End])
			if err != nil {
				continue
			}
			stillOpen := slices.ContainsFunc(rest, func(o *genFunc) bool { return o.file == gf.file })
			if fixed, err := ast.FixImports(gf.file, text, &ast.ImportOptions{KeepUnused: stillOpen}); err == nil {
				text = fixed
			}
			cv = cv.WithText(gf.file, text)
			gf.open, gf.filled, gf.why = false, true, ""
			progress = true
		}
		if !progress {
			break
		}
	}
	return g.settle(ctx, out, chk, cv)
}

// settle records cv as the package's result and checks it: whole when
// nothing is open, else with the open functions stubbed so that the
// tests of the others run.
func (g *genRun) settle(ctx context.Context, out *genPkg, chk *constraints.Checker, cv *ast.Canvas) *genPkg {
	out.after = cv
	var open []*genFunc
	for _, f := range out.funcs {
		if f.open {
			open = append(open, f)
		}
	}
	check := cv
	if len(open) > 0 && out.others == 0 {
		if s, err := stub(cv, open, ""); err == nil {
			check, out.stubbed = s, true
		}
	}
	if ctx.Err() != nil {
		return out
	}
	rep, err := chk.Check(ctx, check, constraints.Tests)
	if err == nil {
		out.final = rep
	} else if out.err == nil {
		out.err = err
	}
	return out
}

// stub returns cv with the bodies of fs replaced by stubs that return
// zero values. The files holding stubs lose the imports no code uses
// (a stub uses none), except keep, whose imports a fill may yet need.
func stub(cv *ast.Canvas, fs []*genFunc, keep string) (*ast.Canvas, error) {
	files := map[string]bool{}
	for _, gf := range fs {
		f := cv.File(gf.file)
		if f == nil {
			return nil, fmt.Errorf("%s: not on the canvas", gf.file)
		}
		bodies, err := spec.Bodies(f.Text)
		if err != nil {
			return nil, err
		}
		b, ok := bodies[gf.fn.Key]
		if !ok {
			return nil, fmt.Errorf("%s: no body of %s", gf.file, gf.fn.Key)
		}
		text, err := spec.SetBody(f.Text, gf.fn.Key, b.Stub)
		if err != nil {
			return nil, err
		}
		cv = cv.WithText(gf.file, text)
		files[gf.file] = true
	}
	for name := range files {
		if name == keep {
			continue
		}
		if fixed, err := ast.FixImports(name, cv.File(name).Text, nil); err == nil {
			cv = cv.WithText(name, fixed)
		}
	}
	return cv, nil
}

// focusTests returns cv without the test functions that name one of
// the stubbed functions rest and not gf: they fail whatever gf's fill,
// and would keep every candidate from making the package clean (so each
// would be tried, a test run each). Tests that name gf stay, and so do
// those that name none of them (they guard the functions filled before).
// When no test names gf, cv is returned unchanged.
func focusTests(cv *ast.Canvas, gf *genFunc, rest []*genFunc) *ast.Canvas {
	short := func(f *genFunc) string { return f.fn.Key[strings.LastIndexByte(f.fn.Key, '.')+1:] }
	mentions := testMentions(cv)
	named := false
	for _, m := range mentions {
		named = named || m[short(gf)]
	}
	if !named {
		return cv
	}
	drop := map[string]bool{}
	for test, m := range mentions {
		if m[short(gf)] {
			continue
		}
		for _, o := range rest {
			if m[short(o)] {
				drop[test] = true
			}
		}
	}
	if len(drop) == 0 {
		return cv
	}
	for _, f := range cv.Files() {
		if !strings.HasSuffix(f.Name, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, f.Name, f.Text, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			continue
		}
		tf := fset.File(af.Pos())
		text := f.Text
		for i := len(af.Decls) - 1; i >= 0; i-- {
			fd, ok := af.Decls[i].(*goast.FuncDecl)
			if !ok || fd.Recv != nil || !drop[fd.Name.Name] {
				continue
			}
			start := fd.Pos()
			if fd.Doc != nil {
				start = fd.Doc.Pos()
			}
			text = text[:tf.Offset(start)] + text[tf.Offset(fd.End()):]
		}
		if text == f.Text {
			continue
		}
		if fixed, err := ast.FixImports(f.Name, text, nil); err == nil {
			text = fixed
		}
		cv = cv.WithText(f.Name, text)
	}
	return cv
}

// maskFailing checks cv with its open functions stubbed and masks again
// (a hole with the spec's instruction) each function filled (earlier, or
// by the joint fill) that
// a failing test runs (by statement coverage) or, when its body has no
// statement for coverage to see, names. A test that also runs a stub
// proves nothing either way.
func (g *genRun) maskFailing(ctx context.Context, chk *constraints.Checker, cv *ast.Canvas, fs []*genFunc) (*ast.Canvas, error) {
	var open []*genFunc
	for _, f := range fs {
		if f.open {
			open = append(open, f)
		}
	}
	check, err := stub(cv, open, "")
	if err != nil {
		return nil, err
	}
	rep, err := chk.Check(ctx, check, constraints.Tests)
	if err != nil {
		return nil, err
	}
	if rep.Blocked() {
		// An edit since the last run may have left an import unused or
		// missing, or broken a function: fix the imports, then mask the
		// functions that hold compile errors.
		files := map[string]bool{}
		for _, f := range fs {
			files[f.file] = files[f.file] || f.open
		}
		for name, hasOpen := range files {
			if fixed, err := ast.FixImports(name, cv.File(name).Text, &ast.ImportOptions{KeepUnused: hasOpen}); err == nil {
				cv = cv.WithText(name, fixed)
			}
		}
		if check, err = stub(cv, open, ""); err != nil {
			return nil, err
		}
		if rep, err = chk.Check(ctx, check, constraints.Tests); err != nil {
			return nil, err
		}
		masked := false
		for _, gf := range fs {
			if !gf.kept && !gf.filled {
				continue
			}
			bodies, err := spec.Bodies(check.File(gf.file).Text)
			if err != nil {
				continue // a syntax error: nothing to mask by function
			}
			b := bodies[gf.fn.Key]
			for _, f := range rep.Findings {
				if (f.Category == constraints.Syntax || f.Category == constraints.Types || f.Category == constraints.Build) && f.File == gf.file && b.Start <= f.Start && f.Start <= b.End {
					text, err := spec.SetBody(cv.File(gf.file).Text, gf.fn.Key, spec.HoleBody(gf.fn.Instruction))
					if err != nil {
						return nil, err
					}
					cv = cv.WithText(gf.file, text)
					reopen(gf, f.Message)
					open = append(open, gf)
					masked = true
					break
				}
			}
		}
		if masked {
			if check, err = stub(cv, open, ""); err != nil {
				return nil, err
			}
			if rep, err = chk.Check(ctx, check, constraints.Tests); err != nil {
				return nil, err
			}
		}
	}
	failing := map[string]string{} // test → message
	for _, f := range rep.Findings {
		if f.Category == constraints.Tests && f.Test != "" && f.Severity() > 0 {
			failing[f.Test] = f.Message
		}
	}
	if rep.Blocked() || len(failing) == 0 {
		return cv, nil
	}
	sus, err := chk.Suspects(ctx, check)
	if err != nil {
		return nil, err
	}
	type span struct {
		file       string
		start, end int
		stmts      bool
	}
	spans := map[*genFunc]span{}
	for _, gf := range fs {
		bodies, err := spec.Bodies(check.File(gf.file).Text)
		if err != nil {
			return nil, err
		}
		b := bodies[gf.fn.Key]
		spans[gf] = span{gf.file, b.Start, b.End, b.Statements}
	}
	runs := func(gf *genFunc) []string {
		var tests []string
		sp := spans[gf]
		for _, s := range sus {
			if s.File == sp.file && sp.start <= s.Start && s.End <= sp.end {
				tests = append(tests, s.FailedBy...)
			}
		}
		return tests
	}
	inconclusive := map[string]bool{}
	for _, gf := range open {
		for _, t := range runs(gf) {
			inconclusive[t] = true
		}
	}
	mentions := testMentions(check)
	for _, gf := range fs {
		if !gf.kept && !gf.filled {
			continue
		}
		blame := runs(gf)
		if !spans[gf].stmts {
			name := gf.fn.Key[strings.LastIndexByte(gf.fn.Key, '.')+1:]
			for t := range failing {
				if mentions[t][name] {
					blame = append(blame, t)
				}
			}
		}
		slices.Sort(blame)
		blame = slices.Compact(blame)
		blame = slices.DeleteFunc(blame, func(t string) bool { return inconclusive[t] || failing[t] == "" })
		if len(blame) == 0 {
			continue
		}
		// Name the test of this function first, when there is one.
		name := gf.fn.Key[strings.LastIndexByte(gf.fn.Key, '.')+1:]
		slices.SortStableFunc(blame, func(a, b string) int {
			return boolCmp(strings.Contains(b, name), strings.Contains(a, name))
		})
		text, err := spec.SetBody(cv.File(gf.file).Text, gf.fn.Key, spec.HoleBody(gf.fn.Instruction))
		if err != nil {
			return nil, err
		}
		cv = cv.WithText(gf.file, text)
		reopen(gf, failing[blame[0]])
		g.logf("%s: masked again: %s", gf.fn.Key, failing[blame[0]])
	}
	// A fill of this run must also be proven by a passing test.
	for _, gf := range fs {
		if !gf.filled {
			continue
		}
		if ok, named := proven(rep, mentions, gf); !ok {
			text, err := spec.SetBody(cv.File(gf.file).Text, gf.fn.Key, spec.HoleBody(gf.fn.Instruction))
			if err != nil {
				return nil, err
			}
			cv = cv.WithText(gf.file, text)
			reopen(gf, "unproven: "+strings.Join(named, ", ")+", which names it, does not pass")
		}
	}
	return cv, nil
}

// proven reports whether rep shows gf's fill tested: a test that names
// gf passes, or no test names it (then nothing can prove it). It
// returns the tests that name gf. A fill no failing test runs is not
// proven by that alone: a crash or a stub may keep every test from
// reaching it.
func proven(rep *constraints.Report, mentions map[string]map[string]bool, gf *genFunc) (bool, []string) {
	short := gf.fn.Key[strings.LastIndexByte(gf.fn.Key, '.')+1:]
	var named []string
	for test, m := range mentions {
		if m[short] && isTestName(test) {
			named = append(named, test)
		}
	}
	slices.Sort(named)
	if len(named) == 0 {
		return true, nil
	}
	if rep == nil {
		return false, named
	}
	for _, t := range named {
		if st, ok := rep.Tests[t]; ok && st.Passed() {
			return true, named
		}
	}
	return false, named
}

func isTestName(name string) bool {
	return strings.HasPrefix(name, "Test") || strings.HasPrefix(name, "Example") || strings.HasPrefix(name, "Fuzz")
}

// reopen marks gf, filled by an earlier run or by the joint fill of
// this one, as open again because of msg.
func reopen(gf *genFunc, msg string) {
	if gf.kept {
		gf.again = msg
	} else {
		gf.why = "the joint fill's body fails: " + msg
	}
	gf.kept, gf.filled, gf.open = false, false, true
}

// testMentions returns, for each top-level function of cv's test
// files, the identifiers its body names, and those the helpers of the
// test files that it names name in turn (getApi calling NewApi).
func testMentions(cv *ast.Canvas) map[string]map[string]bool {
	direct := directMentions(cv)
	out := map[string]map[string]bool{}
	for fn := range direct {
		names := map[string]bool{}
		queue := []string{fn}
		seen := map[string]bool{fn: true}
		for len(queue) > 0 {
			h := queue[0]
			queue = queue[1:]
			for n := range direct[h] {
				names[n] = true
				if _, helper := direct[n]; helper && !seen[n] {
					seen[n] = true
					queue = append(queue, n)
				}
			}
		}
		out[fn] = names
	}
	return out
}

// directMentions returns, for each top-level function of cv's test
// files, the identifiers its body names.
func directMentions(cv *ast.Canvas) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, f := range cv.Files() {
		if !strings.HasSuffix(f.Name, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Text, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range af.Decls {
			fd, ok := d.(*goast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Body == nil {
				continue
			}
			names := map[string]bool{}
			goast.Inspect(fd.Body, func(n goast.Node) bool {
				if id, ok := n.(*goast.Ident); ok {
					names[id.Name] = true
				}
				return true
			})
			out[fd.Name.Name] = names
		}
	}
	return out
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// elapsed returns the run's wall time so far.
func (g *genRun) elapsed() time.Duration { return time.Since(g.start) }
