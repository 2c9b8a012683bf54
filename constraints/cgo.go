package constraints

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	dast "github.com/difgen/difgen/ast"
)

// confirmCgoTypes returns the type errors of a cgo package as the
// compiler reports them. The in-process type check of a cgo package fakes
// package C, so every value of a C type has an invalid type and go/types
// reports errors the compiler, which type-checks cgo's output, does not
// ("cannot convert _C_pw_uid(pwd) (value with invalid type)"). So when
// that check finds something, the go command compiles the canvas (with
// its tests, when they are checked: go test -c -vet=off) and its errors
// replace the in-process ones; none if it compiles.
func (c *Checker) confirmCgoTypes(ctx context.Context, cv *dast.Canvas, units []unit) ([]Finding, error) {
	tmp, err := os.MkdirTemp("", "difgen-cgo-")
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
	res := runCmd(ctx, c.pkg.Dir, environ(c.opts.Env), c.opts.timeout(), "go", args...)
	switch {
	case res.timedOut:
		return []Finding{{Category: Types, Code: "timeout", Message: fmt.Sprintf("go %s timed out after %v", args[0], c.opts.timeout()), Weight: 1}}, nil
	case !res.exited:
		return nil, fmt.Errorf("go %s: %v", args[0], res.err)
	case res.err == nil:
		return nil, nil
	}
	fs := c.parseGoOutput(cv, ov, Types, "types", res.stderr)
	for i := range fs {
		fs[i].Code = codeFromMessage(fs[i].Message)
	}
	if len(fs) == 0 {
		fs = append(fs, Finding{Category: Build, Code: "build", Message: "go " + args[0] + ": " + trimOutput(res.stderr), Weight: 1})
	}
	return fs, nil
}
