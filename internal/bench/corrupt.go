package bench

import (
	"context"
	"encoding/json"
	"errors"
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

	"github.com/difgen/difgen/internal/tempdir"
	"golang.org/x/tools/go/packages"
)

// ErrNoSite reports that a package offers no site where a family's
// error both applies and fails as it should.
var ErrNoSite = errors.New("no site for this family")

// A Source is a module tree holding a package with passing tests. Its
// directory is only read.
type Source struct {
	Name string // e.g. "std/container/list" or "github.com/google/uuid@v1.6.0"
	Dir  string // module root
	Pkg  string // package directory relative to Dir; "" means "."
}

func (s *Source) pkg() string {
	if s.Pkg == "" {
		return "."
	}
	return s.Pkg
}

// GenOptions configures Generate. The zero value works.
type GenOptions struct {
	Tries   int           // candidate sites validated per case; 0 means 3
	Timeout time.Duration // per validating go command; 0 means 60s
}

// A site is one candidate corruption: a replacement of [Start, End) in
// File.
type site struct {
	File       string // slash path relative to the module root
	Start, End int
	New        string
	Note       string
}

// A loaded package: syntax and types of its non-test files.
type loaded struct {
	fset  *token.FileSet
	pkg   *types.Package
	info  *types.Info
	files []*srcFile
}

type srcFile struct {
	rel    string // slash path relative to the module root
	src    []byte
	syntax *ast.File
	idents map[string]bool // every identifier spelled in the file
}

// A Generator makes corruption cases from one source package, whose
// syntax and types it loads once.
type Generator struct {
	src *Source
	l   *loaded
}

// NewGenerator type-checks the non-test files of src's package.
func NewGenerator(ctx context.Context, src *Source) (*Generator, error) {
	l, err := load(ctx, src)
	if err != nil {
		return nil, err
	}
	return &Generator{src: src, l: l}, nil
}

// Generate corrupts the package with one error of family fam, choosing
// among sites with a generator seeded by (source, fam, seed), and
// validates the case: compile and hole families must fail to build, test
// families must build and fail their tests. It returns ErrNoSite when no
// tried site qualifies. It never touches _test.go files, generated files
// or testdata, and never writes the source tree.
func (g *Generator) Generate(ctx context.Context, fam Family, seed int64, opt GenOptions) (*Case, error) {
	src, l := g.src, g.l
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s", src.Name, fam)
	rng := rand.New(rand.NewPCG(h.Sum64(), uint64(seed)))
	sites := l.sites(fam, rng)
	rng.Shuffle(len(sites), func(i, j int) { sites[i], sites[j] = sites[j], sites[i] })
	tries := opt.Tries
	if tries <= 0 {
		tries = 3
	}
	if fam.Class() != "test" {
		tries = min(tries, 2) // compile failures are near certain
	}
	for i, s := range sites {
		if i >= tries {
			break
		}
		c := l.makeCase(src, fam, seed, s)
		ok, err := validate(ctx, src, c, opt.Timeout)
		if err != nil {
			return nil, err
		}
		if ok {
			return c, nil
		}
	}
	return nil, ErrNoSite
}

func (l *loaded) makeCase(src *Source, fam Family, seed int64, s site) *Case {
	var f *srcFile
	for _, ff := range l.files {
		if ff.rel == s.File {
			f = ff
		}
	}
	orig := string(f.src)
	broken := orig[:s.Start] + s.New + orig[s.End:]
	pos := l.fset.File(f.syntax.Pos()).Position(l.fset.File(f.syntax.Pos()).Pos(s.Start))
	return &Case{
		ID:     fmt.Sprintf("corrupt/%s/%s/%d", src.Name, fam, seed),
		Suite:  "corrupt",
		Family: fam,
		Source: src.Name,
		Note:   fmt.Sprintf("%s:%d:%d: %s", s.File, pos.Line, pos.Column, s.Note),
		Base:   src.Dir,
		Files:  map[string]string{s.File: broken},
		Pkg:    src.pkg(),
		Want:   map[string]string{s.File: orig},
		Check:  CheckTest,
		Fill:   fam.Class() == "hole",
	}
}

// validate reports whether c fails the way its family says, using an
// overlay so that src is never written.
func validate(ctx context.Context, src *Source, c *Case, timeout time.Duration) (bool, error) {
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	tmp, err := tempdir.MkdirTemp("difgen-bench-validate-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	replace := map[string]string{}
	for name, text := range c.Files {
		p := filepath.Join(tmp, strconv.Itoa(len(replace))+".go")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
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
	build := runCmd(ctx, src.Dir, env, timeout, "go", "build", "-overlay="+overlay, c.Pkg)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if c.Family.Class() != "test" {
		return build.Code > 0, nil
	}
	if build.Code != 0 {
		return false, nil
	}
	test := runCmd(ctx, src.Dir, env, timeout, "go", "test", "-count=1", "-timeout="+timeout.String(), "-overlay="+overlay, c.Pkg)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	return test.Code != 0 || test.TimedOut, nil
}

// load type-checks the non-test files of src's package.
func load(ctx context.Context, src *Source) (*loaded, error) {
	cfg := &packages.Config{
		Context: ctx,
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Dir:     src.Dir,
		Env:     goEnv(),
	}
	pkgs, err := packages.Load(cfg, "./"+strings.TrimPrefix(src.pkg(), "./"))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", src.Name, err)
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("%s: %d packages, want 1", src.Name, len(pkgs))
	}
	p := pkgs[0]
	if len(p.Errors) > 0 {
		return nil, fmt.Errorf("%s: %v", src.Name, p.Errors[0])
	}
	l := &loaded{fset: p.Fset, pkg: p.Types, info: p.TypesInfo}
	for _, f := range p.Syntax {
		name := p.Fset.File(f.Pos()).Name()
		if strings.HasSuffix(name, "_test.go") || ast.IsGenerated(f) || !strings.HasSuffix(name, ".go") {
			continue
		}
		rel, err := filepath.Rel(src.Dir, name)
		if err != nil || strings.HasPrefix(rel, "..") || strings.Contains(filepath.ToSlash(rel), "testdata/") {
			continue // a cgo file or one outside the module
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		sf := &srcFile{rel: filepath.ToSlash(rel), src: data, syntax: f, idents: map[string]bool{}}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				sf.idents[id.Name] = true
			}
			return true
		})
		l.files = append(l.files, sf)
	}
	sort.Slice(l.files, func(i, j int) bool { return l.files[i].rel < l.files[j].rel })
	return l, nil
}

func (l *loaded) off(p token.Pos) int { return l.fset.Position(p).Offset }

func (l *loaded) text(f *srcFile, n ast.Node) string {
	return string(f.src[l.off(n.Pos()):l.off(n.End())])
}

func (l *loaded) line(p token.Pos) int { return l.fset.Position(p).Line }

// lineSpan returns the byte range of the whole lines holding n when
// nothing but white space shares them.
func (l *loaded) lineSpan(f *srcFile, n ast.Node) (int, int, bool) {
	start, end := l.off(n.Pos()), l.off(n.End())
	ls := start
	for ls > 0 && f.src[ls-1] != '\n' {
		ls--
	}
	if strings.TrimSpace(string(f.src[ls:start])) != "" {
		return 0, 0, false
	}
	le := end
	for le < len(f.src) && f.src[le] != '\n' {
		le++
	}
	if strings.TrimSpace(string(f.src[end:le])) != "" {
		return 0, 0, false
	}
	if le < len(f.src) {
		le++
	}
	return ls, le, true
}

// funcs calls fn for every function body in the non-test files.
func (l *loaded) funcs(fn func(f *srcFile, typ *ast.FuncType, body *ast.BlockStmt)) {
	for _, f := range l.files {
		ast.Inspect(f.syntax, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Body != nil {
					fn(f, n.Type, n.Body)
				}
			case *ast.FuncLit:
				fn(f, n.Type, n.Body)
			}
			return true
		})
	}
}

// inBodies calls fn for every node inside function bodies.
func (l *loaded) inBodies(fn func(f *srcFile, n ast.Node)) {
	for _, f := range l.files {
		for _, d := range f.syntax.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					if n != nil {
						fn(f, n)
					}
					return true
				})
			}
		}
	}
}

// sites lists every candidate of fam in a deterministic order.
func (l *loaded) sites(fam Family, rng *rand.Rand) []site {
	var out []site
	add := func(f *srcFile, start, end int, repl, note string) {
		out = append(out, site{File: f.rel, Start: start, End: end, New: repl, Note: note})
	}
	switch fam {
	case MissingImport:
		used := map[string]bool{}
		for _, obj := range l.info.Uses {
			if pn, ok := obj.(*types.PkgName); ok {
				used[l.fset.Position(pn.Pos()).Filename+"\x00"+pn.Imported().Path()] = true
			}
		}
		for _, f := range l.files {
			for _, d := range f.syntax.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.IMPORT {
					continue
				}
				for _, spec := range gd.Specs {
					is := spec.(*ast.ImportSpec)
					path, _ := strconv.Unquote(is.Path.Value)
					if is.Name != nil && (is.Name.Name == "_" || is.Name.Name == ".") || path == "C" {
						continue
					}
					if !used[l.fset.Position(is.Pos()).Filename+"\x00"+path] {
						continue
					}
					var node ast.Node = is
					if !gd.Lparen.IsValid() {
						node = gd
					}
					if s, e, ok := l.lineSpan(f, node); ok {
						add(f, s, e, "", fmt.Sprintf("deleted import %q", path))
					}
				}
			}
		}
	case UnusedImport:
		candidates := []string{"bytes", "errors", "fmt", "io", "math", "os", "sort", "strconv", "strings", "time", "unicode"}
		for _, f := range l.files {
			have := map[string]bool{}
			for _, is := range f.syntax.Imports {
				p, _ := strconv.Unquote(is.Path.Value)
				have[p] = true
			}
			for _, c := range candidates {
				if have[c] || f.idents[c] {
					continue
				}
				var gd *ast.GenDecl
				for _, d := range f.syntax.Decls {
					if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT && g.Lparen.IsValid() {
						gd = g
						break
					}
				}
				if gd != nil {
					at := l.off(gd.Lparen) + 1
					add(f, at, at, "\n\t"+strconv.Quote(c), fmt.Sprintf("added unused import %q", c))
				} else {
					at := l.off(f.syntax.Name.End())
					add(f, at, at, "\n\nimport "+strconv.Quote(c), fmt.Sprintf("added unused import %q", c))
				}
			}
		}
	case UnusedVariable:
		names := []string{"tmp", "val", "res", "cur", "old", "prev"}
		l.funcs(func(f *srcFile, typ *ast.FuncType, body *ast.BlockStmt) {
			if len(body.List) == 0 || typ.Params == nil || l.line(body.Lbrace) == l.line(body.List[0].Pos()) {
				return
			}
			for _, field := range typ.Params.List {
				for _, p := range field.Names {
					if p.Name == "_" {
						continue
					}
					name := names[rng.IntN(len(names))]
					if f.idents[name] || l.pkg.Scope().Lookup(name) != nil {
						continue
					}
					first := body.List[0]
					at := l.off(first.Pos())
					indent := indentAt(f.src, at)
					add(f, at, at, name+" := "+p.Name+"\n"+indent, fmt.Sprintf("added unused variable %s", name))
				}
			}
		})
	case TypoIdent:
		l.inBodies(func(f *srcFile, n ast.Node) {
			id, ok := n.(*ast.Ident)
			if !ok {
				return
			}
			v, ok := l.info.Uses[id].(*types.Var)
			if !ok || v.IsField() || v.Parent() == nil || v.Parent() == l.pkg.Scope() || v.Pkg() != l.pkg {
				return
			}
			if nw, ok := typo(id.Name, rng, func(s string) bool {
				return !f.idents[s] && types.Universe.Lookup(s) == nil && l.pkg.Scope().Lookup(s) == nil
			}); ok {
				add(f, l.off(id.Pos()), l.off(id.End()), nw, fmt.Sprintf("renamed %s to %s", id.Name, nw))
			}
		})
	case TypoSelector:
		l.inBodies(func(f *srcFile, n ast.Node) {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return
			}
			var missing func(string) bool
			if x, ok := sel.X.(*ast.Ident); ok {
				if pn, ok := l.info.Uses[x].(*types.PkgName); ok {
					missing = func(s string) bool { return pn.Imported().Scope().Lookup(s) == nil }
				}
			}
			if s, ok := l.info.Selections[sel]; ok && missing == nil {
				recv := s.Recv()
				missing = func(name string) bool {
					obj, _, _ := types.LookupFieldOrMethod(recv, true, l.pkg, name)
					return obj == nil
				}
			}
			if missing == nil {
				return
			}
			if nw, ok := typo(sel.Sel.Name, rng, missing); ok {
				add(f, l.off(sel.Sel.Pos()), l.off(sel.Sel.End()), nw, fmt.Sprintf("renamed selector %s to %s", sel.Sel.Name, nw))
			}
		})
	case WrongReturns:
		l.inBodies(func(f *srcFile, n ast.Node) {
			r, ok := n.(*ast.ReturnStmt)
			if !ok || len(r.Results) < 2 {
				return
			}
			drop := rng.IntN(len(r.Results))
			var keep []string
			for i, e := range r.Results {
				if i != drop {
					keep = append(keep, l.text(f, e))
				}
			}
			add(f, l.off(r.Results[0].Pos()), l.off(r.Results[len(r.Results)-1].End()), strings.Join(keep, ", "), fmt.Sprintf("dropped return value %d", drop+1))
		})
	case MissingReturn:
		l.funcs(func(f *srcFile, typ *ast.FuncType, body *ast.BlockStmt) {
			if typ.Results == nil || len(body.List) < 2 {
				return
			}
			r, ok := body.List[len(body.List)-1].(*ast.ReturnStmt)
			if !ok {
				return
			}
			if s, e, ok := l.lineSpan(f, r); ok {
				add(f, s, e, "", "deleted final return")
			}
		})
	case DefineAssign:
		l.inBodies(func(f *srcFile, n ast.Node) {
			a, ok := n.(*ast.AssignStmt)
			if !ok {
				return
			}
			at := l.off(a.TokPos)
			switch a.Tok {
			case token.DEFINE:
				add(f, at, at+2, "=", "changed := to =")
			case token.ASSIGN:
				for _, lhs := range a.Lhs {
					if _, ok := lhs.(*ast.Ident); !ok {
						return
					}
				}
				add(f, at, at+1, ":=", "changed = to :=")
			}
		})
	case SwappedArgs:
		l.inBodies(func(f *srcFile, n ast.Node) {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 || call.Ellipsis.IsValid() {
				return
			}
			sig, ok := l.info.TypeOf(call.Fun).(*types.Signature)
			if !ok || l.info.Types[call.Fun].IsType() {
				return
			}
			for i := 0; i+1 < len(call.Args); i++ {
				a, b := l.info.TypeOf(call.Args[i]), l.info.TypeOf(call.Args[i+1])
				if a == nil || b == nil || types.Identical(a, b) || i+1 >= sig.Params().Len() {
					continue
				}
				pa, pb := sig.Params().At(i).Type(), sig.Params().At(i+1).Type()
				if types.AssignableTo(b, pa) && types.AssignableTo(a, pb) {
					continue
				}
				ta, tb := l.text(f, call.Args[i]), l.text(f, call.Args[i+1])
				between := string(f.src[l.off(call.Args[i].End()):l.off(call.Args[i+1].Pos())])
				add(f, l.off(call.Args[i].Pos()), l.off(call.Args[i+1].End()), tb+between+ta, fmt.Sprintf("swapped arguments %d and %d", i+1, i+2))
			}
		})
	case DeletedDecl:
		uses := map[types.Object]int{}
		for _, obj := range l.info.Uses {
			uses[obj]++
		}
		l.inBodies(func(f *srcFile, n ast.Node) {
			var id *ast.Ident
			switch s := n.(type) {
			case *ast.DeclStmt:
				gd, ok := s.Decl.(*ast.GenDecl)
				if ok && gd.Tok == token.VAR && len(gd.Specs) == 1 {
					if vs := gd.Specs[0].(*ast.ValueSpec); len(vs.Names) == 1 {
						id = vs.Names[0]
					}
				}
			case *ast.AssignStmt:
				if s.Tok == token.DEFINE && len(s.Lhs) == 1 {
					id, _ = s.Lhs[0].(*ast.Ident)
				}
			}
			if id == nil || l.info.Defs[id] == nil || uses[l.info.Defs[id]] == 0 {
				return
			}
			if s, e, ok := l.lineSpan(f, n); ok {
				add(f, s, e, "", fmt.Sprintf("deleted declaration of %s", id.Name))
			}
		})
	case WrongLiteral:
		l.inBodies(func(f *srcFile, n ast.Node) {
			lit, ok := n.(*ast.BasicLit)
			if !ok {
				return
			}
			b, ok := l.info.TypeOf(lit).(*types.Basic)
			if !ok {
				return
			}
			var repl string
			switch {
			case b.Info()&(types.IsInteger|types.IsFloat) != 0:
				repl = strconv.Quote(lit.Value)
			case b.Info()&types.IsString != 0:
				repl = "0"
			default:
				return
			}
			add(f, l.off(lit.Pos()), l.off(lit.End()), repl, fmt.Sprintf("replaced %s by %s", lit.Value, repl))
		})
	case FlipCompare, SwapPlusMinus, AndOr:
		swap := map[Family]map[token.Token]token.Token{
			FlipCompare:   {token.LSS: token.GTR, token.GTR: token.LSS, token.LEQ: token.GEQ, token.GEQ: token.LEQ, token.EQL: token.NEQ, token.NEQ: token.EQL},
			SwapPlusMinus: {token.ADD: token.SUB, token.SUB: token.ADD},
			AndOr:         {token.LAND: token.LOR, token.LOR: token.LAND},
		}[fam]
		l.inBodies(func(f *srcFile, n ast.Node) {
			be, ok := n.(*ast.BinaryExpr)
			if !ok {
				return
			}
			to, ok := swap[be.Op]
			if !ok {
				return
			}
			if fam == SwapPlusMinus {
				b, ok := l.info.TypeOf(be).Underlying().(*types.Basic)
				if !ok || b.Info()&types.IsNumeric == 0 {
					return
				}
			}
			at := l.off(be.OpPos)
			add(f, at, at+len(be.Op.String()), to.String(), fmt.Sprintf("changed %s to %s", be.Op, to))
		})
	case OffByOne:
		l.inBodies(func(f *srcFile, n ast.Node) {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.INT {
				return
			}
			v, err := strconv.ParseInt(strings.ReplaceAll(lit.Value, "_", ""), 0, 64)
			if err != nil {
				return
			}
			nv := v + 1
			if v > 0 && rng.IntN(2) == 0 {
				nv = v - 1
			}
			add(f, l.off(lit.Pos()), l.off(lit.End()), strconv.FormatInt(nv, 10), fmt.Sprintf("changed %s to %d", lit.Value, nv))
		})
	case NegateCondition:
		l.inBodies(func(f *srcFile, n ast.Node) {
			is, ok := n.(*ast.IfStmt)
			if !ok {
				return
			}
			c := l.text(f, is.Cond)
			var repl string
			switch x := is.Cond.(type) {
			case *ast.UnaryExpr:
				if x.Op != token.NOT {
					return
				}
				repl = l.text(f, x.X)
			case *ast.Ident, *ast.CallExpr, *ast.SelectorExpr, *ast.ParenExpr, *ast.IndexExpr:
				repl = "!" + c
			default:
				repl = "!(" + c + ")"
			}
			add(f, l.off(is.Cond.Pos()), l.off(is.Cond.End()), repl, "negated condition")
		})
	case HoleExpr, HoleStmt, HoleBody:
		for _, f := range l.files {
			for _, h := range holeSites(l.fset, f.syntax, f.src, fam, "") {
				add(f, h.Start, h.End, h.New, h.Note)
			}
		}
	}
	return out
}

// holeSites lists where fam can put a hole __ in file, inside the
// function named only (every function when only is "").
func holeSites(fset *token.FileSet, file *ast.File, src []byte, fam Family, only string) []site {
	var out []site
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	oneLine := func(n ast.Node) bool { return fset.Position(n.Pos()).Line == fset.Position(n.End()).Line }
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || only != "" && fd.Name.Name != only {
			continue
		}
		switch fam {
		case HoleBody:
			lines := fset.Position(fd.Body.Rbrace).Line - fset.Position(fd.Body.Lbrace).Line
			if len(fd.Body.List) == 0 || lines < 2 || lines > 25 {
				continue
			}
			out = append(out, site{Start: off(fd.Body.Lbrace) + 1, End: off(fd.Body.Rbrace), New: "\n\t__\n", Note: "replaced the body of " + fd.Name.Name + " by a hole"})
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch fam {
			case HoleExpr:
				var exprs []ast.Expr
				switch n := n.(type) {
				case *ast.AssignStmt:
					exprs = n.Rhs
				case *ast.ReturnStmt:
					exprs = n.Results
				case *ast.IfStmt:
					exprs = []ast.Expr{n.Cond}
				case *ast.CallExpr:
					exprs = n.Args
				}
				for _, e := range exprs {
					if _, ok := e.(*ast.FuncLit); ok || !oneLine(e) {
						continue
					}
					if id, ok := e.(*ast.Ident); ok && (id.Name == "nil" || id.Name == "_") {
						continue
					}
					out = append(out, site{Start: off(e.Pos()), End: off(e.End()), New: "__", Note: "replaced " + string(src[off(e.Pos()):off(e.End())]) + " by a hole"})
				}
			case HoleStmt:
				b, ok := n.(*ast.BlockStmt)
				if !ok {
					return true
				}
				for _, s := range b.List {
					switch s := s.(type) {
					case *ast.AssignStmt:
						if s.Tok == token.DEFINE {
							continue
						}
					case *ast.ExprStmt, *ast.IncDecStmt, *ast.ReturnStmt, *ast.SendStmt:
					default:
						continue
					}
					if oneLine(s) {
						out = append(out, site{Start: off(s.Pos()), End: off(s.End()), New: "__", Note: "replaced a statement by a hole"})
					}
				}
			}
			return true
		})
	}
	return out
}

// typo returns name with one edit (deletion, transposition or
// substitution) for which ok holds, or false.
func typo(name string, rng *rand.Rand, ok func(string) bool) (string, bool) {
	if len(name) < 2 {
		return "", false
	}
	const letters = "abcdefghijklmnopqrstuvwxyz"
	for range 8 {
		i := rng.IntN(len(name))
		var s string
		switch rng.IntN(3) {
		case 0:
			s = name[:i] + name[i+1:]
		case 1:
			if i+1 >= len(name) {
				continue
			}
			s = name[:i] + string(name[i+1]) + string(name[i]) + name[i+2:]
		case 2:
			s = name[:i] + string(letters[rng.IntN(len(letters))]) + name[i+1:]
		}
		if s == name || !token.IsIdentifier(s) || s == "_" || !ok(s) {
			continue
		}
		return s, true
	}
	return "", false
}

// indentAt returns the white space before offset at on its line.
func indentAt(src []byte, at int) string {
	ls := at
	for ls > 0 && src[ls-1] != '\n' {
		ls--
	}
	return string(src[ls:at])
}
