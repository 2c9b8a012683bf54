package refine_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/model"
	"github.com/difgen/difgen/model/fake"
	"github.com/difgen/difgen/refine"
)

var update = flag.Bool("update", false, "rewrite the want files of testdata/*.txtar")

// TestScenarios runs each testdata/*.txtar: the comment holds parameters,
// one a line:
//
//	mode fix|fill          (default fix)
//	answer ORIGINAL => FILL   a fake denoiser answer (\n escapes allowed)
//	steps N                (default 6)
//	want clean|findings    whether the result must be clean
//	want-unchanged         the result must equal the input
//	request-holes N        no request may ask for more than N holes
//
// Files named want/NAME hold the expected text of NAME after the run,
// partial/NAME its text in Result.Partial.
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scenarios in testdata")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			runScenario(t, file)
		})
	}
}

func runScenario(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	wants := map[string]string{}
	partials := map[string]string{}
	for _, f := range ar.Files {
		if name, ok := strings.CutPrefix(f.Name, "want/"); ok {
			wants[name] = string(f.Data)
			continue
		}
		if name, ok := strings.CutPrefix(f.Name, "partial/"); ok {
			partials[name] = string(f.Data)
			continue
		}
		p := filepath.Join(dir, f.Name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mode, steps, wantClean, wantUnchanged, maxHoles := "fix", 6, "", false, 0
	den := &fake.Denoiser{Answers: map[string][]string{}}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "mode":
			mode = f[1]
		case "steps":
			steps, _ = strconv.Atoi(f[1])
		case "want":
			wantClean = f[1]
		case "want-unchanged":
			wantUnchanged = true
		case "request-holes":
			maxHoles, _ = strconv.Atoi(f[1])
		case "answer":
			orig, fill, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "answer")), " => ")
			if !ok {
				t.Fatalf("bad answer line %q", line)
			}
			unq := func(s string) string { return strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace(s) }
			den.Answers[unq(orig)] = append(den.Answers[unq(orig)], unq(fill))
		default:
			t.Fatalf("unknown parameter %q", f[0])
		}
	}

	ctx := context.Background()
	copts := &constraints.Options{}
	pkgs, err := constraints.Load(ctx, dir, []string{"."}, copts)
	if err != nil {
		t.Fatal(err)
	}
	chk, err := constraints.NewChecker(ctx, pkgs[0], copts)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := ast.LoadDir(pkgs[0].Dir)
	if err != nil {
		t.Fatal(err)
	}
	var d model.Denoiser = den
	if maxHoles > 0 {
		d = &holeCounter{Denoiser: den, t: t, max: maxHoles}
	}
	opts := &refine.Options{Denoiser: d, MaxSteps: steps, UpTo: constraints.Tests, Logf: t.Logf}
	var res *refine.Result
	if mode == "fill" {
		var holes []*ast.Hole
		for _, f := range cv.Files() {
			hs, err := ast.FindHoles(f.Name, f.Text)
			if err != nil {
				t.Fatal(err)
			}
			holes = append(holes, hs...)
		}
		res, err = refine.Fill(ctx, cv, holes, chk, opts)
	} else {
		res, err = refine.Fix(ctx, cv, chk, opts)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.FindingsAfter {
		t.Logf("left: %s", f)
	}
	t.Logf("stop: %s after %d steps, %d calls", res.StopReason, res.Steps, res.Usage.Calls)

	if constraints.Cost(res.FindingsAfter) > constraints.Cost(res.FindingsBefore) {
		t.Errorf("result is worse than the input: %v > %v", res.FindingsAfter, res.FindingsBefore)
	}
	switch wantClean {
	case "clean":
		if len(res.FindingsAfter) > 0 || len(res.Unfilled) > 0 {
			t.Errorf("want a clean result; %d findings, %d holes left", len(res.FindingsAfter), len(res.Unfilled))
		}
	case "findings":
		if len(res.FindingsAfter) == 0 && len(res.Unfilled) == 0 {
			t.Errorf("want findings left; the result is clean")
		}
	}
	if wantUnchanged && res.Improved() {
		t.Errorf("want the input unchanged; changed %v", res.After.Changed(res.Before))
	}
	// The user's tree is never written.
	for _, f := range res.Before.Files() {
		if data, _ := os.ReadFile(f.Name); string(data) != f.Text {
			t.Errorf("%s was written", f.Name)
		}
	}
	for name, want := range partials {
		if res.Partial == nil {
			t.Errorf("no Partial canvas; want %s", name)
			break
		}
		if got := res.Partial.File(filepath.Join(pkgs[0].Dir, name)); got == nil || got.Text != want {
			t.Errorf("partial %s:\n--- got ---\n%v--- want ---\n%s", name, got, want)
		}
	}
	changed := false
	for name, want := range wants {
		got := res.After.File(filepath.Join(pkgs[0].Dir, name))
		if got == nil {
			t.Errorf("no file %s", name)
			continue
		}
		if got.Text != want {
			if *update {
				changed = true
				for i := range ar.Files {
					if ar.Files[i].Name == "want/"+name {
						ar.Files[i].Data = []byte(got.Text)
					}
				}
				continue
			}
			t.Errorf("%s:\n--- got ---\n%s--- want ---\n%s", name, got.Text, want)
		}
	}
	if changed {
		os.WriteFile(file, txtar.Format(ar), 0o644)
	}
}

// holeCounter fails the test when a request asks for more than max holes.
type holeCounter struct {
	model.Denoiser
	t   *testing.T
	max int
}

func (c *holeCounter) Denoise(ctx context.Context, req *model.Request) (*model.Response, error) {
	if len(req.Holes) > c.max {
		var what []string
		for _, h := range req.Holes {
			what = append(what, fmt.Sprintf("%s %q", h.Kind, h.Original))
		}
		c.t.Errorf("a request for %d holes (%s); want at most %d", len(req.Holes), strings.Join(what, ", "), c.max)
	}
	return c.Denoiser.Denoise(ctx, req)
}
