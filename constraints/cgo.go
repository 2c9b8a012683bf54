package constraints

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// cgoTypes returns the type errors of a cgo package, given those of the
// in-process type check. That check fakes package C, so every value of a
// C type has an invalid type, and go/types reports some errors the
// compiler, which type-checks cgo's output, does not ("cannot convert
// _C_pw_uid(pwd) (value with invalid type)"). So the go command compiles
// the canvas (with its tests, when they are checked: go test -c
// -vet=off) when the canvas is the package on disk (what difgen reports
// first must be exactly the go command's) or when an error mentions an
// invalid type; otherwise the in-process errors stand. The compiler's
// errors are the result, each with the code, span and softness of the
// in-process error at its position, if any.
func (c *Checker) cgoTypes(ctx context.Context, cv *ast.Canvas, units []unit, inproc []Finding) ([]Finding, error) {
	suspect := slices.ContainsFunc(inproc, diag.MentionsInvalidType)
	if !suspect && !c.onDisk(cv) {
		return inproc, nil
	}
	compiled, err := c.compileCgo(ctx, cv, units)
	if err != nil {
		return nil, err
	}
	type pos struct {
		file      string
		line, col int
	}
	byPos := make(map[pos]Finding)
	for _, f := range inproc {
		if _, dup := byPos[pos{f.File, f.Line, f.Col}]; !dup {
			byPos[pos{f.File, f.Line, f.Col}] = f
		}
	}
	for i, f := range compiled {
		if g, ok := byPos[pos{f.File, f.Line, f.Col}]; ok {
			g.Message = f.Message
			compiled[i] = g
		}
	}
	return compiled, nil
}

// compileCgo compiles the canvas with the go command and returns the
// compiler's errors as type errors; none if it compiles.
func (c *Checker) compileCgo(ctx context.Context, cv *ast.Canvas, units []unit) ([]Finding, error) {
	tmp, err := c.tempDir("cgo")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	ov, err := c.writeOverlay(cv, tmp)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(tmp, "out")
	args := []string{"build", "-overlay=" + ov.File, "-o", out, "."}
	tests := c.opts.Tests != TestsOff && slices.ContainsFunc(units, func(u unit) bool { return u.kind == kindTest || u.kind == kindXTest })
	if tests {
		args = []string{"test", "-c", "-vet=off", "-overlay=" + ov.File, "-o", out, "."}
	}
	res := runCmd(ctx, c.pkg.Dir, environ(c.opts.Env), c.opts.buildTimeout(), "go", args...)
	switch {
	case res.timedOut:
		return []Finding{{Category: Types, Code: "timeout", Message: fmt.Sprintf("go %s did not finish in %v", args[0], c.opts.buildTimeout()), Weight: 1}}, nil
	case !res.exited:
		return nil, fmt.Errorf("go %s: %v", args[0], res.err)
	case res.err == nil:
		return nil, nil
	}
	fs := c.parseGoOutput(cv, ov, Types, "types", res.stderr)
	for i := range fs {
		fs[i].Code = diag.CodeOf(fs[i].Message)
	}
	if len(fs) == 0 {
		fs = append(fs, Finding{Category: Build, Code: "build", Message: "go " + args[0] + ": " + trimOutput(res.stderr), Weight: 1})
	}
	return fs, nil
}
