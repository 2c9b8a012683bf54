package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/txtar"
)

var calcOnce struct {
	sync.Once
	gen *Generator
	err error
}

// calcGenerator loads testdata/calc.txtar once for all tests.
func calcGenerator(t *testing.T) *Generator {
	calcOnce.Do(func() {
		dir, err := os.MkdirTemp("", "difgen-bench-calc-")
		if err != nil {
			calcOnce.err = err
			return
		}
		ar, err := txtar.ParseFile(filepath.Join("testdata", "calc.txtar"))
		if err != nil {
			calcOnce.err = err
			return
		}
		for _, f := range ar.Files {
			os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644)
		}
		calcOnce.gen, calcOnce.err = NewGenerator(context.Background(), &Source{Name: "calc", Dir: dir})
	})
	if calcOnce.err != nil {
		t.Fatal(calcOnce.err)
	}
	return calcOnce.gen
}

func TestGenerateEveryFamily(t *testing.T) {
	g := calcGenerator(t)
	orig, err := os.ReadFile(filepath.Join(g.src.Dir, "calc.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range Families {
		t.Run(string(fam), func(t *testing.T) {
			t.Parallel()
			c, err := g.Generate(context.Background(), fam, 1, GenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Files) != 1 || c.Files["calc.go"] == "" {
				t.Fatalf("changed files %v, want only calc.go (never tests or generated files)", sortedKeys(c.Files))
			}
			if c.Want["calc.go"] != string(orig) {
				t.Error("Want is not the original text")
			}
			if c.Files["calc.go"] == string(orig) {
				t.Error("case changes nothing")
			}
			if c.Fill != (fam.Class() == "hole") {
				t.Errorf("Fill = %v", c.Fill)
			}
			if fam.Class() == "hole" && !strings.Contains(c.Files["calc.go"], "__") {
				t.Error("hole case without __")
			}
			t.Logf("%s", c.Note)
		})
	}
	// The source tree is never written.
	if now, _ := os.ReadFile(filepath.Join(g.src.Dir, "calc.go")); string(now) != string(orig) {
		t.Error("Generate modified the source tree")
	}
}

func TestGenerateDeterministic(t *testing.T) {
	g := calcGenerator(t)
	for _, fam := range []Family{TypoIdent, OffByOne, HoleExpr} {
		var texts []string
		for _, seed := range []int64{1, 1, 2, 3} {
			c, err := g.Generate(context.Background(), fam, seed, GenOptions{})
			if err != nil {
				t.Fatalf("%s seed %d: %v", fam, seed, err)
			}
			texts = append(texts, c.Files["calc.go"])
		}
		if texts[0] != texts[1] {
			t.Errorf("%s: seed 1 gave two different cases", fam)
		}
		if texts[0] == texts[2] && texts[0] == texts[3] {
			t.Errorf("%s: seeds 1, 2 and 3 gave the same case", fam)
		}
	}
}
