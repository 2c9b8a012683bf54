package ast

import (
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/ast/inspector"
)

// roundTripFiles are real Go files, read from GOROOT (go env GOROOT) at
// test time.
var roundTripFiles = []string{"strings/strings.go", "fmt/print.go", "go/ast/ast.go", "sort/sort.go"}

// A parsedFile is one of roundTripFiles with its syntax and nodes.
type parsedFile struct {
	name  string
	src   string
	f     *goast.File
	fset  *token.FileSet
	nodes []goast.Node // in preorder
}

var (
	parsedOnce  sync.Once
	parsedFiles []*parsedFile
)

// loadRoundTripFiles parses roundTripFiles once per test binary. The
// parsed files are only read afterwards.
func loadRoundTripFiles(t testing.TB) []*parsedFile {
	parsedOnce.Do(func() {
		goroot, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			return
		}
		for _, rel := range roundTripFiles {
			name := filepath.Join(strings.TrimSpace(string(goroot)), "src", filepath.FromSlash(rel))
			data, err := os.ReadFile(name)
			if err != nil {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, name, data, parser.SkipObjectResolution|parser.ParseComments)
			if err != nil {
				continue
			}
			p := &parsedFile{name: name, src: string(data), f: f, fset: fset}
			for c := range inspector.New([]*goast.File{f}).Root().Preorder() {
				p.nodes = append(p.nodes, c.Node())
			}
			parsedFiles = append(parsedFiles, p)
		}
	})
	if len(parsedFiles) == 0 {
		t.Skip("no GOROOT sources")
	}
	return parsedFiles
}

// checkMask checks h, the hole that masks node i of p: filling it with
// its Original restores the file, the rendered hole parses, and widening
// grows it. With whole false, only the top-level declaration holding the
// hole is parsed (declarations parse independently), which is faster.
func checkMask(t testing.TB, p *parsedFile, i int, h *Hole, whole bool) {
	n := p.nodes[i]
	where := func() string {
		return Position(p.name, p.src, h.Start) + ": " + h.Kind.String() + " hole for " + strings.TrimPrefix(typeName(n), "*ast.")
	}
	if h.File != p.name || h.Original != p.src[h.Start:h.End] {
		t.Fatalf("%s: Original %q, span holds %q", where(), h.Original, p.src[h.Start:h.End])
	}
	back, err := Apply(p.src, []Edit{h.Fill(h.Original)})
	if err != nil || back != p.src {
		t.Fatalf("%s: fill with Original does not restore the file (%v)", where(), err)
	}
	h.ID = 7
	out, err := Render(NewCanvas(filepath.Dir(p.name), NewFile(p.name, p.src)), []*Hole{h})
	if err != nil {
		t.Fatalf("%s: %v", where(), err)
	}
	text := out[p.name]
	if !whole {
		text = declText(p, h, text)
	}
	if _, err := parser.ParseFile(token.NewFileSet(), p.name, text, parser.SkipObjectResolution); err != nil {
		t.Fatalf("%s: rendered text does not parse: %v", where(), err)
	}
	if !strings.Contains(out[p.name], h.Placeholder()) {
		t.Fatalf("%s: rendered text lacks %s", where(), h.Placeholder())
	}
	if w, ok := Widen(p.f, p.fset, p.src, h); ok {
		larger := w.End-w.Start > h.End-h.Start || kindRank[w.Kind] > kindRank[h.Kind]
		if !w.contains(h.Start, h.End) || !larger {
			t.Fatalf("%s: Widen gives %s hole [%d,%d), not larger than [%d,%d)", where(), w.Kind, w.Start, w.End, h.Start, h.End)
		}
	}
}

// declText returns "package p" and the declaration of p that holds h, cut
// from out, the text of p with h rendered.
func declText(p *parsedFile, h *Hole, out string) string {
	tf := p.fset.File(p.f.FileStart)
	for _, d := range p.f.Decls {
		s, e := tf.Offset(d.Pos()), tf.Offset(d.End())
		if s <= h.Start && h.End <= e {
			return "package p;" + out[s:e+len(out)-len(p.src)]
		}
	}
	return out
}

// typeName returns the name of n's type, such as "*ast.Ident".
func typeName(n goast.Node) string { return fmt.Sprintf("%T", n) }

// TestMaskEveryNode masks every node of the round-trip files.
func TestMaskEveryNode(t *testing.T) {
	for _, p := range loadRoundTripFiles(t) {
		t.Run(filepath.Base(p.name), func(t *testing.T) {
			seen := make(map[[3]int]bool)
			step := 1
			if testing.Short() {
				step = 5
			}
			for i := 0; i < len(p.nodes); i += step {
				h := MaskNode(p.f, p.fset, p.src, p.nodes[i])
				if h == nil {
					continue
				}
				key := [3]int{h.Start, h.End, int(h.Kind)}
				if seen[key] {
					continue
				}
				seen[key] = true
				checkMask(t, p, i, h, false)
			}
			t.Logf("%d nodes, %d distinct holes", len(p.nodes), len(seen))
		})
	}
}

// FuzzMaskRoundTrip masks the node that the input chooses in one of the
// round-trip files.
func FuzzMaskRoundTrip(f *testing.F) {
	files := loadRoundTripFiles(f)
	for i, p := range files {
		for _, k := range []uint32{0, 1, 17, 101, uint32(len(p.nodes) / 2), uint32(len(p.nodes) - 1)} {
			f.Add(uint8(i), k)
		}
	}
	f.Fuzz(func(t *testing.T, file uint8, node uint32) {
		p := files[int(file)%len(files)]
		i := int(node % uint32(len(p.nodes)))
		if h := MaskNode(p.f, p.fset, p.src, p.nodes[i]); h != nil {
			checkMask(t, p, i, h, true)
		}
	})
}
