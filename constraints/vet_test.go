package constraints

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// TestVetSuite pins the in-process analyzers to those of the toolchain's
// go vet: the list "go tool vet help" registers.
func TestVetSuite(t *testing.T) {
	out, err := exec.Command("go", "tool", "vet", "help").CombinedOutput()
	if err != nil {
		t.Fatalf("go tool vet help: %v\n%s", err, out)
	}
	_, list, ok := strings.Cut(string(out), "Registered analyzers:\n")
	if !ok {
		t.Fatalf("go tool vet help lists no analyzers:\n%s", out)
	}
	var want []string
	for _, line := range strings.Split(list, "\n") {
		if !strings.HasPrefix(line, "    ") {
			if len(want) > 0 {
				break
			}
			continue
		}
		want = append(want, strings.Fields(line)[0])
	}
	var got []string
	for _, a := range vetSuite {
		got = append(got, a.Name)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("in-process vet analyzers differ from go tool vet's\ngot  %q\nwant %q", got, want)
	}
	if len(want) < 30 {
		t.Errorf("go tool vet help lists only %d analyzers: %q", len(want), want)
	}

	// In GOROOT, go vet turns unsafeptr off, and only unsafeptr.
	has := func(as []*analysis.Analyzer, name string) bool {
		return slices.ContainsFunc(as, func(a *analysis.Analyzer) bool { return a.Name == name })
	}
	std, mod := vetAnalyzers(&Package{Goroot: true}), vetAnalyzers(&Package{})
	if has(std, "unsafeptr") || !has(mod, "unsafeptr") || len(std) != len(vetSuite)-1 || len(mod) != len(vetSuite) {
		t.Errorf("vetAnalyzers: %d in GOROOT (unsafeptr: %v), %d elsewhere (unsafeptr: %v); want all but unsafeptr in GOROOT", len(std), has(std, "unsafeptr"), len(mod), has(mod, "unsafeptr"))
	}
}

// TestFactsDir checks that Cache.FactsDir keeps the vet facts of the
// dependencies across caches, and that a later cache reads them from
// there instead of analyzing the dependency again.
func TestFactsDir(t *testing.T) {
	ctx := context.Background()
	dir, factsDir := t.TempDir(), t.TempDir()
	for name, text := range map[string]string{
		"go.mod":       "module example.com/f\n\ngo 1.26\n",
		"logx/logx.go": "package logx\n\nimport \"fmt\"\n\nfunc Infof(format string, args ...any) { fmt.Printf(format, args...) }\n",
		"q/q.go":       "package q\n\nimport \"example.com/f/logx\"\n\nfunc Start(n string) { logx.Infof(\"%d\", n) }\n",
	} {
		name = filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vetQ := func() ([]Finding, *Checker) {
		t.Helper()
		opts := &Options{Cache: &Cache{FactsDir: factsDir}, Logf: t.Logf}
		pkgs, err := Load(ctx, filepath.Join(dir, "q"), nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		c, err := NewChecker(ctx, pkgs[0], opts)
		if err != nil {
			t.Fatal(err)
		}
		cv, err := pkgs[0].Canvas()
		if err != nil {
			t.Fatal(err)
		}
		return VetInProcess(ctx, c, cv), c
	}
	const want = "example.com/f/logx.Infof format %d has arg n of wrong type string"
	fs, c := vetQ()
	if len(fs) != 1 || fs[0].Message != want {
		t.Fatalf("in-process vet of q: %v, want %q", fs, want)
	}
	file := c.imp.listing.facts.cacheFile(c.imp.listing.get("example.com/f/logx"))
	if file == "" {
		t.Skip("facts are not cached on disk: x/tools' version is unknown in this build")
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("logx's facts are not in FactsDir: %v", err)
	}
	// The next cache reads them: with logx's facts replaced by none, q's
	// finding goes away.
	if err := writeFacts(file, &pkgFacts{}); err != nil {
		t.Fatal(err)
	}
	if fs, _ := vetQ(); len(fs) != 0 {
		t.Errorf("with logx's cached facts emptied, the in-process vet of q still reports %v", fs)
	}
}
