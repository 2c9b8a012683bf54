package constraints

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"

	dast "github.com/difgen/difgen/ast"
)

// parse parses f, or returns the cached result for the same name and
// content.
func (c *Checker) parse(f *dast.File) *parsedFile {
	key := parseKey{f.Name, f.Hash}
	c.mu.Lock()
	p, ok := c.parsed.get(key)
	c.mu.Unlock()
	if ok {
		return p
	}
	file, err := parser.ParseFile(c.fset, f.Name, f.Text, parser.ParseComments|parser.SkipObjectResolution)
	p = &parsedFile{file: file}
	if list, ok := err.(scanner.ErrorList); ok {
		for _, e := range list {
			start := offsetOf(f.Text, e.Pos.Line, e.Pos.Column)
			p.findings = append(p.findings, finding(Syntax, f.Name, f.Text, start, tokenEnd(f.Text, start), "syntax", e.Msg))
		}
	} else if err != nil {
		p.findings = append(p.findings, finding(Syntax, f.Name, f.Text, 0, 0, "syntax", err.Error()))
	}
	c.mu.Lock()
	c.parsed.put(key, p)
	c.mu.Unlock()
	return p
}

// packageName returns the package name declared by the Go source text, or
// "" if it has none.
func packageName(text string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "", text, parser.PackageClauseOnly)
	if err != nil || f.Name == nil {
		return ""
	}
	return f.Name.Name
}

// funcDecl returns the declaration of the top-level function name in
// files, with the index of its file, or nil.
func funcDecl(files []*ast.File, name string) (*ast.FuncDecl, int) {
	for i, f := range files {
		if f == nil {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
				return fd, i
			}
		}
	}
	return nil, -1
}
