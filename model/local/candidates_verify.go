package local

import (
	"errors"
	"fmt"
	goast "go/ast"
	"go/importer"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model"
)

// stdPackage returns the type information of the standard-library
// package at path, loading it once per denoiser, or nil.
func (d *Denoiser) stdPackage(path string) *types.Package {
	if path == "" {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.std[path]; ok {
		return p
	}
	if d.imp == nil {
		d.imp = d.opts.Importer
		if d.imp == nil {
			d.imp = importer.ForCompiler(token.NewFileSet(), "source", nil)
		}
	}
	p, err := d.imp.Import(path)
	if err != nil {
		p = nil
	}
	d.std[path] = p
	return p
}

// A verifier re-checks the request's package with one candidate applied
// and counts the errors that remain: hard errors count 1, soft ones
// (unused variables and imports) 1/2, a file that no longer parses 100
// plus its syntax errors. Without type information it only parses.
type verifier struct {
	d       *Denoiser
	canvas  *ast.Canvas
	fset    *token.FileSet
	names   []string
	files   []*goast.File
	pkg     *types.Package
	imports map[string]*types.Package
	cache   map[string]float64
}

func (d *Denoiser) newVerifier(req *model.Request) *verifier {
	if req.Canvas == nil {
		return nil
	}
	v := &verifier{d: d, canvas: req.Canvas, fset: token.NewFileSet(), cache: map[string]float64{}}
	t := req.Types
	if t == nil || t.Pkg == nil {
		return v
	}
	for _, name := range t.Names {
		f := req.Canvas.File(name)
		if f == nil {
			return v
		}
		af, err := parser.ParseFile(v.fset, name, f.Text, parser.SkipObjectResolution)
		if err != nil && !holds(req.Holes, name) {
			return v // a file each check would see broken
		}
		v.names = append(v.names, name)
		v.files = append(v.files, af)
	}
	v.pkg = t.Pkg
	v.imports = map[string]*types.Package{}
	for _, p := range t.Pkg.Imports() {
		v.imports[p.Path()] = p
	}
	return v
}

// holds reports whether one of holes is in the named file; such a file
// is re-parsed with the candidate by every check, so it may not parse
// with its holes masked (a masked operator, say).
func holds(holes []*ast.Hole, name string) bool {
	return slices.ContainsFunc(holes, func(h *ast.Hole) bool { return h.File == name })
}

// Import implements types.Importer for the checks.
func (v *verifier) Import(path string) (*types.Package, error) {
	if p, ok := v.imports[path]; ok {
		return p, nil
	}
	if first, _, _ := strings.Cut(path, "/"); !strings.Contains(first, ".") {
		if p := v.d.stdPackage(path); p != nil {
			return p, nil
		}
	}
	return nil, fmt.Errorf("package %s not loaded", path)
}

// check returns the weighted error count of the package with h filled by
// text.
func (v *verifier) check(h *ast.Hole, text string) float64 {
	key := fmt.Sprintf("%s:%d:%d:%s", h.File, h.Start, h.End, text)
	if n, ok := v.cache[key]; ok {
		return n
	}
	n := v.check1(h, text)
	v.cache[key] = n
	return n
}

func (v *verifier) check1(h *ast.Hole, text string) float64 {
	f := v.canvas.File(h.File)
	if f == nil || h.End > len(f.Text) || h.Start < 0 || h.Start > h.End {
		return 0
	}
	src, err := ast.Apply(f.Text, []ast.Edit{ast.IndentFill(f.Text, h, text)})
	if err != nil {
		return 1000
	}
	src = addStdImports(src, text)
	af, err := parser.ParseFile(v.fset, h.File, src, parser.SkipObjectResolution)
	if err != nil {
		var list scanner.ErrorList
		if errors.As(err, &list) {
			return 100 + float64(len(list))
		}
		return 101
	}
	if v.pkg == nil {
		return 0
	}
	files := slices.Clone(v.files)
	i := slices.Index(v.names, h.File)
	if i < 0 {
		return 0
	}
	files[i] = af
	var n float64
	conf := types.Config{
		Importer:    v,
		FakeImportC: true,
		GoVersion:   v.pkg.GoVersion(),
		Error: func(err error) {
			if te, ok := err.(types.Error); ok && te.Soft {
				n += 0.5
				return
			}
			n++
		},
	}
	conf.Check(v.pkg.Path(), v.fset, files, nil)
	return n
}

// addStdImports adds to src an import of each common standard-library
// package that fill uses by name and src does not import, as goimports
// would after the fill is applied.
func addStdImports(src, fill string) string {
	af, err := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly)
	if err != nil {
		return src
	}
	bound := map[string]bool{} // names the file's imports already bind
	for _, spec := range af.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		switch {
		case spec.Name != nil:
			bound[spec.Name.Name] = true
		default:
			bound[importName(p)] = true
		}
	}
	var add []string
	for name, path := range stdPackages {
		if bound[name] || !strings.Contains(fill, name+".") || !usesQualifier(fill, name) {
			continue // crypto/rand's rand is not math/rand's
		}
		add = append(add, strconv.Quote(path))
	}
	if len(add) == 0 {
		return src
	}
	slices.Sort(add)
	off := int(af.Name.End()) - 1
	return src[:off] + "; import (" + strings.Join(add, "; ") + ")" + src[off:]
}

// importName returns the name a package at path is imported under by
// default: its last element, or the one before a major version suffix.
func importName(path string) string {
	elems := strings.Split(path, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && len(last) > 1 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
		last = elems[len(elems)-2]
	}
	return last
}

// usesQualifier reports whether s uses name as a package qualifier: name
// followed by a dot, not preceded by an identifier character or a dot.
func usesQualifier(s, name string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], name+".")
		if j < 0 {
			return false
		}
		j += i
		if j == 0 || !isIdentRune(rune(s[j-1])) && s[j-1] != '.' {
			return true
		}
		i = j + 1
	}
}
