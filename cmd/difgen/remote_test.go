package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/difgen/difgen/model/remote/remotetest"
)

// remoteKey is the API key the remote tests hand to difgen; it must never
// show in difgen's output nor reach the package's tests.
const remoteKey = "sk-test-secret"

// brokenPkg is a package with a typo (smu for sum) and tests, one of
// which fails when the package's tests can see an OpenAI key.
var brokenPkg = map[string]string{
	"go.mod": "module example.com/a\n\ngo 1.26\n",
	"a.go": `package a

// Mean returns the mean of xs, or 0 for none.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return smu / float64(len(xs))
}
`,
	"a_test.go": `package a

import (
	"os"
	"testing"
)

func TestMean(t *testing.T) {
	if got := Mean([]float64{1, 2, 3, 6}); got != 3 {
		t.Errorf("Mean = %v, want 3", got)
	}
	if got := Mean(nil); got != 0 {
		t.Errorf("Mean(nil) = %v, want 0", got)
	}
}

func TestNoAPIKey(t *testing.T) {
	if os.Getenv("OPENAI_API_KEY") != "" {
		t.Fatal("the package's tests can see OPENAI_API_KEY")
	}
}
`,
}

// writePkg writes files into a new temporary directory and returns it.
func writePkg(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// hashDir returns the SHA-256 of every file in dir by name.
func hashDir(t *testing.T, dir string) map[string][sha256.Size]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][sha256.Size]byte{}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(data)
	}
	return out
}

// remoteEnv returns a minimal environment for difgen and go: the Go
// toolchain's variables from ours, offline, plus extra. No OPENAI_ or
// DIFGEN_ variable of the caller leaks in.
func remoteEnv(extra ...string) []string {
	var env []string
	for _, k := range []string{"HOME", "PATH", "GOROOT", "GOPATH", "GOCACHE", "GOMODCACHE", "GOFLAGS", "XDG_CACHE_HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, "GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off")
	return append(env, extra...)
}

// runCmd runs name with args in dir under env and returns its output and
// exit code; it fails the test if the command runs past limit.
func runCmd(t *testing.T, limit time.Duration, dir string, env []string, name string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: still running after %v\nstderr:\n%s", name, strings.Join(args, " "), limit, se.String())
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", name, err)
	}
	return so.String(), se.String(), code
}

// checkNoKey fails the test if the API key occurs in any of outs.
func checkNoKey(t *testing.T, what string, outs ...string) {
	t.Helper()
	for _, s := range outs {
		if strings.Contains(s, remoteKey) {
			t.Errorf("%s shows the API key:\n%s", what, s)
		}
	}
}

// rightFill is the correct fill of the typo's hole, by the hole's kind as
// refine widens it.
var rightFill = map[string]string{
	"ident": "sum",
	"expr":  "sum / float64(len(xs))",
	"stmts": "return sum / float64(len(xs))",
}

var holeKindRE = regexp.MustCompile(`<hole id="1"> (\w+) in`)

// TestRemoteFix is the end-to-end repair through a remote model: the
// server's first answer is ill-typed (len(xs) / float64(...) mixes int and
// float64), so refine must mask again and ask a second time, telling the
// model that its last attempt failed; the second answer is right for
// whatever hole refine then asks about.
func TestRemoteFix(t *testing.T) {
	var n atomic.Int32
	srv := remotetest.NewServerFunc(t, func(r *remotetest.Request) remotetest.Step {
		if n.Add(1) == 1 {
			return remotetest.Text(remotetest.Holes("len(xs)"))
		}
		m := holeKindRE.FindStringSubmatch(r.Prompt())
		if m == nil || rightFill[m[1]] == "" {
			t.Errorf("request %d: no ident, expr or stmts hole 1 in the prompt:\n%s", n.Load(), r.Prompt())
			return remotetest.Text(remotetest.Holes("sum"))
		}
		return remotetest.Text(remotetest.Holes(rightFill[m[1]]))
	})
	dir := writePkg(t, brokenPkg)
	env := remoteEnv("OPENAI_BASE_URL="+srv.URL, "OPENAI_API_KEY="+remoteKey)

	// -candidates 1: one HTTP request per step, so the second request is
	// the second attempt. -v so that the log is checked for the key too.
	stdout, stderr, code := runCmd(t, 60*time.Second, dir, env, difgenBin,
		"fix", "-w", "-json", "-v", "-candidates", "1", "-model", "openai:test-model", ".")
	if code != 0 {
		t.Fatalf("difgen fix exited %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	checkNoKey(t, "difgen's stdout (-json)", stdout)
	checkNoKey(t, "difgen's stderr (-v)", stderr)
	var res jsonResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("-json output: %v\n%s", err, stdout)
	}
	if len(res.Packages) != 1 || !res.Clean || len(res.Written) != 1 || res.Written[0] != "a.go" {
		t.Fatalf("-json: clean=%v written=%v, want clean and [a.go]", res.Clean, res.Written)
	}

	reqs := srv.Requests()
	if len(reqs) < 2 {
		t.Fatalf("server got %d requests, want at least 2 (the first answer is ill-typed)", len(reqs))
	}
	for i, r := range reqs {
		if !r.HadAuth {
			t.Errorf("request %d carried no Authorization header", i+1)
		}
		checkNoKey(t, "a request body", r.Body)
	}
	t.Logf("%d requests; stop %q after %d steps", len(reqs), res.Packages[0].Stop, res.Packages[0].Steps)
	p1, p2 := reqs[0].Prompt(), reqs[1].Prompt()
	if !strings.Contains(p1, "undefined: smu") {
		t.Errorf("first prompt does not name the finding 'undefined: smu':\n%s", p1)
	}
	if !strings.Contains(p2, "last attempt failed: ") {
		t.Errorf("second prompt carries no diagnostics:\n%s", p2)
	}

	got, err := os.ReadFile(filepath.Join(dir, "a.go"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(brokenPkg["a.go"], "smu", "sum", 1); string(got) != want {
		t.Errorf("a.go after fix:\n%s\nwant:\n%s", got, want)
	}
	goEnv := remoteEnv()
	if _, se, code := runCmd(t, 30*time.Second, dir, goEnv, "go", "build", "./..."); code != 0 {
		t.Errorf("go build after fix: exit %d\n%s", code, se)
	}
	if so, se, code := runCmd(t, 30*time.Second, dir, goEnv, "go", "test", "./..."); code != 0 {
		t.Errorf("go test after fix: exit %d\n%s%s", code, so, se)
	}
	// The key check in the package's tests is not vacuous.
	if _, _, code := runCmd(t, 30*time.Second, dir, append(goEnv, "OPENAI_API_KEY="+remoteKey), "go", "test", "-run", "NoAPIKey", "./..."); code == 0 {
		t.Error("TestNoAPIKey passed with OPENAI_API_KEY set")
	}

	// The second prompt should say why the first attempt failed: the
	// findings of the rejected fill, not only the finding it was meant
	// to fix.
	t.Run("FirstAttemptDiagnostics", func(t *testing.T) {
		if !strings.Contains(p2, "mismatched types int and float64") {
			t.Errorf("the second prompt lacks the errors of the rejected fill len(xs); its diagnostics: %q",
				regexp.MustCompile(`last attempt failed: .*`).FindAllString(p2, -1))
		}
	})
}

// TestRemoteUnreachable checks that a base URL where nothing listens fails
// fast, in one line that names the URL and what to check, and writes
// nothing.
func TestRemoteUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/v1"
	ln.Close()

	dir := writePkg(t, brokenPkg)
	before := hashDir(t, dir)
	env := remoteEnv("OPENAI_BASE_URL="+base, "OPENAI_API_KEY="+remoteKey)
	start := time.Now()
	stdout, stderr, code := runCmd(t, 30*time.Second, dir, env, difgenBin, "fix", "-w", "-model", "openai:x", ".")
	elapsed := time.Since(start)
	if code == 0 {
		t.Errorf("difgen fix exited 0 with an unreachable server")
	}
	if elapsed > 10*time.Second {
		t.Errorf("difgen fix took %v to give up on an unreachable server", elapsed)
	}
	msg := strings.TrimSpace(stderr)
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, base) ||
		!strings.Contains(msg, "OPENAI_BASE_URL") || !strings.Contains(msg, "connection refused") {
		t.Errorf("want one line naming %s, the refusal and OPENAI_BASE_URL; got:\n%s", base, stderr)
	}
	checkNoKey(t, "difgen's output", stdout, stderr)
	if stdout != "" {
		t.Errorf("stdout: %q, want nothing", stdout)
	}
	if after := hashDir(t, dir); !equalHashes(before, after) {
		t.Error("difgen changed the package's files")
	}
	t.Logf("%v, exit %d: %s", elapsed.Round(time.Millisecond), code, msg)
}

func equalHashes(a, b map[string][sha256.Size]byte) bool {
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

// TestRemoteHTTPErrors checks the one-line messages for a rejected key and
// an unknown model, even when the server echoes the key.
func TestRemoteHTTPErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		want   []string
	}{
		{"401", 401, []string{"API key missing or rejected", "401", "set OPENAI_API_KEY"}},
		{"404", 404, []string{`model "test-model" not found`, "404", "OPENAI_BASE_URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := remotetest.NewServerFunc(t, func(*remotetest.Request) remotetest.Step {
				return remotetest.Fail(tc.status, "bad request with key "+remoteKey)
			})
			dir := writePkg(t, brokenPkg)
			before := hashDir(t, dir)
			env := remoteEnv("OPENAI_BASE_URL="+srv.URL, "OPENAI_API_KEY="+remoteKey)
			stdout, stderr, code := runCmd(t, 30*time.Second, dir, env, difgenBin, "fix", "-w", "-model", "openai:test-model", ".")
			if code == 0 {
				t.Errorf("difgen fix exited 0 after HTTP %d", tc.status)
			}
			msg := strings.TrimSpace(stderr)
			if strings.Count(msg, "\n") != 0 {
				t.Errorf("want one line, got:\n%s", stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q: %s", w, msg)
				}
			}
			if !strings.Contains(msg, srv.URL) {
				t.Errorf("message does not name the URL %s: %s", srv.URL, msg)
			}
			checkNoKey(t, "difgen's output", stdout, stderr)
			if n := len(srv.Requests()); n > 2 {
				t.Errorf("server got %d requests for a %d, want no retries", n, tc.status)
			}
			if after := hashDir(t, dir); !equalHashes(before, after) {
				t.Error("difgen changed the package's files")
			}
			t.Logf("exit %d: %s", code, msg)
		})
	}
}

// TestRemoteKeyInBaseURL checks that a key inside OPENAI_BASE_URL (user
// information or a query parameter, as some gateways take it) is never
// printed, in errors or in -json.
func TestRemoteKeyInBaseURL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, base := range []string{
		"http://user:" + remoteKey + "@" + addr + "/v1",
		"http://" + addr + "/v1?api-key=" + remoteKey,
	} {
		dir := writePkg(t, brokenPkg)
		env := remoteEnv("OPENAI_BASE_URL=" + base)
		for _, args := range [][]string{{"fix", "-model", "openai:x", "."}, {"fix", "-json", "-model", "openai:x", "."}} {
			stdout, stderr, code := runCmd(t, 30*time.Second, dir, env, difgenBin, args...)
			if code == 0 {
				t.Errorf("difgen %v exited 0 with an unreachable server", args)
			}
			if !strings.Contains(stdout+stderr, "REDACTED") {
				t.Errorf("difgen %v: the URL is not named, redacted:\n%s%s", args, stdout, stderr)
			}
			checkNoKey(t, fmt.Sprintf("difgen %v output", args), stdout, stderr)
		}
	}
}
