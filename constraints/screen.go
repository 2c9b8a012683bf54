package constraints

import (
	"context"
	"fmt"
	goast "go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// Screening: a type check at the cost of the edit, not of the package.
//
// Most candidates of a repair change one function body and most of them
// do not type-check. A function body's type errors depend only on the
// body and the package's declarations, never on other bodies; so when a
// canvas differs from the last fully checked one (the base) only inside
// some function bodies, Screen type-checks the declarations and those
// bodies alone — every other body is left out (a FuncDecl without a body,
// as for an assembly function) — and carries over the base's errors of the
// bodies left out, moved to their new offsets. No Info is filled. A canvas
// with no blocking findings gets the full Check (vet, build and tests
// need the whole type information), so Screen only ever saves the cost of
// rejecting a candidate.

// A typeBase is what Screen compares a canvas with: the last canvas whose
// types were fully checked.
type typeBase struct {
	files map[string]*baseFile // by file name
}

// A baseFile is one file of the base.
type baseFile struct {
	hash     ast.Hash
	decls    string              // the file's text with function bodies and imports cut out
	imports  map[string]bool     // import paths
	funcs    map[string]baseFunc // by funcKey
	findings []Finding           // the file's type findings
}

// A baseFunc is a function body of the base and its type errors.
type baseFunc struct {
	body     string    // the text of the body, braces included
	start    int       // offset of the body's "{"
	findings []Finding // type findings inside the body
}

// funcKeys returns a key per function declaration of f, in order: the
// receiver's type and the name (and, for repeated names such as init,
// the occurrence).
func funcKeys(f *goast.File, src string, tf *token.File) []string {
	seen := map[string]int{}
	var keys []string
	for _, d := range f.Decls {
		fd, ok := d.(*goast.FuncDecl)
		if !ok {
			continue
		}
		k := fd.Name.Name
		if fd.Recv != nil && len(fd.Recv.List) > 0 {
			t := fd.Recv.List[0].Type
			k = src[tf.Offset(t.Pos()):tf.Offset(t.End())] + "." + k
		}
		n := seen[k]
		seen[k]++
		keys = append(keys, fmt.Sprintf("%s#%d", k, n))
	}
	return keys
}

// outline returns the text of f without its function bodies and import
// declarations, its import paths, and its function bodies by key.
func outline(f *goast.File, src string, tf *token.File) (decls string, imports map[string]bool, funcs map[string]*goast.FuncDecl) {
	imports = map[string]bool{}
	funcs = map[string]*goast.FuncDecl{}
	var b strings.Builder
	last := 0
	keys := funcKeys(f, src, tf)
	i := 0
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *goast.GenDecl:
			if d.Tok == token.IMPORT {
				b.WriteString(src[last:tf.Offset(d.Pos())])
				last = tf.Offset(d.End())
				for _, s := range d.Specs {
					if p, err := strconv.Unquote(s.(*goast.ImportSpec).Path.Value); err == nil {
						imports[p] = true
					}
				}
			}
		case *goast.FuncDecl:
			funcs[keys[i]] = d
			i++
			if d.Body != nil {
				b.WriteString(src[last:tf.Offset(d.Body.Lbrace)])
				b.WriteString("{}")
				last = tf.Offset(d.Body.End())
			}
		}
	}
	b.WriteString(src[last:])
	return b.String(), imports, funcs
}

// setBase records tr, the full type check of units, as the base of
// Screen. The caller holds c.typesMu.
func (c *Checker) setBase(units []unit, tr *typesResult) {
	base := &typeBase{files: map[string]*baseFile{}}
	for _, u := range units {
		if u.kind == kindIgnored || u.ast == nil {
			continue
		}
		tf := c.fset.File(u.ast.Pos())
		if tf == nil {
			return
		}
		decls, imports, funcs := outline(u.ast, u.file.Text, tf)
		bf := &baseFile{hash: u.file.Hash, decls: decls, imports: imports, funcs: map[string]baseFunc{}}
		for _, f := range tr.findings {
			if f.File == u.file.Name {
				bf.findings = append(bf.findings, f)
			}
		}
		for k, fd := range funcs {
			if fd.Body == nil {
				bf.funcs[k] = baseFunc{start: -1}
				continue
			}
			s, e := tf.Offset(fd.Body.Lbrace), tf.Offset(fd.Body.End())
			bfn := baseFunc{body: u.file.Text[s:e], start: s}
			for _, f := range tr.findings {
				if f.File == u.file.Name && f.Start >= s && f.Start < e {
					bfn.findings = append(bfn.findings, f)
				}
			}
			bf.funcs[k] = bfn
		}
		base.files[u.file.Name] = bf
	}
	c.base = base
}

// Screen type-checks cv at the cost of what it changed since the last
// full check (see the comment above), and returns a report with its type
// findings alone (Shallow) when it has any; otherwise, or when cv changed
// more than function bodies, it returns Check(ctx, cv, upTo).
func (c *Checker) Screen(ctx context.Context, cv *ast.Canvas, upTo Category) (*Report, error) {
	if r := c.screen(ctx, cv); r != nil && r.Blocked() {
		return r, nil
	}
	return c.Check(ctx, cv, upTo)
}

// ScreenTypes returns the syntax and type findings of cv, at the cost of
// a screen where cv differs from the last full check only inside function
// bodies (see Screen), else of Check up to the types. It is how a
// denoiser verifies its candidates: with the same parser, type checker
// and imports as every other check.
func (c *Checker) ScreenTypes(ctx context.Context, cv *ast.Canvas) ([]Finding, error) {
	if r := c.screen(ctx, cv); r != nil {
		return r.Findings, nil
	}
	r, err := c.Check(ctx, cv, Types)
	if err != nil {
		return nil, err
	}
	return r.Findings, nil
}

// screen returns the Shallow report of cv's type findings, blocking or
// not, or nil when cv cannot be screened.
func (c *Checker) screen(ctx context.Context, cv *ast.Canvas) *Report {
	if len(c.pkg.CgoFiles) > 0 {
		return nil // cgo's type errors are confirmed by compiling
	}
	key := reportKey{cv.Key(), Types, "\x00screen"}
	c.mu.Lock()
	if r, ok := c.reports.get(key); ok {
		c.mu.Unlock()
		return r
	}
	c.mu.Unlock()
	t0 := time.Now()
	units := c.classify(cv)
	var syntax []Finding
	for i := range units {
		if units[i].kind == kindIgnored {
			continue
		}
		p := c.parse(units[i].file)
		units[i].ast = p.file
		syntax = append(syntax, p.findings...)
	}
	if len(syntax) > 0 {
		return nil // Check stops at syntax, cheaply
	}
	c.typesMu.Lock()
	base := c.base
	if base == nil {
		c.typesMu.Unlock()
		return nil
	}
	// Which bodies changed; anything else changed means a full check.
	type moved struct {
		findings []Finding
		delta    int
	}
	var carried []moved
	// When no test file changed, the package is checked without its tests
	// (the test files' findings stay the base's): a body's errors do not
	// depend on the tests.
	testsChanged := false
	for _, u := range units {
		if (u.kind == kindTest || u.kind == kindXTest) && (base.files[u.file.Name] == nil || base.files[u.file.Name].hash != u.file.Hash) {
			testsChanged = true
		}
	}
	var kept []Finding
	if !testsChanged {
		for _, u := range units {
			if u.kind == kindTest || u.kind == kindXTest {
				kept = append(kept, base.files[u.file.Name].findings...)
			}
		}
	}
	usedInStripped := map[string]map[string]bool{} // file → names selected from in stripped bodies
	files := map[string]*goast.File{}
	stripped := make([]unit, len(units))
	copy(stripped, units)
	for i, u := range units {
		if u.kind == kindIgnored {
			continue
		}
		if !testsChanged && (u.kind == kindTest || u.kind == kindXTest) {
			stripped[i].kind = kindIgnored
			continue
		}
		bf := base.files[u.file.Name]
		if bf == nil {
			c.typesMu.Unlock()
			return nil
		}
		tf := c.fset.File(u.ast.Pos())
		decls, imports, funcs := outline(u.ast, u.file.Text, tf)
		if u.file.Hash != bf.hash {
			if decls != bf.decls || len(funcs) != len(bf.funcs) {
				c.typesMu.Unlock()
				return nil
			}
			for p := range bf.imports {
				if !imports[p] {
					c.typesMu.Unlock()
					return nil // an import removed: a body left out may need it
				}
			}
		}
		file := *u.ast
		file.Decls = slices.Clone(u.ast.Decls)
		names := map[string]bool{}
		for j, d := range file.Decls {
			fd, ok := d.(*goast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			k := keyOf(funcs, fd)
			bfn, ok := bf.funcs[k]
			s, e := tf.Offset(fd.Body.Lbrace), tf.Offset(fd.Body.End())
			if !ok || u.file.Text[s:e] != bfn.body || mustHaveBody(fd) {
				continue // changed (or init, or generic): checked
			}
			goast.Inspect(fd.Body, func(n goast.Node) bool {
				if sel, ok := n.(*goast.SelectorExpr); ok {
					if id, ok := sel.X.(*goast.Ident); ok {
						names[id.Name] = true
					}
				}
				return true
			})
			cp := *fd
			cp.Body = nil
			file.Decls[j] = &cp
			carried = append(carried, moved{bfn.findings, s - bfn.start})
		}
		usedInStripped[u.file.Name] = names
		files[u.file.Name] = u.ast
		stripped[i].ast = &file
	}
	// An import used only in bodies left out looks unused: it is not.
	skip := func(e types.Error) bool {
		if code, _, _ := diag.TypesCode(e); code != diag.UnusedImport {
			return false
		}
		p := c.fset.Position(e.Pos)
		return c.importUsed(p.Filename, p.Offset, files, usedInStripped[p.Filename])
	}
	tr := c.checkTypesInfo(ctx, cv, stripped, false, skip)
	c.typesMu.Unlock()
	findings := tr.findings
	// The test files, when no test file changed, are not checked again:
	// their findings are the base's.
	findings = append(findings, kept...)
	for _, m := range carried {
		for _, f := range m.findings {
			f.Start += m.delta
			f.End += m.delta
			if file := cv.File(f.File); file != nil {
				f.Line, f.Col = lineCol(file.Text, f.Start)
			}
			findings = append(findings, f)
		}
	}
	r := &Report{Fset: c.fset, Reached: Types, Shallow: true, BrokenDeps: tr.broken}
	r.Findings = Sort(findings)
	c.spent(Types, t0)
	c.mu.Lock()
	c.reports.put(key, r)
	c.mu.Unlock()
	return r
}

// mustHaveBody reports whether go/types requires fd's body: an init
// function, or a generic function or method.
func mustHaveBody(fd *goast.FuncDecl) bool {
	if fd.Name.Name == "init" && fd.Recv == nil {
		return true
	}
	if fd.Type.TypeParams != nil && len(fd.Type.TypeParams.List) > 0 {
		return true
	}
	if fd.Recv != nil && len(fd.Recv.List) > 0 {
		t := fd.Recv.List[0].Type
		if st, ok := t.(*goast.StarExpr); ok {
			t = st.X
		}
		switch t.(type) {
		case *goast.IndexExpr, *goast.IndexListExpr:
			return true // a method of a generic type
		}
	}
	return false
}

// keyOf returns the key of fd in funcs.
func keyOf(funcs map[string]*goast.FuncDecl, fd *goast.FuncDecl) string {
	for k, d := range funcs {
		if d == fd {
			return k
		}
	}
	return ""
}

// importUsed reports whether the import at offset off of file name (an
// "imported and not used" error) is selected from in names: by its alias,
// or by the name of the package it imports.
func (c *Checker) importUsed(name string, off int, files map[string]*goast.File, names map[string]bool) bool {
	file := files[name]
	if file == nil {
		return false
	}
	tf := c.fset.File(file.Pos())
	for _, is := range file.Imports {
		if off < tf.Offset(is.Pos()) || off >= tf.Offset(is.End()) {
			continue
		}
		if is.Name != nil {
			if is.Name.Name == "." {
				return true // its uses are plain names: assume a body left out has one
			}
			return names[is.Name.Name]
		}
		p, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			return false
		}
		return names[c.imp.pkgName(p)]
	}
	return false
}
