package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary act as a fake fixer command when
// BENCH_FAKE_FIXER is set: "hang" starts a child that sleeps and writes
// its pid to BENCH_FAKE_PIDFILE, then sleeps itself; "json" prints
// difgen-like -json output and succeeds.
func TestMain(m *testing.M) {
	switch os.Getenv("BENCH_FAKE_FIXER") {
	case "":
		os.Exit(m.Run())
	case "hang":
		child := exec.Command("sleep", "1000")
		if err := child.Start(); err != nil {
			os.Exit(3)
		}
		os.WriteFile(os.Getenv("BENCH_FAKE_PIDFILE"), []byte(strconv.Itoa(child.Process.Pid)), 0o644)
		time.Sleep(time.Hour)
	case "json":
		// The shape of difgen fix -json: packages with their time split.
		fmt.Println(`{"files": [], "stats": {"model_calls": 3}, "packages": [{"path": "a", "seconds": {"types": 0.25, "vet": 0.5, "build": 0, "tests": 1.5, "model": 0.125}}, {"path": "b", "seconds": {"types": 0.25, "vet": 0, "build": 1, "tests": 0, "model": 0}}]}`)
		os.Exit(1) // findings remain
	}
	os.Exit(0)
}

// restoreFixer writes the case's original files back: a perfect fixer.
var restoreFixer = &Fixer{
	Name:  "restore",
	Holes: true,
	Run: func(ctx context.Context, dir string, c *Case) FixStats {
		for name, text := range c.Want {
			os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
		}
		return FixStats{ModelCalls: 1}
	},
}

var noopFixer = &Fixer{Name: "noop", Run: func(context.Context, string, *Case) FixStats { return FixStats{} }}

func TestScoreAndMarkdown(t *testing.T) {
	t.Parallel()
	g := calcGenerator(t)
	var cases []*Case
	for _, fam := range []Family{TypoIdent, FlipCompare, HoleBody} {
		c, err := g.Generate(context.Background(), fam, 1, GenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	fixers := []*Fixer{restoreFixer, noopFixer, {Name: "missing", Unavailable: "not installed"}}
	var results []Result
	for _, c := range cases {
		for _, f := range fixers {
			results = append(results, Score(context.Background(), c, f, ScoreOptions{}))
		}
	}
	byKey := map[string]Result{}
	for _, r := range results {
		byKey[string(r.Family)+"/"+r.Fixer] = r
	}
	r := byKey["typo-ident/restore"]
	if !r.Builds || !r.VetClean || !r.TestsPass || !r.Exact || r.LinesChanged != 2 || r.ModelCalls != 1 {
		t.Errorf("restore on typo: %+v", r)
	}
	if r := byKey["typo-ident/noop"]; r.Builds || r.TestsPass || r.Exact || r.LinesChanged != 0 {
		t.Errorf("noop on typo: %+v", r)
	}
	if r := byKey["flip-compare/noop"]; !r.Builds || r.TestsPass {
		t.Errorf("noop on flip-compare: %+v", r)
	}
	if r := byKey["hole-body/noop"]; r.Skipped == "" {
		t.Errorf("noop scored on a hole case: %+v", r)
	}
	if r := byKey["hole-body/restore"]; !r.TestsPass || !r.Exact {
		t.Errorf("restore on hole: %+v", r)
	}
	if r := byKey["typo-ident/missing"]; r.Skipped != "not installed" {
		t.Errorf("unavailable fixer: %+v", r)
	}

	rep := &Report{Results: results}
	for _, f := range fixers {
		rep.Fixers = append(rep.Fixers, FixerInfo{Name: f.Name, Unavailable: f.Unavailable})
	}
	rep.Summary = Summarize(rep.Fixers, results)
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| suite | family | cases | restore | noop | missing |",
		"| corrupt | typo-ident | 1 | 100% | 0% | – |",
		"| corrupt | hole-body | 1 | 100% | – | – |",
		"| all | **all** | 3 | 100% | 0% | – |",
		"- missing: not run: not installed",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var svg bytes.Buffer
	if err := rep.WriteSVG(&svg); err != nil || !strings.Contains(svg.String(), "<rect") {
		t.Errorf("svg: %v", err)
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatal(err)
	}
}

func TestHangingFixerIsKilled(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "pid")
	t.Setenv("BENCH_FAKE_FIXER", "hang")
	t.Setenv("BENCH_FAKE_PIDFILE", pidfile)
	c := &Case{ID: "hang", Suite: "corrupt", Family: TypoIdent, Pkg: ".", Check: CheckTest,
		Files: map[string]string{"go.mod": "module example.com/h\n\ngo 1.22\n", "h.go": "package h\n\nvar x = y\n"}}
	start := time.Now()
	r := Score(context.Background(), c, CommandFixer("hang", false, os.Args[0]), ScoreOptions{Timeout: 2 * time.Second})
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Score took %v", d)
	}
	if !r.TimedOut || r.Err == "" || r.Builds {
		t.Errorf("hanging fixer scored %+v", r)
	}
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(string(data))
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d of the hanging fixer survived", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// alive reports whether pid runs (a zombie counts as dead).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}

func TestCommandFixerModelCalls(t *testing.T) {
	t.Setenv("BENCH_FAKE_FIXER", "json")
	c := &Case{ID: "j", Suite: "corrupt", Family: TypoIdent, Pkg: ".", Check: CheckTest,
		Files: map[string]string{"go.mod": "module example.com/j\n\ngo 1.22\n", "j.go": "package j\n"}}
	r := Score(context.Background(), c, DifgenFixer(os.Args[0], nil), ScoreOptions{})
	if r.ModelCalls != 3 || r.Err != "" || !r.Builds || !r.TestsPass {
		t.Errorf("difgen-like fixer: %+v", r)
	}
	if want := (TimeSplit{Types: 0.5, Vet: 0.5, Build: 1, Tests: 1.5, Model: 0.125}); r.Split == nil || *r.Split != want {
		t.Errorf("time split %+v, want the packages' sum %+v", r.Split, want)
	}
	sum := Summarize([]FixerInfo{{Name: "difgen"}}, []Result{r, {Suite: r.Suite, Family: r.Family, Fixer: r.Fixer}})
	for _, s := range sum {
		if s.SplitCases != 1 || s.Split.Tests != 1.5 {
			t.Errorf("summary %s/%s: split %+v over %d cases, want the one reported", s.Suite, s.Family, s.Split, s.SplitCases)
		}
	}
}

func TestReadHumanEvalFix(t *testing.T) {
	t.Parallel()
	cases, errs, err := ReadHumanEvalFix("testdata/suites/humanevalfix.jsonl", ModuleFiles{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("%d cases, want 2", len(cases))
	}
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "humanevalfix.jsonl:2: malformed record") || !strings.Contains(errs[1].Error(), ":3: malformed record: no string field prompt") {
		t.Errorf("errors: %v", errs)
	}
	c := cases[1]
	if strings.Contains(c.Files["main.go"], `"math"`) || strings.Contains(c.Files["main.go"], `"strings"`) {
		t.Errorf("unused import kept:\n%s", c.Files["main.go"])
	}
	for _, c := range cases {
		if r := Score(context.Background(), c, noopFixer, ScoreOptions{}); !r.Builds || r.TestsPass {
			t.Errorf("%s: buggy solution scored %+v", c.ID, r)
		}
		if r := Score(context.Background(), c, restoreFixer, ScoreOptions{}); !r.TestsPass || !r.Exact {
			t.Errorf("%s: canonical solution scored %+v", c.ID, r)
		}
	}
}

func TestReadHumanEvalX(t *testing.T) {
	t.Parallel()
	cases, errs, err := ReadHumanEvalX("testdata/suites/humanevalx.jsonl", ModuleFiles{}, []Family{HoleExpr, HoleStmt, HoleBody}, 1)
	if err != nil || len(errs) != 0 {
		t.Fatal(err, errs)
	}
	if len(cases) != 6 {
		t.Fatalf("%d cases, want 6", len(cases))
	}
	again, _, _ := ReadHumanEvalX("testdata/suites/humanevalx.jsonl", ModuleFiles{}, []Family{HoleExpr, HoleStmt, HoleBody}, 1)
	for i, c := range cases {
		if !c.Fill || !strings.Contains(c.Files["main.go"], "__") || again[i].Files["main.go"] != c.Files["main.go"] {
			t.Errorf("%s: not a deterministic hole case:\n%s", c.ID, c.Files["main.go"])
		}
	}
	if r := Score(context.Background(), cases[0], restoreFixer, ScoreOptions{}); !r.TestsPass || !r.Exact {
		t.Errorf("restored hole scored %+v", r)
	}
}

func TestReadMBXP(t *testing.T) {
	t.Parallel()
	cases, errs, err := ReadMBXP("testdata/suites/mbxp_samples.jsonl", "testdata/suites/mbxp_problems.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 || cases[0].Source != "TOY/1" || cases[0].Check != CheckRun || cases[0].Family != ModelCompile {
		t.Fatalf("cases: %+v", cases)
	}
	if c := cases[1]; c.Source != "TOY/2" || c.Family != ModelSyntax {
		t.Errorf("a completion that does not parse: %+v, want family %s", c, ModelSyntax)
	}
	if all := fmt.Sprint(errs); len(errs) != 2 || !strings.Contains(all, "mbxp_samples.jsonl:3: no problem TOY/9") || !strings.Contains(all, "mbxp_samples.jsonl:4: malformed record") {
		t.Errorf("errors: %v", errs)
	}
	c := cases[0]
	if r := Score(context.Background(), c, noopFixer, ScoreOptions{}); r.Builds {
		t.Errorf("broken sample scored %+v", r)
	}
	fix := &Fixer{Name: "fix", Run: func(ctx context.Context, dir string, c *Case) FixStats {
		p := filepath.Join(dir, "main.go")
		data, _ := os.ReadFile(p)
		os.WriteFile(p, bytes.Replace(data, []byte("result := n * 2\n"), nil, 1), 0o644)
		return FixStats{}
	}}
	if r := Score(context.Background(), c, fix, ScoreOptions{}); !r.Builds || !r.TestsPass || r.HasRef {
		t.Errorf("fixed sample scored %+v", r)
	}
	cheat := &Fixer{Name: "cheat", Run: func(ctx context.Context, dir string, c *Case) FixStats {
		os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
		return FixStats{}
	}}
	if r := Score(context.Background(), c, cheat, ScoreOptions{}); r.TestsPass || r.Err != "changed the tests" {
		t.Errorf("a fixer deleting the tests scored %+v", r)
	}
}

func TestNotASuiteFile(t *testing.T) {
	for _, read := range []func(string) error{
		func(p string) error { _, _, err := ReadHumanEvalFix(p, ModuleFiles{}); return err },
		func(p string) error { _, _, err := ReadHumanEvalX(p, ModuleFiles{}, Families, 1); return err },
		func(p string) error { _, _, err := ReadMBXP(p, "testdata/suites/mbxp_problems.jsonl"); return err },
	} {
		err := read("testdata/calc.txtar")
		if err == nil || !strings.Contains(err.Error(), "testdata/calc.txtar: not a") {
			t.Errorf("err = %v", err)
		}
		if err := read("testdata/nonexistent.jsonl"); err == nil {
			t.Error("no error for a missing file")
		}
	}
	// The MBXP samples are not a HumanEvalFix file either.
	if _, _, err := ReadHumanEvalFix("testdata/suites/mbxp_samples.jsonl", ModuleFiles{}); err == nil {
		t.Error("MBXP samples read as HumanEvalFix")
	}
}

func TestModuleList(t *testing.T) {
	if n := len(DefaultModules()); n < 10 {
		t.Errorf("%d default modules, want at least 10", n)
	}
	if len(StdPackages) < 10 {
		t.Errorf("%d std packages, want at least 10", len(StdPackages))
	}
	if _, err := ParseModuleList("x.txt", "good@v1\nbad line here\n"); err == nil || !strings.HasPrefix(err.Error(), "x.txt:2:") {
		t.Errorf("err = %v", err)
	}
}

func TestLinesChanged(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"a\nb\nc\n", "a\nb\nc\n", 0},
		{"a\nb\nc\n", "a\nx\nc\n", 2},
		{"a\nb\nc\n", "a\nc\n", 1},
		{"", "a\nb\n", 2},
	} {
		if got := linesChanged(tc.a, tc.b); got != tc.want {
			t.Errorf("linesChanged(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	g := calcGenerator(t)
	var progress []int
	rep, err := Run(context.Background(), Options{
		Sources:      []*Source{g.src},
		Families:     []Family{TypoIdent, OffByOne, HoleStmt},
		Seeds:        []int64{1, 2},
		PerFamily:    1,
		MBXPSamples:  "testdata/suites/mbxp_samples.jsonl",
		MBXPProblems: "testdata/suites/mbxp_problems.jsonl",
		Fixers:       []*Fixer{restoreFixer, noopFixer},
		Jobs:         2,
		Progress:     func(done, total int) { progress = append(progress, done) },
	})
	if err != nil {
		t.Fatal(err)
	}
	// 3 families x 2 seeds (fewer if two seeds agree) + 1 MBXP case, 2 fixers.
	if n := len(rep.Results); n < 2*4 || n > 2*7 || len(progress) != n {
		t.Fatalf("%d results, %d progress calls", n, len(progress))
	}
	if len(rep.Skipped) != 2 {
		t.Errorf("skipped %q, want the 2 bad MBXP records", rep.Skipped)
	}
	for _, s := range rep.Summary {
		if s.Suite == "corrupt" && s.Family == "all" && s.Fixer == "restore" && s.Pass != s.Cases {
			t.Errorf("restore passes %d of %d", s.Pass, s.Cases)
		}
	}
}
