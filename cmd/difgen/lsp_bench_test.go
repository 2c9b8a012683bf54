package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/difgen/difgen/ast"
)

// BenchmarkCodeAction measures the example package's repair
// (examples/broken) two ways in one run: lsp is the time from an invoked
// code action request on its first compile error to the response with
// the edit, from a running difgen lsp (model loaded, buffers sent); cli is
// the same repair by 'difgen fix' from the command line, process start
// and model load included. Both use the tests' small model, or the model
// file DIFGEN_BENCH_MODEL names (the model difgen train writes):
//
//	go test -run '^$' -bench CodeAction -benchtime 5x ./cmd/difgen
func BenchmarkCodeAction(b *testing.B) {
	env := toolEnv()
	if m := os.Getenv("DIFGEN_BENCH_MODEL"); m != "" {
		env = append(env, "DIFGEN_MODEL="+m)
	}
	dir := filepath.Join(b.TempDir(), "broken")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "examples", "broken"))); err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(dir, "wordcount.go")
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	broken := string(data)
	sc := &lspScenario{Name: "broken", Dir: dir, Open: file,
		Diagnostic: diagSpec{Severity: 1, At: "strings.Fields", Message: "undefined: strings"},
		files:      []txtarFil{{"wordcount.go", broken}}}

	b.Run("lsp", func(b *testing.B) {
		c := startLSPCmd(b, exec.Command(difgenBin, "lsp"), env)
		c.initialize(b, sc)
		var after string
		version := 1
		for b.Loop() {
			// A new version of the buffer: nothing is cached.
			b.StopTimer()
			version++
			c.notify(b, "textDocument/didChange", map[string]any{
				"textDocument":   map[string]any{"uri": fileURI(file), "version": version},
				"contentChanges": []any{map[string]string{"text": broken}},
			})
			b.StartTimer()
			var actions []struct {
				Title string `json:"title"`
				Edit  *struct {
					DocumentChanges []struct {
						Edits []struct {
							Range struct {
								Start, End struct{ Line, Character int }
							}
							NewText string
						}
					}
				}
			}
			c.call(b, "textDocument/codeAction", sc.codeActionParams(broken), &actions)
			if len(actions) == 0 || actions[0].Edit == nil {
				b.Fatalf("no fix: %+v", actions)
			}
			after = broken
			es := actions[0].Edit.DocumentChanges[0].Edits
			for i := len(es) - 1; i >= 0; i-- { // edits are sorted and disjoint
				e := es[i]
				start, _ := ast.Offset(after, e.Range.Start.Line+1, e.Range.Start.Character+1)
				end, _ := ast.Offset(after, e.Range.End.Line+1, e.Range.End.Character+1)
				after = after[:start] + e.NewText + after[end:]
			}
		}
		b.StopTimer()
		// The edit makes the package pass its tests.
		fixed := filepath.Join(b.TempDir(), "fixed")
		if err := os.CopyFS(fixed, os.DirFS(dir)); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(fixed, "wordcount.go"), []byte(after), 0o644); err != nil {
			b.Fatal(err)
		}
		goTestPasses(b, fixed)
	})

	b.Run("cli", func(b *testing.B) {
		for b.Loop() {
			cmd := exec.Command(difgenBin, "fix", "-json", ".")
			cmd.Dir, cmd.Env = dir, env
			out, err := cmd.Output()
			if err != nil {
				b.Fatalf("difgen fix: %v\n%s", err, out)
			}
			var res struct{ Clean bool }
			if json.Unmarshal(out, &res); !res.Clean || !strings.Contains(string(out), "wordcount.go") {
				b.Fatalf("difgen fix did not repair the package:\n%s", out)
			}
		}
	})
}
