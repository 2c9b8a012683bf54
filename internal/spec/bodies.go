package spec

import (
	"bytes"
	"fmt"
	goast "go/ast"
	"go/format"
	goparser "go/parser"
	"go/printer"
	"go/token"
	"slices"
	"strings"
)

// A Body is the body of a function in a file's text.
type Body struct {
	Start, End int // byte offsets of the text strictly inside the braces
	// Stub is a body that compiles and does nothing: "return" for named
	// results, "return *new(T1), …" otherwise, empty without results.
	Stub string
	// Statements reports whether the body holds any statement.
	Statements bool
}

// Bodies returns the bodies of the functions of src by FuncKey; a
// function without a body is left out.
func Bodies(src string) (map[string]Body, error) {
	fset := token.NewFileSet()
	f, err := goparser.ParseFile(fset, "", src, goparser.ParseComments|goparser.SkipObjectResolution)
	if err != nil {
		return nil, firstError(err)
	}
	tf := fset.File(f.Pos())
	out := map[string]Body{}
	for _, d := range f.Decls {
		fd, ok := d.(*goast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		out[FuncKey(fd)] = Body{
			Start:      tf.Offset(fd.Body.Lbrace) + 1,
			End:        tf.Offset(fd.Body.Rbrace),
			Stub:       stub(fset, fd),
			Statements: len(fd.Body.List) > 0,
		}
	}
	return out, nil
}

func stub(fset *token.FileSet, fd *goast.FuncDecl) string {
	res := fd.Type.Results
	if res == nil || len(res.List) == 0 {
		return "\n"
	}
	if len(res.List[0].Names) > 0 {
		return "\n\treturn\n"
	}
	var vals []string
	for _, r := range res.List {
		var buf bytes.Buffer
		printer.Fprint(&buf, fset, r.Type)
		vals = append(vals, "*new("+buf.String()+")")
	}
	return "\n\treturn " + strings.Join(vals, ", ") + "\n"
}

// SetBody returns src with the body of the function key replaced by
// body (the text inside the braces).
func SetBody(src, key, body string) (string, error) {
	bs, err := Bodies(src)
	if err != nil {
		return "", err
	}
	b, ok := bs[key]
	if !ok {
		return "", fmt.Errorf("no function %s", key)
	}
	return src[:b.Start] + body + src[b.End:], nil
}

// HoleBody returns the body of a function whose body is a hole with
// the instruction instr.
func HoleBody(instr string) string { return "\n\t__(" + quote(instr) + ")\n" }

// Skeleton returns src reduced to what a skeleton fixes: its
// declarations without the import declarations, the bodies of the
// functions keys left out, gofmt'd without comments inside bodies. Two
// texts with the same skeleton differ only in those bodies and imports.
func Skeleton(src string, keys []string) (string, error) {
	fset := token.NewFileSet()
	f, err := goparser.ParseFile(fset, "", src, goparser.ParseComments|goparser.SkipObjectResolution)
	if err != nil {
		return "", firstError(err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "package %s\n", f.Name.Name)
	for _, d := range f.Decls {
		if gd, ok := d.(*goast.GenDecl); ok && gd.Tok == token.IMPORT {
			continue
		}
		if fd, ok := d.(*goast.FuncDecl); ok && slices.Contains(keys, FuncKey(fd)) {
			c := *fd
			c.Body = nil
			d = &c
		}
		var buf bytes.Buffer
		if err := format.Node(&buf, fset, d); err != nil {
			return "", err
		}
		if doc := docOf(d); doc != "" {
			sb.WriteString("// " + doc + "\n")
		}
		sb.WriteString(buf.String())
		sb.WriteString("\n")
	}
	return sb.String(), nil
}

func docOf(d goast.Decl) string {
	switch d := d.(type) {
	case *goast.FuncDecl:
		return strings.Join(strings.Fields(d.Doc.Text()), " ")
	case *goast.GenDecl:
		return strings.Join(strings.Fields(d.Doc.Text()), " ")
	}
	return ""
}
