package constraints

import (
	"fmt"
	goast "go/ast"
	"go/token"
	"go/types"
	"os"
	"reflect"
	"runtime/debug"
	"slices"

	"golang.org/x/tools/go/analysis"
)

// A vetUnit is one type-checked package to analyze, described as
// go vet's unitchecker describes it to the analyzers.
type vetUnit struct {
	fset    *token.FileSet
	pkg     *types.Package
	files   []*goast.File
	info    *types.Info
	sizes   types.Sizes
	other   []string // non-Go files (assembly)
	ignored []string // files excluded by build constraints
	module  *analysis.Module
	// readFile reads a file for Pass.ReadFile; nil means os.ReadFile.
	readFile func(string) ([]byte, error)
}

type objectFactKey struct {
	obj types.Object
	typ reflect.Type
}

type packageFactKey struct {
	pkg *types.Package
	typ reflect.Type
}

// A factTable holds the facts one analysis of a package sees: those its
// analyzers export about the package's objects, and those of the
// packages it imports, which dep supplies (nil: none).
type factTable struct {
	obj map[objectFactKey]analysis.Fact
	pkg map[packageFactKey]analysis.Fact
	dep func(*types.Package) *factTable
}

func newFactTable(dep func(*types.Package) *factTable) *factTable {
	return &factTable{obj: make(map[objectFactKey]analysis.Fact), pkg: make(map[packageFactKey]analysis.Fact), dep: dep}
}

func (t *factTable) lookupObject(self *types.Package, obj types.Object, typ reflect.Type) analysis.Fact {
	if f, ok := t.obj[objectFactKey{obj, typ}]; ok {
		return f
	}
	if obj.Pkg() != nil && obj.Pkg() != self && t.dep != nil {
		if d := t.dep(obj.Pkg()); d != nil {
			return d.obj[objectFactKey{obj, typ}]
		}
	}
	return nil
}

func (t *factTable) lookupPackage(self, pkg *types.Package, typ reflect.Type) analysis.Fact {
	if f, ok := t.pkg[packageFactKey{pkg, typ}]; ok {
		return f
	}
	if pkg != self && t.dep != nil {
		if d := t.dep(pkg); d != nil {
			return d.pkg[packageFactKey{pkg, typ}]
		}
	}
	return nil
}

// analyze runs analyzers, and the analyzers they require, on u, each once,
// one after the other in a fixed order, as go vet's unitchecker runs them
// on one package. Facts the analyzers export go into facts. It returns
// the diagnostics of each analyzer of analyzers and the error of each
// that failed (a panic, or a failed requirement), so that one broken
// analyzer does not hide the others.
func analyze(analyzers []*analysis.Analyzer, u *vetUnit, facts *factTable) (map[*analysis.Analyzer][]analysis.Diagnostic, map[*analysis.Analyzer]error) {
	results := make(map[*analysis.Analyzer]any)
	diags := make(map[*analysis.Analyzer][]analysis.Diagnostic)
	errs := make(map[*analysis.Analyzer]error)
	done := make(map[*analysis.Analyzer]bool)
	var run func(a *analysis.Analyzer)
	run = func(a *analysis.Analyzer) {
		if done[a] {
			return
		}
		done[a] = true
		inputs := make(map[*analysis.Analyzer]any)
		var failed []string
		for _, req := range a.Requires {
			run(req)
			if errs[req] != nil {
				failed = append(failed, req.Name)
				continue
			}
			inputs[req] = results[req]
		}
		if failed != nil {
			slices.Sort(failed)
			errs[a] = fmt.Errorf("failed prerequisites: %v", failed)
			return
		}
		pass := u.pass(a, inputs, facts, func(d analysis.Diagnostic) { diags[a] = append(diags[a], d) })
		res, err := runPass(a, pass)
		if err == nil && reflect.TypeOf(res) != a.ResultType {
			err = fmt.Errorf("analyzer %s returned a result of type %T, want %v", a.Name, res, a.ResultType)
		}
		results[a] = res
		if err != nil {
			errs[a] = err
			delete(diags, a)
		}
	}
	for _, a := range analyzers {
		run(a)
	}
	for a := range diags {
		if !slices.Contains(analyzers, a) {
			delete(diags, a)
		}
	}
	return diags, errs
}

// runPass runs a on pass, turning a panic into an error.
func runPass(a *analysis.Analyzer, pass *analysis.Pass) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("analyzer %s panicked: %v\n%s", a.Name, r, debug.Stack())
		}
	}()
	return a.Run(pass)
}

// pass returns the analysis.Pass of a on u.
func (u *vetUnit) pass(a *analysis.Analyzer, inputs map[*analysis.Analyzer]any, facts *factTable, report func(analysis.Diagnostic)) *analysis.Pass {
	module := u.module
	if module == nil {
		module = &analysis.Module{}
	}
	pass := &analysis.Pass{
		Analyzer:     a,
		Fset:         u.fset,
		Files:        u.files,
		OtherFiles:   u.other,
		IgnoredFiles: u.ignored,
		Pkg:          u.pkg,
		TypesInfo:    u.info,
		TypesSizes:   u.sizes,
		Module:       module,
		ResultOf:     inputs,
		Report:       report,
		ImportObjectFact: func(obj types.Object, ptr analysis.Fact) bool {
			if obj == nil {
				panic("nil object")
			}
			if f := facts.lookupObject(u.pkg, obj, reflect.TypeOf(ptr)); f != nil {
				reflect.ValueOf(ptr).Elem().Set(reflect.ValueOf(f).Elem())
				return true
			}
			return false
		},
		ExportObjectFact: func(obj types.Object, fact analysis.Fact) {
			if obj.Pkg() != u.pkg {
				panic(fmt.Sprintf("analyzer %s exports a fact about %s, which belongs to another package", a.Name, obj))
			}
			facts.obj[objectFactKey{obj, reflect.TypeOf(fact)}] = fact
		},
		ImportPackageFact: func(pkg *types.Package, ptr analysis.Fact) bool {
			if f := facts.lookupPackage(u.pkg, pkg, reflect.TypeOf(ptr)); f != nil {
				reflect.ValueOf(ptr).Elem().Set(reflect.ValueOf(f).Elem())
				return true
			}
			return false
		},
		ExportPackageFact: func(fact analysis.Fact) {
			facts.pkg[packageFactKey{u.pkg, reflect.TypeOf(fact)}] = fact
		},
		AllObjectFacts: func() []analysis.ObjectFact {
			var out []analysis.ObjectFact
			for k, f := range facts.obj {
				if factOf(a, k.typ) {
					out = append(out, analysis.ObjectFact{Object: k.obj, Fact: f})
				}
			}
			return out
		},
		AllPackageFacts: func() []analysis.PackageFact {
			var out []analysis.PackageFact
			for k, f := range facts.pkg {
				if factOf(a, k.typ) {
					out = append(out, analysis.PackageFact{Package: k.pkg, Fact: f})
				}
			}
			return out
		},
	}
	read := u.readFile
	pass.ReadFile = func(name string) ([]byte, error) {
		// The access policy of analysis.Pass.ReadFile.
		ok := slices.Contains(u.other, name) || slices.Contains(u.ignored, name)
		for _, f := range u.files {
			if !ok && u.fset.File(f.FileStart).Name() == name {
				ok = true
			}
		}
		if !ok {
			return nil, fmt.Errorf("Pass.ReadFile: %s is not among OtherFiles, IgnoredFiles, or names of Files", name)
		}
		if read == nil {
			return os.ReadFile(name)
		}
		return read(name)
	}
	return pass
}

func factOf(a *analysis.Analyzer, t reflect.Type) bool {
	for _, f := range a.FactTypes {
		if reflect.TypeOf(f) == t {
			return true
		}
	}
	return false
}
