package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
)

// A position selects one hole: file.go:line:col (1-based, col in bytes)
// or file.go:#offset, as gopls writes positions.
type position struct {
	file      string // absolute
	line, col int
	offset    int // -1 unless the #offset form
}

func (p position) String() string {
	if p.offset >= 0 {
		return fmt.Sprintf("%s:#%d", p.file, p.offset)
	}
	return fmt.Sprintf("%s:%d:%d", p.file, p.line, p.col)
}

// parsePosition parses arg as a position. ok is false when arg is not a
// .go file with a position (it may be a package pattern).
func parsePosition(arg string) (p position, ok bool, err error) {
	i := strings.Index(arg, ".go:")
	if i < 0 {
		if strings.HasSuffix(arg, ".go") {
			abs, err := filepath.Abs(arg)
			if err != nil {
				return p, false, err
			}
			if _, err := os.Stat(abs); err != nil {
				return p, false, fmt.Errorf("%s: no such file", arg)
			}
			return position{file: abs, offset: -2}, true, nil // whole file
		}
		return p, false, nil
	}
	file, rest := arg[:i+3], arg[i+4:]
	abs, err := filepath.Abs(file)
	if err != nil {
		return p, false, err
	}
	if _, err := os.Stat(abs); err != nil {
		return p, false, fmt.Errorf("%s: no such file", file)
	}
	p = position{file: abs, offset: -1}
	if off, found := strings.CutPrefix(rest, "#"); found {
		n, err := strconv.Atoi(off)
		if err != nil || n < 0 {
			return p, false, fmt.Errorf("%s: bad offset %q (want file.go:#offset)", arg, off)
		}
		p.offset = n
		return p, true, nil
	}
	l, c, hasCol := strings.Cut(rest, ":")
	if p.line, err = strconv.Atoi(l); err != nil || p.line < 1 {
		return p, false, fmt.Errorf("%s: bad line %q (want file.go:line:col)", arg, l)
	}
	p.col = 1
	if hasCol {
		if p.col, err = strconv.Atoi(c); err != nil || p.col < 1 {
			return p, false, fmt.Errorf("%s: bad column %q (want file.go:line:col)", arg, c)
		}
	}
	return p, true, nil
}

// matches reports whether h, a hole of f, is the hole p selects: the
// whole-file form selects every hole of the file, the others the hole
// that contains the position.
func (p *position) matches(f *ast.File, h *ast.Hole) bool {
	if f.Name != p.file {
		return false
	}
	if p.offset == -2 {
		return true
	}
	off := p.offset
	if off < 0 {
		var ok bool
		if off, ok = ast.Offset(f.Text, p.line, p.col); !ok {
			return false
		}
	}
	return h.Start <= off && off <= h.End
}
