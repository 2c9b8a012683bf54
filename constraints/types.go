package constraints

import (
	"context"
	goast "go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

type typesResult struct {
	pkg, xpkg     *types.Package
	info          *types.Info
	files, xfiles []*goast.File
	names, xnames []string
	findings      []Finding
	broken        []string // imports that exist but do not build
}

// checkTypes type-checks the package with its in-package test files, then
// the external test package against that result. The caller holds
// c.typesMu.
func (c *Checker) checkTypes(ctx context.Context, cv *ast.Canvas, units []unit) *typesResult {
	return c.checkTypesInfo(ctx, cv, units, true, nil)
}

// checkTypesInfo is checkTypes; without withInfo, no Info is recorded
// (a screen: only the errors count), and errors skip reports true for
// are dropped before they become findings.
func (c *Checker) checkTypesInfo(ctx context.Context, cv *ast.Canvas, units []unit, withInfo bool, skip func(types.Error) bool) *typesResult {
	tr := &typesResult{}
	if withInfo {
		tr.info = newInfo(c.lastInfo)
		defer func() { c.lastInfo = tr.info }()
	}
	hasCgo := false
	for _, u := range units {
		if u.kind == kindTest || u.kind == kindXTest {
			if c.opts.Tests == TestsOff {
				continue // with tests off, test files are not checked at all
			}
		}
		switch u.kind {
		case kindPkg, kindTest:
			tr.files = append(tr.files, u.ast)
			tr.names = append(tr.names, u.file.Name)
			if importsC(u.ast) {
				hasCgo = true
			}
		case kindXTest:
			tr.xfiles = append(tr.xfiles, u.ast)
			tr.xnames = append(tr.xnames, u.file.Name)
		}
	}
	collect := func(err error) {
		te, ok := err.(types.Error)
		if !ok {
			tr.findings = append(tr.findings, Finding{Category: Types, Code: "types", Message: err.Error(), Weight: 1})
			return
		}
		if skip != nil && skip(te) {
			return
		}
		tr.findings = append(tr.findings, c.typesFinding(cv, te))
	}
	imp := c.imp.forCheck(ctx, nil)
	conf := types.Config{
		Importer:    imp,
		Error:       collect,
		Sizes:       c.sizes,
		GoVersion:   goVersion(c.pkg.GoVersion),
		FakeImportC: hasCgo,
	}
	if len(tr.files) > 0 {
		tr.pkg, _ = conf.Check(c.pkg.ImportPath, c.fset, tr.files, tr.info)
	}
	if len(tr.xfiles) > 0 {
		self := tr.pkg
		if self == nil {
			self = types.NewPackage(c.pkg.ImportPath, c.pkg.Name)
			self.MarkComplete()
		}
		xconf := conf
		ximp := c.imp.forCheck(ctx, self)
		xconf.Importer = ximp
		xconf.FakeImportC = false
		tr.xpkg, _ = xconf.Check(c.pkg.ImportPath+"_test", c.fset, tr.xfiles, tr.info)
		tr.broken = append(tr.broken, ximp.(*checkImporter).broken...)
	}
	tr.broken = append(tr.broken, imp.(*checkImporter).broken...)
	slices.Sort(tr.broken)
	tr.broken = slices.Compact(tr.broken)
	if hasCgo && len(tr.findings) > 0 {
		fs, err := c.cgoTypes(ctx, cv, units, tr.findings)
		if err != nil {
			fs = []Finding{{Category: Types, Code: "types", Message: err.Error(), Weight: 1}}
		}
		tr.findings = fs
	}
	return tr
}

// newInfo returns an Info whose maps are sized like those of last, so
// that a re-check does not grow them step by step.
func newInfo(last *types.Info) *types.Info {
	if last == nil {
		last = new(types.Info)
	}
	return &types.Info{
		Types:        make(map[goast.Expr]types.TypeAndValue, len(last.Types)),
		Instances:    make(map[*goast.Ident]types.Instance, len(last.Instances)),
		Defs:         make(map[*goast.Ident]types.Object, len(last.Defs)),
		Uses:         make(map[*goast.Ident]types.Object, len(last.Uses)),
		Implicits:    make(map[goast.Node]types.Object, len(last.Implicits)),
		Selections:   make(map[*goast.SelectorExpr]*types.Selection, len(last.Selections)),
		Scopes:       make(map[goast.Node]*types.Scope, len(last.Scopes)),
		FileVersions: make(map[*goast.File]string, len(last.FileVersions)),
	}
}

// goVersion turns a go.mod version ("1.22", "1.22.3") into a language
// version for go/types ("go1.22").
func goVersion(v string) string {
	if v == "" {
		return ""
	}
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		return "go" + parts[0] + "." + parts[1]
	}
	return "go" + v
}

// typesFinding turns a go/types error into a finding.
func (c *Checker) typesFinding(cv *ast.Canvas, e types.Error) Finding {
	code, _, end := diag.TypesCode(e)
	pos := c.fset.Position(e.Pos)
	f := Finding{Category: Types, Code: code, Message: e.Msg, Soft: e.Soft, Weight: 1, File: pos.Filename, Line: pos.Line, Col: pos.Column}
	file := cv.File(pos.Filename)
	if file == nil || !e.Pos.IsValid() {
		return f
	}
	off := pos.Offset
	endOff := tokenEnd(file.Text, off)
	if end > 0 && token.Pos(end).IsValid() {
		if p := c.fset.Position(token.Pos(end)); p.Filename == pos.Filename && p.Offset > off {
			endOff = p.Offset
		}
	}
	ff := finding(Types, file.Name, file.Text, off, endOff, code, e.Msg)
	ff.Soft = e.Soft
	return ff
}
