//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostileTests is a package whose tests do what candidate code may do: read
// every process's environment, write into their directory, HOME, /tmp and
// the user's tree by absolute path, and leave a grandchild running in a
// session of its own. They pass, so that difgen prints nothing of them
// unless the sandbox leaks.
var hostileTests = map[string]string{
	"go.mod": "module example.com/hostile\n\ngo 1.26\n",
	"h.go":   "package hostile\n\n// Two returns 2.\nfunc Two() int { return 2 }\n",
	"h_test.go": `package hostile

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestEnviron fails, printing what it found, if any process it can see has
// a secret in its environment.
func TestEnviron(t *testing.T) {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(string(data), "\x00") {
			if strings.Contains(kv, "hostile-secret") {
				t.Errorf("found in /proc/%s/environ: %s", e.Name(), kv)
			}
		}
	}
}

// TestWrites writes everywhere it can think of.
func TestWrites(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	home, _ := os.UserHomeDir()
	for _, dir := range []string{".", home, os.TempDir(), "/tmp", filepath.Dir(file), os.Getenv("REAL_HOME")} {
		os.WriteFile(filepath.Join(dir, "hostile-was-here"), []byte("x"), 0o644)
	}
}

// TestGrandchild leaves a process behind, out of its process group.
func TestGrandchild(t *testing.T) {
	cmd := exec.Command("sleep", os.Getenv("HOSTILE_SLEEP"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
}

func TestTwo(t *testing.T) {
	if Two() != 2 {
		t.Fatal("Two")
	}
}
`,
}

// TestSandboxedTests runs difgen fix on a package whose tests attack their
// host: no secret of difgen's environment is found, nothing outside the
// sandbox is written, and the grandchild they leave is killed.
func TestSandboxedTests(t *testing.T) {
	dir := writePkg(t, hostileTests)
	realHome := t.TempDir()
	marker := fmt.Sprintf("600.%d", time.Now().UnixNano()%1e9)
	env := sandboxEnv(
		"OPENAI_API_KEY=sk-hostile-secret",
		"DATABASE_URL=postgres://u:hostile-secret@db/x",
		"HTTPS_PROXY=http://u:hostile-secret@proxy:3128",
		"MYSQL_PWD=hostile-secret",
		"GH_PAT=hostile-secret",
	)
	before := hashDir(t, dir)
	stdout, stderr, code := runCmd(t, 2*time.Minute, dir, append(env, "HOME="+realHome, "GOCACHE="+goEnvVar(t, "GOCACHE")), difgenBin, "fix", "-v", "-env", "HOSTILE_SLEEP="+marker, "-env", "REAL_HOME="+realHome, ".")
	if code != 0 || strings.Contains(stdout+stderr, "hostile-secret") || strings.Contains(stdout+stderr, "found in /proc") {
		t.Errorf("difgen fix: exit %d; want 0 and no secret found by the tests\nstdout:\n%s\nstderr:\n%s", code, stdout, lastLines(stderr, 30))
	}
	if after := hashDir(t, dir); !equalHashes(before, after) {
		t.Errorf("the tests wrote into the user's package")
	}
	if _, err := os.Stat(filepath.Join(realHome, "hostile-was-here")); err == nil {
		t.Errorf("the tests wrote into the real HOME")
	}
	if _, err := os.Stat("/tmp/hostile-was-here"); err == nil {
		os.Remove("/tmp/hostile-was-here")
		t.Errorf("the tests wrote into the real /tmp")
	}
	waitNoProcess(t, "sleep\x00"+marker+"\x00")
	t.Logf("isolation: %s", grepLine(stderr, "tests run in a sandbox"))
}

// TestSandboxMemory checks that a test whose child allocates 4 GB is
// killed at the memory limit, which covers the whole process tree.
func TestSandboxMemory(t *testing.T) {
	dir := writePkg(t, map[string]string{
		"go.mod": "module example.com/mem\n\ngo 1.26\n",
		"m.go":   "package mem\n",
		"m_test.go": `package mem

import (
	"os"
	"os/exec"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv("MEM_CHILD") == "1" {
		b := make([]byte, 4<<30)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestAlloc(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MEM_CHILD=1")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
}
`,
	})
	start := time.Now()
	_, stderr, code := runCmd(t, 3*time.Minute, dir, sandboxEnv(), difgenBin, "fix", "-budget=steps=1", ".")
	if code != 1 || !strings.Contains(stderr, "used more than 2048 MiB of memory") {
		t.Errorf("difgen fix: exit %d, stderr:\n%s\nwant exit 1 and the memory kill reported", code, stderr)
	}
	t.Logf("%v: %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(stderr))
}

// TestSandboxKilledDifgen checks that the tests die with difgen: after
// kill -9 of difgen in the middle of a test run, no process of the test
// is left.
func TestSandboxKilledDifgen(t *testing.T) {
	marker := fmt.Sprintf("601.%d", time.Now().UnixNano()%1e9)
	dir := writePkg(t, map[string]string{
		"go.mod": "module example.com/slow\n\ngo 1.26\n",
		"s.go":   "package slow\n",
		"s_test.go": `package slow

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

func TestSlow(t *testing.T) {
	cmd := exec.Command("sleep", os.Getenv("SLOW_SLEEP"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Run()
}
`,
	})
	cmd := exec.Command(difgenBin, "fix", "-env", "SLOW_SLEEP="+marker, ".")
	cmd.Dir, cmd.Env = dir, sandboxEnv()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(2 * time.Minute)
	for len(findProcesses("sleep\x00"+marker+"\x00")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the test's child never started")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	waitNoProcess(t, "sleep\x00"+marker+"\x00")
}

// sandboxEnv is remoteEnv with the tests' small model.
func sandboxEnv(extra ...string) []string {
	return remoteEnv(append([]string{"DIFGEN_MODEL=" + os.Getenv("DIFGEN_MODEL")}, extra...)...)
}

// goEnvVar returns the go command's value of the variable name.
func goEnvVar(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// findProcesses returns the pids of the processes whose command line
// (arguments joined by NULs) starts with cmdline.
func findProcesses(cmdline string) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.HasPrefix(string(data), cmdline) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitNoProcess fails unless the processes with command line cmdline are
// gone within a few seconds; it kills them if not.
func waitNoProcess(t *testing.T, cmdline string) {
	t.Helper()
	var pids []int
	for range 50 {
		if pids = findProcesses(cmdline); len(pids) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("processes %v (%q) are still alive", pids, strings.ReplaceAll(cmdline, "\x00", " "))
	for _, pid := range pids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}

func grepLine(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
