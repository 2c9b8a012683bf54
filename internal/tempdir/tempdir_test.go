package tempdir

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary play a live difgen process: with
// TEMPDIR_TEST_HOLD=parent it opens a session in parent, prints its
// directory and waits to be killed.
func TestMain(m *testing.M) {
	if parent := os.Getenv("TEMPDIR_TEST_HOLD"); parent != "" {
		s, err := Start(parent)
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString(s.Dir() + "\n")
		select {}
	}
	os.Exit(m.Run())
}

func TestSession(t *testing.T) {
	parent := t.TempDir()
	s, err := Start(parent)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(s.Dir()) != parent || !sessionName.MatchString(filepath.Base(s.Dir())) {
		t.Errorf("session directory %s, want difgen-<pid>-<random> in %s", s.Dir(), parent)
	}
	if _, err := Start(parent); err == nil {
		t.Errorf("a second Start while a session is open succeeded")
	}
	d, err := MkdirTemp("difgen-build-")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(d) != s.Dir() || !strings.HasPrefix(filepath.Base(d), "difgen-build-") {
		t.Errorf("MkdirTemp made %s, want difgen-build-* in %s", d, s.Dir())
	}
	// A Clean by another process must leave a live session alone; a
	// second descriptor of this process stands in for it, since flock
	// locks belong to open files.
	Clean(parent)
	if _, err := os.Stat(d); err != nil {
		t.Errorf("Clean removed a live session: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Dir()); !os.IsNotExist(err) {
		t.Errorf("Close left %s (%v)", s.Dir(), err)
	}
	if Current() != "" {
		t.Errorf("Current() = %q after Close", Current())
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	d, err = MkdirTemp("difgen-x-")
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(d)
	if filepath.Dir(d) != filepath.Clean(os.TempDir()) {
		t.Errorf("MkdirTemp without a session made %s, want it in %s", d, os.TempDir())
	}
}

// TestCleanKilled opens a session in another process, kills it with
// SIGKILL, and checks that Clean keeps the session while the process
// lives and removes it once it is dead.
func TestCleanKilled(t *testing.T) {
	if !lockSupported {
		t.Skip("no file locks on " + runtime.GOOS)
	}
	parent := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TEMPDIR_TEST_HOLD="+parent)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	dir := strings.TrimSpace(line)
	if err := os.WriteFile(filepath.Join(dir, "junk"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	Clean(parent)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("Clean removed the session of a live process: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	Clean(parent)
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("after the owner was killed, Clean left %v", names(entries))
	}
}

func TestCleanLegacy(t *testing.T) {
	parent := t.TempDir()
	old := time.Now().Add(-LegacyAge - time.Hour)
	mk := func(name string, mtime time.Time) {
		t.Helper()
		p := filepath.Join(parent, name)
		if err := os.MkdirAll(filepath.Join(p, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"difgen-build-1", "difgen-test-2", "difgen-overlay-3", "difgen-bench-4", "difgen-5-0a0b.dead"} {
		mk(n, old)
	}
	mk("difgen-build-6", time.Now()) // may belong to a running old binary
	mk("go-build7", old)             // not difgen's
	mk("difgen-models", old)         // not a temporary directory of difgen's
	// A session directory without a lock file: its process died before
	// creating it, or is about to create it.
	mk("difgen-8-0c0d", old)
	live := fmt.Sprintf("difgen-%d-0e0f", os.Getpid())
	mk(live, time.Now())
	mk(fmt.Sprintf("difgen-%d-0e0f", deadPid(t)), time.Now())
	Clean(parent)
	entries, _ := os.ReadDir(parent)
	got := strings.Join(names(entries), " ")
	want := live + " difgen-build-6 difgen-models go-build7"
	if got != want {
		t.Errorf("after Clean: %s, want %s", got, want)
	}
}

// deadPid returns the pid of a process that has exited.
func deadPid(t *testing.T) int {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func names(entries []os.DirEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
