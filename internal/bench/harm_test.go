package bench

import (
	"strings"
	"testing"
)

// TestHarms judges one-file edits: each harmful kind is named, and the
// edits real repairs make (an adapted callback, a format string, an
// unused import or variable removed, arguments swapped, a restored
// original) are not harmful.
func TestHarms(t *testing.T) {
	const head = "package p\n\nimport (\n\t\"fmt\"\n\t\"sort\"\n)\n\n"
	for _, tc := range []struct {
		name          string
		before, after string
		want          string // a substring of the one harm; "" for none
	}{
		{"nil value", "func f(x []int) []int {\n\treturn x\n}\n", "func f(x []int) []int {\n\treturn nil\n}\n", "replaces `x` by `nil`"},
		{"emptied message", "func f(t T, msg string) {\n\tt.Errorf(msg)\n}\n", "func f(t T, msg string) {\n\tt.Errorf(\"\")\n}\n", "replaces `msg` by `\"\"`"},
		{"constant", "func f(a, b int) int {\n\treturn a + b\n}\n", "func f(a, b int) int {\n\treturn a + 1\n}\n", "by the constant `1`"},
		{"argument dropped", "func f() {\n\tg(a, b)\n}\n", "func f() {\n\tg(a)\n}\n", "deletes `, b`"},
		{"statement dropped", "func f() {\n\tsetup()\n\trun()\n}\n", "func f() {\n\trun()\n}\n", "deletes `setup()`"},
		{"flipped", "func f(a, b int) bool {\n\treturn a < b\n}\n", "func f(a, b int) bool {\n\treturn a >= b\n}\n", "flips < to >="},
		{"negated", "func f(ok bool) {\n\tif ok {\n\t\trun()\n\t}\n}\n", "func f(ok bool) {\n\tif !ok {\n\t\trun()\n\t}\n}\n", "negates a condition"},
		{"self call", "func f(n int) int {\n\treturn g(n)\n}\n", "func f(n int) int {\n\treturn f(n)\n}\n", "calls f, the function it is in"},
		{"self call of a method", "func (s *S) Len() int {\n\treturn s.n\n}\n", "func (s *S) Len() int {\n\treturn s.Len()\n}\n", "calls Len"},

		{"less to cmp", "func f(x []T) {\n\tslices.SortFunc(x, func(a, b T) bool { return a.N < b.N })\n}\n",
			"func f(x []T) {\n\tslices.SortFunc(x, func(a, b T) int { return cmp.Compare(a.N, b.N) })\n}\n", ""},
		{"format constant", "func f(t T, msg string) {\n\tt.Errorf(msg)\n}\n", "func f(t T, msg string) {\n\tt.Errorf(\"%s\", msg)\n}\n", ""},
		{"Errorf to Error", "func f(t T, msg string) {\n\tt.Errorf(msg)\n}\n", "func f(t T, msg string) {\n\tt.Error(msg)\n}\n", ""},
		{"err.Error() dropped in a print", "func f(t T, err error) {\n\tt.Fatalf(err.Error())\n}\n", "func f(t T, err error) {\n\tt.Fatal(err)\n}\n", ""},
		{"swapped args", "func f() {\n\tg(b, a)\n}\n", "func f() {\n\tg(a, b)\n}\n", ""},
		{"renamed call", "func f() {\n\told(x)\n}\n", "func f() {\n\tnew2(x)\n}\n", ""},
		{"unused variable", "func f(a int) int {\n\ttmp := a\n\treturn a\n}\n", "func f(a int) int {\n\treturn a\n}\n", ""},
		// Inlining a used variable is judged harmful: the judge is conservative.
		{"used variable inlined", "func f(a int) int {\n\tb := a\n\treturn b\n}\n", "func f(a int) int {\n\treturn a\n}\n", "`b :=`"},
		{"added argument", "func f() {\n\tg(a)\n}\n", "func f() {\n\tg(context.TODO(), a)\n}\n", ""},
		{"comment only", "func f() {\n\tg(a) // x\n}\n", "func f() {\n\tg(a) // y\n}\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := map[string]string{"p.go": head + tc.before}
			after := map[string]string{"p.go": head + tc.after}
			got := Harms(before, after, nil)
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("harmless edit judged harmful: %q", got)
			case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want) || !strings.HasPrefix(got[0], "p.go:")):
				t.Errorf("got %q, want one harm with %q", got, tc.want)
			}
		})
	}
}

func TestHarmsFiles(t *testing.T) {
	const orig = "package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc f() { fmt.Println(os.Args) }\n"
	before := map[string]string{"p.go": orig, "q.go": "package p\n\nfunc g() { h() }\n"}
	// Deleting an import line is never harmful.
	after := map[string]string{"p.go": strings.Replace(orig, "\t\"os\"\n", "", 1), "q.go": before["q.go"]}
	if got := Harms(before, after, nil); len(got) != 0 {
		t.Errorf("import deletion judged harmful: %q", got)
	}
	// A deleted file is harmful; a file equal to the reference is not
	// judged.
	after = map[string]string{"p.go": "package p\n"}
	got := Harms(before, after, map[string]string{"p.go": "package p\n"})
	if len(got) != 1 || got[0] != "q.go: deletes the file" {
		t.Errorf("got %q", got)
	}
	// The line of a harm is the line after the edit.
	after = map[string]string{"p.go": orig, "q.go": "package p\n\nfunc g() {}\n"}
	if got := Harms(before, after, nil); len(got) != 1 || !strings.HasPrefix(got[0], "q.go:3: ") {
		t.Errorf("got %q", got)
	}
}
