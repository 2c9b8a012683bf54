package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// allowed pins the import graph between difgen's packages (design §2): a
// package may import only the difgen packages listed for it. Packages not
// listed may import nothing of difgen.
var allowed = map[string][]string{
	"diag":                    {},
	"ast":                     {"diag"},
	"corpus":                  {"ast", "diag"},
	"constraints":             {"ast", "diag", "internal/sandbox", "internal/tempdir"},
	"model":                   {"ast", "diag"},
	"model/fake":              {"ast", "diag", "model"},
	"model/modeltest":         {"ast", "diag", "model"},
	"model/local":             {"ast", "corpus", "diag", "model"},
	"model/remote":            {"ast", "diag", "model", "internal/redact"},
	"model/remote/remotetest": {"ast", "diag", "model", "model/remote"},
	"model/route":             {"ast", "diag", "model"},
	"refine":                  {"ast", "constraints", "diag", "model"},
	"internal/bench":          {"ast", "constraints", "corpus", "internal/tempdir", "model", "model/local", "refine"},
	"internal/filetx":         {"ast"},
	"internal/lsp":            {"ast"},
	"internal/redact":         {},
	"internal/sandbox":        {"internal/redact", "internal/tempdir"},
	"internal/tempdir":        {},
	"internal/spec":           {"ast"},
	"cmd/difgen":              {"*"},
}

// external pins the packages outside the standard library and difgen
// that each package may import ("/..." allows a tree). Packages not
// listed may import none.
var external = map[string][]string{
	"ast":            {"golang.org/x/tools/go/ast/...", "golang.org/x/tools/imports"},
	"constraints":    {"golang.org/x/tools/go/analysis/...", "golang.org/x/tools/go/gcexportdata", "golang.org/x/tools/go/packages", "golang.org/x/tools/go/types/objectpath"},
	"refine":         {"github.com/sergi/go-diff/diffmatchpatch", "golang.org/x/tools/go/ast/astutil"},
	"model/remote":   {"github.com/sashabaranov/go-openai"},
	"internal/bench": {"golang.org/x/mod/...", "golang.org/x/tools/go/ast/astutil", "golang.org/x/tools/go/packages"},
	"internal/lsp":   {"github.com/sergi/go-diff/diffmatchpatch", "github.com/sourcegraph/jsonrpc2"},
	"internal/spec":  {"github.com/yuin/goldmark/...", "golang.org/x/mod/...", "golang.org/x/tools/go/ast/astutil"},
	"cmd/difgen":     {"github.com/modelcontextprotocol/go-sdk/mcp", "github.com/sergi/go-diff/diffmatchpatch", "golang.org/x/mod/...", "golang.org/x/term"},
}

// externalOK reports whether pkg may import the non-difgen package imp.
func externalOK(pkg, imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	if !strings.Contains(first, ".") {
		return true // the standard library
	}
	for _, pat := range external[pkg] {
		if tree, ok := strings.CutSuffix(pat, "/..."); ok && (imp == tree || strings.HasPrefix(imp, tree+"/")) || imp == pat {
			return true
		}
	}
	return false
}

func TestImportGraph(t *testing.T) {
	const mod = "github.com/difgen/difgen"
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", mod+"/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		name := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, mod), "/")
		ok, listed := allowed[name]
		if !listed {
			t.Errorf("package %s is not in the import-graph table; add it with the difgen packages it may import", name)
			continue
		}
		all := slices.Contains(ok, "*")
		for _, imp := range p.Imports {
			dep, found := strings.CutPrefix(imp, mod+"/")
			if !found {
				if !externalOK(name, imp) {
					t.Errorf("%s imports %s, which the external table does not allow", name, imp)
				}
				continue
			}
			if !all && !slices.Contains(ok, dep) {
				t.Errorf("%s imports %s; design §2 does not allow it", name, dep)
			}
		}
	}
	if n < 5 {
		t.Errorf("go list found only %d packages", n)
	}
}
