package model

import (
	"context"
	goast "go/ast"
	"go/token"
	"go/types"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// A Denoiser proposes fills for the holes of a canvas.
type Denoiser interface {
	// Name identifies the denoiser, e.g. "local" or "openai:gpt-4.1".
	Name() string
	// Denoise returns candidates for every hole of req. It must return
	// len(req.Holes) candidate lists in the order of req.Holes; a list may be
	// empty when the denoiser has nothing for that hole. An error means the
	// denoiser failed as a whole (network, cancelled context); refine
	// reports it.
	Denoise(ctx context.Context, req *Request) (*Response, error)
}

// A Request asks for candidate fills of holes.
type Request struct {
	// Canvas holds the files with the holes still holding their Original
	// text (or, for user holes, the user's __ syntax). Render the masked view
	// with ast.Render.
	Canvas *ast.Canvas
	Holes  []*ast.Hole

	// Types is the last type-checked view of the package, or nil when the
	// package did not parse. Its positions refer to Canvas as checked,
	// before masking. In-process denoisers use it for type-directed
	// candidates; remote ones use the string facts on each hole.
	Types *Types

	Candidates int   // candidates wanted per hole; 0 means 1
	Seed       int64 // for any randomness; equal seeds give equal answers

	// Verify, when set, checks a candidate: it returns the syntax and type
	// findings of the package with hole h of Canvas filled by text, as
	// refine would take the fill (imports added and removed). It is backed
	// by the checker refine uses (constraints), so a denoiser that checks
	// its candidates before ranking them sees exactly what refine will;
	// there is no other type checker. It is safe for concurrent use.
	Verify func(ctx context.Context, h *ast.Hole, text string) ([]diag.Finding, error)
	// Import, when set, returns the types of a package the canvas may not
	// import yet (for candidates such as strings.HasPrefix), from the same
	// checker's export data.
	Import func(ctx context.Context, path string) (*types.Package, error)
}

// Types is a type-checked view of a package.
type Types struct {
	Fset  *token.FileSet
	Files []*goast.File // in the order of Canvas.Files, compiled files only
	Names []string      // Names[i] is the file name of Files[i]
	Pkg   *types.Package
	Info  *types.Info
	XPkg  *types.Package // the external test package (p_test), if any
}

// PkgOf returns the package of the named file: XPkg for a file of the
// external test package, else Pkg.
func (t *Types) PkgOf(name string) *types.Package {
	if f := t.File(name); t.XPkg != nil && f != nil && f.Name != nil && f.Name.Name == t.XPkg.Name() {
		return t.XPkg
	}
	return t.Pkg
}

// File returns the syntax tree of the named file, or nil.
func (t *Types) File(name string) *goast.File {
	for i, n := range t.Names {
		if n == name {
			return t.Files[i]
		}
	}
	return nil
}

// A Candidate is one proposed fill of a hole.
type Candidate struct {
	Text       string  // replaces the hole's span
	Confidence float64 // in [0,1]; higher is more likely right
	Source     string  // what proposed it, e.g. "types", "ngram", "template"
}

// A Response holds the candidates for each hole of a request, best first.
type Response struct {
	Fills [][]Candidate // Fills[i] belongs to Request.Holes[i]
	Usage Usage
}

// Usage counts what a request cost.
type Usage struct {
	Calls            int `json:"calls"` // model calls (HTTP requests for a remote model)
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// Add adds u2 to u.
func (u *Usage) Add(u2 Usage) {
	u.Calls += u2.Calls
	u.PromptTokens += u2.PromptTokens
	u.CompletionTokens += u2.CompletionTokens
}
