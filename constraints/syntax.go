package constraints

import (
	goast "go/ast"
	"go/parser"
	"go/scanner"
	"go/token"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// parse parses f, or returns the cached result for the same name and
// content.
func (c *Checker) parse(f *ast.File) *parsedFile {
	key := parseKey{f.Name, f.Hash}
	c.mu.Lock()
	p, ok := c.parsed.get(key)
	c.mu.Unlock()
	if ok {
		return p
	}
	file, err := parser.ParseFile(c.fset, f.Name, f.Text, parser.ParseComments|parser.SkipObjectResolution)
	p = &parsedFile{file: file, findings: syntaxFindings(f, err)}
	c.mu.Lock()
	c.parsed.put(key, p)
	c.mu.Unlock()
	return p
}

// SyntaxFindings returns the syntax findings of f, as Check reports them:
// for a file that no checker checks (one that build constraints exclude),
// whose fills a denoiser still verifies parse.
func SyntaxFindings(f *ast.File) []Finding {
	_, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Text, parser.SkipObjectResolution)
	return syntaxFindings(f, err)
}

// syntaxFindings turns the error of parsing f into findings.
func syntaxFindings(f *ast.File, err error) []Finding {
	var fs []Finding
	if list, ok := err.(scanner.ErrorList); ok {
		for _, e := range list {
			start := offsetOf(f.Text, e.Pos.Line, e.Pos.Column)
			fs = append(fs, finding(Syntax, f.Name, f.Text, start, tokenEnd(f.Text, start), diag.SyntaxError, e.Msg))
		}
	} else if err != nil {
		fs = append(fs, finding(Syntax, f.Name, f.Text, 0, 0, diag.SyntaxError, err.Error()))
	}
	return fs
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
func funcDecl(files []*goast.File, name string) (*goast.FuncDecl, int) {
	for i, f := range files {
		if f == nil {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*goast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
				return fd, i
			}
		}
	}
	return nil, -1
}
