package spec

import (
	"bytes"
	"fmt"
	"go/token"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	gast "github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/difgen/difgen/ast"
)

// A Spec is a parsed spec: the files of the skeleton and its holes.
type Spec struct {
	Name  string  // the spec's file name, as given to Parse
	GoMod *GoMod  // the ```go.mod block, or nil
	Files []*File // in spec order of their first block
	Funcs []*Func // the functions whose bodies are holes, in spec order
	// Prose is the spec's text without its code blocks (for a model that
	// designs the API of a spec without code).
	Prose string
	// Code reports whether the spec has any ```go block.
	Code bool
}

// A GoMod is the spec's go.mod block.
type GoMod struct {
	Text   string
	Module string // its module path
	Pos    Pos
}

// A Pos is a position in the spec.
type Pos struct{ Line, Col int }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// A File is one file of the skeleton.
type File struct {
	Path    string // slash-separated, relative to the output directory
	Package string // its package clause
	Test    bool   // a _test.go file
	// Text is the file as generated: gofmt'd, imports fixed, each hole a
	// body __("instruction").
	Text string
	Pos  Pos // the block that started it
}

// Dir returns the slash-separated directory of the file, "" for the
// output directory itself.
func (f *File) Dir() string {
	if d := path.Dir(f.Path); d != "." {
		return d
	}
	return ""
}

// A Func is a function of the skeleton whose body is a hole.
type Func struct {
	File string // the Path of its File
	// Key names the function in its file: "F", or "T.M" for a method of
	// T (*T or T); see FuncKey.
	Key         string
	Doc         string // its doc comment, as text
	Instruction string // what the hole carries: the doc comment and the prose
	Pos         Pos    // of its declaration
}

// An Error is a problem at a position of the spec.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	if e.Pos.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// An ErrorList is a list of errors, sorted by position.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var sb strings.Builder
	for i, e := range l {
		if i > 0 {
			sb.WriteString("\n")
		}
		sb.WriteString(e.Error())
	}
	return sb.String()
}

// Options configures Parse. The zero value works for a spec whose code
// has package clauses.
type Options struct {
	// Dir is the absolute output directory. FixImports resolves
	// imports outside the standard library from it; "" resolves the
	// standard library only.
	Dir string
	// ImportPath is the import path of the output directory (the module
	// path, or the module path and the directory inside the module):
	// tests in package x_test import the package under test by it. ""
	// means the go.mod block's module path.
	ImportPath string
	// Package is the package name of code that has no package clause;
	// "" means the last element of ImportPath.
	Package string
	// FixImports adds the missing imports of a generated file; nil means
	// ast.FixImports keeping unused imports (holes may need them).
	FixImports func(name, src string) (string, error)
}

// Parse parses the spec src named name.
func Parse(name string, src []byte, opts *Options) (*Spec, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.FixImports == nil {
		o.FixImports = func(name, src string) (string, error) {
			return ast.FixImports(name, src, &ast.ImportOptions{KeepUnused: true})
		}
	}
	opts = &o
	p := &parser{name: name, src: src, opts: opts, lines: lineStarts(src)}
	p.walk()
	if len(p.errs) == 0 {
		p.assemble()
	}
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *Error) int {
			if a.Pos.Line != b.Pos.Line {
				return a.Pos.Line - b.Pos.Line
			}
			return a.Pos.Col - b.Pos.Col
		})
		return nil, p.errs
	}
	return p.spec, nil
}

// Scan reads only the go.mod block of the spec src named name, and
// reports whether it has any Go block: enough to choose the module and
// the output directory before Parse.
func Scan(name string, src []byte) (*GoMod, bool, error) {
	p := &parser{name: name, src: src, opts: &Options{}, lines: lineStarts(src), spec: &Spec{}}
	p.walk()
	code := false
	for _, b := range p.blocks {
		if b.isGoMod() {
			p.goMod(b)
		} else {
			code = true
		}
	}
	if len(p.errs) > 0 {
		return nil, code, p.errs
	}
	return p.spec.GoMod, code, nil
}

type parser struct {
	name  string
	src   []byte
	opts  *Options
	lines []int // offsets of the starts of the lines of src
	errs  ErrorList
	spec  *Spec

	root        *section
	allSections []*section // in spec order, root first
	blocks      []*block
	prose       []string // all prose, in order
}

// A section is a heading and what follows it up to the next heading of
// the same or a higher level.
type section struct {
	level  int
	parent *section
	prose  []string
	holes  int // holes declared in the section and its subsections
}

func (s *section) path() []*section {
	var out []*section
	for ; s != nil; s = s.parent {
		out = append(out, s)
	}
	slices.Reverse(out)
	return out
}

// A block is a fenced code block of the spec.
type block struct {
	info    []string // the info string's words
	text    string   // its content
	starts  []int    // spec offset of the start of each content line
	pos     int      // spec offset of the fence
	section *section
}

func (p *parser) errorf(pos Pos, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.name, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// posOf returns the position of the spec offset off.
func (p *parser) posOf(off int) Pos {
	i := sort.Search(len(p.lines), func(i int) bool { return p.lines[i] > off }) - 1
	i = max(i, 0)
	return Pos{Line: i + 1, Col: off - p.lines[i] + 1}
}

func lineStarts(src []byte) []int {
	out := []int{0}
	for i, c := range src {
		if c == '\n' {
			out = append(out, i+1)
		}
	}
	return out
}

// walk reads the Markdown: sections, prose and code blocks.
func (p *parser) walk() {
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	doc := md.Parser().Parse(text.NewReader(p.src))
	p.root = &section{}
	p.allSections = []*section{p.root}
	cur := p.root
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *gast.Heading:
			for cur != p.root && cur.level >= n.Level {
				cur = cur.parent
			}
			cur = &section{level: n.Level, parent: cur}
			p.allSections = append(p.allSections, cur)
			if t := strings.TrimSpace(p.raw(n)); t != "" {
				p.prose = append(p.prose, strings.Repeat("#", n.Level)+" "+t)
			}
		case *gast.FencedCodeBlock:
			if !p.addBlock(n, cur) {
				// An example in another language (input and output, a
				// shell session) is prose.
				if t := p.fenced(n); t != "" {
					cur.prose = append(cur.prose, t)
					p.prose = append(p.prose, t)
				}
			}
		case *gast.ThematicBreak:
		default:
			if t := strings.TrimSpace(p.raw(n)); t != "" {
				cur.prose = append(cur.prose, t)
				p.prose = append(p.prose, t)
			}
			// Code blocks inside lists and quotes are code too.
			gast.Walk(n, func(c gast.Node, entering bool) (gast.WalkStatus, error) {
				if fb, ok := c.(*gast.FencedCodeBlock); ok && entering {
					p.addBlock(fb, cur) // other languages stay in the prose
					return gast.WalkSkipChildren, nil
				}
				return gast.WalkContinue, nil
			})
		}
	}
}

// raw returns the source text that n spans, whole lines, without the
// lines of the code blocks inside it.
func (p *parser) raw(n gast.Node) string {
	start, stop := -1, -1
	var code [][2]int // line ranges [first, last] of code blocks inside n
	gast.Walk(n, func(c gast.Node, entering bool) (gast.WalkStatus, error) {
		if !entering || c.Type() != gast.TypeBlock {
			return gast.WalkContinue, nil
		}
		if fb, ok := c.(*gast.FencedCodeBlock); ok && p.isGo(fb) {
			first := p.posOf(fb.Pos()).Line
			last := first + fb.Lines().Len() + 1 // the closing fence
			code = append(code, [2]int{first, last})
			stop = max(stop, p.lineEnd(last))
			return gast.WalkSkipChildren, nil
		}
		lines := c.Lines()
		for i := range lines.Len() {
			s := lines.At(i)
			if start < 0 || s.Start < start {
				start = s.Start
			}
			stop = max(stop, s.Stop)
		}
		return gast.WalkContinue, nil
	})
	if start < 0 {
		return ""
	}
	// Whole lines: list markers and table pipes are part of the prose.
	first, last := p.posOf(start).Line, p.posOf(stop).Line
	var lines []string
	for l := first; l <= last; l++ {
		if slices.ContainsFunc(code, func(r [2]int) bool { return r[0] <= l && l <= r[1] }) {
			continue
		}
		lines = append(lines, string(p.src[p.lines[l-1]:p.lineEnd(l)]))
	}
	return strings.Join(lines, "\n")
}

// lineEnd returns the offset of the end of line l (1-based), before its
// newline.
func (p *parser) lineEnd(l int) int {
	if l >= len(p.lines) {
		return len(p.src)
	}
	return max(p.lines[l]-1, p.lines[l-1])
}

// fenced returns the text of the fenced block n, fences included.
func (p *parser) fenced(n *gast.FencedCodeBlock) string {
	if n.Pos() < 0 {
		return ""
	}
	first := p.posOf(n.Pos()).Line
	last := min(first+n.Lines().Len()+1, len(p.lines))
	return strings.TrimSpace(string(p.src[p.lines[first-1]:p.lineEnd(last)]))
}

// info returns the words of n's info string.
func (p *parser) info(n *gast.FencedCodeBlock) []string {
	if n.Info == nil {
		return nil
	}
	return strings.Fields(string(n.Info.Segment.Value(p.src)))
}

// isGo reports whether n is a go or go.mod block.
func (p *parser) isGo(n *gast.FencedCodeBlock) bool {
	info := p.info(n)
	if len(info) == 0 {
		return false
	}
	lang := strings.ToLower(strings.Trim(info[0], "{}."))
	return lang == "go" || lang == "golang" || lang == "go.mod"
}

// addBlock records n if it is a go or go.mod block, and reports
// whether it was.
func (p *parser) addBlock(n *gast.FencedCodeBlock, s *section) bool {
	if !p.isGo(n) {
		return false
	}
	info := p.info(n)
	b := &block{info: info, pos: n.Pos(), section: s}
	var sb strings.Builder
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		b.starts = append(b.starts, seg.Start)
		sb.Write(bytes.Repeat([]byte{' '}, seg.Padding))
		sb.Write(seg.Value(p.src))
	}
	b.text = sb.String()
	if n.Pos() < 0 || lines.Len() > 0 && n.Pos() > b.starts[0] {
		b.pos = -1
	}
	p.blocks = append(p.blocks, b)
	return true
}

// fencePos returns the position of b's opening fence.
func (p *parser) fencePos(b *block) Pos {
	if b.pos >= 0 {
		return p.posOf(b.pos)
	}
	if len(b.starts) > 0 {
		pos := p.posOf(b.starts[0])
		return Pos{Line: max(pos.Line-1, 1), Col: 1}
	}
	return Pos{Line: 1, Col: 1}
}

// blockPos returns the spec position of line (1-based) and col (1-based,
// in bytes) of b's text.
func (p *parser) blockPos(b *block, line, col int) Pos {
	if line < 1 || line > len(b.starts) {
		fp := p.fencePos(b)
		return Pos{Line: fp.Line + line, Col: col}
	}
	return p.posOf(b.starts[line-1] + col - 1)
}

func (b *block) isGoMod() bool { return strings.EqualFold(b.info[0], "go.mod") }

func (b *block) isTestInfo() bool {
	return slices.Contains(b.info[1:], "test") || slices.Contains(b.info[1:], "tests")
}

// assemble turns the blocks into files.
func (p *parser) assemble() {
	p.spec = &Spec{Name: p.name, Prose: strings.Join(p.prose, "\n\n") + "\n"}
	var goBlocks []*block
	for _, b := range p.blocks {
		if b.isGoMod() {
			p.goMod(b)
			continue
		}
		goBlocks = append(goBlocks, b)
	}
	p.spec.Code = len(goBlocks) > 0
	importPath := p.opts.ImportPath
	if importPath == "" && p.spec.GoMod != nil {
		importPath = p.spec.GoMod.Module
	}
	a := &assembler{p: p, importPath: importPath, byPath: map[string]*fileBuild{}}
	for _, b := range goBlocks {
		a.add(b)
	}
	if len(p.errs) > 0 {
		return
	}
	a.finish()
}

func (p *parser) goMod(b *block) {
	pos := p.fencePos(b)
	if p.spec.GoMod != nil {
		p.errorf(pos, "a second go.mod block (the first is at %s)", p.spec.GoMod.Pos)
		return
	}
	f, err := modfile.Parse("go.mod", []byte(b.text), nil)
	if err != nil {
		if list, ok := err.(modfile.ErrorList); ok {
			for _, e := range list {
				p.errorf(p.blockPos(b, e.Pos.Line, max(e.Pos.LineRune, 1)), "go.mod: %v", e.Err)
			}
			return
		}
		p.errorf(pos, "go.mod: %v", err)
		return
	}
	if f.Module == nil {
		p.errorf(pos, "go.mod: no module directive")
		return
	}
	mp := f.Module.Mod.Path
	if err := module.CheckImportPath(mp); err != nil {
		p.errorf(p.blockPos(b, f.Module.Syntax.Start.Line, f.Module.Syntax.Start.LineRune), "go.mod: invalid module path %q: %v", mp, errText(err, mp))
		return
	}
	p.spec.GoMod = &GoMod{Text: b.text, Module: mp, Pos: pos}
}

// errText returns err's message without the path it repeats.
func errText(err error, path string) string {
	var s string
	if e, ok := err.(*module.InvalidPathError); ok {
		s = e.Err.Error()
	} else {
		s = err.Error()
	}
	return strings.TrimPrefix(s, "malformed import path \""+path+"\": ")
}

// PackageName returns the package name that code without a package
// clause gets in a module or directory of import path importPath: its
// last element, lower-cased, without the characters an identifier
// cannot hold ("go-stack" → "gostack"), and without a major version
// suffix ("x/v2" → "x"). It returns "" when nothing is left.
func PackageName(importPath string) string {
	elem := path.Base(importPath)
	if len(elem) >= 2 && elem[0] == 'v' && strings.Trim(elem[1:], "0123456789") == "" && path.Dir(importPath) != "." {
		elem = path.Base(path.Dir(importPath))
	}
	var sb strings.Builder
	for _, r := range strings.ToLower(elem) {
		if r == '_' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' && sb.Len() > 0 {
			sb.WriteRune(r)
		}
	}
	name := sb.String()
	if !token.IsIdentifier(name) {
		return ""
	}
	return name
}
