package local

import (
	"bytes"
	"cmp"
	goast "go/ast"
	"go/printer"
	"go/token"
	"go/types"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
)

// A Template is a statement shape mined from Go source, with its
// frequency. In Text, $1 … $9 stand for distinct local variables, $E for
// the nearest variable of type error, and $R for a list of result values
// of the enclosing function (zero values, or err in an error slot).
type Template struct {
	Text  string
	Count int
}

// MineTemplates counts the statement shapes of files (parsed with object
// resolution, so that local variables can be told from package names)
// and returns the max most frequent, most frequent first. A shape is one
// statement, or an if/for/range statement whose body is one statement,
// printed with its local variables abstracted.
func MineTemplates(fset *token.FileSet, files []*goast.File, max int) []Template {
	counts := map[string]int{}
	for _, f := range files {
		goast.Inspect(f, func(n goast.Node) bool {
			b, ok := n.(*goast.BlockStmt)
			if !ok {
				return true
			}
			for _, s := range b.List {
				if t, ok := shape(fset, s); ok {
					counts[t]++
				}
			}
			return true
		})
	}
	var out []Template
	for t, n := range counts {
		if n >= 2 {
			out = append(out, Template{Text: t, Count: n})
		}
	}
	slices.SortFunc(out, func(a, b Template) int { return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Text, b.Text)) })
	return out[:min(len(out), max)]
}

// shape returns the abstracted text of s, and whether s makes a template.
func shape(fset *token.FileSet, s goast.Stmt) (string, bool) {
	switch s := s.(type) {
	case *goast.IfStmt:
		if s.Else != nil || len(s.Body.List) != 1 || s.Init != nil {
			return "", false
		}
	case *goast.RangeStmt:
		if len(s.Body.List) != 1 {
			return "", false
		}
	case *goast.ForStmt:
		if len(s.Body.List) != 1 {
			return "", false
		}
	case *goast.AssignStmt, *goast.ReturnStmt, *goast.IncDecStmt, *goast.ExprStmt:
	default:
		return "", false
	}
	ok := true
	names := map[string]string{}
	var restore []func()
	goast.Inspect(s, func(n goast.Node) bool {
		switch n := n.(type) {
		case *goast.BasicLit:
			if len(n.Value) > 6 {
				ok = false
			}
		case *goast.FuncLit, *goast.CompositeLit:
			ok = false
		case *goast.SelectorExpr:
			goast.Inspect(n.X, func(m goast.Node) bool { return abstract(m, names, &restore, &ok) })
			return false
		case *goast.ReturnStmt:
			zero := len(n.Results) > 0
			for _, r := range n.Results {
				switch r := r.(type) {
				case *goast.Ident:
					zero = zero && (r.Name == "nil" || r.Name == "false" || r.Name == "err")
				case *goast.BasicLit:
					zero = zero && (r.Value == "0" || r.Value == `""`)
				default:
					zero = false
				}
			}
			if zero {
				old := n.Results
				n.Results = []goast.Expr{goast.NewIdent("$R")}
				restore = append(restore, func() { n.Results = old })
				return false
			}
		}
		return abstract(n, names, &restore, &ok)
	})
	var buf bytes.Buffer
	if ok {
		printer.Fprint(&buf, fset, s)
	}
	for i := len(restore) - 1; i >= 0; i-- {
		restore[i]()
	}
	t := buf.String()
	if !ok || len(names) > 3 || len(t) > 120 || t == "" {
		return "", false
	}
	return t, true
}

// abstract renames n, if it is a local variable, to its placeholder.
func abstract(n goast.Node, names map[string]string, restore *[]func(), ok *bool) bool {
	id, isId := n.(*goast.Ident)
	if !isId || id.Obj == nil || id.Obj.Kind != goast.Var || strings.HasPrefix(id.Name, "$") {
		return true
	}
	if _, isField := id.Obj.Decl.(*goast.Field); !isField {
		if _, isAssign := id.Obj.Decl.(*goast.AssignStmt); !isAssign {
			if _, isVal := id.Obj.Decl.(*goast.ValueSpec); !isVal {
				return true
			}
		}
	}
	p, seen := names[id.Name]
	if !seen {
		if id.Name == "err" {
			p = "$E"
		} else {
			p = "$" + strconv.Itoa(len(names)+1)
		}
		names[id.Name] = p
	}
	old := id.Name
	id.Name = p
	*restore = append(*restore, func() { id.Name = old })
	return true
}

// templateCandidates proposes fills for statement and body holes: the
// templates instantiated from the scope, return statements and, for a
// body, loops over a slice parameter chosen by the instruction's words.
func (c *holeCtx) templateCandidates() {
	h := c.h
	if h.Original != "" && !h.User {
		return // a repair hole: edits and repairs apply
	}
	if c.sig != nil && c.sig.Results().Len() > 0 {
		for i, s := range c.returnStmts() {
			p := -0.5 - 0.2*float64(i)
			if h.Kind == ast.Body {
				p = 1 - 0.2*float64(i)
			}
			c.add(s, p, "template")
		}
	} else if c.sig != nil || h.Kind == ast.Body {
		c.add("", -2, "template")
	}
	if c.info == nil {
		return
	}
	if h.Kind == ast.Body {
		c.bodyTemplates()
		c.synthBodies()
	}
	maxCount := 1
	for _, t := range c.d.templates {
		maxCount = max(maxCount, t.Count)
	}
	vars := c.localVars(5)
	for _, t := range c.d.templates[:min(len(c.d.templates), 60)] {
		p := -2.5 + math.Log(float64(t.Count+1))/math.Log(float64(maxCount+1))
		for i, s := range c.instantiate(t.Text, vars, 12) {
			c.add(s, p-0.1*float64(i), "template")
		}
	}
}

// localVars returns up to n local variables and parameters, nearest
// first.
func (c *holeCtx) localVars(n int) []*types.Var {
	var out []*types.Var
	for _, o := range c.objs {
		if v, ok := o.(*types.Var); ok && v.Parent() != c.pkg.Scope() && len(out) < n {
			out = append(out, v)
		}
	}
	return out
}

// instantiate fills the placeholders of tmpl from the scope; it returns
// at most limit texts.
func (c *holeCtx) instantiate(tmpl string, vars []*types.Var, limit int) []string {
	if strings.Contains(tmpl, "$E") {
		e := c.errVar()
		if e == "" {
			return nil
		}
		tmpl = strings.ReplaceAll(tmpl, "$E", e)
	}
	texts := []string{tmpl}
	if strings.Contains(tmpl, "$R") {
		if c.sig == nil {
			return nil
		}
		texts = nil
		for _, r := range c.returnStmts() {
			texts = append(texts, strings.Replace(tmpl, "return $R", r, 1))
		}
		if len(texts) > 3 {
			texts = texts[len(texts)-3:] // the zero-value forms
		}
	}
	for k := 1; k <= 9; k++ {
		ph := "$" + strconv.Itoa(k)
		if !strings.Contains(tmpl, ph) {
			break
		}
		var next []string
		for _, t := range texts {
			for _, v := range vars {
				if strings.Contains(t, v.Name()) && !strings.Contains(v.Name(), "$") && wordIn(t, v.Name()) {
					continue // distinct placeholders name distinct variables
				}
				if len(next) < limit*4 {
					next = append(next, replaceWord(t, ph, v.Name()))
				}
			}
		}
		texts = next
	}
	return texts[:min(len(texts), limit)]
}

func wordIn(s, w string) bool { return replaceWord(s, w, "\x00") != s }

// replaceWord replaces whole-word occurrences of w in s by r.
func replaceWord(s, w, r string) string {
	var sb strings.Builder
	for {
		i := strings.Index(s, w)
		if i < 0 {
			sb.WriteString(s)
			return sb.String()
		}
		j := i + len(w)
		before := i > 0 && isIdentRune(rune(s[i-1]))
		after := j < len(s) && isIdentRune(rune(s[j]))
		sb.WriteString(s[:i])
		if before || after {
			sb.WriteString(w)
		} else {
			sb.WriteString(r)
		}
		s = s[j:]
	}
}

// A bodyTemplate is a whole function body over a slice parameter; $S is
// the slice, $X another parameter of its element type, $T the element
// type and $Z its zero value.
type bodyTemplate struct {
	words []string // instruction words that call for it
	text  string
	needX bool
}

var bodyTemplates = []bodyTemplate{
	{[]string{"sum", "total", "add"}, "var s $T\nfor _, v := range $S {\n\ts += v\n}\nreturn s", false},
	{[]string{"count", "number", "occurrences"}, "n := 0\nfor _, v := range $S {\n\tif v == $X {\n\t\tn++\n\t}\n}\nreturn n", true},
	{[]string{"contains", "has", "includes", "member", "exists"}, "for _, v := range $S {\n\tif v == $X {\n\t\treturn true\n\t}\n}\nreturn false", true},
	{[]string{"index", "find", "position", "search"}, "for i, v := range $S {\n\tif v == $X {\n\t\treturn i\n\t}\n}\nreturn -1", true},
	{[]string{"max", "maximum", "largest", "biggest"}, "if len($S) == 0 {\n\treturn $Z\n}\nm := $S[0]\nfor _, v := range $S[1:] {\n\tif v > m {\n\t\tm = v\n\t}\n}\nreturn m", false},
	{[]string{"min", "minimum", "smallest", "least"}, "if len($S) == 0 {\n\treturn $Z\n}\nm := $S[0]\nfor _, v := range $S[1:] {\n\tif v < m {\n\t\tm = v\n\t}\n}\nreturn m", false},
	{[]string{"reverse", "reversed"}, "out := make([]$T, len($S))\nfor i, v := range $S {\n\tout[len($S)-1-i] = v\n}\nreturn out", false},
	{[]string{"filter", "positive", "select", "keep"}, "var out []$T\nfor _, v := range $S {\n\tif v > $Z {\n\t\tout = append(out, v)\n\t}\n}\nreturn out", false},
	{[]string{"len", "length", "size"}, "return len($S)", false},
}

// bodyTemplates proposes whole bodies over a slice parameter, preferring
// those whose words the instruction uses.
func (c *holeCtx) bodyTemplates() {
	if c.sig == nil || c.sig.Results().Len() != 1 {
		return
	}
	words := strings.Fields(strings.ToLower(c.h.Instruction + " " + funcName(c.path)))
	params := c.sig.Params()
	for i := range params.Len() {
		s, ok := params.At(i).Type().Underlying().(*types.Slice)
		if !ok {
			continue
		}
		var xs []string
		for j := range params.Len() {
			if j != i && types.Identical(params.At(j).Type(), s.Elem()) {
				xs = append(xs, params.At(j).Name())
			}
		}
		for _, bt := range bodyTemplates {
			if bt.needX && len(xs) == 0 {
				continue
			}
			p := -1.5
			for _, w := range bt.words {
				for _, iw := range words {
					if strings.Contains(iw, w) {
						p = 3
					}
				}
			}
			t := strings.NewReplacer("$S", params.At(i).Name(), "$T", types.TypeString(s.Elem(), c.qual), "$Z", zeroValue(s.Elem(), c.qual)).Replace(bt.text)
			if bt.needX {
				t = strings.ReplaceAll(t, "$X", xs[0])
			}
			c.add(t, p, "template")
		}
	}
}

// funcName returns the name of the function declared around path, split
// into lower-case words.
func funcName(path []goast.Node) string {
	for _, n := range path {
		if f, ok := n.(*goast.FuncDecl); ok {
			var words []string
			for _, t := range ast.Tokenize(f.Name.Name) {
				words = append(words, strings.ToLower(t.Text))
			}
			return strings.Join(words, " ")
		}
	}
	return ""
}
