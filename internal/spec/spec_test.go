package spec_test

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/internal/spec"
)

var update = flag.Bool("update", false, "rewrite the want files of testdata/*.txtar")

func fixImports(name, src string) (string, error) {
	return ast.FixImports(name, src, &ast.ImportOptions{KeepUnused: true})
}

// TestScenarios parses the spec.md of each testdata/*.txtar. The comment
// holds parameters, one a line:
//
//	import PATH     Options.ImportPath
//	package NAME    Options.Package
//
// want/NAME holds the expected text of the generated file NAME,
// want/funcs the holes (file, key, position and instruction), want/gomod
// the go.mod block's module path, and want/errors the expected errors
// (then no file may be generated).
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scenarios in testdata")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			runScenario(t, file)
		})
	}
}

func runScenario(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	opts := &spec.Options{FixImports: fixImports}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "import":
			opts.ImportPath = f[1]
		case "package":
			opts.Package = f[1]
		default:
			t.Fatalf("unknown parameter %q", f[0])
		}
	}
	var src []byte
	for _, f := range ar.Files {
		if f.Name == "spec.md" {
			src = f.Data
		}
	}
	if src == nil {
		t.Fatal("no spec.md in the archive")
	}
	got := map[string]string{}
	s, err := spec.Parse("spec.md", src, opts)
	if err != nil {
		got["want/errors"] = err.Error() + "\n"
	} else {
		for _, f := range s.Files {
			got["want/"+f.Path] = f.Text
		}
		var sb strings.Builder
		for _, fn := range s.Funcs {
			fmt.Fprintf(&sb, "%s %s %s\n\t%s\n", fn.File, fn.Key, fn.Pos, strings.ReplaceAll(fn.Instruction, "\n", "\n\t"))
		}
		got["want/funcs"] = sb.String()
		if s.GoMod != nil {
			got["want/gomod"] = s.GoMod.Module + "\n"
		}
		if !s.Code {
			got["want/nocode"] = ""
		}
	}
	if *update {
		var files []txtar.File
		for _, f := range ar.Files {
			if !strings.HasPrefix(f.Name, "want/") {
				files = append(files, f)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(got)) {
			files = append(files, txtar.File{Name: name, Data: []byte(got[name])})
		}
		ar.Files = files
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := map[string]string{}
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "want/") {
			want[f.Name] = string(f.Data)
		}
	}
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: not generated", name)
		} else if g != w {
			t.Errorf("%s:\n%s\nwant:\n%s", name, g, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s generated and not expected:\n%s", name, got[name])
		}
	}
}
