package ast

import (
	goast "go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// LoadDir returns a canvas of the Go files directly in dir (not in its
// subdirectories), with absolute names. Like the go command, it ignores
// files whose names begin with "." or "_", and reads a symbolic link to a
// regular file as that file. A directory without Go files
// gives an empty canvas.
func LoadDir(dir string) (*Canvas, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, err
	}
	var files []*File
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		path := filepath.Join(abs, name)
		if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
			continue // a directory, or a symbolic link to no regular file
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		files = append(files, NewFile(path, string(data)))
	}
	return NewCanvas(abs, files...), nil
}

// IsGenerated reports whether src is a generated file: whether a comment
// before its package clause is a line "// Code generated … DO NOT EDIT."
// (the rule of go/ast.IsGenerated). difgen never writes generated files.
func IsGenerated(src string) bool {
	f, _ := parser.ParseFile(token.NewFileSet(), "", src, parser.PackageClauseOnly|parser.ParseComments)
	return f != nil && goast.IsGenerated(f)
}
