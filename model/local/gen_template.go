package local

import (
	"go/types"
	"math"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
)

// templateCandidates proposes fills for statement and body holes: return
// statements and the statement templates mined from Go source,
// instantiated from the scope.
func (c *holeCtx) templateCandidates() {
	h := c.h
	if c.sig != nil && c.sig.Results().Len() > 0 {
		for i, s := range c.returnStmts() {
			p := -0.5 - 0.2*float64(i)
			if h.Kind == ast.Body {
				p = 1 - 0.2*float64(i)
			}
			c.add(s, p)
		}
	} else if c.sig != nil || h.Kind == ast.Body {
		c.add("", -2)
	}
	if c.info == nil {
		return
	}
	maxCount := 1
	for _, t := range c.d.templates {
		maxCount = max(maxCount, t.Count)
	}
	vars := c.localVars(5)
	for _, t := range c.d.templates[:min(len(c.d.templates), 60)] {
		p := -2.5 + math.Log(float64(t.Count+1))/math.Log(float64(maxCount+1))
		for i, s := range c.instantiate(t.Text, vars, 12) {
			c.add(s, p-0.1*float64(i))
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
