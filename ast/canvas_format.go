package ast

import (
	"bytes"
	goast "go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/imports"
)

// Format returns src formatted by gofmt (go/format.Source).
func Format(src string) (string, error) {
	out, err := format.Source([]byte(src))
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// ImportOptions configures [FixImports]. The zero value adds missing
// imports and removes unused ones, as goimports does.
//
// x/tools v0.52 gives imports.Process neither a working directory nor an
// environment: packages outside the standard library are resolved from
// the file's directory by the go command run in the process's working
// directory and environment. Standard-library imports need no go command.
type ImportOptions struct {
	// KeepUnused keeps imports that the file does not use, for example
	// while holes that may use them are still unfilled.
	KeepUnused bool
}

// FixImports returns src, the text of the file name, with missing imports
// added and unused ones removed by golang.org/x/tools/imports. Only the
// import declarations change: the new import block is spliced into src in
// place of the old one, so code elsewhere keeps its formatting even when
// it is not gofmt-clean. When the set of imports does not change, src is
// returned unchanged. A nil opt means the zero ImportOptions.
func FixImports(name, src string, opt *ImportOptions) (string, error) {
	if opt == nil {
		opt = new(ImportOptions)
	}
	fset := token.NewFileSet()
	old, err := parser.ParseFile(fset, name, src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return "", err
	}
	out, err := imports.Process(name, []byte(src), &imports.Options{Comments: true, TabIndent: true, TabWidth: 8})
	if err != nil {
		return "", err
	}
	nfset := token.NewFileSet()
	nf, err := parser.ParseFile(nfset, name, out, parser.ParseComments)
	if err != nil {
		return "", err
	}
	if opt.KeepUnused {
		added := false
		for _, spec := range old.Imports {
			path, _ := strconv.Unquote(spec.Path.Value)
			name := ""
			if spec.Name != nil {
				name = spec.Name.Name
			}
			added = astutil.AddNamedImport(nfset, nf, name, path) || added
		}
		if added {
			var buf bytes.Buffer
			if err := format.Node(&buf, nfset, nf); err != nil {
				return "", err
			}
			out = buf.Bytes()
			if nf, err = parser.ParseFile(nfset, name, out, parser.ParseComments); err != nil {
				return "", err
			}
		}
	}
	if slices.Equal(importSet(old), importSet(nf)) {
		return src, nil
	}
	block := ""
	if s, e, ok := importRange(nf, nfset); ok {
		block = string(out[s:e])
	}
	s, e, ok := importRange(old, fset)
	switch {
	case ok && block != "":
		return src[:s] + block + src[e:], nil
	case ok: // all imports removed: drop the declarations and the blank lines after them
		e += len(src[e:]) - len(strings.TrimLeft(src[e:], " \t\r\n"))
		return src[:s] + src[e:], nil
	case block != "": // first import: after the package clause's line
		at := fset.Position(old.Name.End()).Offset
		if i := strings.IndexByte(src[at:], '\n'); i >= 0 {
			at += i
		} else {
			at = len(src)
		}
		return src[:at] + "\n\n" + block + src[at:], nil
	}
	return src, nil
}

// importRange returns the byte span of f's import declarations, from the
// first to the end of the last.
func importRange(f *goast.File, fset *token.FileSet) (start, end int, ok bool) {
	for _, d := range f.Decls {
		g, isGen := d.(*goast.GenDecl)
		if !isGen || g.Tok != token.IMPORT {
			continue
		}
		if !ok {
			start, ok = fset.Position(g.Pos()).Offset, true
		}
		end = fset.Position(g.End()).Offset
	}
	return start, end, ok
}

// importSet returns f's imports as sorted "name path" strings.
func importSet(f *goast.File) []string {
	var set []string
	for _, spec := range f.Imports {
		name := ""
		if spec.Name != nil {
			name = spec.Name.Name
		}
		set = append(set, name+" "+spec.Path.Value)
	}
	slices.Sort(set)
	return set
}
