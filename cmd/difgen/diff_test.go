package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnifiedDiffPatch checks our diffs against patch(1): applying the
// diff to the old text must give the new one.
func TestUnifiedDiffPatch(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("no patch command")
	}
	var lines []string
	for i := range 40 {
		lines = append(lines, strings.Repeat("x", i%7)+"line")
	}
	old := strings.Join(lines, "\n") + "\n"
	cases := map[string]string{
		"one":      strings.Replace(old, "xxline", "CHANGED", 1),
		"far":      strings.Replace(strings.Replace(old, "xline", "A", 1), "xxxxxxline", "B", -1),
		"insert":   "first\n" + old + "last\n",
		"delete":   strings.Join(lines[5:30], "\n") + "\n",
		"noeol":    strings.TrimSuffix(old, "\n"),
		"oldnoeol": old + "tail",
	}
	for name, new := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			f := filepath.Join(dir, "f.txt")
			os.WriteFile(f, []byte(old), 0o644)
			d := unifiedDiff("a/f.txt", "b/f.txt", old, new)
			cmd := exec.Command("patch", "-s", "-p1", "-i", "-")
			cmd.Dir = dir
			cmd.Stdin = strings.NewReader(d)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("patch: %v\n%s\ndiff:\n%s", err, out, d)
			}
			got, _ := os.ReadFile(f)
			if string(got) != new {
				t.Errorf("patched text differs\ndiff:\n%s\ngot:\n%s", d, got)
			}
		})
	}
	if unifiedDiff("a", "b", old, old) != "" {
		t.Error("diff of equal texts is not empty")
	}
}
