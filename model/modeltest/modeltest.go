// Package modeltest is the conformance table every model.Denoiser must
// pass.
package modeltest

import (
	"context"
	goast "go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model"
)

// Source is the package the conformance cases use. Its holes are at the
// positions marked by the comments.
const Source = `package p

import "strings"

// Greet returns a greeting for name.
func Greet(name string) string {
	if name == "" {
		name = "world"
	}
	return "hello, " + strings.TrimSpace(name)
}

// Sum returns the sum of xs.
func Sum(xs []int) int {
	total := 0
	for _, x := range xs {
		total += x
	}
	return total
}
`

// Fixture returns a request over Source with a hole on each given span of
// original text (each must occur once in Source).
func Fixture(t testing.TB, spans ...string) *model.Request {
	t.Helper()
	dir := t.TempDir()
	name := filepath.Join(dir, "p.go")
	cv := ast.NewCanvas(dir, ast.NewFile(name, Source))
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, Source, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{
		Types: map[goast.Expr]types.TypeAndValue{}, Defs: map[*goast.Ident]types.Object{},
		Uses: map[*goast.Ident]types.Object{}, Scopes: map[goast.Node]*types.Scope{},
		Selections: map[*goast.SelectorExpr]*types.Selection{}, Implicits: map[goast.Node]types.Object{},
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("p", fset, []*goast.File{f}, info)
	if err != nil {
		t.Fatal(err)
	}
	req := &model.Request{
		Canvas:     cv,
		Types:      &model.Types{Fset: fset, Files: []*goast.File{f}, Names: []string{name}, Pkg: pkg, Info: info},
		Candidates: 3,
		Seed:       1,
	}
	for i, s := range spans {
		off := strings.Index(Source, s)
		if off < 0 || strings.Count(Source, s) != 1 {
			t.Fatalf("span %q must occur exactly once", s)
		}
		kind := ast.Expr
		if strings.ContainsAny(s, "\n") || strings.HasPrefix(s, "return") {
			kind = ast.Stmts
		}
		req.Holes = append(req.Holes, &ast.Hole{
			ID: i + 1, File: name, Start: off, End: off + len(s), Kind: kind, Original: s,
		})
	}
	return req
}

// Run runs the conformance table against the denoiser that newDenoiser
// returns; it is called once per case.
func Run(t *testing.T, newDenoiser func(t *testing.T) model.Denoiser) {
	t.Run("Shape", func(t *testing.T) {
		d := newDenoiser(t)
		if d.Name() == "" {
			t.Error("Name() is empty")
		}
		req := Fixture(t, `strings.TrimSpace(name)`, `total += x`, `"world"`)
		resp, err := d.Denoise(context.Background(), req)
		if err != nil {
			t.Fatalf("Denoise: %v", err)
		}
		if len(resp.Fills) != len(req.Holes) {
			t.Fatalf("got %d candidate lists for %d holes", len(resp.Fills), len(req.Holes))
		}
		for i, cs := range resp.Fills {
			if len(cs) > req.Candidates {
				t.Errorf("hole %d: %d candidates, asked for at most %d", i+1, len(cs), req.Candidates)
			}
			for j, c := range cs {
				if c.Confidence < 0 || c.Confidence > 1 {
					t.Errorf("hole %d candidate %d: confidence %v outside [0,1]", i+1, j, c.Confidence)
				}
				if j > 0 && c.Confidence > cs[j-1].Confidence {
					t.Errorf("hole %d: candidates not ranked by confidence: %v > %v", i+1, c.Confidence, cs[j-1].Confidence)
				}
			}
		}
	})
	t.Run("Deterministic", func(t *testing.T) {
		d := newDenoiser(t)
		r1, err1 := d.Denoise(context.Background(), Fixture(t, `total += x`, `"world"`))
		r2, err2 := d.Denoise(context.Background(), Fixture(t, `total += x`, `"world"`))
		if err1 != nil || err2 != nil {
			t.Fatalf("Denoise: %v, %v", err1, err2)
		}
		if !reflect.DeepEqual(r1.Fills, r2.Fills) {
			t.Errorf("equal requests, different answers:\n%v\n%v", r1.Fills, r2.Fills)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		d := newDenoiser(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := d.Denoise(ctx, Fixture(t, `total += x`)); err == nil {
			t.Error("Denoise with a cancelled context succeeded")
		}
	})
	t.Run("NoHoles", func(t *testing.T) {
		d := newDenoiser(t)
		resp, err := d.Denoise(context.Background(), Fixture(t))
		if err != nil {
			t.Fatalf("Denoise: %v", err)
		}
		if len(resp.Fills) != 0 {
			t.Errorf("no holes, got %d candidate lists", len(resp.Fills))
		}
	})
	t.Run("ReadOnly", func(t *testing.T) {
		d := newDenoiser(t)
		req := Fixture(t, `total += x`)
		before := *req.Holes[0]
		if _, err := d.Denoise(context.Background(), req); err != nil {
			t.Fatalf("Denoise: %v", err)
		}
		if !reflect.DeepEqual(before, *req.Holes[0]) {
			t.Errorf("Denoise modified the hole: %+v -> %+v", before, *req.Holes[0])
		}
	})
}
