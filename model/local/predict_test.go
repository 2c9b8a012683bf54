package local

import (
	"context"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model"
)

// predictionHole returns a request with one identifier hole over the __
// of src and no original text, as a caller predicting new code asks.
func predictionHole(t *testing.T, src string) (*Denoiser, *model.Request) {
	t.Helper()
	cv, ty, _ := checkPackage(t, map[string]string{"a.go": src})
	i := strings.Index(src, "__")
	h := &ast.Hole{ID: 1, File: filepath.Join(testDir, "a.go"), Start: i, End: i + 2, Kind: ast.Ident}
	return testDenoiser(t), withChecks(&model.Request{Canvas: cv, Types: ty, Holes: []*ast.Hole{h}, Candidates: 20, Seed: 1})
}

func TestPredictionRole(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want ast.SlotRole
	}{
		{"package p\n\nfunc f() error { var err error; return __ }\n", ast.RoleValue},
		{"package p\n\nimport \"io\"\n\nvar dw __\n\nvar _ io.Writer\n", ast.RoleType},
		{"package p\n\nfunc f(x *__) {}\n", ast.RoleType},
		{"package p\n\nfunc __() {}\n", ast.RoleDecl},
		{"package p\n\nfunc f() { __ := 1; _ = __ }\n", ast.RoleDecl},
	} {
		d, req := predictionHole(t, tc.src)
		c := d.newHoleCtx(context.Background(), newReqState(req), req.Holes[0])
		if got := c.slot.Role; got != tc.want {
			t.Errorf("%q: role %d, want %d", tc.src, got, tc.want)
		}
	}
}

func TestPredictionIdentOnly(t *testing.T) {
	d, req := predictionHole(t, "package p\n\nimport \"io\"\n\ntype buf struct{}\n\nfunc f(r io.Reader) {\n\tvar b __\n\t_, _ = b, r\n}\n")
	resp, err := d.Denoise(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, c := range resp.Fills[0] {
		if !token.IsIdentifier(c.Text) {
			t.Errorf("identifier hole: candidate %q is not one identifier", c.Text)
		}
		texts = append(texts, c.Text)
	}
	t.Logf("candidates: %q", texts)
	// In a type position only types fit: r, a value, must not come first.
	if len(texts) == 0 || texts[0] == "r" || texts[0] == "f" {
		t.Errorf("type position: candidates %q", texts)
	}
}
