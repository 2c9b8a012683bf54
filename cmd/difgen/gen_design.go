package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/difgen/difgen/internal/spec"
	"github.com/difgen/difgen/model/remote"
)

// designSystem is the system prompt of the API design pass.
const designSystem = `You design Go packages from specs written in prose. Answer with Markdown code blocks only, no prose:

1. One ` + "```go" + ` block per file. Its first line is "// file: NAME.go", then the package clause. It holds the types in full (struct fields included), the constants and variables, and every function and method as a declaration with a doc comment and WITHOUT a body, for example:

   // Reverse returns s with its runes in reverse order.
   func Reverse(s string) string

2. Where the spec gives examples (inputs and outputs, EARS lines, tables), one ` + "```go test" + ` block with table-driven tests that check them: its first line "// file: NAME_test.go", then the package clause and import "testing".

Write no function bodies: they are filled later.`

// designedPath returns designedName relative to the working directory,
// or "" when the spec had code.
func (g *genRun) designedPath() string {
	if g.apiName == "" {
		return ""
	}
	return g.rel(g.apiName)
}

// design returns the spec of the API that the remote model designs for
// a spec without code: the spec itself followed by the model's code
// blocks, saved (with the skeleton) as SPEC.api.md in the output
// directory. An earlier run's SPEC.api.md is used again, unless -force.
func (g *genRun) design(ctx context.Context, specName string, src []byte, sopts *spec.Options) (*spec.Spec, error) {
	base := strings.TrimSuffix(filepath.Base(specName), filepath.Ext(specName))
	g.apiName = filepath.Join(g.dir, base+".api.md")
	if data, err := os.ReadFile(g.apiName); err == nil && !g.fl.force {
		s, err := spec.Parse(g.apiName, data, sopts)
		if err != nil {
			return nil, specError(g.e, err)
		}
		if !s.Code {
			return nil, &exitError{code: 1, msg: g.rel(g.apiName) + ": no Go code; -force designs the API again"}
		}
		fmt.Fprintf(g.e.stderr, "difgen: %s has no Go code; using the API designed earlier in %s (-force designs it again)\n", specName, g.rel(g.apiName))
		g.designed = string(data)
		return s, nil
	}
	rd := remoteOf(g.newDen)
	if rd == nil {
		return nil, &exitError{code: 1, msg: fmt.Sprintf("%s: no Go code, and -model %s has no remote model to design the API", specName, g.fl.model)}
	}
	pkg := spec.PackageName(sopts.ImportPath)
	user := fmt.Sprintf("Design the Go package %s (import path %s) that this spec describes.\n\nThe spec:\n\n%s", pkg, sopts.ImportPath, src)
	ask := func(user string) (string, error) {
		text, use, err := rd.Complete(ctx, designSystem, user)
		g.usage.Add(use)
		if errors.Is(err, remote.ErrContextExceeded) {
			return "", &exitError{code: 1, msg: fmt.Sprintf("%s: the spec (%d bytes) does not fit %s's context, and gen does not cut it short: split it into one spec per package, or write the declarations in go blocks", specName, len(src), rd.Name())}
		}
		if err != nil {
			return "", &exitError{code: 1, msg: err.Error()}
		}
		return text, nil
	}
	answer, err := ask(user)
	if err != nil {
		return nil, err
	}
	header := fmt.Sprintf("%s\n\n## API\n\n<!-- designed by %s for difgen gen; edit it and run gen again -->\n\n", strings.TrimRight(string(src), "\n"), rd.Name())
	apiSrc := header + strings.TrimSpace(answer) + "\n"
	s, err := spec.Parse(g.apiName, []byte(apiSrc), sopts)
	if err == nil && !s.Code {
		err = errors.New("the answer holds no go block")
	}
	if err != nil {
		// Ask once more, saying what was wrong.
		g.logf("design: %v; asking again", err)
		again := user + "\n\nYour last answer was:\n\n" + answer + "\n\nIt has these problems (positions in the spec followed by your answer):\n" + err.Error() + "\n\nAnswer again, with code blocks only."
		if answer, err = ask(again); err != nil {
			return nil, err
		}
		apiSrc = header + strings.TrimSpace(answer) + "\n"
		if s, err = spec.Parse(g.apiName, []byte(apiSrc), sopts); err != nil {
			return nil, specError(g.e, err)
		}
		if !s.Code {
			return nil, &exitError{code: 1, msg: rd.Name() + " designed no Go code for " + specName}
		}
	}
	g.designed = apiSrc
	if !g.fl.json {
		fmt.Fprintf(g.e.stdout, "gen: %s has no Go code; %s designed this API (saved as %s):\n\n%s\n", specName, rd.Name(), g.rel(g.apiName), strings.TrimSpace(answer))
	}
	return s, nil
}
