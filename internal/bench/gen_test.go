package bench

import (
	"strings"
	"testing"

	"github.com/difgen/difgen/internal/spec"
)

func TestStripStubBodies(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"package p\n\nfunc F(x int) int {\n\tpanic(\"Please implement\")\n}\n", "package p\n\nfunc F(x int) int\n"},
		{"package p\n\n// F is.\nfunc F() string {\n\t// Write some code here.\n\treturn \"\"\n}\n", "package p\n\n// F is.\nfunc F() string\n"},
		{"package p\n\nimport \"time\"\n\nfunc Add(t time.Time) time.Time {\n\treturn t\n}\n", "package p\n\nimport \"time\"\n\nfunc Add(t time.Time) time.Time\n"},
		{"package p\n\nfunc (c *C) N() (int, error) { return -1, nil }\n\ntype C struct{}\n", "package p\n\nfunc (c *C) N() (int, error)\n\ntype C struct{}\n"},
		// Real code stays.
		{"package p\n\nfunc F(x int) int {\n\treturn x + 1\n}\n", "package p\n\nfunc F(x int) int {\n\treturn x + 1\n}\n"},
		{"package p\n\nfunc F() {\n\tprintln()\n}\n", "package p\n\nfunc F() {\n\tprintln()\n}\n"},
		{"package p\n\nfunc F() int {\n\tx := 1\n\treturn x\n}\n", "package p\n\nfunc F() int {\n\tx := 1\n\treturn x\n}\n"},
	} {
		if got := stripStubBodies(tc.in); got != tc.want {
			t.Errorf("stripStubBodies(%q) =\n%s\nwant:\n%s", tc.in, got, tc.want)
		}
	}
}

func TestReadExercismGen(t *testing.T) {
	cases, errs, err := ReadExercismGen("testdata/gen_exercism.jsonl")
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	if len(cases) != 2 || cases[0].ID != "exercism/shout" || cases[1].ID != "exercism/fib" {
		t.Fatalf("cases %v", cases)
	}
	for _, c := range cases {
		s, err := spec.Parse(c.Source+".md", []byte(c.Spec), nil)
		if err != nil {
			t.Errorf("%s: the spec does not parse: %v\n%s", c.ID, err, c.Spec)
			continue
		}
		if len(s.Funcs) != 1 || s.GoMod == nil || s.GoMod.Module != c.Source || len(c.Tests) != 1 {
			t.Errorf("%s: %d holes, go.mod %v, %d tests", c.ID, len(s.Funcs), s.GoMod, len(c.Tests))
		}
		if !strings.HasPrefix(c.Spec, "# Instructions") {
			t.Errorf("%s: the spec does not start with the instructions:\n%s", c.ID, c.Spec)
		}
	}
	if s, _ := spec.Parse("fib.md", []byte(cases[1].Spec), nil); s != nil && !strings.Contains(s.Funcs[0].Instruction, "Fib(10) is 55.") {
		t.Errorf("the example section is not an instruction of Fib: %q", s.Funcs[0].Instruction)
	}
}

func TestReadHumanEvalXGen(t *testing.T) {
	cases, errs, err := ReadHumanEvalXGen("testdata/gen_humanevalx.jsonl", ModuleFiles{})
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	if len(cases) != 1 {
		t.Fatalf("%d cases", len(cases))
	}
	s, err := spec.Parse("he.md", []byte(cases[0].Spec), nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, cases[0].Spec)
	}
	if len(s.Funcs) != 1 || s.Funcs[0].Key != "Upper" || !strings.Contains(s.Funcs[0].Doc, ">>> Upper") {
		t.Errorf("holes %+v", s.Funcs)
	}
	var test *spec.File
	for _, f := range s.Files {
		if f.Test {
			test = f
		}
	}
	if test == nil || test.Package != "solution" {
		t.Errorf("no test file of package solution: %+v", s.Files)
	}
}

func TestWriteBlockFence(t *testing.T) {
	var sb strings.Builder
	writeBlock(&sb, "go", "a.go", "package a\n\nconst s = `\n```\n`\n")
	if !strings.HasPrefix(sb.String(), "````go\n") || !strings.HasSuffix(sb.String(), "\n````\n\n") {
		t.Errorf("a block holding ``` needs a longer fence:\n%s", sb.String())
	}
}

func TestExampleFences(t *testing.T) {
	in := "Use this:\n\n```go\nfunc Search(p string) []string {\n```\n\n  ~~~golang\nx\n~~~\n\n```gopher\n```\n"
	want := "Use this:\n\n```text\nfunc Search(p string) []string {\n```\n\n  ~~~text\nx\n~~~\n\n```gopher\n```\n"
	if got := exampleFences.ReplaceAllString(in, "${1}text"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
