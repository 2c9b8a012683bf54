package constraints

import (
	"context"
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
)

// Candidate schemata (mutant schemata in mutation testing): the
// candidates of one hole differ only inside one span of one file, so they
// can share one test binary in which each is a branch of a switch on a
// variable the binary reads at start. N candidates then cost one go test
// -c and N short runs instead of N builds. An expression candidate
// becomes
//
//	func() T { switch __difgenVariant { case 1: return (c1); … }; panic(…) }()
//
// with T the expression's type, a statement candidate a case of
// switch __difgenVariant { case 1: c1; … }. What a schema cannot express —
// a declaration, an import, a change outside function bodies, a := or a
// break, a hole in a defer or go statement, a type, an assignment's left
// side, candidates of different types — is checked one build per
// candidate, as before.

// variantEnv names the variable that selects a schema's branch.
const variantEnv = "DIFGEN_VARIANT"

// CheckVariants checks the canvases cvs, candidates of one hole, up to the
// tests (only the tests of focus when not nil), through one schema where
// it can; each report it makes is cached as Check's or CheckTests' of its
// canvas, so the caller's own checks of them are answered at once. It
// returns how many it checked through the schema (0 when none could be).
func (c *Checker) CheckVariants(ctx context.Context, cvs []*ast.Canvas, focus []string) (int, error) {
	if len(cvs) < 2 || c.opts.Tests == TestsOff || !c.canInstrument(ctx) {
		return 0, nil
	}
	sp := c.variantSpan(cvs)
	if sp == nil {
		return 0, nil
	}
	// Each candidate's own types and vet first: one that does not
	// type-check would break the schema's build.
	var ok []int
	reps := make([]*Report, len(cvs))
	for i, cv := range cvs {
		r, err := c.Check(ctx, cv, Vet)
		if err != nil {
			return 0, err
		}
		reps[i] = r
		if !r.Blocked() {
			ok = append(ok, i)
		}
	}
	if len(ok) < 2 {
		return 0, nil
	}
	texts := make([]string, len(cvs))
	for _, i := range ok {
		texts[i] = sp.text(cvs[i])
	}
	schema, err := c.schemaText(sp, cvs, reps, ok, texts)
	if err != nil {
		c.opts.logf("constraints: no schema for %d candidates: %v", len(ok), err)
		return 0, nil
	}
	base := cvs[0]
	helper := filepath.Join(c.pkg.Dir, "zz_difgen_variant.go")
	if base.File(helper) != nil {
		return 0, nil
	}
	scv := base.With(ast.NewFile(sp.file, schema), ast.NewFile(helper, variantHelper(c.pkg.Name)))

	tmp, err := c.tempDir("variants")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	ov, err := c.writeOverlay(scv, tmp)
	if err != nil {
		return 0, err
	}
	bin := filepath.Join(tmp, "pkg.test")
	res := c.goCmd(ctx, "test", "-c", "-vet=off", "-overlay="+ov.File, "-o", bin, ".")
	if res.err != nil || !res.exited {
		c.opts.logf("constraints: the schema of %d candidates does not build; one build each: %s", len(ok), ov.unmap(trimOutput(append(res.stderr, res.stdout...))))
		return 0, nil
	}
	if _, err := os.Stat(bin); err != nil {
		return 0, nil // no test files
	}
	c.opts.logf("constraints: one test build for %d candidates", len(ok))
	focus = uniqueSorted(focus)
	n := 0
	for k, i := range ok {
		if ctx.Err() != nil {
			return n, nil
		}
		cv := cvs[i]
		r := *reps[i]
		r.Findings = append([]Finding(nil), r.Findings...)
		r.Focused = focus != nil
		mapLine := sp.lineMapper(schema, cv)
		if _, err := c.runAndReport(ctx, cv, &r, tmp, bin, focus, []string{fmt.Sprintf("%s=%d", variantEnv, k+1)}, mapLine, false); err != nil {
			return n, err
		}
		r.Reached = Tests
		r.Findings = Sort(r.Findings)
		c.mu.Lock()
		c.reports.put(reportKey{cv.Key(), Tests, strings.Join(focus, "\x00")}, &r)
		c.mu.Unlock()
		n++
	}
	return n, nil
}

// uniqueSorted returns names sorted without repeats; nil stays nil.
func uniqueSorted(names []string) []string {
	if names == nil {
		return nil
	}
	out := append([]string(nil), names...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	w := 0
	for i, s := range out {
		if i == 0 || s != out[w-1] {
			out[w] = s
			w++
		}
	}
	return out[:w]
}

// A variantSpan is where candidates differ: bytes [start, len-suffix) of
// file in each, widened to a whole expression or statements.
type variantSpan struct {
	file   string
	start  int // offset of the span in every candidate
	suffix int // bytes after the span, the same in every candidate
	expr   bool
}

func (sp *variantSpan) text(cv *ast.Canvas) string {
	t := cv.File(sp.file).Text
	return t[sp.start : len(t)-sp.suffix]
}

// variantSpan returns the span where the candidates cvs differ, or nil
// when it is not one expression or run of statements inside one function
// body of one file.
func (c *Checker) variantSpan(cvs []*ast.Canvas) *variantSpan {
	file := ""
	for _, cv := range cvs[1:] {
		for _, name := range cv.Changed(cvs[0]) {
			if file != "" && name != file {
				return nil
			}
			file = name
		}
	}
	if file == "" {
		return nil
	}
	texts := make([]string, len(cvs))
	for i, cv := range cvs {
		f := cv.File(file)
		if f == nil {
			return nil
		}
		texts[i] = f.Text
	}
	prefix, suffix := len(texts[0]), len(texts[0])
	for _, t := range texts[1:] {
		p := 0
		for p < len(t) && p < len(texts[0]) && t[p] == texts[0][p] {
			p++
		}
		prefix = min(prefix, p)
		q := 0
		for q < len(t)-p && q < len(texts[0])-p && t[len(t)-1-q] == texts[0][len(texts[0])-1-q] {
			q++
		}
		suffix = min(suffix, q)
	}
	// Widen to the node around the difference in the first candidate, then
	// check that it is the same kind of node in every other.
	sp := &variantSpan{file: file}
	start, end, expr, ok := spanNode(texts[0], prefix, len(texts[0])-suffix)
	if !ok {
		return nil
	}
	sp.start, sp.suffix, sp.expr = start, len(texts[0])-end, expr
	for _, t := range texts[1:] {
		if s, e, x, ok := spanNode(t, sp.start, len(t)-sp.suffix); !ok || s != sp.start || e != len(t)-sp.suffix || x != expr {
			return nil
		}
	}
	return sp
}

// spanNode returns the smallest expression, or the run of whole
// statements, of a function body of src that holds [lo, hi), and whether
// it is an expression; false when there is none a schema can replace.
func spanNode(src string, lo, hi int) (start, end int, expr, ok bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return 0, 0, false, false
	}
	tf := fset.File(f.Pos())
	off := func(p token.Pos) int { return tf.Offset(p) }
	var body *goast.BlockStmt
	for _, d := range f.Decls {
		if fd, ok := d.(*goast.FuncDecl); ok && fd.Body != nil && off(fd.Body.Lbrace) < lo && hi <= off(fd.Body.Rbrace) {
			body = fd.Body
		}
	}
	if body == nil {
		return 0, 0, false, false
	}
	// The path of nodes around [lo, hi), outermost first.
	var path []goast.Node
	goast.Inspect(body, func(n goast.Node) bool {
		if n == nil || off(n.Pos()) > lo || off(n.End()) < hi {
			return false
		}
		path = append(path, n)
		return true
	})
	for i := len(path) - 1; i >= 0; i-- {
		switch n := path[i].(type) {
		case *goast.FuncLit:
			return 0, 0, false, false // a closure's body: not this function's
		case goast.Expr:
			if i == 0 || !valuePosition(path[i-1], n) {
				continue
			}
			return off(n.Pos()), off(n.End()), true, true
		case *goast.BlockStmt, *goast.CaseClause:
			var list []goast.Stmt
			if b, ok := n.(*goast.BlockStmt); ok {
				list = b.List
			} else {
				list = n.(*goast.CaseClause).Body
			}
			s, e := -1, -1
			for _, st := range list {
				if off(st.End()) > lo && off(st.Pos()) < hi || off(st.Pos()) == lo && lo == hi {
					if s < 0 {
						s = off(st.Pos())
					}
					e = off(st.End())
				}
			}
			if s < 0 || s > lo || e < hi {
				return 0, 0, false, false
			}
			return s, e, false, true
		}
	}
	return 0, 0, false, false
}

// valuePosition reports whether x, a child of parent, stands where a
// value is read, so that a call of a closure returning it means the same:
// not an assignment's left side, an address taken, a type, a selector's
// name, a deferred or go call, a key.
func valuePosition(parent goast.Node, x goast.Expr) bool {
	switch p := parent.(type) {
	case *goast.AssignStmt:
		for _, l := range p.Lhs {
			if l == x {
				return false
			}
		}
		return true
	case *goast.IncDecStmt, *goast.RangeStmt, *goast.DeferStmt, *goast.GoStmt, *goast.TypeSpec,
		*goast.Field, *goast.ArrayType, *goast.MapType, *goast.ChanType, *goast.FuncType, *goast.StarExpr,
		*goast.TypeAssertExpr, *goast.CompositeLit, *goast.ValueSpec:
		return false
	case *goast.UnaryExpr:
		return p.Op != token.AND
	case *goast.SelectorExpr:
		return false // x.f: a closure's result is not addressable
	case *goast.KeyValueExpr:
		return p.Value == x
	case *goast.CallExpr:
		return p.Fun != x // the function itself may be a type (a conversion)
	case *goast.IndexExpr:
		return p.Index == x
	case *goast.SliceExpr:
		return p.X != x
	case *goast.ExprStmt:
		return false // a call statement: use the statement schema
	}
	return true
}

// schemaText returns the text of the span's file with the span replaced
// by the schema of the candidates ok (texts[i] is candidate i's span).
func (c *Checker) schemaText(sp *variantSpan, cvs []*ast.Canvas, reps []*Report, ok []int, texts []string) (string, error) {
	var b strings.Builder
	if sp.expr {
		t, err := c.spanType(sp, cvs, reps, ok)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "func() %s { switch __difgenVariant {", t)
		for k, i := range ok {
			if strings.Contains(texts[i], "\n") || strings.Contains(texts[i], "recover(") {
				return "", fmt.Errorf("candidate %d spans lines or recovers", i)
			}
			fmt.Fprintf(&b, " case %d: return (%s);", k+1, texts[i])
		}
		b.WriteString(` }; panic("difgen: no variant") }()`)
	} else {
		b.WriteString("switch __difgenVariant {")
		for k, i := range ok {
			if err := schemaSafeStmts(texts[i]); err != nil {
				return "", fmt.Errorf("candidate %d: %v", i, err)
			}
			fmt.Fprintf(&b, "\ncase %d:\n%s", k+1, texts[i])
		}
		b.WriteString("\n}")
	}
	t := cvs[ok[0]].File(sp.file).Text
	return t[:sp.start] + b.String() + t[len(t)-sp.suffix:], nil
}

// schemaSafeStmts fails when statements cannot be a case of a switch and
// keep their meaning: declarations (their scope ends at the case), break
// and fallthrough (they would leave the switch), goto and labels.
func schemaSafeStmts(src string) error {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc _() {\n"+src+"\n}", parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	var bad error
	goast.Inspect(f.Decls[0].(*goast.FuncDecl).Body, func(n goast.Node) bool {
		switch n := n.(type) {
		case *goast.FuncLit:
			return false
		case *goast.DeclStmt, *goast.LabeledStmt:
			bad = fmt.Errorf("a declaration or label")
		case *goast.AssignStmt:
			if n.Tok == token.DEFINE {
				bad = fmt.Errorf("a := declaration")
			}
		case *goast.BranchStmt:
			if n.Tok != token.CONTINUE || n.Label != nil {
				bad = fmt.Errorf("a %s", n.Tok)
			}
		}
		return bad == nil
	})
	return bad
}

// spanType returns the type of the span's expression, the same in every
// candidate of ok, written as the span's file writes it.
func (c *Checker) spanType(sp *variantSpan, cvs []*ast.Canvas, reps []*Report, ok []int) (string, error) {
	var typ types.Type
	var file *goast.File
	for _, i := range ok {
		r := reps[i]
		if r.Info == nil {
			return "", fmt.Errorf("no type information")
		}
		var f *goast.File
		for j, name := range r.Names {
			if name == sp.file {
				f = r.Files[j]
			}
		}
		if f == nil {
			return "", fmt.Errorf("file not checked")
		}
		text := cvs[i].File(sp.file).Text
		lo, hi := sp.start, len(text)-sp.suffix
		tf := r.Fset.File(f.Pos())
		var x goast.Expr
		goast.Inspect(f, func(n goast.Node) bool {
			if n == nil || x != nil {
				return false
			}
			if e, ok := n.(goast.Expr); ok && tf.Offset(e.Pos()) == lo && tf.Offset(e.End()) == hi {
				x = e
				return false
			}
			return tf.Offset(n.Pos()) <= lo && hi <= tf.Offset(n.End())
		})
		if x == nil {
			return "", fmt.Errorf("no expression at the span")
		}
		tv, found := r.Info.Types[x]
		if !found || !tv.IsValue() || tv.Type == nil {
			return "", fmt.Errorf("not a value")
		}
		t := types.Default(tv.Type)
		if _, tuple := t.(*types.Tuple); tuple {
			return "", fmt.Errorf("several values")
		}
		if typ == nil {
			typ, file = t, f
		} else if !types.Identical(typ, t) {
			return "", fmt.Errorf("candidates of different types")
		}
	}
	// Write it with the file's import names.
	names := map[string]string{} // package path → name in the file
	for _, is := range file.Imports {
		p, _ := strconv.Unquote(is.Path.Value)
		switch {
		case is.Name == nil:
			names[p] = ""
		case is.Name.Name != "_" && is.Name.Name != ".":
			names[p] = is.Name.Name
		}
	}
	var failed error
	s := types.TypeString(typ, func(p *types.Package) string {
		if p.Path() == c.pkg.ImportPath || p.Path() == c.pkg.ImportPath+"_test" {
			return ""
		}
		n, imported := names[p.Path()]
		if !imported {
			failed = fmt.Errorf("type %s needs package %s, which the file does not import", typ, p.Path())
		}
		if n == "" {
			n = p.Name()
		}
		return n
	})
	return s, failed
}

// lineMapper returns how lines of the schema's file map to lines of the
// candidate cv's file: the same before the span, within it to its first
// line, and after it shifted by the difference of the span's lines.
func (sp *variantSpan) lineMapper(schema string, cv *ast.Canvas) func(file string, line int) int {
	text := cv.File(sp.file).Text
	first := 1 + strings.Count(text[:sp.start], "\n")
	spanLines := strings.Count(text[sp.start:len(text)-sp.suffix], "\n")
	schemaLines := strings.Count(schema[sp.start:len(schema)-sp.suffix], "\n")
	return func(file string, line int) int {
		switch {
		case file != sp.file || line < first:
			return line
		case line <= first+schemaLines:
			return first
		}
		return line - schemaLines + spanLines
	}
}

// variantHelper returns the file that declares __difgenVariant, read from
// the environment when the test binary starts.
func variantHelper(pkg string) string {
	return strings.NewReplacer("PKG", pkg, "ENV", variantEnv).Replace(`// Code generated by difgen for candidate schemata. DO NOT EDIT.

package PKG

import __dgvos "os"

var __difgenVariant = func() int {
	n := 0
	for _, c := range __dgvos.Getenv("ENV") {
		if c < '0' || c > '9' {
			return 0
		}
		n = 10*n + int(c-'0')
	}
	return n
}()
`)
}
