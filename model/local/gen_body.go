package local

import (
	goast "go/ast"
	"go/types"
	"strings"

	"github.com/difgen/difgen/ast"
)

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

// bodyCandidates proposes whole bodies over a slice parameter, preferring
// those whose words the instruction uses.
func (c *holeCtx) bodyCandidates() {
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
			t := strings.NewReplacer("$S", params.At(i).Name(), "$T", types.TypeString(s.Elem(), c.qual), "$Z", ast.ZeroValue(s.Elem(), c.qual)).Replace(bt.text)
			if bt.needX {
				t = strings.ReplaceAll(t, "$X", xs[0])
			}
			c.add(t, p)
		}
	}
}
