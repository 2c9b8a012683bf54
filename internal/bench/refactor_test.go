package bench

import (
	"context"
	"go/token"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/txtar"
)

var shopOnce struct {
	sync.Once
	gen *RefactorGenerator
	err error
}

// shopGenerator loads testdata/shop.txtar once for all tests.
func shopGenerator(t *testing.T) *RefactorGenerator {
	shopOnce.Do(func() {
		dir, err := os.MkdirTemp("", "difgen-bench-shop-")
		if err != nil {
			shopOnce.err = err
			return
		}
		ar, err := txtar.ParseFile(filepath.Join("testdata", "shop.txtar"))
		if err != nil {
			shopOnce.err = err
			return
		}
		for _, f := range ar.Files {
			os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644)
		}
		shopOnce.gen, shopOnce.err = NewRefactorGenerator(context.Background(), &Source{Name: "shop", Dir: dir})
	})
	if shopOnce.err != nil {
		t.Fatal(shopOnce.err)
	}
	return shopOnce.gen
}

// wantFixer writes the case's reference files: the intended repair.
var wantFixer = &Fixer{
	Name: "want",
	Run: func(ctx context.Context, dir string, c *Case) FixStats {
		for name, text := range c.Want {
			os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
		}
		return FixStats{}
	},
}

// TestRefactorEveryKind generates a case of every kind on the shop
// module: Generate validates that it breaks the build (or, for
// test-off-by-one, the tests); the intended repair, where the kind has
// one, builds and passes with no harmful edit; doing nothing leaves it
// broken.
func TestRefactorEveryKind(t *testing.T) {
	g := shopGenerator(t)
	orig := map[string]string{}
	for _, name := range []string{"shop.go", "shop_test.go"} {
		data, err := os.ReadFile(filepath.Join(g.src.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		orig[name] = string(data)
	}
	for _, kind := range Refactors {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			c, err := g.Generate(context.Background(), kind, 1, GenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s", c.Note)
			if c.Suite != "refactor" || c.Family != kind || !c.TestEdits || len(c.Files) == 0 {
				t.Fatalf("case %+v", c)
			}
			for name, text := range c.Files {
				if text == orig[name] {
					t.Errorf("%s is unchanged", name)
				}
			}
			if kind == TestOffByOne {
				if _, ok := c.Files["shop_test.go"]; !ok || len(c.Files) != 1 {
					t.Errorf("test-off-by-one changed %v, want only the test", sortedKeys(c.Files))
				}
			}
			again, err := g.Generate(context.Background(), kind, 1, GenOptions{})
			if err != nil || !sameFiles(again.Files, c.Files) {
				t.Errorf("seed 1 twice gave different cases (%v)", err)
			}
			r := Score(context.Background(), c, noopFixer, ScoreOptions{})
			if r.Repaired() || r.LinesChanged != 0 {
				t.Errorf("noop scored %+v", r)
			}
			if kind.Class() == "test" && !r.Builds {
				t.Errorf("test-class case does not build: %+v", r)
			}
			if c.Want == nil {
				return // add-param, change-result: no single reference
			}
			if r := Score(context.Background(), c, wantFixer, ScoreOptions{}); !r.Repaired() || !r.Exact {
				t.Errorf("the reference repair scored %+v", r)
			}
		})
	}
	for name, text := range orig {
		if now, _ := os.ReadFile(filepath.Join(g.src.Dir, name)); string(now) != text {
			t.Errorf("Generate modified %s", name)
		}
	}
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestRefactorIntent pins what each kind does to the shop module.
func TestRefactorIntent(t *testing.T) {
	g := shopGenerator(t)
	gen := func(kind Family) *Case {
		c, err := g.Generate(context.Background(), kind, 1, GenOptions{})
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		return c
	}
	// A renamed function: only the declaration changes; the reference
	// renames the callers too, tests included.
	c := gen(RenameFunc)
	if len(c.Files) != 1 || len(c.Want) < 1 {
		t.Errorf("rename-func: files %v, want %v", sortedKeys(c.Files), sortedKeys(c.Want))
	}
	// A typo in a method declaration: the reference is the original.
	c = gen(TypoMethod)
	if !strings.Contains(c.Want["shop.go"], "func (it Item) Label() string") || strings.Contains(c.Files["shop.go"], "func (it Item) Label() string") {
		t.Errorf("typo-method: %s", c.Note)
	}
	// A changed result: every return gets a nil error.
	c = gen(ChangeResult)
	if !strings.Contains(c.Files["shop.go"], ", error)") || !strings.Contains(c.Files["shop.go"], ", nil\n") {
		t.Errorf("change-result:\n%s", c.Files["shop.go"])
	}
	// A deleted field leaves its uses.
	c = gen(DeleteField)
	if !strings.Contains(c.Note, "deleted field") {
		t.Errorf("delete-field: %s", c.Note)
	}
}

func TestRenamed(t *testing.T) {
	for _, name := range []string{"parsePrice", "NewItem", "x", "String"} {
		for seed := uint64(1); seed <= 3; seed++ {
			nw, ok := renamed(name, newRand(seed), func(s string) bool { return s == "decodePrice" })
			if !ok || nw == name || nw == "decodePrice" || isExported(nw) != isExported(name) {
				t.Errorf("renamed(%q) = %q, %v", name, nw, ok)
			}
		}
	}
	if got := camelWords("parseHTTPHeader_x"); strings.Join(got, "|") != "parse|HTTPHeader|_x" {
		t.Errorf("camelWords = %q", got)
	}
}

func TestParseRefactors(t *testing.T) {
	if got, err := ParseRefactors(""); err != nil || len(got) != len(Refactors) {
		t.Errorf("all: %v %v", got, err)
	}
	if got, err := ParseRefactors("typo-method, rename-func,typo-method"); err != nil || len(got) != 2 || got[0] != TypoMethod {
		t.Errorf("list: %v %v", got, err)
	}
	if _, err := ParseRefactors("rename-typo"); err == nil {
		t.Error("no error for an unknown kind")
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

func isExported(s string) bool { return token.IsExported(s) }

// TestRunRefactor runs the refactor suite alone through Run and reports
// it: repaired, harmful and unchanged by kind and fixer.
func TestRunRefactor(t *testing.T) {
	g := shopGenerator(t)
	rep, err := Run(context.Background(), Options{
		Sources:     []*Source{g.src},
		SkipCorrupt: true,
		Refactors:   []Family{TypoMethod, RemoveImport},
		Seeds:       []int64{1},
		PerFamily:   1,
		Fixers:      []*Fixer{wantFixer, noopFixer},
		Jobs:        2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 4 {
		t.Fatalf("%d results, want 2 cases x 2 fixers", len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Suite != "refactor" {
			t.Errorf("result of suite %s", r.Suite)
		}
	}
	var md strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### Real pairs and refactors",
		"| refactor | typo-method | want | 1 | 1 (100%) | 0 | 0 | 100% | 100% |",
		"| refactor | remove-import | noop | 1 | 0 (0%) | 0 | 1 | 0% | 0% |",
		"| refactor | **all** | want | 2 | 2 (100%) |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}
