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
	"refine":                  {"ast", "constraints", "diag", "model"},
	"internal/bench":          {"ast", "constraints", "corpus", "internal/tempdir", "model", "model/local", "refine"},
	"internal/filetx":         {"ast"},
	"internal/lsp":            {"ast"},
	"internal/redact":         {},
	"internal/sandbox":        {"internal/redact"},
	"internal/tempdir":        {},
	"cmd/difgen":              {"*"},
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
		if slices.Contains(ok, "*") {
			continue
		}
		for _, imp := range p.Imports {
			dep, found := strings.CutPrefix(imp, mod+"/")
			if !found {
				continue
			}
			if !slices.Contains(ok, dep) {
				t.Errorf("%s imports %s; design §2 does not allow it", name, dep)
			}
		}
	}
	if n < 5 {
		t.Errorf("go list found only %d packages", n)
	}
}
