package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/difgen/difgen/model/local"
)

// TestInterrupt sends Ctrl-C while difgen runs a package's hanging test:
// difgen stops at once, says so and writes nothing.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":    "module example.com/a\n\ngo 1.26\n",
		"a.go":      "package a\n\nfunc F() int { return 1 }\n",
		"a_test.go": "package a\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\nfunc TestHang(t *testing.T) { time.Sleep(time.Hour) }\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(difgenBin, "fix", "-w", "-timeout=5m", ".")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // into the test run
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("difgen took %v to stop after Ctrl-C", took)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("exit: %v, want status 1", err)
	}
	if !strings.Contains(stderr.String(), "interrupted; nothing written") {
		t.Errorf("stderr %q does not say it was interrupted", stderr.String())
	}
	for name, text := range files {
		if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != text {
			t.Errorf("%s was changed", name)
		}
	}
}

func TestParseGenerators(t *testing.T) {
	for _, tc := range []struct {
		spec          string
		gens, passes  []string
		allG, allP    bool
		wantErrSubstr string
	}{
		{spec: "", allG: true, allP: true},
		{spec: "syntax,rename", gens: []string{"syntax"}, passes: []string{"rename"}},
		{spec: "syntax", gens: []string{"syntax"}, passes: []string{}},
		{spec: "-signature", allG: true, passes: []string{"imports", "rename", "field", "vetall"}},
		{spec: "-syntax", gens: nil, allP: true},
		{spec: "syntax,-rename", wantErrSubstr: "not both"},
		{spec: "nosuch", wantErrSubstr: "unknown generator or pass"},
	} {
		g, p, err := parseGenerators(tc.spec)
		if tc.wantErrSubstr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErrSubstr) {
				t.Errorf("parseGenerators(%q): err = %v, want %q", tc.spec, err, tc.wantErrSubstr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseGenerators(%q): %v", tc.spec, err)
			continue
		}
		if tc.allP != (p == nil) || !tc.allP && !slices.Equal(p, tc.passes) {
			t.Errorf("parseGenerators(%q) passes = %q, want %q (all: %v)", tc.spec, p, tc.passes, tc.allP)
		}
		if tc.spec == "-syntax" {
			if g == nil || slices.Contains(g, "syntax") || len(g) != len(local.GeneratorNames())-1 {
				t.Errorf("parseGenerators(%q) generators = %q", tc.spec, g)
			}
			continue
		}
		if tc.allG != (g == nil) || !tc.allG && !slices.Equal(g, tc.gens) {
			t.Errorf("parseGenerators(%q) generators = %q, want %q (all: %v)", tc.spec, g, tc.gens, tc.allG)
		}
	}
}
