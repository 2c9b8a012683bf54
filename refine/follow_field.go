package refine

import (
	"context"
	"fmt"
	goast "go/ast"
	"go/format"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/diag"
)

// fieldPass declares a struct field that was deleted while its uses
// were kept (refactor follow-through): where x.f or T{f: v} names a field
// that a struct type of the package lacks, it adds the line "f Type" to
// the struct, with the type its uses give. Each use that gives a type
// gives it exactly: the value assigned (x.f = v, T{f: v}; an untyped
// constant's default type), or the type the context expects of x.f (a
// call argument, a return value, an operand beside a typed one). A
// context that expects an interface only bounds the type, which must be
// assignable to it. The uses must agree and at least one must give a
// type; otherwise nothing is declared, for a guess is worse than a hole.
//
// It declares nothing where the struct has an unused field of a similar
// name (see similarNames), which is a rename that followPass carries
// through or, where that failed, not a deletion; nor where the type has
// a field or method of the name but for case or a typo, which the
// denoiser mends. A similar unused method (SetRetries beside a deleted
// Retries) is no reason to stop. It only inserts, so no code is lost, and
// the result must lower the score (see tryEdits). It returns nil when no
// declaration makes the package better.
func (r *run) fieldPass(ctx context.Context, st *state) (*state, error) {
	rep := st.rep
	if r.fillMode || rep.Pkg == nil || rep.Info == nil {
		return nil, nil
	}
	renames := r.renameGroups(st)
	for _, g := range r.fieldGroups(st) {
		if slices.ContainsFunc(renames, func(rg renameGroup) bool { return rg.name == g.name && fieldOf(g.named, rg.targets) }) {
			continue // a field renamed: followPass's
		}
		t, n := fieldType(rep, g)
		if t == nil {
			continue
		}
		qual, ok := fileQualifier(rep, g.file, t)
		if !ok {
			continue
		}
		typ := types.TypeString(t, qual)
		tried := fmt.Sprintf("%s.%s|%s|%d", g.named.Obj().Name(), g.name, typ, len(g.uses))
		if r.declared[tried] {
			continue // no better the last time
		}
		r.declared[tried] = true
		cf := st.cv.File(g.fileName)
		if cf == nil {
			continue
		}
		es := fieldInsertion(cf.Text, rep.Fset, g.st, g.name, typ)
		if es == nil {
			continue
		}
		var why []string
		for _, f := range g.uses {
			if !slices.Contains(why, f.Message) {
				why = append(why, f.Message)
			}
		}
		what := fmt.Sprintf("declared field %s.%s of type %s, which %d %s", g.named.Obj().Name(), g.name, typ, n, map[bool]string{true: "place uses", false: "places use"}[n == 1])
		next, err := r.tryEdits(ctx, st, map[string][]ast.Edit{g.fileName: es}, why, "field", what, false)
		if err != nil || next != nil {
			return next, err
		}
	}
	return nil, nil
}

// A fieldGroup is a field name that a struct type of the package lacks,
// with the findings at its uses.
type fieldGroup struct {
	name     string
	named    *types.Named
	st       *goast.StructType // its declaration's field list
	file     *goast.File       // the file that declares it
	fileName string
	uses     []constraints.Finding // their spans are the name
}

// fieldGroups returns the missing fields of st's writable struct types,
// in the order of their first finding. It leaves out the findings that
// localize and renameGroups leave alone (a directory with a broken
// import, the external test package, a file that may not change), and a
// name with a near miss among the type's fields and methods.
func (r *run) fieldGroups(st *state) []fieldGroup {
	rep := st.rep
	broken := brokenDirs(rep)
	var groups []fieldGroup
	index := map[string]int{}
	for _, f := range rep.Findings {
		if f.Category != constraints.Types || f.Code != diag.MissingFieldOrMethod && f.Code != diag.MissingLitField {
			continue
		}
		if broken[filepath.Dir(f.File)] || !inPkg(rep, f.File) {
			continue
		}
		cf := st.cv.File(f.File)
		if cf == nil || !r.writable(f.File, cf.Text) {
			continue
		}
		name := f.Subject(cf.Text)
		if !token.IsIdentifier(name) || name == "_" {
			continue
		}
		named := memberOf(rep, f.File, f.Start)
		if named == nil || named.Obj().Pkg() != rep.Pkg {
			continue
		}
		key := named.Obj().Name() + "." + name
		i, ok := index[key]
		if !ok {
			g, ok := r.structDecl(st, named)
			if !ok || nearMiss(named, name) {
				index[key] = -1
				continue
			}
			g.name = name
			i = len(groups)
			index[key] = i
			groups = append(groups, g)
		}
		if i >= 0 {
			groups[i].uses = append(groups[i].uses, f)
		}
	}
	return groups
}

// structDecl returns a group (without name and uses) for named, a type
// of the package, if it is declared as a non-generic struct type in a
// writable, non-generated file.
func (r *run) structDecl(st *state, named *types.Named) (fieldGroup, bool) {
	rep := st.rep
	if _, ok := named.Underlying().(*types.Struct); !ok || named.TypeParams().Len() > 0 || named.Obj().Parent() != rep.Pkg.Scope() {
		return fieldGroup{}, false
	}
	pos := named.Obj().Pos()
	name := rep.Fset.Position(pos).Filename
	i := slices.Index(rep.Names, name)
	cf := st.cv.File(name)
	if i < 0 || rep.Files[i] == nil || cf == nil || !r.writable(name, cf.Text) || ast.IsGenerated(cf.Text) {
		return fieldGroup{}, false
	}
	for _, d := range rep.Files[i].Decls {
		gd, ok := d.(*goast.GenDecl)
		if !ok || gd.Tok != token.TYPE || pos < gd.Pos() || pos >= gd.End() {
			continue
		}
		for _, s := range gd.Specs {
			if ts := s.(*goast.TypeSpec); ts.Name.Pos() == pos {
				if stt, ok := ts.Type.(*goast.StructType); ok && !ts.Assign.IsValid() {
					return fieldGroup{named: named, st: stt, file: rep.Files[i], fileName: name}, true
				}
			}
		}
	}
	return fieldGroup{}, false
}

// fieldOf reports whether one of objs is a field of named (a struct).
func fieldOf(named *types.Named, objs []types.Object) bool {
	s := named.Underlying().(*types.Struct)
	for _, o := range objs {
		for i := range s.NumFields() {
			if s.Field(i) == o {
				return true
			}
		}
	}
	return false
}

// nearMiss reports whether named has a field or method whose name is
// name but for case or a typo (as the denoiser's rename candidates
// measure it): then the use is likely the typo, not the field deleted.
func nearMiss(named *types.Named, name string) bool {
	var names []string
	s := named.Underlying().(*types.Struct)
	for i := range s.NumFields() {
		names = append(names, s.Field(i).Name())
	}
	for i := range named.NumMethods() {
		names = append(names, named.Method(i).Name())
	}
	low := strings.ToLower(name)
	for _, n := range names {
		d := editDistance(low, strings.ToLower(n))
		if d == 0 || len(name) >= 3 && d <= 1+len(name)/4 {
			return true
		}
	}
	return false
}

// fieldType returns the type g's uses give its field and how many give
// one, or nil when none does, two disagree, or one that bounds it (an
// interface the context expects) is not satisfied.
func fieldType(rep *constraints.Report, g fieldGroup) (types.Type, int) {
	var exact types.Type
	var bounds []types.Type
	n := 0
	for _, f := range g.uses {
		i := slices.Index(rep.Names, f.File)
		if i < 0 || rep.Files[i] == nil {
			return nil, 0
		}
		t, bound := useType(rep, rep.Files[i], f)
		switch {
		case t == nil:
			continue
		case bound:
			bounds = append(bounds, t)
		case exact == nil:
			exact = t
		case !types.Identical(exact, t):
			return nil, 0
		}
		n++
	}
	if exact == nil {
		return nil, 0
	}
	for _, b := range bounds {
		if !types.AssignableTo(exact, b) {
			return nil, 0
		}
	}
	return exact, n
}

// useType returns the type that the use of a missing field at f (whose
// span is the name), in file, gives the field, and whether that type
// only bounds it (an interface a context expects); nil when the use says
// nothing of it.
func useType(rep *constraints.Report, file *goast.File, f constraints.Finding) (t types.Type, bound bool) {
	tf := rep.Fset.File(file.Pos())
	if tf == nil || f.Start < 0 || f.End > tf.Size() {
		return nil, false
	}
	path, _ := astutil.PathEnclosingInterval(file, tf.Pos(f.Start), tf.Pos(f.End))
	if len(path) < 2 {
		return nil, false
	}
	id, ok := path[0].(*goast.Ident)
	if !ok || id.Pos() != tf.Pos(f.Start) {
		return nil, false
	}
	switch n := path[1].(type) {
	case *goast.KeyValueExpr: // T{f: v}
		if n.Key == id {
			return valueType(rep.Info, n.Value), false
		}
	case *goast.SelectorExpr: // x.f
		if n.Sel == id {
			return exprType(rep, file, path[1:])
		}
	}
	return nil, false
}

// exprType returns the type that the context of path[0], x.f or an
// arithmetic expression of it with an untyped constant, gives it; path
// leads from it up to the file.
func exprType(rep *constraints.Report, file *goast.File, path []goast.Node) (types.Type, bool) {
	info := rep.Info
	for len(path) > 2 {
		if _, ok := path[1].(*goast.ParenExpr); !ok {
			break
		}
		path = path[1:]
	}
	if len(path) < 2 {
		return nil, false
	}
	x := path[0].(goast.Expr)
	switch p := path[1].(type) {
	case *goast.AssignStmt:
		idx := slices.Index(p.Lhs, x)
		switch {
		case idx < 0:
			// a right-hand side: as the context expects
		case p.Tok == token.ASSIGN && len(p.Lhs) == len(p.Rhs):
			return valueType(info, p.Rhs[idx]), false
		case p.Tok == token.ASSIGN && len(p.Rhs) == 1:
			// x.f, err = g(); x.f, ok = m[k]
			if tup, ok := info.TypeOf(p.Rhs[0]).(*types.Tuple); ok && tup.Len() == len(p.Lhs) {
				return concrete(tup.At(idx).Type()), false
			}
			return commaOK(info, p.Rhs[0], len(p.Lhs), idx), false
		case p.Tok != token.DEFINE && p.Tok != token.SHL_ASSIGN && p.Tok != token.SHR_ASSIGN && len(p.Rhs) == 1:
			// x.f += v: only a typed v says which numeric type.
			if t := info.TypeOf(p.Rhs[0]); !untyped(t) {
				return concrete(t), false
			}
			return nil, false
		default:
			return nil, false
		}
	case *goast.BinaryExpr:
		other := p.Y
		if p.Y == x {
			other = p.X
		}
		if untyped(info.TypeOf(other)) {
			switch p.Op {
			case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.AND, token.OR, token.XOR, token.AND_NOT:
				// x.f / 1000 has the type its context gives the whole.
				return exprType(rep, file, path[1:])
			case token.LAND, token.LOR:
				return types.Typ[types.Bool], false
			}
			return nil, false // x.f == 0 says nothing of the numeric type
		}
	}
	// What the context expects, as the denoiser's slot has it.
	tf := rep.Fset.File(file.Pos())
	h := &ast.Hole{File: tf.Name(), Start: tf.Offset(x.Pos()), End: tf.Offset(x.End())}
	slot := ast.Describe(h, rep.Fset, file, nil, info)
	if slot == nil || slot.Node != x {
		return nil, false
	}
	return exactOrBound(slot.Expected)
}

// commaOK returns the type of value idx of n (2) values of e, a
// comma-ok expression (m[k], x.(T), <-ch), or nil. (go/types records
// the pair only where the assignment checks.)
func commaOK(info *types.Info, e goast.Expr, n, idx int) types.Type {
	if n != 2 {
		return nil
	}
	var t types.Type
	switch e := goast.Unparen(e).(type) {
	case *goast.IndexExpr:
		if m, ok := under(info.TypeOf(e.X)).(*types.Map); ok {
			t = m.Elem()
		}
	case *goast.TypeAssertExpr:
		if e.Type != nil {
			t = info.TypeOf(e.Type)
		}
	case *goast.UnaryExpr:
		if c, ok := under(info.TypeOf(e.X)).(*types.Chan); ok && e.Op == token.ARROW {
			t = c.Elem()
		}
	}
	if t == nil {
		return nil
	}
	if idx == 1 {
		return types.Typ[types.Bool]
	}
	return concrete(t)
}

// under returns t's underlying type, or nil.
func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

// exactOrBound returns t, which a context expects, as a bound when it is
// an interface.
func exactOrBound(t types.Type) (types.Type, bool) {
	if t == nil {
		return nil, false
	}
	if types.IsInterface(t) {
		if _, ok := t.(*types.TypeParam); ok {
			return nil, false
		}
		return t, true
	}
	return concrete(t), false
}

// valueType returns the type of e as the value of a field: an untyped
// constant's default type, nothing for an untyped nil or an invalid type.
func valueType(info *types.Info, e goast.Expr) types.Type {
	return concrete(types.Default(info.TypeOf(e)))
}

// concrete returns t, or nil when t is unknown, invalid, untyped nil or
// a tuple, or mentions a type parameter (a field of a non-generic struct
// cannot have one).
func concrete(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	if b, ok := t.(*types.Basic); ok && (b.Kind() == types.Invalid || b.Kind() == types.UntypedNil) {
		return nil
	}
	if _, ok := t.(*types.Tuple); ok {
		return nil
	}
	if mentionsTypeParam(t) {
		return nil
	}
	return t
}

// untyped reports whether t is an untyped basic type (or unknown).
func untyped(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return t == nil || ok && (b.Info()&types.IsUntyped != 0 || b.Kind() == types.Invalid)
}

// mentionsTypeParam reports whether a type parameter occurs in t.
func mentionsTypeParam(t types.Type) bool {
	found := false
	walkType(t, func(t types.Type) bool {
		_, tp := t.(*types.TypeParam)
		found = found || tp
		return !found
	})
	return found
}

// walkType calls visit for t and each type t is built from (elements,
// keys, parameters, fields, type arguments, an alias's target), each once,
// until visit returns false.
func walkType(t types.Type, visit func(types.Type) bool) {
	seen := map[types.Type]bool{}
	stop := false
	var walk func(types.Type)
	walk = func(t types.Type) {
		if stop || t == nil || seen[t] {
			return
		}
		seen[t] = true
		if !visit(t) {
			stop = true
			return
		}
		switch t := t.(type) {
		case *types.Named:
			for i := range t.TypeArgs().Len() {
				walk(t.TypeArgs().At(i))
			}
		case *types.Alias:
			walk(types.Unalias(t))
		case *types.Pointer:
			walk(t.Elem())
		case *types.Slice:
			walk(t.Elem())
		case *types.Array:
			walk(t.Elem())
		case *types.Map:
			walk(t.Key())
			walk(t.Elem())
		case *types.Chan:
			walk(t.Elem())
		case *types.Signature:
			for _, tup := range []*types.Tuple{t.Params(), t.Results()} {
				for i := range tup.Len() {
					walk(tup.At(i).Type())
				}
			}
		case *types.Struct:
			for i := range t.NumFields() {
				walk(t.Field(i).Type())
			}
		}
	}
	walk(t)
}

// fileQualifier returns the qualifier that writes t in file: the
// package's own types bare, another package's by the name file imports it
// under. It reports false when t needs a package file does not import
// (by a plain or named import) or a type no package can name (one
// unexported, or local to a function).
func fileQualifier(rep *constraints.Report, file *goast.File, t types.Type) (types.Qualifier, bool) {
	names := map[string]string{}
	for _, spec := range file.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		if spec.Name != nil {
			if spec.Name.Name != "_" && spec.Name.Name != "." {
				names[path] = spec.Name.Name
			}
			continue
		}
		if obj, ok := rep.Info.Implicits[spec].(*types.PkgName); ok {
			names[path] = obj.Imported().Name()
		}
	}
	ok := true
	own := rep.PkgOf(file)
	qual := func(p *types.Package) string {
		if p == own {
			return ""
		}
		n, found := names[p.Path()]
		if !found {
			ok = false
		}
		return n
	}
	types.TypeString(t, qual)
	if ok && !nameable(rep.Pkg, t) {
		ok = false
	}
	return qual, ok
}

// nameable reports whether every named type in t can be written at
// package level of pkg: declared at a package's top level, and exported
// when it is another package's.
func nameable(pkg *types.Package, t types.Type) bool {
	good := true
	walkType(t, func(t types.Type) bool {
		if n, ok := t.(*types.Named); ok {
			obj := n.Obj()
			if obj.Pkg() != nil && (obj.Parent() != obj.Pkg().Scope() || obj.Pkg() != pkg && !obj.Exported()) {
				good = false
			}
		}
		return good
	})
	return good
}

// fieldInsertion returns the edits of text (the text of the file that
// declares st) that add the field "name typ" at the end of st's field
// list; nil when there is no place for it. A field list over several
// lines gets a line before its closing brace, indented as the last field
// (or one tab deeper than the brace); an empty one on one line, struct{},
// becomes struct{ Name Type }; one on one line with fields, struct{ A int },
// is left alone (gofmt would break it over lines). Where the file
// was gofmt-clean it stays so: the spaces gofmt adds to align the
// other fields with the new one are inserted too (see spaceInsertions),
// so the edits only insert.
func fieldInsertion(text string, fset *token.FileSet, st *goast.StructType, name, typ string) []ast.Edit {
	tf := fset.File(st.Pos())
	if tf == nil || st.Fields == nil || !st.Fields.Opening.IsValid() || !st.Fields.Closing.IsValid() {
		return nil
	}
	open, closing := tf.Offset(st.Fields.Opening), tf.Offset(st.Fields.Closing)
	if closing >= len(text) || text[closing] != '}' || text[open] != '{' {
		return nil
	}
	var e ast.Edit
	lineStart := strings.LastIndexByte(text[:closing], '\n') + 1
	switch {
	case lineStart > open && strings.TrimLeft(text[lineStart:closing], " \t") == "":
		// struct {
		//	A   int
		//	Bcd string
		// }   ← the line goes before the brace
		indent := text[lineStart:closing] + "\t"
		if n := len(st.Fields.List); n > 0 {
			lp := fset.Position(st.Fields.List[n-1].Pos())
			if ws := text[lp.Offset-(lp.Column-1) : lp.Offset]; strings.TrimLeft(ws, " \t") == "" {
				indent = ws
			}
		}
		e = ast.Edit{Start: lineStart, End: lineStart, New: indent + name + " " + typ + "\n"}
	case strings.ContainsAny(text[open:closing], "\n/"):
		return nil // a comment, or fields after the brace's line
	case open+1 == closing:
		e = ast.Edit{Start: closing, End: closing, New: " " + name + " " + typ + " "}
	default:
		// struct{ A int }: gofmt would break it over lines, which is
		// more than an insertion.
		return nil
	}
	if !isFormatted(text) {
		return []ast.Edit{e}
	}
	out, err := ast.Apply(text, []ast.Edit{e})
	if err != nil {
		return nil
	}
	formatted, err := format.Source([]byte(out))
	if err != nil {
		return nil
	}
	spaces, ok := spaceInsertions(out, string(formatted))
	if !ok {
		return []ast.Edit{e}
	}
	// Map the spaces from out back to text, those inside the field's line
	// into it.
	edits := []ast.Edit{}
	newEnd := e.Start + len(e.New)
	shift := 0 // bytes added to e.New so far
	for _, sp := range spaces {
		switch {
		case sp.Start < e.Start:
			edits = append(edits, sp)
		case sp.Start <= newEnd:
			i := sp.Start - e.Start + shift
			e.New = e.New[:i] + sp.New + e.New[i:]
			shift += len(sp.New)
		default:
			edits = append(edits, ast.Edit{Start: sp.Start - newEnd + e.Start, End: sp.Start - newEnd + e.Start, New: sp.New})
		}
	}
	return append(edits, e)
}

// spaceInsertions returns the insertions of spaces and tabs that make b
// of a, in order, and reports whether there are such (whether a is b
// less some blanks).
func spaceInsertions(a, b string) ([]ast.Edit, bool) {
	var out []ast.Edit
	i := 0
	for j := 0; j < len(b); j++ {
		if i < len(a) && a[i] == b[j] {
			i++
			continue
		}
		if b[j] != ' ' && b[j] != '\t' {
			return nil, false
		}
		if n := len(out); n > 0 && out[n-1].Start == i {
			out[n-1].New += b[j : j+1]
		} else {
			out = append(out, ast.Edit{Start: i, End: i, New: b[j : j+1]})
		}
	}
	return out, i == len(a)
}
