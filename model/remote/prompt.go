package remote

import (
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model"
)

// A renderedFile is a file of the canvas with each hole's span replaced by
// its placeholder.
type renderedFile struct {
	name  string      // relative to the canvas directory, slash-separated
	text  string      // with placeholders
	holes []*ast.Hole // the holes in this file, by Start
	at    map[int]int // hole ID → offset of its placeholder in text
}

// render renders the files of req that hold holes, in canvas order.
func render(req *model.Request) ([]*renderedFile, error) {
	byFile := map[string][]*ast.Hole{}
	for _, h := range req.Holes {
		byFile[h.File] = append(byFile[h.File], h)
	}
	var out []*renderedFile
	for _, f := range req.Canvas.Files() {
		hs := byFile[f.Name]
		if len(hs) == 0 {
			continue
		}
		delete(byFile, f.Name)
		hs = slices.Clone(hs)
		slices.SortStableFunc(hs, func(a, b *ast.Hole) int { return a.Start - b.Start })
		rf := &renderedFile{name: relName(req.Canvas.Dir, f.Name), holes: hs, at: map[int]int{}}
		var sb strings.Builder
		last := 0
		for _, h := range hs {
			if h.Start < last || h.End < h.Start || h.End > len(f.Text) {
				return nil, fmt.Errorf("remote: hole %d [%d,%d) of %s is out of range or overlaps another", h.ID, h.Start, h.End, rf.name)
			}
			sb.WriteString(f.Text[last:h.Start])
			rf.at[h.ID] = sb.Len()
			sb.WriteString(h.Placeholder())
			last = h.End
		}
		sb.WriteString(f.Text[last:])
		rf.text = sb.String()
		out = append(out, rf)
	}
	for name := range byFile {
		return nil, fmt.Errorf("remote: hole in %s, which is not on the canvas", name)
	}
	return out, nil
}

func relName(dir, name string) string {
	if dir != "" {
		if r, err := filepath.Rel(dir, name); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(filepath.Base(name))
}

// narrow returns rf's text cut down to the package clause, the imports and
// the top-level declarations that hold a hole, for prompts that exceeded
// the model's context. When the file does not parse, it keeps a window of
// lines around each hole.
func narrow(rf *renderedFile) string {
	fset := token.NewFileSet()
	f, _ := parser.ParseFile(fset, rf.name, rf.text, parser.SkipObjectResolution|parser.ParseComments)
	type span struct{ start, end int }
	var keep []span
	holeIn := func(s, e int) bool {
		for _, off := range rf.at {
			if s <= off && off < e {
				return true
			}
		}
		return false
	}
	if f != nil && f.Name != nil {
		tf := fset.File(f.Pos())
		keep = append(keep, span{0, tf.Offset(f.Name.End())})
		for _, decl := range f.Decls {
			s, e := tf.Offset(decl.Pos()), tf.Offset(decl.End())
			gd, ok := decl.(*goast.GenDecl)
			isImport := ok && gd.Tok == token.IMPORT
			if isImport || holeIn(s, e) {
				keep = append(keep, span{s, e})
			}
		}
	}
	covered := 0
	for _, off := range rf.at {
		for _, k := range keep {
			if k.start <= off && off < k.end {
				covered++
				break
			}
		}
	}
	if covered < len(rf.at) {
		// Fall back to ±30 lines around each hole.
		keep = keep[:0]
		for _, off := range rf.at {
			s, e := off, off
			for i := 0; i < 30 && s > 0; i++ {
				s = strings.LastIndexByte(rf.text[:s-1], '\n') + 1
			}
			for i := 0; i < 30 && e < len(rf.text); i++ {
				if j := strings.IndexByte(rf.text[e:], '\n'); j >= 0 {
					e += j + 1
				} else {
					e = len(rf.text)
				}
			}
			keep = append(keep, span{s, e})
		}
	}
	slices.SortFunc(keep, func(a, b span) int { return a.start - b.start })
	var sb strings.Builder
	last := -1
	for _, k := range keep {
		if k.start < last {
			k.start = last
		}
		if k.start >= k.end {
			continue
		}
		if last >= 0 {
			sb.WriteString("\n\n// …\n\n")
		}
		sb.WriteString(rf.text[k.start:k.end])
		last = k.end
	}
	return sb.String()
}

const systemPrompt = `You fill holes in Go source code. Each hole is a numbered placeholder: __difgen_hole_K__ stands for an expression or identifier, and __difgen_hole_K__() on its own line stands for statements (or a whole function body).

Answer with one block per hole, ids in order, and nothing else:
<hole id="1">code that replaces the placeholder</hole>
<hole id="2">code</hole>
</holes>

Rules: write only Go code inside the blocks, without markdown fences or explanations. For a statement or body hole, write the statements only (no enclosing braces, no func line). Do not repeat the code around the placeholder. The result must compile: respect the expected type and use only names in scope or imported.`

// chatPrompt returns the user message for the hole protocol.
func chatPrompt(files []*renderedFile, holes []*ast.Hole, narrowed bool) string {
	var sb strings.Builder
	sb.WriteString("Fill the holes in this Go package.\n")
	for _, rf := range files {
		text := rf.text
		if narrowed {
			text = narrow(rf)
		}
		fmt.Fprintf(&sb, "\nFile %s:\n```go\n%s", rf.name, text)
		if !strings.HasSuffix(text, "\n") {
			sb.WriteString("\n")
		}
		sb.WriteString("```\n")
	}
	sb.WriteString("\nHoles:\n")
	names := map[string]*renderedFile{}
	for _, rf := range files {
		for _, h := range rf.holes {
			names[h.File] = rf
		}
	}
	for _, h := range holes {
		rf := names[h.File]
		line := 1 + strings.Count(rf.text[:rf.at[h.ID]], "\n")
		fmt.Fprintf(&sb, "<hole id=\"%d\"> %s in %s line %d\n", h.ID, h.Kind, rf.name, line)
		if facts := h.Slot.String(); facts != "" {
			for _, line := range strings.Split(facts, "\n") {
				fmt.Fprintf(&sb, "  %s\n", line)
			}
		}
		if h.Instruction != "" {
			fmt.Fprintf(&sb, "  instruction: %s\n", oneLineKeep(h.Instruction))
		}
		for _, f := range h.Findings {
			fmt.Fprintf(&sb, "  last attempt failed: %s\n", oneLineKeep(f.Message))
		}
		if h.Tried != "" {
			fmt.Fprintf(&sb, "  last attempt failed: %s\n", oneLineKeep(h.Tried))
		}
	}
	fmt.Fprintf(&sb, "\nAnswer with exactly %d blocks, <hole id=\"1\"> to <hole id=\"%d\">, then </holes>.\n", len(holes), len(holes))
	return sb.String()
}

func oneLineKeep(s string) string { return strings.Join(strings.Fields(s), " ") }
