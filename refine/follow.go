package refine

import (
	"cmp"
	"context"
	"fmt"
	goast "go/ast"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/diag"
)

// followPass carries a rename that was left half done through the
// package (refactor follow-through). Where a name is undefined — a
// package-level name, or a field or method of a type the package
// declares — and the package declares a similar one (see similarNames)
// that nothing
// uses, the declaration was renamed and its uses were not, or the other
// way round. Both repairs are checked: every use renamed to the
// declaration's name, and the one declaration renamed to the uses'. The
// better wins; of two equally good, the uses win when they agree (two or
// more) and the names differ by a typo, since then the declaration is the
// outlier, and the declaration's new name wins otherwise. An exported
// declaration, the package's API, is never renamed: its users outside
// call it by its name. It returns nil when neither makes the package
// better.
func (r *run) followPass(ctx context.Context, st *state) (*state, error) {
	if r.fillMode || st.rep.Pkg == nil || st.rep.Info == nil {
		return nil, nil
	}
	var best *state
	for _, g := range r.renameGroups(st) {
		for _, target := range g.targets {
			typo := len(g.uses) >= 2 && editDistance(strings.ToLower(g.name), strings.ToLower(target.Name())) <= 2
			for _, declFollows := range []bool{false, true} {
				if declFollows && target.Pkg() != st.rep.Pkg {
					continue // another package's API
				}
				if declFollows && target.Exported() && !(typo && r.docSays(st, target, g.name)) {
					continue // an exported name is the package's API, which its users call by that name
				}
				next, err := r.tryRename(ctx, st, g, target, declFollows)
				if err != nil {
					return nil, err
				}
				if next == nil {
					continue
				}
				if best == nil || next.cost.less(best.cost) || !best.cost.less(next.cost) && declFollows == typo {
					best = next
				}
			}
		}
		if best != nil {
			return best, nil
		}
	}
	return nil, nil
}

// A renameGroup is an undefined name with the places it is used and the
// unused declarations it may stand for.
type renameGroup struct {
	name    string
	uses    []constraints.Finding // the findings at its uses (their spans are the name)
	targets []types.Object
}

// renameGroups returns the undefined names of st that have similar unused
// declarations, in the order of their first finding.
func (r *run) renameGroups(st *state) []renameGroup {
	rep := st.rep
	used := map[types.Object]bool{}
	for _, o := range rep.Info.Uses {
		used[o] = true
	}
	for _, s := range rep.Info.Selections {
		used[s.Obj()] = true
	}
	// Names are undefined for other reasons where an import is broken
	// (a dot import's names), and in the external test package (whose
	// names are not the package's); those are left alone, as localize
	// leaves them.
	broken := brokenDirs(rep)
	var groups []renameGroup
	index := map[string]int{}
	for _, f := range rep.Findings {
		if broken[filepath.Dir(f.File)] || !inPkg(rep, f.File) {
			continue
		}
		switch f.Code {
		case diag.UndeclaredName, diag.MissingFieldOrMethod, diag.MissingLitField, diag.UnexportedName, diag.UndeclaredImportedName:
		default:
			continue
		}
		if f.Category != constraints.Types {
			continue
		}
		cf := st.cv.File(f.File)
		if cf == nil || !r.writable(f.File, cf.Text) {
			continue
		}
		name := f.Subject(cf.Text)
		if !token.IsIdentifier(name) {
			continue
		}
		var key string
		var cands []types.Object
		dep := false
		if f.Code == diag.UnexportedName || f.Code == diag.UndeclaredImportedName {
			// pkg.name where the package exports Name (math.sqrt, the
			// spelling of another language's library): only the name
			// that differs in case.
			imp := importedPkg(rep, f.File, f.Start)
			if imp == nil {
				continue
			}
			dep = true
			key = imp.Path() + "." + name
			for _, n := range imp.Scope().Names() {
				if o := imp.Scope().Lookup(n); o.Exported() && strings.EqualFold(n, name) {
					cands = append(cands, o)
				}
			}
		} else if f.Code == diag.UndeclaredName {
			key = name
			for _, n := range rep.Pkg.Scope().Names() {
				cands = append(cands, rep.Pkg.Scope().Lookup(n))
			}
		} else {
			named := memberOf(rep, f.File, f.Start)
			if named == nil || named.Obj().Pkg() == nil {
				continue
			}
			dep = named.Obj().Pkg() != rep.Pkg
			key = named.Obj().Pkg().Path() + "." + named.Obj().Name() + "." + name
			if dep {
				// Another package's type (API drift: a dependency renamed a
				// method or field): its exported members, used or not.
				ms := types.NewMethodSet(types.NewPointer(named))
				for i := range ms.Len() {
					if o := ms.At(i).Obj(); o.Exported() {
						cands = append(cands, o)
					}
				}
				if s, ok := named.Underlying().(*types.Struct); ok {
					for i := range s.NumFields() {
						if s.Field(i).Exported() {
							cands = append(cands, s.Field(i))
						}
					}
				}
			} else {
				if s, ok := named.Underlying().(*types.Struct); ok {
					for i := range s.NumFields() {
						cands = append(cands, s.Field(i))
					}
				}
				for i := range named.NumMethods() {
					cands = append(cands, named.Method(i))
				}
			}
		}
		i, ok := index[key]
		if !ok {
			var targets []types.Object
			for _, o := range cands {
				if o == nil || dep && !depSimilar(name, o.Name()) {
					continue
				}
				if (dep || !used[o]) && o.Name() != name && o.Name() != "_" && o.Name() != "main" && o.Name() != "init" && !testEntry(rep, o) && similarNames(name, o.Name()) {
					targets = append(targets, o)
				}
			}
			if dep && len(targets) > 3 {
				// The closest three by spelling.
				slices.SortStableFunc(targets, func(a, b types.Object) int {
					return cmp.Compare(editDistance(strings.ToLower(name), strings.ToLower(a.Name())), editDistance(strings.ToLower(name), strings.ToLower(b.Name())))
				})
				targets = targets[:3]
			}
			if len(targets) == 0 || len(targets) > 3 {
				index[key] = -1
				continue
			}
			i = len(groups)
			index[key] = i
			groups = append(groups, renameGroup{name: name, targets: targets})
		}
		if i >= 0 {
			groups[i].uses = append(groups[i].uses, f)
		}
	}
	return groups
}

// docSays reports whether the doc comment of o's declaration begins
// with name, as Go doc comments begin with the name they document: the
// declaration's own name is then the outlier (a typo made in it alone).
func (r *run) docSays(st *state, o types.Object, name string) bool {
	rep := st.rep
	p := rep.Fset.Position(o.Pos())
	i := slices.Index(rep.Names, p.Filename)
	if i < 0 || rep.Files[i] == nil {
		return false
	}
	path, _ := astutil.PathEnclosingInterval(rep.Files[i], o.Pos(), o.Pos())
	var doc *goast.CommentGroup
	for _, n := range path {
		switch n := n.(type) {
		case *goast.FuncDecl:
			doc = n.Doc
		case *goast.Field:
			doc = n.Doc
		case *goast.ValueSpec:
			doc = n.Doc
		case *goast.TypeSpec:
			doc = n.Doc
		case *goast.GenDecl:
			if doc == nil {
				doc = n.Doc
			}
		}
		if doc != nil {
			break
		}
	}
	if doc == nil {
		return false
	}
	words := strings.Fields(doc.Text())
	return len(words) > 0 && words[0] == name
}

// brokenDirs returns the directories with an import that could not be
// loaded: their names are undefined for reasons no repair of theirs
// fixes, so the passes leave their findings alone (as localize does).
func brokenDirs(rep *constraints.Report) map[string]bool {
	broken := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Code == diag.BrokenImport {
			broken[filepath.Dir(f.File)] = true
		}
	}
	return broken
}

// testEntry reports whether o is a function of a test file that go test
// calls (TestX, BenchmarkX, FuzzX, ExampleX): used, though nothing in the
// package calls it.
func testEntry(rep *constraints.Report, o types.Object) bool {
	fn, ok := o.(*types.Func)
	if !ok || !strings.HasSuffix(rep.Fset.Position(fn.Pos()).Filename, "_test.go") {
		return false
	}
	for _, p := range []string{"Test", "Benchmark", "Fuzz", "Example"} {
		if rest, ok := strings.CutPrefix(fn.Name(), p); ok && (rest == "" || !unicode.IsLower([]rune(rest)[0])) {
			return true
		}
	}
	return false
}

// inPkg reports whether file is one of the package's own files (its
// in-package tests included), not the external test package's.
func inPkg(rep *constraints.Report, file string) bool {
	i := slices.Index(rep.Names, file)
	return i >= 0 && rep.Files[i] != nil && rep.PkgOf(rep.Files[i]) == rep.Pkg
}

// importedPkg returns the package whose name the selector at offset off
// of file selects from (the pkg of pkg.Name), or nil.
func importedPkg(rep *constraints.Report, file string, off int) *types.Package {
	path, pos := pathAt(rep, file, off)
	for _, n := range path {
		if s, ok := n.(*goast.SelectorExpr); ok && s.Sel.Pos() == pos {
			if x, ok := s.X.(*goast.Ident); ok {
				if pn, ok := rep.Info.Uses[x].(*types.PkgName); ok {
					return pn.Imported()
				}
			}
			return nil
		}
	}
	return nil
}

// pathAt returns the nodes of file that enclose offset off, innermost
// first, and the position of off; nil where the file is not in rep.
func pathAt(rep *constraints.Report, file string, off int) ([]goast.Node, token.Pos) {
	i := slices.Index(rep.Names, file)
	if i < 0 || rep.Files[i] == nil {
		return nil, token.NoPos
	}
	tf := rep.Fset.File(rep.Files[i].Pos())
	if tf == nil || off < 0 || off > tf.Size() {
		return nil, token.NoPos
	}
	pos := tf.Pos(off)
	path, _ := astutil.PathEnclosingInterval(rep.Files[i], pos, pos)
	return path, pos
}

// memberOf returns the named type whose field or method the name at
// offset off of file selects (x.Name) or sets (T{Name: v}), or nil.
func memberOf(rep *constraints.Report, file string, off int) *types.Named {
	path, pos := pathAt(rep, file, off)
	var t types.Type
	for j, n := range path {
		if s, ok := n.(*goast.SelectorExpr); ok && s.Sel.Pos() == pos {
			t = rep.Info.TypeOf(s.X)
			break
		}
		if kv, ok := n.(*goast.KeyValueExpr); ok && kv.Key.Pos() == pos && j+1 < len(path) {
			if lit, ok := path[j+1].(*goast.CompositeLit); ok {
				t = rep.Info.TypeOf(lit)
			}
			break
		}
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, _ := t.(*types.Named)
	return named
}

// tryRename returns the state of st with the group's uses renamed to
// target's name (or, declFollows, target's declaration renamed to the
// uses' name), if it is better than st.
func (r *run) tryRename(ctx context.Context, st *state, g renameGroup, target types.Object, declFollows bool) (*state, error) {
	tried := fmt.Sprintf("%s|%s|%v|%d", g.name, target.Name(), declFollows, len(g.uses))
	if r.followed[tried] {
		return nil, nil // no better the last time
	}
	r.followed[tried] = true
	edits := map[string][]ast.Edit{}
	if declFollows {
		p := st.rep.Fset.Position(target.Pos())
		cf := st.cv.File(p.Filename)
		if cf == nil || !r.writable(p.Filename, cf.Text) || p.Offset+len(target.Name()) > len(cf.Text) || cf.Text[p.Offset:p.Offset+len(target.Name())] != target.Name() {
			return nil, nil
		}
		edits[p.Filename] = []ast.Edit{{Start: p.Offset, End: p.Offset + len(target.Name()), New: g.name}}
	} else {
		for _, f := range g.uses {
			edits[f.File] = append(edits[f.File], ast.Edit{Start: f.Start, End: f.End, New: target.Name()})
		}
	}
	// Each change answers the findings at the uses.
	var why []string
	for _, f := range g.uses {
		if !slices.Contains(why, f.Message) {
			why = append(why, f.Message)
		}
	}
	return r.tryEdits(ctx, st, edits, why, "rename", fmt.Sprintf("%s → %s (%s)", g.name, target.Name(), map[bool]string{false: "the uses follow the declaration", true: "the declaration follows the uses"}[declFollows]), false)
}

// tryEdits returns the state of st with edits applied (by file; each
// change answers the findings why and has the Source source), if it is
// better than st; what names the repair in -v. With fixImports, the
// imports of each edited file are fixed after the edits (an edit that
// names a package the file does not import yet).
func (r *run) tryEdits(ctx context.Context, st *state, edits map[string][]ast.Edit, why []string, source, what string, fixImports bool) (*state, error) {
	cv := st.cv
	changes := st.changes
	holes, regs := st.holes, st.regions
	for _, name := range slices.Sorted(maps.Keys(edits)) {
		es := edits[name]
		slices.SortFunc(es, func(a, b ast.Edit) int { return cmp.Compare(a.Start, b.Start) })
		es = slices.CompactFunc(es, func(a, b ast.Edit) bool { return a.Start == b.Start && a.End == b.End })
		old := cv.File(name)
		if old == nil {
			return nil, nil
		}
		text, err := ast.Apply(old.Text, es)
		if err != nil {
			return nil, nil
		}
		cv = cv.WithText(name, text)
		m := newRemap(old.Text, text)
		holes = m.holes(name, holes)
		regs = regs.remap(name, m)
		changes = remapChanges(changes, name, m)
		delta := 0
		for _, e := range es {
			start := e.Start + delta
			changes = addChange(changes, Change{File: name, Start: start, End: start + len(e.New), Old: old.Text[e.Start:e.End], New: e.New, Fixes: why, Source: source})
			delta += len(e.New) - (e.End - e.Start)
		}
		// The edited lines are written gofmt'd (all of a gofmt-clean file).
		if out := formatEdit(old.Text, text, isFormatted(old.Text)); out != text {
			m := newRemap(text, out)
			holes = m.holes(name, holes)
			regs = regs.remap(name, m)
			changes = remapChanges(changes, name, m)
			text = out
			cv = cv.WithText(name, out)
		}
		if !fixImports {
			continue
		}
		if out, err := r.opts.FixImports(name, text); err == nil && out != text {
			m := newRemap(text, out)
			holes = m.holes(name, holes)
			regs = regs.remap(name, m)
			changes = remapChanges(changes, name, m)
			lo, oldHi, hi := changedSpan(text, out)
			changes = addChange(changes, Change{File: name, Start: lo, End: hi, Old: text[lo:oldHi], New: out[lo:hi], Fixes: why, Source: "imports"})
			cv = cv.WithText(name, out)
		}
	}
	rep, err := r.check(ctx, cv)
	if err != nil {
		return nil, err
	}
	cost := r.score(rep, len(holes))
	if !cost.less(st.cost) {
		return nil, nil
	}
	r.logf("%s: %s: %s", source, what, cost)
	return &state{cv: cv, rep: rep, holes: holes, cost: cost, regions: regs, changes: changes}, nil
}

// similarNames reports whether a and b may be one name before and after a
// rename: they share a word stem (a word of camel case or underscores,
// case aside, of which the first four letters agree: retry, retries), or
// one is a typo of the other.
func similarNames(a, b string) bool {
	if editDistance(strings.ToLower(a), strings.ToLower(b)) <= 2 {
		return true
	}
	stem := func(w string) string { return w[:min(len(w), 4)] }
	wa := nameWords(a)
	for _, w := range nameWords(b) {
		if len(w) >= 3 && slices.ContainsFunc(wa, func(v string) bool { return len(v) >= 3 && stem(v) == stem(w) }) {
			return true
		}
	}
	return false
}

// depSimilar reports whether a dependency's member b may be what its
// member a was renamed to: one is a typo of the other, or they share a
// word of four letters or more that is not a generic verb (SetHeader and
// Header share "header"; SetBorder and SetHeader only "set").
func depSimilar(a, b string) bool {
	if editDistance(strings.ToLower(a), strings.ToLower(b)) <= 2 {
		return true
	}
	generic := []string{"with", "from", "must", "into", "make", "func"}
	wa := nameWords(a)
	for _, w := range nameWords(b) {
		if len(w) >= 4 && !slices.Contains(generic, w) && slices.Contains(wa, w) {
			return true
		}
	}
	return false
}

// nameWords splits an identifier into its lower-case words.
func nameWords(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, c := range rs {
		switch {
		case c == '_':
			flush()
			continue
		case unicode.IsUpper(c) && i > 0 && !unicode.IsUpper(rs[i-1]):
			flush()
		}
		cur = append(cur, c)
	}
	flush()
	return out
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
