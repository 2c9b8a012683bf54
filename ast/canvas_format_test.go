package ast

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	got, err := Format("package p\nfunc f( ) { x:=1\n_ = x }\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "package p\n\nfunc f() {\n\tx := 1\n\t_ = x\n}\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := Format("package p\nfunc {"); err == nil {
		t.Error("no error for bad syntax")
	}
}

func TestFixImports(t *testing.T) {
	name := filepath.Join(t.TempDir(), "p.go")
	tests := []struct {
		name string
		src  string
		opt  *ImportOptions
		want string
	}{
		{"add, keeping odd formatting",
			"package p\n\nimport \"fmt\"\n\nfunc f( s string )   string {\n    fmt.Println( s )\n  return strings.ToUpper(s)}\n",
			nil,
			"package p\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\nfunc f( s string )   string {\n    fmt.Println( s )\n  return strings.ToUpper(s)}\n"},
		{"first import",
			"package p // the package\n\nfunc f( ) string { return strings.ToUpper(\"x\") }\n",
			nil,
			"package p // the package\n\nimport \"strings\"\n\nfunc f( ) string { return strings.ToUpper(\"x\") }\n"},
		{"remove unused",
			"package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc f( ) { fmt.Println() }\n",
			nil,
			"package p\n\nimport (\n\t\"fmt\"\n)\n\nfunc f( ) { fmt.Println() }\n"},
		{"remove all",
			"package p\n\nimport \"os\"\n\nfunc f( ) {  }\n",
			nil,
			"package p\n\nfunc f( ) {  }\n"},
		{"keep unused",
			"package p\n\nimport \"os\"\n\nfunc f( ) string { return strings.ToUpper(\"x\") }\n",
			&ImportOptions{KeepUnused: true},
			"package p\n\nimport (\n\t\"os\"\n\t\"strings\"\n)\n\nfunc f( ) string { return strings.ToUpper(\"x\") }\n"},
		{"unchanged, even if unsorted",
			"package p\n\nimport (\n\t\"strings\"\n\t\"fmt\"\n)\n\nvar _ = fmt.Sprint(strings.ToUpper)\nvar  x =1\n",
			nil,
			"package p\n\nimport (\n\t\"strings\"\n\t\"fmt\"\n)\n\nvar _ = fmt.Sprint(strings.ToUpper)\nvar  x =1\n"},
	}
	for _, tt := range tests {
		got, err := FixImports(name, tt.src, tt.opt)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
	if _, err := FixImports(name, "package p\nfunc {", nil); err == nil || !strings.Contains(err.Error(), "p.go:2:") {
		t.Errorf("bad syntax: err = %v", err)
	}
}
