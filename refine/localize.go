package refine

import (
	"cmp"
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/diag"
)

// maxWiden bounds how often a finding's hole is widened before refine
// gives up on it.
const maxWiden = 5

// maxSuspects is how many suspicious statement blocks a test failure
// turns into holes per step.
const maxSuspects = 4

// parsed is a file parsed for localization (a partial tree when the file
// has syntax errors).
type parsed struct {
	fset *token.FileSet
	file *goast.File
	src  string
}

func parse(f *ast.File) *parsed {
	fset := token.NewFileSet()
	file, _ := parser.ParseFile(fset, f.Name, f.Text, parser.SkipObjectResolution|parser.ParseComments)
	if file == nil {
		return nil
	}
	return &parsed{fset: fset, file: file, src: f.Text}
}

func (r *run) writable(name string, text string) bool {
	if r.opts.Writable != nil {
		return r.opts.Writable(name)
	}
	return !ast.IsGenerated(text)
}

// stmtLevel reports whether the fix of a finding with code c is a
// statement, not an expression: an unused variable or label, := with no
// new variable, a count of values that does not match, an expression
// that is not used, an assignment to what cannot be assigned.
func stmtLevel(c diag.Code) bool {
	switch c {
	case diag.UnusedVar, diag.UnusedLabel, diag.NoNewVar, diag.WrongAssignCount, diag.WrongResultCount,
		diag.UnusedExpr, diag.UnassignableOperand, diag.UnaddressableFieldAssign, diag.BadDecl:
		return true
	}
	return false
}

// localize turns the findings and open user holes of st into holes to ask
// for, most severe first, non-overlapping, at most MaxHoles.
func (r *run) localize(st *state, suspects []constraints.Suspect) []target {
	files := map[string]*parsed{}
	get := func(name string) *parsed {
		if p, ok := files[name]; ok {
			return p
		}
		var p *parsed
		if f := st.cv.File(name); f != nil {
			p = parse(f)
		}
		files[name] = p
		return p
	}

	var ts []target
	for _, h := range st.holes {
		key := "hole|" + h.File + "|" + h.Original + "|" + h.Instruction
		if r.widen[key] >= 2 {
			continue // asked twice without a fill that helps
		}
		ts = append(ts, target{hole: h, key: key, user: true})
	}

	findings := slices.Clone(st.rep.Findings)
	slices.SortStableFunc(findings, func(a, b constraints.Finding) int {
		return int(b.Severity() - a.Severity())
	})
	// Soft errors (an unused variable or import) are often the shadow of a
	// hard one (a missing return leaves its results unused): deleting their
	// declaration first would destroy what the real fix needs. They wait
	// until no hard type error is left.
	hard := slices.ContainsFunc(findings, func(f constraints.Finding) bool {
		return f.Category <= constraints.Types && !f.Soft
	})
	// Likewise the errors of test files wait while the package's own
	// files have hard ones: tests depend on the package, never the other
	// way, and an external test package that imports a broken package
	// sees every name it uses undefined (x/exp's SortFunc change in
	// cosmos/gogoproto's proto: 1 error in merge.go, 253 in its tests).
	pkgHard := slices.ContainsFunc(findings, func(f constraints.Finding) bool {
		return f.Category <= constraints.Types && !f.Soft && f.File != "" && !strings.HasSuffix(f.File, "_test.go")
	})
	// A name undefined in several places is more likely a deleted
	// declaration than a typo: replacing each use would destroy it. Only its
	// first use becomes a hole, at statement level, where a declaration can
	// be inserted.
	undefined := map[string][]int{} // offsets of each undefined name's uses
	undefinedKey := func(f constraints.Finding) string {
		if f.Code != diag.UndeclaredName {
			return ""
		}
		cf := st.cv.File(f.File)
		if cf == nil {
			return ""
		}
		return f.File + "|" + f.Subject(cf.Text)
	}
	for _, f := range findings {
		if k := undefinedKey(f); k != "" {
			undefined[k] = append(undefined[k], f.Start)
		}
	}
	// Type errors in two or more arguments of one call (swapped
	// arguments) are one mistake: the call is the hole.
	calls := map[string]int{} // file|call start → findings in its arguments
	callOf := func(f constraints.Finding) (*goast.CallExpr, *parsed) {
		if f.Category != constraints.Types || f.Soft || f.File == "" {
			return nil, nil
		}
		p := get(f.File)
		if p == nil {
			return nil, nil
		}
		return argCall(p, f.Start), p
	}
	for _, f := range findings {
		if c, p := callOf(f); c != nil {
			calls[fmt.Sprintf("%s|%d", f.File, p.fset.File(p.file.Pos()).Offset(c.Pos()))]++
		}
	}
	// A package with an import that could not be loaded (one that
	// imports the broken package has no export data) sees the names of a
	// dot import undefined, in every file (go/types reports the import
	// once): declaring them would shadow what the import provides once it
	// loads. The key is the directory and whether the file is a test.
	brokenImport := map[string]bool{}
	importKey := func(file string) string {
		return fmt.Sprintf("%s|%v", filepath.Dir(file), strings.HasSuffix(file, "_test.go"))
	}
	for _, f := range findings {
		if f.Code == diag.BrokenImport {
			brokenImport[importKey(f.File)] = true
		}
	}
	// Only the first syntax error of a file is repaired in a step: the
	// parser's later errors are often the echo of the first.
	// Its hole reaches to the errors of the lines just after it: those
	// are repaired with it.
	firstSyntax := map[string]int{}
	syntaxAt := map[string][]int{}
	for _, f := range findings {
		if f.Category == constraints.Syntax {
			syntaxAt[f.File] = append(syntaxAt[f.File], f.Start)
			if at, ok := firstSyntax[f.File]; !ok || f.Start < at {
				firstSyntax[f.File] = f.Start
			}
		}
	}
	seenCall := map[string]bool{}
	firstUse := map[string]bool{}
	var failing []constraints.Finding
	for _, f := range findings {
		if hard && f.Soft || pkgHard && strings.HasSuffix(f.File, "_test.go") || f.Code == diag.UndeclaredName && brokenImport[importKey(f.File)] {
			continue
		}
		uk := undefinedKey(f)
		uses := undefined[uk]
		multi := uk != "" && len(uses) > 1
		if multi {
			if firstUse[uk] {
				continue
			}
			firstUse[uk] = true
		}
		if f.Category == constraints.Tests {
			if r.drives(f) {
				failing = append(failing, f)
			}
			continue
		}
		if f.File == "" || filepath.Ext(f.File) != ".go" {
			continue
		}
		cf := st.cv.File(f.File)
		if cf == nil || !r.writable(f.File, cf.Text) {
			continue
		}
		p := get(f.File)
		if p == nil {
			continue
		}
		key := f.Key()
		level := r.widen[key]
		if level > maxWiden {
			continue
		}
		var h *ast.Hole
		if f.Category == constraints.Syntax {
			if f.Start != firstSyntax[f.File] {
				continue
			}
			firstSyntax[f.File] = -1 // one hole per file
			h = syntaxHole(p.src, f.File, f.Start, syntaxAt[f.File], level)
		}
		if c, _ := callOf(f); c != nil { // never a syntax error's
			k := fmt.Sprintf("%s|%d", f.File, p.fset.File(p.file.Pos()).Offset(c.Pos()))
			if calls[k] > 1 {
				if seenCall[k] {
					continue
				}
				seenCall[k] = true
				key = "call|" + k
				level = r.widen[key]
				h = ast.MaskNode(p.file, p.fset, p.src, c)
			}
		}
		if h == nil && multi {
			h = declarationSite(p, uses)
		}
		if h == nil {
			h = r.holeFor(p, f)
		}
		for i := 0; h != nil && h.Kind != ast.Tokens && i < level; i++ {
			w, ok := ast.Widen(p.file, p.fset, p.src, h)
			if !ok {
				h = nil
				break
			}
			h = w
		}
		if h == nil || !st.regions.contains(h.File, h.Start, h.End) || r.inUserHole(st.cv, h) || inOpenHole(st.holes, h) {
			continue
		}
		h.Findings = []constraints.Finding{f}
		h.Tried = r.lastTry[key]
		ts = append(ts, target{hole: h, key: key, codes: []diag.Code{f.Code}, fixes: []string{f.Message}, free: undefinedNames(f, cf.Text)})
	}

	if len(failing) > 0 {
		ts = append(ts, r.suspects(st, get, suspects, failing)...)
	}

	// Keep the first of overlapping holes; merge diagnostics of equal ones.
	var out []target
	for _, t := range ts {
		dup := false
		for i := range out {
			o := &out[i]
			if o.hole.File != t.hole.File {
				continue
			}
			if o.hole.Start == t.hole.Start && o.hole.End == t.hole.End {
				o.hole.Findings = append(o.hole.Findings, t.hole.Findings...)
				o.codes = append(o.codes, t.codes...)
				o.fixes = append(o.fixes, t.fixes...)
				o.free = append(o.free, t.free...)
				dup = true
				break
			}
			if overlaps(o.hole, t.hole) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, t)
		}
		if len(out) == r.opts.MaxHoles {
			break
		}
	}
	return out
}

// inUserHole reports whether Fix would edit inside a hole the user wrote
// (__, __("…"), a panic("TODO") or panic("unimplemented") body): holes
// are Fill's to fill, never Fix's to repair.
func (r *run) inUserHole(cv *ast.Canvas, h *ast.Hole) bool {
	if r.fillMode {
		return false
	}
	f := cv.File(h.File)
	if f == nil {
		return false
	}
	hs, ok := r.userHoles[f.Hash]
	if !ok {
		hs, _ = ast.FindCanvasHoles(cv, f.Name)
		r.userHoles[f.Hash] = hs
	}
	return slices.ContainsFunc(hs, func(u *ast.Hole) bool { return overlaps(u, h) })
}

// inOpenHole reports whether h lies inside (or at the edge of) one of
// the open user holes: a finding there, such as the missing return of a
// body hole, is the hole's own doing and goes when it is filled.
func inOpenHole(open []*ast.Hole, h *ast.Hole) bool {
	return slices.ContainsFunc(open, func(u *ast.Hole) bool {
		return u.File == h.File && u.Start <= h.Start && h.End <= u.End
	})
}

func overlaps(a, b *ast.Hole) bool {
	if a.Start == a.End || b.Start == b.End { // insertion points
		return a.Start < b.End && b.Start < a.End || a.Start == b.Start
	}
	return a.Start < b.End && b.Start < a.End
}

// holeFor returns the smallest hole that can fix f.
func (r *run) holeFor(p *parsed, f constraints.Finding) *ast.Hole {
	start, end := f.Start, max(f.End, f.Start)
	if start > len(p.src) {
		return nil
	}
	end = min(end, len(p.src))
	if f.Code == diag.MissingReturn {
		return ast.StmtInsertion(p.file, p.fset, p.src, start)
	}
	h := ast.Smallest(p.file, p.fset, p.src, start, end)
	if h == nil {
		return nil
	}
	if f.Category == constraints.Syntax || stmtLevel(f.Code) {
		h = widenTo(p, h, ast.Stmts)
	}
	return h
}

// undefinedNames returns the name f finds undefined (an identifier, a
// field or method, a literal's field), which a repair may replace, or
// nil: the other names of a finding's span (a mismatched call's) are
// values the repair must keep.
func undefinedNames(f constraints.Finding, text string) []string {
	switch f.Code {
	case diag.UndeclaredName, diag.UndeclaredImportedName, diag.MissingFieldOrMethod, diag.MissingLitField:
		var out []string
		for _, l := range ast.Lex(f.Subject(text)) {
			if l.Tok == token.IDENT {
				out = append(out, l.Text)
			}
		}
		return out
	}
	return nil
}

// syntaxNear is how many lines after a syntax error the errors are that
// its hole also covers.
const syntaxNear = 4

// syntaxHole returns the tokens hole of the first syntax error of a file,
// at offset off of src (others are the offsets of all its syntax
// errors): whole lines, from two lines before the error's line to the
// line of the last error at most syntaxNear lines after it, two lines
// more before and one more after for each level of widening. A broken
// file has no node to mask; the repair is a few tokens inserted, deleted
// or replaced near where the parser stopped, or just before it (a
// missing closing brace shows only at the next function).
func syntaxHole(src, file string, off int, others []int, level int) *ast.Hole {
	off = min(max(off, 0), len(src))
	near := off
	for _, o := range others {
		if o > near && o <= len(src) && strings.Count(src[off:o], "\n") <= syntaxNear {
			near = o
		}
	}
	start := strings.LastIndexByte(src[:off], '\n') + 1
	for range 2 + 2*level {
		if start == 0 {
			break
		}
		start = strings.LastIndexByte(src[:start-1], '\n') + 1
	}
	end := near
	for i := 0; ; i++ {
		n := strings.IndexByte(src[end:], '\n')
		if n < 0 {
			end = len(src)
			break
		}
		if i == level {
			end += n
			break
		}
		end += n + 1
	}
	return &ast.Hole{File: file, Start: start, End: end, Kind: ast.Tokens, Original: src[start:end]}
}

// widenTo widens h until it is a statement or body hole.
func widenTo(p *parsed, h *ast.Hole, kind ast.HoleKind) *ast.Hole {
	for h != nil && h.Kind != kind && h.Kind != ast.Body {
		w, ok := ast.Widen(p.file, p.fset, p.src, h)
		if !ok {
			break
		}
		h = w
	}
	return h
}

// suspects turns the most suspicious statement blocks of failing tests
// into holes: each simple statement in a block, and each condition.
func (r *run) suspects(st *state, get func(string) *parsed, suspects []constraints.Suspect, failing []constraints.Finding) []target {
	var fixes []string
	for _, f := range failing {
		fixes = append(fixes, f.Message)
	}
	suspects = calledFirst(st, get, suspects, failing)
	var ts []target
	n := 0
	for _, s := range suspects {
		if n == maxSuspects || s.Score <= 0 {
			break
		}
		cf := st.cv.File(s.File)
		if cf == nil || strings.HasSuffix(s.File, "_test.go") || !r.writable(s.File, cf.Text) {
			continue
		}
		p := get(s.File)
		if p == nil {
			continue
		}
		before := len(ts)
		tf := p.fset.File(p.file.Pos())
		header := map[goast.Node]bool{} // init and post statements of if/for/switch
		add := func(n goast.Node) {
			if n == nil {
				return
			}
			ms, me := tf.Offset(n.Pos()), tf.Offset(n.End())
			if me <= s.Start || ms >= s.End {
				return
			}
			h := ast.MaskNode(p.file, p.fset, p.src, n)
			if h == nil || !st.regions.contains(h.File, h.Start, h.End) || r.inUserHole(st.cv, h) || inOpenHole(st.holes, h) {
				return
			}
			key := "suspect|" + h.File + "|" + h.Original
			if r.widen[key] == 0 {
				h.Findings = failing
				ts = append(ts, target{hole: h, key: key, proven: true, fixes: fixes})
			}
		}
		// The right-hand sides of a header statement (for i := 1; …) are
		// holes of their own: the header statement itself cannot be one.
		addHeader := func(n goast.Stmt) {
			if n == nil {
				return
			}
			header[n] = true
			if as, ok := n.(*goast.AssignStmt); ok {
				for _, e := range as.Rhs {
					add(e)
				}
			}
		}
		goast.Inspect(p.file, func(node goast.Node) bool {
			if node == nil {
				return false
			}
			start, end := tf.Offset(node.Pos()), tf.Offset(node.End())
			if end <= s.Start || start >= s.End {
				return start < s.End // descend only where the block may be
			}
			switch node := node.(type) {
			case *goast.IfStmt:
				addHeader(node.Init)
				add(node.Cond)
			case *goast.ForStmt:
				addHeader(node.Init)
				add(node.Cond)
				addHeader(node.Post)
			case *goast.SwitchStmt:
				addHeader(node.Init)
				add(node.Tag)
			case *goast.RangeStmt:
				add(node.X)
			case *goast.AssignStmt, *goast.ReturnStmt, *goast.IncDecStmt, *goast.ExprStmt:
				if !header[node] {
					add(node)
				}
			}
			return true
		})
		if len(ts) > before {
			n++ // a block counts once it yields holes not tried before
		}
	}
	return ts
}

// calledFirst breaks Ochiai's ties: among blocks of equal score, those
// in a function that a failing test calls by name come first. Every
// block a failing test runs and no passing test runs scores the same,
// however far it is from what the test checks.
func calledFirst(st *state, get func(string) *parsed, suspects []constraints.Suspect, failing []constraints.Finding) []constraints.Suspect {
	tests := map[string]bool{}
	for _, f := range failing {
		if f.Test != "" {
			tests[f.Test] = true // the top-level test
		}
	}
	called := map[string]bool{}
	for _, f := range st.cv.Files() {
		if !strings.HasSuffix(f.Name, "_test.go") {
			continue
		}
		p := get(f.Name)
		if p == nil {
			continue
		}
		for _, d := range p.file.Decls {
			fd, ok := d.(*goast.FuncDecl)
			if !ok || fd.Body == nil || !tests[fd.Name.Name] {
				continue
			}
			goast.Inspect(fd.Body, func(n goast.Node) bool {
				if c, ok := n.(*goast.CallExpr); ok {
					switch fun := goast.Unparen(c.Fun).(type) {
					case *goast.Ident:
						called[fun.Name] = true
					case *goast.SelectorExpr:
						called[fun.Sel.Name] = true
					}
				}
				return true
			})
		}
	}
	if len(called) == 0 {
		return suspects
	}
	inCalled := func(s constraints.Suspect) bool {
		p := get(s.File)
		if p == nil {
			return false
		}
		tf := p.fset.File(p.file.Pos())
		for _, d := range p.file.Decls {
			if fd, ok := d.(*goast.FuncDecl); ok && tf.Offset(fd.Pos()) <= s.Start && s.End <= tf.Offset(fd.End()) {
				return called[fd.Name.Name]
			}
		}
		return false
	}
	type ranked struct {
		constraints.Suspect
		called bool
	}
	rs := make([]ranked, len(suspects))
	for i, s := range suspects {
		rs[i] = ranked{s, inCalled(s)}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		if d := a.Score - b.Score; d > 1e-9 || d < -1e-9 {
			return cmp.Compare(b.Score, a.Score)
		}
		switch {
		case a.called && !b.called:
			return -1
		case b.called && !a.called:
			return 1
		}
		return 0
	})
	out := make([]constraints.Suspect, len(rs))
	for i, r := range rs {
		out[i] = r.Suspect
	}
	return out
}

// describe computes the slot of each hole (see ast.Describe).
func (r *run) describe(st *state, holes []*ast.Hole) {
	rep := st.rep
	if rep == nil || rep.Pkg == nil || rep.Info == nil {
		return
	}
	for _, h := range holes {
		for i, name := range rep.Names {
			if name == h.File && i < len(rep.Files) {
				h.Slot = ast.Describe(h, rep.Fset, rep.Files[i], rep.PkgOf(rep.Files[i]), rep.Info)
				break
			}
		}
	}
}

// declarationSite returns the hole where a declaration of a name used at
// the offsets uses would be in scope of every use: the statement, in the
// innermost block holding all uses, that contains the first one.
func declarationSite(p *parsed, uses []int) *ast.Hole {
	tf := p.fset.File(p.file.Pos())
	first, last := slices.Min(uses), slices.Max(uses)
	path, _ := astutil.PathEnclosingInterval(p.file, tf.Pos(first), tf.Pos(first))
	for _, n := range path {
		b, ok := n.(*goast.BlockStmt)
		if !ok || tf.Offset(b.End()) <= last {
			continue
		}
		for _, st := range b.List {
			if tf.Offset(st.Pos()) <= first && first < tf.Offset(st.End()) {
				return ast.MaskNode(p.file, p.fset, p.src, st)
			}
		}
	}
	return nil
}

// argCall returns the innermost call with an argument that starts at
// off, or nil. The argument may itself be a call (f(g(x), y) with the
// error at g): a call whose function holds off is passed over.
func argCall(p *parsed, off int) *goast.CallExpr {
	tf := p.fset.File(p.file.Pos())
	if off < 0 || off > tf.Size() {
		return nil
	}
	pos := tf.Pos(off)
	path, _ := astutil.PathEnclosingInterval(p.file, pos, pos)
	for i, n := range path {
		c, ok := n.(*goast.CallExpr)
		if !ok || i == 0 {
			continue
		}
		if slices.ContainsFunc(c.Args, func(a goast.Expr) bool { return goast.Node(a) == path[i-1] }) {
			if path[i-1].Pos() == pos {
				return c
			}
			return nil // off is inside an argument, not at its start
		}
		if path[i-1] != goast.Node(c.Fun) || c.Pos() != pos {
			return nil
		}
	}
	return nil
}
