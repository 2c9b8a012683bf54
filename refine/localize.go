package refine

import (
	goast "go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
)

// maxWiden bounds how often a finding's hole is widened before refine
// gives up on it.
const maxWiden = 5

// maxSuspects is how many suspicious statement blocks a test failure
// turns into holes per step.
const maxSuspects = 4

// parsed is a file parsed for localization (a partial tree when the file
// has syntax errors).
type parsed struct {
	fset *token.FileSet
	file *goast.File
	src  string
}

func parse(f *ast.File) *parsed {
	fset := token.NewFileSet()
	file, _ := parser.ParseFile(fset, f.Name, f.Text, parser.SkipObjectResolution|parser.ParseComments)
	if file == nil {
		return nil
	}
	return &parsed{fset: fset, file: file, src: f.Text}
}

func (r *run) writable(name string, text string) bool {
	if r.opts.Writable != nil {
		return r.opts.Writable(name)
	}
	return !ast.IsGenerated(text)
}

// stmtLevel lists messages whose fix is a statement, not an expression.
var stmtLevel = []string{
	"declared and not used",
	"no new variables",
	"assignment mismatch",
	"not enough return values",
	"too many return values",
	"is not used",
	"cannot assign",
	"non-name",
}

// localize turns the findings and open user holes of st into holes to ask
// for, most severe first, non-overlapping, at most MaxHoles.
func (r *run) localize(st *state) []target {
	files := map[string]*parsed{}
	get := func(name string) *parsed {
		if p, ok := files[name]; ok {
			return p
		}
		var p *parsed
		if f := st.cv.File(name); f != nil {
			p = parse(f)
		}
		files[name] = p
		return p
	}

	var ts []target
	for _, h := range st.holes {
		key := "hole|" + h.File + "|" + h.Original + "|" + h.Instruction
		if r.widen[key] >= 2 {
			continue // asked twice without a fill that helps
		}
		ts = append(ts, target{hole: h, key: key, user: true})
	}

	findings := slices.Clone(st.rep.Findings)
	slices.SortStableFunc(findings, func(a, b constraints.Finding) int {
		return int(b.Severity() - a.Severity())
	})
	var failing []string
	for _, f := range findings {
		if f.Category == constraints.Tests {
			failing = append(failing, f.Message)
			continue
		}
		if f.File == "" || filepath.Ext(f.File) != ".go" {
			continue
		}
		cf := st.cv.File(f.File)
		if cf == nil || !r.writable(f.File, cf.Text) {
			continue
		}
		p := get(f.File)
		if p == nil {
			continue
		}
		key := f.File + "|" + f.Message
		level := r.widen[key]
		if level > maxWiden {
			continue
		}
		h := r.holeFor(p, f)
		for i := 0; h != nil && i < level; i++ {
			w, ok := ast.Widen(p.file, p.fset, p.src, h)
			if !ok {
				h = nil
				break
			}
			h = w
		}
		if h == nil || !st.regions.contains(h.File, h.Start, h.End) {
			continue
		}
		h.Diagnostics = []string{f.Message}
		ts = append(ts, target{hole: h, key: key})
	}

	if len(failing) > 0 {
		ts = append(ts, r.suspects(st, get, failing)...)
	}

	// Keep the first of overlapping holes; merge diagnostics of equal ones.
	var out []target
	for _, t := range ts {
		dup := false
		for _, o := range out {
			if o.hole.File != t.hole.File {
				continue
			}
			if o.hole.Start == t.hole.Start && o.hole.End == t.hole.End {
				o.hole.Diagnostics = append(o.hole.Diagnostics, t.hole.Diagnostics...)
				dup = true
				break
			}
			if overlaps(o.hole, t.hole) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, t)
		}
		if len(out) == r.opts.MaxHoles {
			break
		}
	}
	return out
}

func overlaps(a, b *ast.Hole) bool {
	if a.Start == a.End || b.Start == b.End { // insertion points
		return a.Start < b.End && b.Start < a.End || a.Start == b.Start
	}
	return a.Start < b.End && b.Start < a.End
}

// holeFor returns the smallest hole that can fix f.
func (r *run) holeFor(p *parsed, f constraints.Finding) *ast.Hole {
	start, end := f.Start, max(f.End, f.Start)
	if start > len(p.src) {
		return nil
	}
	end = min(end, len(p.src))
	if strings.HasPrefix(f.Message, "missing return") {
		return ast.StmtInsertion(p.file, p.fset, p.src, start)
	}
	h := ast.Smallest(p.file, p.fset, p.src, start, end)
	if h == nil {
		return nil
	}
	if f.Category == constraints.Syntax || containsAny(f.Message, stmtLevel) {
		for h.Kind != ast.Stmts && h.Kind != ast.Body {
			w, ok := ast.Widen(p.file, p.fset, p.src, h)
			if !ok {
				break
			}
			h = w
		}
	}
	return h
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// suspects turns the most suspicious statement blocks of failing tests
// into holes: each simple statement in a block, and each condition.
func (r *run) suspects(st *state, get func(string) *parsed, failing []string) []target {
	var ts []target
	n := 0
	for _, s := range st.rep.Suspicious {
		if n == maxSuspects || s.Score <= 0 {
			break
		}
		cf := st.cv.File(s.File)
		if cf == nil || strings.HasSuffix(s.File, "_test.go") || !r.writable(s.File, cf.Text) {
			continue
		}
		p := get(s.File)
		if p == nil {
			continue
		}
		n++
		tf := p.fset.File(p.file.Pos())
		goast.Inspect(p.file, func(node goast.Node) bool {
			if node == nil {
				return false
			}
			start, end := tf.Offset(node.Pos()), tf.Offset(node.End())
			if end <= s.Start || start >= s.End {
				return start < s.End // descend only where the block may be
			}
			var masked goast.Node
			switch node := node.(type) {
			case *goast.IfStmt:
				masked = node.Cond
			case *goast.ForStmt:
				if node.Cond != nil {
					masked = node.Cond
				}
			case *goast.AssignStmt, *goast.ReturnStmt, *goast.IncDecStmt, *goast.ExprStmt:
				masked = node
			}
			if masked != nil {
				ms, me := tf.Offset(masked.Pos()), tf.Offset(masked.End())
				if ms >= s.Start && me <= s.End || (ms < s.End && me > s.Start) {
					h := ast.MaskNode(p.file, p.fset, p.src, masked)
					if h != nil && st.regions.contains(h.File, h.Start, h.End) {
						key := "suspect|" + h.File + "|" + h.Original
						if r.widen[key] == 0 {
							h.Diagnostics = failing
							ts = append(ts, target{hole: h, key: key})
						}
					}
				}
			}
			return true
		})
	}
	return ts
}

// describe fills in the go/types facts of each hole.
func (r *run) describe(st *state, holes []*ast.Hole) {
	rep := st.rep
	if rep == nil || rep.Pkg == nil || rep.Info == nil {
		return
	}
	for _, h := range holes {
		for i, name := range rep.Names {
			if name == h.File && i < len(rep.Files) {
				ast.Describe(h, rep.Fset, rep.Files[i], rep.Pkg, rep.Info)
				break
			}
		}
	}
}
