package spec

import (
	"bytes"
	"fmt"
	goast "go/ast"
	"go/format"
	goparser "go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"path"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// A goBlock is a ```go block, parsed.
type goBlock struct {
	*block
	fileName string // from its "// file:" line
	fileLine int    // the line of the "// file:" line, 1-based
	hasPkg   bool
	pkg      string
	test     bool
	body     string // text with the "// file:" line blanked
	prefix   int    // bytes prepended to body to parse it ("package p\n")
	fset     *token.FileSet
	f        *goast.File
	holes    []*holeDecl
	imports  []*goast.GenDecl // of a block without a package clause: moved to the file's top
	file     *fileBuild
}

// A holeDecl is a declaration of a block whose body is to be a hole.
type holeDecl struct {
	decl  *goast.FuncDecl
	instr string // the user's __("…") instruction, if any
	fn    *Func
}

type fileBuild struct {
	path  string
	pkg   string
	test  bool
	pos   Pos
	parts []*goBlock
	text  string
}

type assembler struct {
	p          *parser
	importPath string
	byPath     map[string]*fileBuild
	files      []*fileBuild
	lastCode   *fileBuild
	lastTest   *fileBuild
	blocks     []*goBlock
}

const fileTag = "// file:"

func (a *assembler) add(b *block) {
	p := a.p
	gb := &goBlock{block: b, body: b.text}
	// A "// file: name" first line names the file.
	lines := strings.SplitAfter(b.text, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if name, ok := strings.CutPrefix(t, fileTag); ok {
			gb.fileName = strings.TrimSpace(name)
			gb.fileLine = i + 1
			off := 0
			for _, x := range lines[:i] {
				off += len(x)
			}
			nl := ""
			if strings.HasSuffix(l, "\n") {
				nl = "\n"
			}
			gb.body = b.text[:off] + nl + b.text[off+len(l):]
		}
		break
	}
	if gb.fileName != "" {
		if msg := checkFileName(gb.fileName); msg != "" {
			col := strings.Index(lines[gb.fileLine-1], fileTag) + len(fileTag) + 2
			p.errorf(p.blockPos(b, gb.fileLine, col), "// file: %s: %s", gb.fileName, msg)
			return
		}
	}
	gb.hasPkg = hasPackageClause(gb.body)
	src := gb.body
	if !gb.hasPkg {
		// On a line of its own, so that a first comment stays a doc
		// comment; positions are one line lower.
		const pre = "package p\n"
		src = pre + src
		gb.prefix = len(pre)
	}
	gb.fset = token.NewFileSet()
	f, err := goparser.ParseFile(gb.fset, "", src, goparser.ParseComments|goparser.AllErrors)
	if err != nil {
		list, ok := err.(scanner.ErrorList)
		if !ok {
			p.errorf(p.fencePos(b), "%v", err)
			return
		}
		list.RemoveMultiples()
		for i, e := range list {
			if i == 5 {
				p.errorf(p.fencePos(b), "and %d more syntax errors in this block", len(list)-i)
				break
			}
			p.errorf(p.blockPos(b, e.Pos.Line-gb.shift(), e.Pos.Column), "%s", e.Msg)
		}
		return
	}
	gb.f = f
	if gb.hasPkg {
		gb.pkg = f.Name.Name
	}
	gb.test = b.isTestInfo() || strings.HasSuffix(gb.pkg, "_test") || strings.HasSuffix(gb.fileName, "_test.go")
	for _, d := range f.Decls {
		if fd, ok := d.(*goast.FuncDecl); ok && fd.Recv == nil && fd.Body != nil && isTestFunc(fd.Name.Name) {
			gb.test = true
		}
	}
	for _, d := range f.Decls {
		fd, ok := d.(*goast.FuncDecl)
		if !ok {
			continue
		}
		instr, hole := bodyHole(fd)
		if !hole {
			continue
		}
		if gb.test {
			p.errorf(a.declPos(gb, fd.Pos()), "%s has no body, in a test block: tests must be written out", FuncKey(fd))
			continue
		}
		gb.holes = append(gb.holes, &holeDecl{decl: fd, instr: instr})
	}
	if !gb.hasPkg {
		for _, d := range f.Decls {
			if gd, ok := d.(*goast.GenDecl); ok && gd.Tok == token.IMPORT {
				gb.imports = append(gb.imports, gd)
			}
		}
	}
	if !a.place(gb) {
		return
	}
	for s := b.section; s != nil; s = s.parent {
		s.holes += len(gb.holes)
	}
	a.blocks = append(a.blocks, gb)
}

// declPos returns the spec position of pos, a position of gb's parse.
func (a *assembler) declPos(gb *goBlock, pos token.Pos) Pos {
	position := gb.fset.Position(pos)
	return a.p.blockPos(gb.block, position.Line-gb.shift(), position.Column)
}

// shift returns how many lines the parse of gb has before its text.
func (gb *goBlock) shift() int {
	if gb.prefix > 0 {
		return 1
	}
	return 0
}

// place assigns gb to its file.
func (a *assembler) place(gb *goBlock) bool {
	p := a.p
	pos := p.fencePos(gb.block)
	var fb *fileBuild
	switch {
	case gb.hasPkg:
		name := gb.fileName
		if name == "" {
			name = defaultName(gb.pkg, gb.test)
		}
		if gb.test && !strings.HasSuffix(name, "_test.go") {
			p.errorf(pos, "a block of tests must be a _test.go file, not %s", name)
			return false
		}
		if old := a.byPath[name]; old != nil {
			p.errorf(pos, "a second block with a package clause for %s (the first is at %s): write one such block per file; a block without a package clause continues the file", name, old.pos)
			return false
		}
		fb = a.newFile(name, gb.pkg, gb.test, pos)
	case gb.fileName != "":
		fb = a.byPath[gb.fileName]
		if fb == nil {
			pkg, ok := a.pkgFor(path.Dir(gb.fileName), gb.test || strings.HasSuffix(gb.fileName, "_test.go"), pos)
			if !ok {
				return false
			}
			fb = a.newFile(gb.fileName, pkg, strings.HasSuffix(gb.fileName, "_test.go"), pos)
		}
	case gb.test:
		fb = a.lastTest
		if fb == nil {
			dir := "."
			if a.lastCode != nil {
				dir = path.Dir(a.lastCode.path)
			}
			pkg, ok := a.pkgFor(dir, true, pos)
			if !ok {
				return false
			}
			name := path.Join(dir, defaultName(pkg, true))
			if a.byPath[name] != nil {
				p.errorf(pos, "tests without a package clause or a // file: line, and %s is taken: name the file", name)
				return false
			}
			fb = a.newFile(name, pkg, true, pos)
		}
	default:
		fb = a.lastCode
		if fb == nil {
			pkg, ok := a.pkgFor(".", false, pos)
			if !ok {
				return false
			}
			fb = a.newFile(defaultName(pkg, false), pkg, false, pos)
		}
	}
	if gb.test && !fb.test {
		p.errorf(pos, "tests in %s, which is not a _test.go file", fb.path)
		return false
	}
	if gb.hasPkg {
		if msg := a.samePackage(fb); msg != "" {
			p.errorf(pos, "%s", msg)
			return false
		}
	}
	gb.file = fb
	fb.parts = append(fb.parts, gb)
	if fb.test {
		a.lastTest = fb
	} else {
		a.lastCode = fb
	}
	return true
}

func (a *assembler) newFile(name, pkg string, test bool, pos Pos) *fileBuild {
	fb := &fileBuild{path: name, pkg: pkg, test: test, pos: pos}
	a.byPath[name] = fb
	a.files = append(a.files, fb)
	return fb
}

// pkgFor returns the package name for a new file in dir that has no
// package clause.
func (a *assembler) pkgFor(dir string, test bool, pos Pos) (string, bool) {
	for _, f := range a.files {
		if path.Dir(f.path) == dir {
			pkg := strings.TrimSuffix(f.pkg, "_test")
			if test && f.test {
				pkg = f.pkg
			}
			return pkg, true
		}
	}
	pkg := a.p.opts.Package
	if pkg == "" && dir == "." {
		pkg = PackageName(a.importPath)
	} else if pkg == "" {
		pkg = PackageName(dir)
	}
	if pkg == "" {
		a.p.errorf(pos, "code without a package clause, and no package name to give it: start the block with a package clause")
		return "", false
	}
	return pkg, true
}

// samePackage checks that fb's package agrees with the other files of
// its directory.
func (a *assembler) samePackage(fb *fileBuild) string {
	base := strings.TrimSuffix(fb.pkg, "_test")
	for _, f := range a.files {
		if f == fb || path.Dir(f.path) != path.Dir(fb.path) {
			continue
		}
		if other := strings.TrimSuffix(f.pkg, "_test"); other != base || !f.test && f.pkg != other || !fb.test && fb.pkg != base {
			return fmt.Sprintf("package %s in %s, but %s (at %s) is package %s: the files of a directory are one package", fb.pkg, fb.path, f.path, f.pos, f.pkg)
		}
	}
	return ""
}

func defaultName(pkg string, test bool) string {
	switch {
	case strings.HasSuffix(pkg, "_test"):
		return strings.TrimSuffix(pkg, "_test") + "_x_test.go"
	case test:
		return pkg + "_test.go"
	}
	return pkg + ".go"
}

// checkFileName returns what is wrong with a // file: name, or "".
func checkFileName(name string) string {
	switch {
	case strings.Contains(name, `\`):
		return "use forward slashes"
	case path.IsAbs(name) || path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../"):
		return "want a clean path relative to the output directory"
	case !strings.HasSuffix(name, ".go"):
		return "not a .go file"
	case strings.HasPrefix(path.Base(name), ".") || strings.HasPrefix(path.Base(name), "_"):
		return "the go command ignores files whose names start with . or _"
	case slices.Contains(strings.Split(path.Dir(name), "/"), "testdata"):
		return "the go command ignores testdata directories"
	}
	return ""
}

// hasPackageClause reports whether the first token of src is package.
func hasPackageClause(src string) bool {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	_, tok, _ := s.Scan()
	return tok == token.PACKAGE
}

// isTestFunc reports whether name is the name of a test, benchmark,
// fuzz test or example.
func isTestFunc(name string) bool {
	for _, p := range []string{"Test", "Benchmark", "Fuzz", "Example"} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			if rest == "" || rest[0] == '_' || rest[0] >= 'A' && rest[0] <= 'Z' || rest[0] >= '0' && rest[0] <= '9' {
				return true
			}
		}
	}
	return false
}

// bodyHole reports whether fd's body is to be a hole: it has none, or
// it is only __, __("instruction"), panic("TODO") or
// panic("unimplemented"). It returns the instruction of __("…").
func bodyHole(fd *goast.FuncDecl) (string, bool) {
	if fd.Body == nil {
		return "", true
	}
	if len(fd.Body.List) != 1 {
		return "", false
	}
	s, ok := fd.Body.List[0].(*goast.ExprStmt)
	if !ok {
		return "", false
	}
	switch x := s.X.(type) {
	case *goast.Ident:
		return "", x.Name == "__"
	case *goast.CallExpr:
		id, ok := x.Fun.(*goast.Ident)
		if !ok || len(x.Args) > 1 {
			return "", false
		}
		var arg string
		if len(x.Args) == 1 {
			lit, ok := x.Args[0].(*goast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return "", false
			}
			arg, _ = strconv.Unquote(lit.Value)
		}
		switch id.Name {
		case "__":
			return arg, true
		case "panic":
			return "", len(x.Args) == 1 && (arg == "TODO" || arg == "unimplemented")
		}
	}
	return "", false
}

// FuncKey returns the name of fd in its package: "F", or "T.M" for a
// method M of T or *T (type parameters left out).
func FuncKey(fd *goast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *goast.StarExpr:
			t = x.X
			continue
		case *goast.ParenExpr:
			t = x.X
			continue
		case *goast.IndexExpr:
			t = x.X
			continue
		case *goast.IndexListExpr:
			t = x.X
			continue
		}
		break
	}
	if id, ok := t.(*goast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}

// finish computes the instructions, renders the files and checks the
// tests' names.
func (a *assembler) finish() {
	p := a.p
	// General prose: the sections that declare no hole.
	var general []string
	for _, s := range p.allSections {
		if s.holes == 0 && len(s.prose) > 0 {
			general = append(general, s.prose...)
		}
	}
	keys := map[string]Pos{} // dir + key → position of its declaration
	for _, gb := range a.blocks {
		if gb.test {
			continue
		}
		for _, d := range gb.f.Decls {
			fd, ok := d.(*goast.FuncDecl)
			if !ok || fd.Name.Name == "init" || fd.Name.Name == "_" {
				continue
			}
			k := path.Dir(gb.file.path) + "\x00" + FuncKey(fd)
			pos := a.declPos(gb, fd.Name.Pos())
			if old, ok := keys[k]; ok {
				p.errorf(pos, "%s is declared twice (also at %s)", FuncKey(fd), old)
				continue
			}
			keys[k] = pos
		}
	}
	for _, gb := range a.blocks {
		for _, h := range gb.holes {
			var parts []string
			if doc := strings.TrimSpace(h.decl.Doc.Text()); doc != "" {
				parts = append(parts, doc)
			}
			if h.instr != "" {
				parts = append(parts, h.instr)
			}
			for _, s := range gb.section.path() {
				parts = append(parts, s.prose...)
			}
			for _, g := range general {
				if !slices.Contains(parts, g) {
					parts = append(parts, g)
				}
			}
			h.fn = &Func{
				File:        gb.file.path,
				Key:         FuncKey(h.decl),
				Doc:         strings.TrimSpace(h.decl.Doc.Text()),
				Instruction: strings.Join(parts, "\n\n"),
				Pos:         a.declPos(gb, h.decl.Pos()),
			}
			p.spec.Funcs = append(p.spec.Funcs, h.fn)
		}
	}
	if len(p.errs) > 0 {
		return
	}
	for _, fb := range a.files {
		a.render(fb)
	}
	if len(p.errs) > 0 {
		return
	}
	a.checkTests()
	for _, fb := range a.files {
		p.spec.Files = append(p.spec.Files, &File{Path: fb.path, Package: fb.pkg, Test: fb.test, Text: fb.text, Pos: fb.pos})
	}
}

// render writes fb's text: its blocks, with holes for bodies and the
// imports of later blocks moved to the top.
func (a *assembler) render(fb *fileBuild) {
	p := a.p
	var sb strings.Builder
	var moved []*goast.ImportSpec
	for i, gb := range fb.parts {
		type edit struct {
			start, end int
			text       string
		}
		var edits []edit
		off := func(pos token.Pos) int { return gb.fset.Position(pos).Offset - gb.prefix }
		for _, h := range gb.holes {
			body := "\n\t__(" + quote(h.fn.Instruction) + ")\n"
			if h.decl.Body == nil {
				edits = append(edits, edit{off(h.decl.End()), off(h.decl.End()), " {" + body + "}"})
			} else {
				edits = append(edits, edit{off(h.decl.Body.Lbrace) + 1, off(h.decl.Body.Rbrace), body})
			}
		}
		for _, gd := range gb.imports {
			edits = append(edits, edit{off(gd.Pos()), off(gd.End()), ""})
			for _, s := range gd.Specs {
				moved = append(moved, s.(*goast.ImportSpec))
			}
		}
		slices.SortFunc(edits, func(x, y edit) int { return x.start - y.start })
		text := gb.body
		for j := len(edits) - 1; j >= 0; j-- {
			e := edits[j]
			text = text[:e.start] + e.text + text[e.end:]
		}
		if i == 0 && !gb.hasPkg {
			text = "package " + fb.pkg + "\n\n" + text
		}
		if i > 0 {
			sb.WriteString("\n\n")
		}
		sb.WriteString(text)
	}
	src := sb.String()
	fset := token.NewFileSet()
	f, err := goparser.ParseFile(fset, fb.path, src, goparser.ParseComments)
	if err != nil {
		p.errorf(fb.pos, "%s does not parse once its blocks are joined: %v", fb.path, firstError(err))
		return
	}
	if len(moved) > 0 {
		for _, s := range moved {
			ipath, _ := strconv.Unquote(s.Path.Value)
			name := ""
			if s.Name != nil {
				name = s.Name.Name
			}
			astutil.AddNamedImport(fset, f, name, ipath)
		}
		var buf bytes.Buffer
		if err := format.Node(&buf, fset, f); err != nil {
			p.errorf(fb.pos, "%s: %v", fb.path, err)
			return
		}
		src = buf.String()
	}
	name := fb.path
	if p.opts.Dir != "" {
		name = path.Join(p.opts.Dir, fb.path)
	}
	if out, err := p.opts.FixImports(name, src); err == nil {
		src = out
	}
	if out, err := format.Source([]byte(src)); err == nil {
		src = string(out)
	}
	fb.text = src
}

func firstError(err error) error {
	if list, ok := err.(scanner.ErrorList); ok && len(list) > 0 {
		return list[0]
	}
	return err
}

// quote quotes an instruction as a Go string literal: a raw one when it
// can be, for readability.
func quote(s string) string {
	if !strings.ContainsAny(s, "`\r") && len(s) > 0 && strings.Contains(s, "\n") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// checkTests reports the names that tests use and no declaration of the
// spec provides.
func (a *assembler) checkTests() {
	p := a.p
	// The package-level names of each package (by directory and
	// package clause), and the exported ones of each directory.
	names := map[string]map[string]bool{}
	pkgKey := func(gb *goBlock) string { return path.Dir(gb.file.path) + "\x00" + gb.file.pkg }
	dirNames := map[string]map[string]bool{}
	for _, gb := range a.blocks {
		k := pkgKey(gb)
		if names[k] == nil {
			names[k] = map[string]bool{}
		}
		d := path.Dir(gb.file.path)
		if dirNames[d] == nil {
			dirNames[d] = map[string]bool{}
		}
		for _, n := range topNames(gb.f) {
			names[k][n] = true
			if !strings.HasSuffix(gb.file.pkg, "_test") {
				dirNames[d][n] = true
			}
		}
	}
	for _, gb := range a.blocks {
		if !gb.test || constrained(gb.file.parts[0]) {
			// A file with build constraints may be left out of the
			// build: its names are not the spec's to provide.
			continue
		}
		k := pkgKey(gb)
		internal := path.Dir(gb.file.path) + "\x00" + strings.TrimSuffix(gb.file.pkg, "_test")
		imports := importNames(gb.file.text)
		reported := map[string]bool{}
		report := func(id *goast.Ident, name string) {
			if reported[name] {
				return
			}
			reported[name] = true
			where := "a test"
			for _, d := range gb.f.Decls {
				if fd, ok := d.(*goast.FuncDecl); ok && fd.Pos() <= id.Pos() && id.End() <= fd.End() {
					where = fd.Name.Name
				}
			}
			p.errorf(a.declPos(gb, id.Pos()), "%s refers to %s, which no declaration of the spec provides", where, name)
		}
		for _, id := range gb.f.Unresolved {
			n := id.Name
			if n == "_" || n == "__" || types.Universe.Lookup(n) != nil || names[k][n] || names[internal][n] && !strings.HasSuffix(gb.file.pkg, "_test") {
				continue
			}
			if _, ok := imports[n]; ok {
				continue
			}
			report(id, n)
		}
		if !strings.HasSuffix(gb.file.pkg, "_test") {
			continue
		}
		// package x_test: x.Name must be declared by x.
		self := a.importPath
		if d := path.Dir(gb.file.path); d != "." {
			self = path.Join(self, d)
		}
		goast.Inspect(gb.f, func(n goast.Node) bool {
			sel, ok := n.(*goast.SelectorExpr)
			if !ok {
				return true
			}
			x, ok := sel.X.(*goast.Ident)
			if !ok || x.Obj != nil || imports[x.Name] != self || self == "" {
				return true
			}
			if !dirNames[path.Dir(gb.file.path)][sel.Sel.Name] {
				report(sel.Sel, x.Name+"."+sel.Sel.Name)
			}
			return true
		})
	}
}

// topNames returns the package-level names f declares.
func topNames(f *goast.File) []string {
	var out []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *goast.FuncDecl:
			if d.Recv == nil {
				out = append(out, d.Name.Name)
			}
		case *goast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *goast.ValueSpec:
					for _, n := range s.Names {
						out = append(out, n.Name)
					}
				case *goast.TypeSpec:
					out = append(out, s.Name.Name)
				}
			}
		}
	}
	return out
}

// importNames maps the names src's imports bind to their paths.
func importNames(src string) map[string]string {
	f, err := goparser.ParseFile(token.NewFileSet(), "", src, goparser.ImportsOnly)
	out := map[string]string{}
	if err != nil {
		return out
	}
	for _, s := range f.Imports {
		p, _ := strconv.Unquote(s.Path.Value)
		name := ""
		if s.Name != nil {
			name = s.Name.Name
		} else {
			name = PackageName(p)
			if strings.HasPrefix(path.Base(p), "go-") {
				name = PackageName(strings.TrimPrefix(path.Base(p), "go-"))
			}
		}
		out[name] = p
	}
	return out
}

// constrained reports whether the block that starts a file carries a
// //go:build line.
func constrained(gb *goBlock) bool {
	for _, cg := range gb.f.Comments {
		if cg.Pos() > gb.f.Package {
			break
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build ") {
				return true
			}
		}
	}
	return false
}
