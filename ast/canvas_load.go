package ast

import (
	goast "go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LoadDir returns a canvas of the Go files directly in dir (not in its
// subdirectories), with absolute names. Like the go command, it ignores
// files whose names begin with "." or "_", reads a symbolic link to a
// file as that file (under the link's name), skips a link to a directory,
// and fails on a dangling link as the go command does ("open …: no such
// file or directory"). A directory without Go files gives an empty canvas.
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
		switch t := e.Type(); {
		case t&fs.ModeSymlink != 0:
			if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
				continue // a link to a directory (or a device): not a Go file
			}
			// A dangling link fails in ReadFile below.
		case !t.IsRegular():
			continue
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
