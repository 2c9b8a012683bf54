package main

import (
	"bytes"
	"errors"
	"go/parser"
	"go/token"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestFixAgreesWithGoVet runs difgen fix -tests=off, in one invocation,
// on the unmodified packages of constraints' TestAgreement (the list in
// its doc comment) and requires what go vet requires: on the real
// packages, which go vet and go build pass, difgen prints nothing and
// exits 0; on cmd/vet's testdata, written to trip the analyzers (and so
// not in the first invocation), it prints exactly what go vet and go
// build find but in test files (the tests are off), and exits 1. GOROOT is not
// writable, so difgen repairs nothing there.
func TestFixAgreesWithGoVet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs difgen on hundreds of packages: skipped with -short")
	}
	var real, tripped []string
	for _, p := range agreementPackages(t) {
		if strings.HasPrefix(p, "cmd/vet/testdata/") {
			tripped = append(tripped, p)
		} else {
			real = append(real, p)
		}
	}
	if len(real) < 200 || len(tripped) == 0 {
		t.Fatalf("%d real and %d testdata packages listed, want at least 200 and some", len(real), len(tripped))
	}

	out, code := runFix(t, real)
	if code != 0 || len(out) > 0 {
		t.Errorf("difgen fix -tests=off on %d clean packages: exit %d, output:\n%s", len(real), code, strings.Join(out, "\n"))
	}

	out, code = runFix(t, tripped)
	// What the go command finds: go vet's findings, and the compiler's
	// errors go build reports for the packages that do not compile (a
	// misplaced //go: directive in buildtag, which go vet does not report).
	var want []string
	for _, verb := range []string{"vet", "build"} {
		cmd := exec.Command("go", append([]string{verb}, tripped...)...)
		cmdOut, err := cmd.CombinedOutput()
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			t.Fatalf("go %s of cmd/vet's testdata: %v, want findings\n%s", verb, err, cmdOut)
		}
		for _, line := range strings.Split(string(cmdOut), "\n") {
			file, _, _ := strings.Cut(line, ":")
			if line == "" || strings.HasPrefix(line, "#") || strings.HasSuffix(file, "_test.go") || !strings.HasSuffix(file, ".go") && !strings.HasSuffix(file, ".s") {
				continue
			}
			want = append(want, line)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	slices.Sort(out)
	if code != 1 || !slices.Equal(out, want) {
		t.Errorf("difgen fix -tests=off on cmd/vet's testdata: exit %d (want 1), output:\n\t%s\nthe go command's findings outside test files:\n\t%s",
			code, strings.Join(out, "\n\t"), strings.Join(want, "\n\t"))
	}
	t.Logf("%d clean packages, %d testdata packages with %d findings", len(real), len(tripped), len(want))
}

// runFix runs difgen fix -tests=off on pkgs and returns its output lines
// (stdout and stderr, but for the summary lines) and exit status.
func runFix(t *testing.T, pkgs []string) ([]string, int) {
	t.Helper()
	cmd := exec.Command(difgenBin, append([]string{"fix", "-tests=off", "-timeout=5m"}, pkgs...)...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(buf.String(), "\n") {
		// The findings; not difgen's summary of what it did ("difgen: …").
		if l != "" && !strings.HasPrefix(l, "difgen: ") {
			lines = append(lines, l)
		}
	}
	return lines, code
}

// agreementPackages returns the packages listed in the doc comment of
// constraints' TestAgreement.
func agreementPackages(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../../constraints/agreement_test.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Comments {
		text := c.Text()
		if _, list, ok := strings.Cut(text, "\nPackages:\n"); ok && strings.HasPrefix(text, "TestAgreement ") {
			return strings.Fields(list)
		}
	}
	t.Fatal("no package list in TestAgreement's doc comment")
	return nil
}
