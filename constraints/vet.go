package constraints

import (
	"fmt"
	"go/ast"
	"go/types"

	dast "github.com/difgen/difgen/ast"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/analysis/suite/vet"
	"golang.org/x/tools/go/packages"
)

// vet runs the analyzers of cmd/vet in-process on the type-checked
// package (with its in-package tests) and on the external test package.
// Facts are not imported from dependencies: analyzers that use them (such
// as printf) see only the package's own wrappers and their built-in lists.
// The caller holds c.typesMu.
func (c *Checker) vet(cv *dast.Canvas, tr *typesResult) ([]Finding, error) {
	if len(c.pkg.CgoFiles) > 0 {
		// Our type check of cgo files fakes package C (no types for C.f
		// calls), and some analyzers panic on untyped calls, in goroutines
		// we cannot recover. The build check still compiles the package.
		c.opts.logf("constraints: vet skipped for %s: it uses cgo", c.pkg.ImportPath)
		return nil, nil
	}
	var roots []*packages.Package
	if tr.pkg != nil {
		roots = append(roots, c.vetPackage(c.pkg.ImportPath, tr.pkg, tr.files, tr.names, tr.info))
	}
	if tr.xpkg != nil {
		roots = append(roots, c.vetPackage(c.pkg.ImportPath+"_test", tr.xpkg, tr.xfiles, tr.xnames, tr.info))
	}
	if len(roots) == 0 {
		return nil, nil
	}
	graph, err := checker.Analyze(vet.Suite, roots, nil)
	if err != nil {
		return nil, fmt.Errorf("vet: %v", err)
	}
	var out []Finding
	for act := range graph.All() {
		if !act.IsRoot {
			continue
		}
		if act.Err != nil {
			c.opts.logf("constraints: vet %s: %v", act, act.Err)
			continue
		}
		for _, d := range act.Diagnostics {
			pos := c.fset.Position(d.Pos)
			file := cv.File(pos.Filename)
			if file == nil {
				out = append(out, Finding{File: pos.Filename, Line: pos.Line, Col: pos.Column, Category: Vet, Code: act.Analyzer.Name, Message: d.Message, Weight: 1})
				continue
			}
			end := pos.Offset
			if d.End.IsValid() {
				if e := c.fset.Position(d.End); e.Filename == pos.Filename {
					end = e.Offset
				}
			}
			if end <= pos.Offset {
				end = tokenEnd(file.Text, pos.Offset)
			}
			f := finding(Vet, file.Name, file.Text, pos.Offset, end, act.Analyzer.Name, d.Message)
			for _, rel := range d.Related {
				rp := c.fset.Position(rel.Pos)
				r := Related{File: rp.Filename, Line: rp.Line, Col: rp.Column, Start: rp.Offset, End: rp.Offset, Message: rel.Message}
				if re := c.fset.Position(rel.End); rel.End.IsValid() && re.Filename == rp.Filename {
					r.End = re.Offset
				}
				f.Related = append(f.Related, r)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

func (c *Checker) vetPackage(path string, pkg *types.Package, files []*ast.File, names []string, info *types.Info) *packages.Package {
	lp := &packages.Package{
		ID:              path,
		Name:            pkg.Name(),
		PkgPath:         path,
		GoFiles:         names,
		CompiledGoFiles: names,
		OtherFiles:      c.pkg.OtherFiles,
		IgnoredFiles:    c.pkg.IgnoredFiles,
		Fset:            c.fset,
		Syntax:          files,
		Types:           pkg,
		TypesInfo:       info,
		TypesSizes:      c.sizes,
		Imports:         map[string]*packages.Package{},
	}
	if c.pkg.ModulePath != "" {
		lp.Module = &packages.Module{Path: c.pkg.ModulePath, Dir: c.pkg.ModuleDir, GoVersion: c.pkg.GoVersion, Main: c.pkg.Writable}
	}
	return lp
}
