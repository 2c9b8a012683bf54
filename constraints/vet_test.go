package constraints

import (
	"os/exec"
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
