package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/difgen/difgen/internal/tempdir"
	"golang.org/x/tools/go/packages"
)

// The realistic-refactor kinds: a refactoring left half done, the way
// people leave them. Each is a Family of the "refactor" suite.
const (
	RenameFunc   Family = "rename-func"     // a function renamed, its callers left
	AddParam     Family = "add-param"       // a parameter added, its callers left
	DeleteField  Family = "delete-field"    // a used struct field deleted
	RenameField  Family = "rename-field"    // a struct field renamed, its uses left
	ChangeResult Family = "change-result"   // a result T made (T, error), its callers left
	TypoMethod   Family = "typo-method"     // a typo in a method declaration; the uses agree
	RemoveImport Family = "remove-import"   // a used import deleted (tests included)
	TestOffByOne Family = "test-off-by-one" // an integer of a test off by one
)

// Refactors lists the refactor kinds in report order.
var Refactors = []Family{RenameFunc, AddParam, DeleteField, RenameField, ChangeResult, TypoMethod, RemoveImport, TestOffByOne}

// ParseRefactors parses a comma-separated list of refactor kinds; "" or
// "all" means every kind.
func ParseRefactors(s string) ([]Family, error) {
	if s == "" || s == "all" {
		return Refactors, nil
	}
	var out []Family
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, f := range Refactors {
			if string(f) == name {
				if !containsFamily(out, f) {
					out = append(out, f)
				}
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown refactor kind %q", name)
		}
	}
	return out, nil
}

func containsFamily(fs []Family, f Family) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}

// A RefactorGenerator makes realistic-refactor cases from one source
// package, whose files (tests included) it type-checks once.
type RefactorGenerator struct {
	src *Source
	l   *refLoaded
}

// refLoaded is a package type-checked with its tests: the package's test
// variant (or the package, when it has no internal tests) and its
// external test package, whose uses refer to the same objects.
type refLoaded struct {
	fset  *token.FileSet
	pkg   *types.Package
	files []*refFile // sorted by path
}

type refFile struct {
	rel    string // slash path relative to the module root
	src    []byte
	syntax *ast.File
	info   *types.Info
	test   bool            // a _test.go file
	idents map[string]bool // every identifier spelled in the file
	// callee holds the identifiers that name the function of a call
	// (f in f(…), pkg.f(…), f[T](…)).
	callee map[*ast.Ident]bool
}

// NewRefactorGenerator type-checks src's package with its tests.
func NewRefactorGenerator(ctx context.Context, src *Source) (*RefactorGenerator, error) {
	cfg := &packages.Config{
		Context: ctx,
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Dir:     src.Dir,
		Env:     goEnv(),
		Tests:   true,
	}
	pkgs, err := packages.Load(cfg, pattern(src.pkg()))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", src.Name, err)
	}
	var main, plain, xtest *packages.Package
	for _, p := range pkgs {
		switch {
		case p.ID == p.PkgPath+" ["+p.PkgPath+".test]":
			main = p
		case strings.HasSuffix(p.PkgPath, "_test") && strings.HasSuffix(p.ID, ".test]"):
			xtest = p
		case p.ID == p.PkgPath:
			plain = p
		}
	}
	if main == nil {
		main = plain
	}
	if main == nil {
		return nil, fmt.Errorf("%s: no package", src.Name)
	}
	l := &refLoaded{fset: main.Fset, pkg: main.Types}
	for _, p := range []*packages.Package{main, xtest} {
		if p == nil {
			continue
		}
		if len(p.Errors) > 0 {
			return nil, fmt.Errorf("%s: %v", src.Name, p.Errors[0])
		}
		for _, f := range p.Syntax {
			name := p.Fset.File(f.Pos()).Name()
			if ast.IsGenerated(f) || !strings.HasSuffix(name, ".go") {
				continue
			}
			rel, err := filepath.Rel(src.Dir, name)
			if err != nil || strings.HasPrefix(rel, "..") || strings.Contains(filepath.ToSlash(rel), "testdata/") {
				continue
			}
			data, err := os.ReadFile(name)
			if err != nil {
				return nil, err
			}
			rf := &refFile{rel: filepath.ToSlash(rel), src: data, syntax: f, info: p.TypesInfo,
				test: strings.HasSuffix(name, "_test.go"), idents: map[string]bool{}, callee: map[*ast.Ident]bool{}}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.Ident:
					rf.idents[n.Name] = true
				case *ast.CallExpr:
					if id := calleeIdent(n.Fun); id != nil {
						rf.callee[id] = true
					}
				}
				return true
			})
			l.files = append(l.files, rf)
		}
	}
	sort.Slice(l.files, func(i, j int) bool { return l.files[i].rel < l.files[j].rel })
	return &RefactorGenerator{src: src, l: l}, nil
}

// calleeIdent returns the identifier naming a called function.
func calleeIdent(fun ast.Expr) *ast.Ident {
	switch f := ast.Unparen(fun).(type) {
	case *ast.Ident:
		return f
	case *ast.SelectorExpr:
		return f.Sel
	case *ast.IndexExpr:
		return calleeIdent(f.X)
	case *ast.IndexListExpr:
		return calleeIdent(f.X)
	}
	return nil
}

// An edit replaces [Start, End) of File by New.
type edit struct {
	File       string
	Start, End int
	New        string
}

// A refSite is one candidate refactor: the edits the author made, and
// the reference repair: the original (the edit was a mistake), the
// intended edits completed (the uses follow), or none.
type refSite struct {
	broken   []edit
	ref      int    // refOriginal, refIntended or refNone
	intended []edit // the completed refactor, for refIntended
	file     string // where the author's edit starts, for the note
	at       int
	note     string
}

const (
	refOriginal = iota
	refIntended
	refNone
)

// Generate applies one refactor of kind fam to the package, choosing
// among sites with a generator seeded by (source, kind, seed), and
// validates the case: compile kinds must fail to build or vet (a test
// file that no longer compiles), TestOffByOne must build and fail its
// tests. It returns ErrNoSite when no tried site qualifies, and never
// writes the source tree.
func (g *RefactorGenerator) Generate(ctx context.Context, fam Family, seed int64, opt GenOptions) (*Case, error) {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s", g.src.Name, fam)
	rng := rand.New(rand.NewPCG(h.Sum64(), uint64(seed)))
	sites := g.l.sites(fam, rng)
	rng.Shuffle(len(sites), func(i, j int) { sites[i], sites[j] = sites[j], sites[i] })
	tries := opt.Tries
	if tries <= 0 {
		tries = 3
	}
	if fam.Class() == "test" {
		tries = 2 * tries // most integers of a test do not decide it
	}
	for i, s := range sites {
		if i >= tries {
			break
		}
		c, err := g.makeCase(fam, seed, s)
		if err != nil {
			continue // overlapping edits
		}
		ok, err := validateRefactor(ctx, g.src, c, fam.Class(), opt.Timeout)
		if err != nil {
			return nil, err
		}
		if ok {
			return c, nil
		}
	}
	return nil, ErrNoSite
}

func (g *RefactorGenerator) original(name string) string {
	for _, f := range g.l.files {
		if f.rel == name {
			return string(f.src)
		}
	}
	return ""
}

// apply applies edits to the original files and returns the changed
// files' texts.
func (g *RefactorGenerator) apply(edits []edit) (map[string]string, error) {
	byFile := map[string][]edit{}
	for _, e := range edits {
		byFile[e.File] = append(byFile[e.File], e)
	}
	out := map[string]string{}
	for name, es := range byFile {
		sort.Slice(es, func(i, j int) bool { return es[i].Start < es[j].Start })
		text := g.original(name)
		var b strings.Builder
		last := 0
		for _, e := range es {
			if e.Start < last || e.End > len(text) {
				return nil, fmt.Errorf("overlapping edits in %s", name)
			}
			b.WriteString(text[last:e.Start])
			b.WriteString(e.New)
			last = e.End
		}
		b.WriteString(text[last:])
		out[name] = b.String()
	}
	return out, nil
}

func (g *RefactorGenerator) makeCase(fam Family, seed int64, s refSite) (*Case, error) {
	files, err := g.apply(s.broken)
	if err != nil {
		return nil, err
	}
	var want map[string]string
	switch s.ref {
	case refOriginal:
		want = map[string]string{}
		for name := range files {
			want[name] = g.original(name)
		}
	case refIntended:
		if want, err = g.apply(s.intended); err != nil {
			return nil, err
		}
		for name := range files {
			if _, ok := want[name]; !ok {
				want[name] = g.original(name)
			}
		}
	}
	pos := "?"
	if tf := g.l.fileOf(s.file); tf != nil {
		p := g.l.fset.Position(g.l.fset.File(tf.syntax.Pos()).Pos(s.at))
		pos = fmt.Sprintf("%s:%d:%d", s.file, p.Line, p.Column)
	}
	return &Case{
		ID:        fmt.Sprintf("refactor/%s/%s/%d", g.src.Name, fam, seed),
		Suite:     "refactor",
		Family:    fam,
		Source:    g.src.Name,
		Note:      pos + ": " + s.note,
		Base:      g.src.Dir,
		Files:     files,
		Pkg:       g.src.pkg(),
		Want:      want,
		Check:     CheckTest,
		TestEdits: true,
	}, nil
}

func (l *refLoaded) fileOf(rel string) *refFile {
	for _, f := range l.files {
		if f.rel == rel {
			return f
		}
	}
	return nil
}

func (l *refLoaded) off(p token.Pos) int { return l.fset.Position(p).Offset }

// uses returns every identifier, in every file, that refers to obj.
func (l *refLoaded) uses(obj types.Object) []use {
	var out []use
	for _, f := range l.files {
		ast.Inspect(f.syntax, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && f.info.Uses[id] == obj {
				out = append(out, use{f, id})
			}
			return true
		})
	}
	return out
}

type use struct {
	f  *refFile
	id *ast.Ident
}

// buildBreaking reports whether some use lies in a non-test file.
func buildBreaking(us []use) bool {
	for _, u := range us {
		if !u.f.test {
			return true
		}
	}
	return false
}

// allCalls reports whether every use calls the function.
func allCalls(us []use) bool {
	for _, u := range us {
		if !u.f.callee[u.id] {
			return false
		}
	}
	return true
}

// taken reports whether name is declared in the package or the universe
// or spelled anywhere in the package's files.
func (l *refLoaded) taken(name string) bool {
	if l.pkg.Scope().Lookup(name) != nil || types.Universe.Lookup(name) != nil || token.Lookup(name).IsKeyword() {
		return true
	}
	for _, f := range l.files {
		if f.idents[name] {
			return true
		}
	}
	return false
}

// funcDecls calls fn for every function declaration of the non-test
// files.
func (l *refLoaded) funcDecls(fn func(f *refFile, fd *ast.FuncDecl)) {
	for _, f := range l.files {
		if f.test {
			continue
		}
		for _, d := range f.syntax.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				fn(f, fd)
			}
		}
	}
}

// sites lists every candidate of fam in a deterministic order.
func (l *refLoaded) sites(fam Family, rng *rand.Rand) []refSite {
	var out []refSite
	switch fam {
	case RenameFunc:
		l.funcDecls(func(f *refFile, fd *ast.FuncDecl) {
			if fd.Recv != nil || fd.Name.Name == "main" || fd.Name.Name == "init" || fd.Name.Name == "_" {
				return
			}
			obj := f.info.Defs[fd.Name]
			us := l.uses(obj)
			if obj == nil || !buildBreaking(us) {
				return
			}
			nw, ok := renamed(fd.Name.Name, rng, l.taken)
			if !ok {
				return
			}
			s := l.renameSite(f, fd.Name, us, nw)
			s.note = fmt.Sprintf("renamed func %s to %s; its callers still say %s", fd.Name.Name, nw, fd.Name.Name)
			out = append(out, s)
		})
	case RenameField, DeleteField:
		l.fields(func(f *refFile, field *ast.Field, name *ast.Ident, us []use) {
			if fam == RenameField {
				nw, ok := renamed(name.Name, rng, l.taken)
				if !ok {
					return
				}
				s := l.renameSite(f, name, us, nw)
				s.note = fmt.Sprintf("renamed field %s to %s; its uses still say %s", name.Name, nw, name.Name)
				out = append(out, s)
				return
			}
			start, end, ok := l.fieldSpan(f, field, name)
			if !ok {
				return
			}
			out = append(out, refSite{
				broken: []edit{{File: f.rel, Start: start, End: end}},
				ref:    refOriginal, file: f.rel, at: start,
				note: fmt.Sprintf("deleted field %s, which %d places use", name.Name, len(us)),
			})
		})
	case AddParam:
		l.funcDecls(func(f *refFile, fd *ast.FuncDecl) {
			if fd.Recv != nil || fd.Type.TypeParams != nil {
				return
			}
			obj, ok := f.info.Defs[fd.Name].(*types.Func)
			if !ok {
				return
			}
			sig := obj.Type().(*types.Signature)
			us := l.uses(obj)
			if sig.Variadic() || !buildBreaking(us) || !allCalls(us) {
				return
			}
			if s, ok := l.addParam(f, fd, sig, rng); ok {
				out = append(out, s)
			}
		})
	case ChangeResult:
		l.funcDecls(func(f *refFile, fd *ast.FuncDecl) {
			if fd.Recv != nil || fd.Type.Results == nil || len(fd.Type.Results.List) != 1 || len(fd.Type.Results.List[0].Names) > 0 {
				return
			}
			obj, ok := f.info.Defs[fd.Name].(*types.Func)
			if !ok {
				return
			}
			res := obj.Type().(*types.Signature).Results()
			if res.Len() != 1 || types.Identical(res.At(0).Type(), types.Universe.Lookup("error").Type()) {
				return
			}
			us := l.uses(obj)
			if !buildBreaking(us) || !allCalls(us) {
				return
			}
			typ := fd.Type.Results.List[0].Type
			edits := []edit{{File: f.rel, Start: l.off(typ.Pos()), End: l.off(typ.End()), New: "(" + string(f.src[l.off(typ.Pos()):l.off(typ.End())]) + ", error)"}}
			fine := true
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncLit:
					return false
				case *ast.ReturnStmt:
					if len(n.Results) != 1 {
						fine = false
						return false
					}
					at := l.off(n.Results[0].End())
					edits = append(edits, edit{File: f.rel, Start: at, End: at, New: ", nil"})
				}
				return true
			})
			if !fine || len(edits) == 1 {
				return
			}
			out = append(out, refSite{broken: edits, ref: refNone, file: f.rel, at: l.off(typ.Pos()),
				note: fmt.Sprintf("changed the result of %s to (%s, error); its callers still take one value", fd.Name.Name, types.ExprString(typ))})
		})
	case TypoMethod:
		l.funcDecls(func(f *refFile, fd *ast.FuncDecl) {
			if fd.Recv == nil || len(fd.Name.Name) < 3 {
				return
			}
			obj, ok := f.info.Defs[fd.Name].(*types.Func)
			if !ok {
				return
			}
			us := l.uses(obj)
			if len(us) < 2 || !buildBreaking(us) {
				return
			}
			recv := obj.Type().(*types.Signature).Recv().Type()
			name := fd.Name.Name
			nw, ok := typo(name, rng, func(s string) bool {
				if s[0] != name[0] || l.taken(s) {
					return false
				}
				o, _, _ := types.LookupFieldOrMethod(recv, true, l.pkg, s)
				return o == nil
			})
			if !ok {
				return
			}
			at := l.off(fd.Name.Pos())
			out = append(out, refSite{broken: []edit{{File: f.rel, Start: at, End: at + len(name), New: nw}}, ref: refOriginal, file: f.rel, at: at,
				note: fmt.Sprintf("method %s declared as %s; its %d uses say %s", name, nw, len(us), name)})
		})
	case RemoveImport:
		for _, f := range l.files {
			used := map[string]bool{}
			ast.Inspect(f.syntax, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					if pn, ok := f.info.Uses[id].(*types.PkgName); ok {
						used[pn.Imported().Path()] = true
					}
				}
				return true
			})
			for _, d := range f.syntax.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.IMPORT {
					continue
				}
				for _, spec := range gd.Specs {
					is := spec.(*ast.ImportSpec)
					path, _ := strconv.Unquote(is.Path.Value)
					if is.Name != nil && (is.Name.Name == "_" || is.Name.Name == ".") || path == "C" || !used[path] {
						continue
					}
					var node ast.Node = is
					if !gd.Lparen.IsValid() {
						node = gd
					}
					if s, e, ok := lineSpanOf(f.src, l.off(node.Pos()), l.off(node.End())); ok {
						out = append(out, refSite{broken: []edit{{File: f.rel, Start: s, End: e}}, ref: refOriginal, file: f.rel, at: s,
							note: fmt.Sprintf("deleted the import of %q", path)})
					}
				}
			}
		}
	case TestOffByOne:
		for _, f := range l.files {
			if !f.test {
				continue
			}
			for _, d := range f.syntax.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil || !strings.HasPrefix(fd.Name.Name, "Test") {
					continue
				}
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					lit, ok := n.(*ast.BasicLit)
					if !ok || lit.Kind != token.INT {
						return true
					}
					v, err := strconv.ParseInt(strings.ReplaceAll(lit.Value, "_", ""), 0, 64)
					if err != nil {
						return true
					}
					nv := v + 1
					if v > 0 && rng.IntN(2) == 0 {
						nv = v - 1
					}
					at := l.off(lit.Pos())
					out = append(out, refSite{broken: []edit{{File: f.rel, Start: at, End: l.off(lit.End()), New: strconv.FormatInt(nv, 10)}}, ref: refOriginal, file: f.rel, at: at,
						note: fmt.Sprintf("%s: changed %s to %d in the test", fd.Name.Name, lit.Value, nv)})
					return true
				})
			}
		}
	}
	return out
}

// renameSite renames the declaration decl to nw and, in the intended
// refactor, every use too.
func (l *refLoaded) renameSite(f *refFile, decl *ast.Ident, us []use, nw string) refSite {
	at := l.off(decl.Pos())
	d := edit{File: f.rel, Start: at, End: at + len(decl.Name), New: nw}
	intended := []edit{d}
	for _, u := range us {
		s := l.off(u.id.Pos())
		intended = append(intended, edit{File: u.f.rel, Start: s, End: s + len(u.id.Name), New: nw})
	}
	return refSite{broken: []edit{d}, ref: refIntended, intended: intended, file: f.rel, at: at}
}

// fields calls fn for every named field of a struct type declared at
// package level in a non-test file that a non-test file uses.
func (l *refLoaded) fields(fn func(f *refFile, field *ast.Field, name *ast.Ident, us []use)) {
	for _, f := range l.files {
		if f.test {
			continue
		}
		for _, d := range f.syntax.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				st, ok := spec.(*ast.TypeSpec).Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, field := range st.Fields.List {
					for _, name := range field.Names {
						if name.Name == "_" {
							continue
						}
						us := l.uses(f.info.Defs[name])
						if buildBreaking(us) {
							fn(f, field, name, us)
						}
					}
				}
			}
		}
	}
}

// fieldSpan returns the bytes to delete to delete name from field: the
// whole line (with a trailing comment) when it is the field's only name,
// else the name and its comma.
func (l *refLoaded) fieldSpan(f *refFile, field *ast.Field, name *ast.Ident) (int, int, bool) {
	if len(field.Names) == 1 {
		end := l.off(field.End())
		le := end
		for le < len(f.src) && f.src[le] != '\n' {
			le++
		}
		if rest := strings.TrimSpace(string(f.src[end:le])); rest != "" && !strings.HasPrefix(rest, "//") {
			return 0, 0, false
		}
		return lineSpanOf(f.src, l.off(field.Pos()), le)
	}
	for i, n := range field.Names {
		if n != name {
			continue
		}
		if i+1 < len(field.Names) {
			return l.off(n.Pos()), l.off(field.Names[i+1].Pos()), true
		}
		return l.off(field.Names[i-1].End()), l.off(n.End()), true
	}
	return 0, 0, false
}

// lineSpanOf returns the byte range of the whole lines holding
// [start, end) when nothing but white space shares them.
func lineSpanOf(src []byte, start, end int) (int, int, bool) {
	ls := start
	for ls > 0 && src[ls-1] != '\n' {
		ls--
	}
	if strings.TrimSpace(string(src[ls:start])) != "" {
		return 0, 0, false
	}
	le := end
	for le < len(src) && src[le] != '\n' {
		le++
	}
	if strings.TrimSpace(string(src[end:le])) != "" {
		return 0, 0, false
	}
	if le < len(src) {
		le++
	}
	return ls, le, true
}

// New parameters: a context threaded through first, or a flag, a limit
// or a prefix appended.
var newParams = []struct{ name, typ string }{
	{"ctx", "context.Context"},
	{"strict", "bool"},
	{"limit", "int"},
	{"prefix", "string"},
}

// addParam adds a parameter to fd, importing context for a context.
func (l *refLoaded) addParam(f *refFile, fd *ast.FuncDecl, sig *types.Signature, rng *rand.Rand) (refSite, bool) {
	p := newParams[rng.IntN(len(newParams))]
	for i := 0; i < sig.Params().Len(); i++ {
		if sig.Params().At(i).Name() == p.name || types.TypeString(sig.Params().At(i).Type(), nil) == p.typ {
			return refSite{}, false
		}
	}
	used := false
	ast.Inspect(fd, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == p.name {
			used = true
		}
		return !used
	})
	if used {
		return refSite{}, false
	}
	params := fd.Type.Params
	var edits []edit
	switch {
	case p.typ == "context.Context":
		at := l.off(params.Opening) + 1
		sep := ", "
		if len(params.List) == 0 {
			sep = ""
		}
		edits = append(edits, edit{File: f.rel, Start: at, End: at, New: p.name + " " + p.typ + sep})
		if e, ok := l.importEdit(f, "context"); ok {
			edits = append(edits, e...)
		} else {
			return refSite{}, false
		}
	case len(params.List) == 0:
		at := l.off(params.Opening) + 1
		edits = append(edits, edit{File: f.rel, Start: at, End: at, New: p.name + " " + p.typ})
	default:
		at := l.off(params.List[len(params.List)-1].End())
		edits = append(edits, edit{File: f.rel, Start: at, End: at, New: ", " + p.name + " " + p.typ})
	}
	return refSite{broken: edits, ref: refNone, file: f.rel, at: edits[0].Start,
		note: fmt.Sprintf("added parameter %s %s to %s; its callers pass one argument fewer", p.name, p.typ, fd.Name.Name)}, true
}

// importEdit adds an import of path to f, unless f imports it already
// (no edit) or spells its name otherwise (false).
func (l *refLoaded) importEdit(f *refFile, path string) ([]edit, bool) {
	for _, is := range f.syntax.Imports {
		if p, _ := strconv.Unquote(is.Path.Value); p == path && is.Name == nil {
			return nil, true
		}
	}
	if f.idents[path] {
		return nil, false
	}
	for _, d := range f.syntax.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT && gd.Lparen.IsValid() {
			at := l.off(gd.Lparen) + 1
			return []edit{{File: f.rel, Start: at, End: at, New: "\n\t" + strconv.Quote(path)}}, true
		}
	}
	at := l.off(f.syntax.Name.End())
	return []edit{{File: f.rel, Start: at, End: at, New: "\n\nimport " + strconv.Quote(path)}}, true
}

// synonyms are the word changes of a rename.
var synonyms = map[string]string{
	"get": "fetch", "set": "assign", "new": "make", "parse": "decode", "format": "render",
	"write": "emit", "read": "load", "is": "has", "to": "as", "add": "insert", "remove": "drop",
	"delete": "remove", "find": "lookup", "compute": "calc", "build": "make", "create": "make",
	"check": "verify", "encode": "marshal", "decode": "unmarshal", "count": "num", "len": "size",
	"size": "length", "match": "matches", "split": "cut", "join": "concat", "init": "setup",
	"update": "refresh", "apply": "run", "handle": "process", "print": "show", "name": "label",
	"value": "val", "index": "pos", "next": "advance", "reset": "clear", "close": "shutdown",
	"open": "start", "run": "exec", "key": "id", "str": "text", "string": "text", "valid": "ok",
	"error": "fault", "err": "fault", "list": "items", "map": "table", "path": "route",
}

var renameSuffixes = []string{"Impl", "V2", "Func"}

// renamed proposes a new name for name: one of its camel-case words
// replaced by a synonym, or a suffix; same exportedness, not taken.
func renamed(name string, rng *rand.Rand, taken func(string) bool) (string, bool) {
	words := camelWords(name)
	var options []string
	for i, w := range words {
		if syn, ok := synonyms[strings.ToLower(w)]; ok {
			nw := append([]string(nil), words...)
			nw[i] = matchCase(syn, w, i == 0)
			options = append(options, strings.Join(nw, ""))
		}
	}
	for _, s := range renameSuffixes {
		options = append(options, name+s)
	}
	rng.Shuffle(len(options), func(i, j int) { options[i], options[j] = options[j], options[i] })
	for _, o := range options {
		if o != name && token.IsIdentifier(o) && !taken(o) && token.IsExported(o) == token.IsExported(name) {
			return o, true
		}
	}
	return "", false
}

// camelWords splits an identifier at lower-to-upper changes and
// underscores, keeping the separators' case.
func camelWords(s string) []string {
	var words []string
	start := 0
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if unicode.IsUpper(rs[i]) && !unicode.IsUpper(rs[i-1]) || rs[i] == '_' {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	return append(words, string(rs[start:]))
}

// matchCase spells word with like's initial case (lower when first and
// like is lower).
func matchCase(word, like string, first bool) string {
	r := []rune(like)
	if len(r) > 0 && unicode.IsUpper(r[0]) {
		return strings.ToUpper(word[:1]) + word[1:]
	}
	if !first && len(r) > 0 && r[0] == '_' {
		return "_" + word
	}
	return word
}

// validateRefactor reports whether c breaks as its class says: a
// compile case fails go build or go vet (a test file that no longer
// compiles); a test case builds and fails go test. The source tree is
// never written: the broken files are an overlay.
func validateRefactor(ctx context.Context, src *Source, c *Case, class string, timeout time.Duration) (bool, error) {
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	tmp, err := tempdir.MkdirTemp("difgen-bench-refactor-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	replace := map[string]string{}
	for _, name := range sortedKeys(c.Files) {
		p := filepath.Join(tmp, strconv.Itoa(len(replace))+"_"+filepath.Base(name))
		if err := os.WriteFile(p, []byte(c.Files[name]), 0o644); err != nil {
			return false, err
		}
		replace[filepath.Join(src.Dir, filepath.FromSlash(name))] = p
	}
	data, _ := json.Marshal(map[string]any{"Replace": replace})
	overlay := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlay, data, 0o644); err != nil {
		return false, err
	}
	env := goEnv()
	pkg := pattern(c.Pkg)
	run := func(argv ...string) (cmdResult, error) {
		r := runCmd(ctx, src.Dir, env, timeout, argv...)
		return r, ctx.Err()
	}
	build, err := run("go", "build", "-o", os.DevNull, "-overlay="+overlay, pkg)
	if err != nil {
		return false, err
	}
	if class != "test" {
		if build.Code > 0 {
			return true, nil
		}
		vet, err := run("go", "vet", "-overlay="+overlay, pkg)
		return vet.Code > 0, err
	}
	if build.Code != 0 {
		return false, nil
	}
	test, err := run("go", "test", "-count=1", "-timeout="+timeout.String(), "-overlay="+overlay, pkg)
	return test.Code > 0 || test.TimedOut, err
}
