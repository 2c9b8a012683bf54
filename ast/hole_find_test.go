package ast

import (
	"fmt"
	"strings"
	"testing"
)

func TestFindHoles(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "kind|original|instruction"
	}{
		{"none", "package p\nfunc f() int { return 1 }\n", nil},
		{"expr", "package p\nfunc f() int { return __ + 1 }\n", []string{"expr|__|"}},
		{"stmt", "package p\nfunc f(x int) int {\n\tx++\n\t__\n\treturn x\n}\n", []string{"stmts|__|"}},
		{"instruction expr", "package p\nvar v = __(\"the answer\") + 1\n", []string{`expr|__("the answer")|the answer`}},
		{"instruction stmt", "package p\nfunc f() {\n\tprintln()\n\t__(`sort xs`)\n}\n", []string{"stmts|__(`sort xs`)|sort xs"}},
		{"body __", "package p\nfunc f() int { __ }\n", []string{"body| __ |"}},
		{"body instruction", "package p\nfunc f() int {\n\t__(\"count\")\n}\n", []string{"body|\n\t__(\"count\")\n|count"}},
		{"body TODO", "package p\ntype T int\nfunc (T) M() error {\n\tpanic(\"TODO\")\n}\n", []string{"body|\n\tpanic(\"TODO\")\n|"}},
		{"body unimplemented literal", "package p\nvar f = func() { panic(\"unimplemented\") }\n", []string{"body| panic(\"unimplemented\") |"}},
		{"panic other", "package p\nfunc f() { panic(\"boom\") }\n", nil},
		{"panic not alone", "package p\nfunc f() { println(); panic(\"TODO\") }\n", nil},
		{"ignored names", `package p
type S struct{ __ int }
func g(s S) int {
	_ = __
	return s.__
}
`, []string{"expr|__|"}},
		{"declared locally", `package p
func g(__ int) int {
	return __ + 1
}
func h() int {
	__ := 2
	if true {
		return __
	}
	return 0
}
`, nil},
		{"declared in the file", `package p
var __ = 3
func g() int { return __ }
func __f() { __() }
`, nil},
		{"several in order", `package p
func f(a int) (int, error) {
	if __ {
		__
	}
	return __, __("an error")
}
func g() { __ }
`, []string{"expr|__|", "stmts|__|", "expr|__|", `expr|__("an error")|an error`, "body| __ |"}},
		{"case and composite", `package p
func f(x int) []int {
	switch x {
	case __:
		__
	}
	return []int{__, 2}
}
`, []string{"expr|__|", "stmts|__|", "expr|__|"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			holes, err := FindHoles("/m/p.go", tt.src)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, h := range holes {
				if h.ID != i+1 || !h.User || h.File != "/m/p.go" {
					t.Errorf("hole %d: ID %d User %v File %q", i, h.ID, h.User, h.File)
				}
				if h.Original != tt.src[h.Start:h.End] {
					t.Errorf("hole %d: Original %q, span holds %q", h.ID, h.Original, tt.src[h.Start:h.End])
				}
				got = append(got, fmt.Sprintf("%s|%s|%s", h.Kind, h.Original, h.Instruction))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestFindHolesSyntaxError(t *testing.T) {
	_, err := FindHoles("/m/p.go", "package p\n\nfunc f() {\n\tx := \n}\n")
	if err == nil {
		t.Fatal("no error")
	}
	if want := "/m/p.go:5:1: expected operand, found '}'"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestFindCanvasHolesDeclaredElsewhere(t *testing.T) {
	a := NewFile("/m/a.go", "package p\n\nfunc g() int { return __ }\n")
	b := NewFile("/m/b.go", "package p\n\nfunc __() int { return 1 }\n")
	c := NewFile("/m/c_test.go", "package p_test\n\nfunc f() { __ }\n")
	cv := NewCanvas("/m", a, b, c)
	if hs, err := FindCanvasHoles(cv, a.Name); err != nil || len(hs) != 0 {
		t.Errorf("a.go: holes %v, err %v; want none: package p declares __ in b.go", hs, err)
	}
	if hs, err := FindCanvasHoles(cv, c.Name); err != nil || len(hs) != 1 {
		t.Errorf("c_test.go: holes %v, err %v; want one: package p_test does not declare __", hs, err)
	}
}
