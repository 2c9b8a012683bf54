package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// modes are the two ways Run isolates a command on Linux; tests of what
// both must do run in each.
var modes = []struct {
	name     string
	fallback bool
}{{"namespaces", false}, {"fallback", true}}

// needNamespaces skips a test of what only the namespaces give where this
// machine has none.
func needNamespaces(t *testing.T) {
	t.Helper()
	if !Isolation().Namespaces {
		t.Skipf("no namespaces here:\n%s", Isolation())
	}
}

// runProg runs testdata/prog with args in the sandbox as s describes
// (Path, Dir, Env, a hang guard and combined output filled in where s
// leaves them) and returns its output.
func runProg(t *testing.T, s Spec, args ...string) (string, Result) {
	t.Helper()
	s.Path = progPath
	s.Args = args
	if s.Dir == "" {
		s.Dir = t.TempDir()
	}
	if s.Env == nil {
		home, tmp := t.TempDir(), t.TempDir()
		s.Env = Env(home, tmp, nil)
	}
	if s.Timeout == 0 {
		s.Timeout = 2 * time.Minute // a hang guard, not a measurement
	}
	var out bytes.Buffer
	if s.Stdout == nil {
		s.Stdout, s.Stderr = &out, &out
	}
	res := Run(context.Background(), &s)
	if res.Err != nil {
		t.Fatalf("Run %v: %v\n%s", args, res.Err, out.Bytes())
	}
	return out.String(), res
}

// token returns a string unique to the test, to find its processes by.
func token(t *testing.T) string {
	return fmt.Sprintf("tok%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))
}

// procsWith returns the live processes whose command line holds tok.
func procsWith(tok string) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(b, []byte(tok)) || zombie(pid) {
			continue
		}
		out = append(out, pid)
	}
	return out
}

// waitFor polls cond until it holds or a generous hang guard passes.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

// noneLeft fails the test if a process holding tok is left, and kills it.
func noneLeft(t *testing.T, tok string) {
	t.Helper()
	if left := procsWith(tok); len(left) > 0 {
		for _, p := range left {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		t.Errorf("processes left after Run: %v", left)
	}
}

func TestIsolationReport(t *testing.T) {
	info := Isolation()
	t.Logf("\n%s", info)
	if len(info.Have) == 0 {
		t.Error("Isolation().Have is empty")
	}
	if info.Namespaces && len(info.Missing) > 0 && info.UserNamespace {
		t.Errorf("full isolation, yet missing: %q", info.Missing)
	}
	if !info.Namespaces && len(info.Missing) == 0 {
		t.Error("no namespaces, and nothing reported missing")
	}
}

// runHelper runs the test binary as a helper that runs prog with args in
// the sandbox, with the secrets in its own environment from its start
// (so that they are in /proc/PID/environ), and returns its output and
// Result.
func runHelper(t *testing.T, hs helperSpec, cred *syscall.Credential, bin string, env ...string) (string, Result, Info) {
	t.Helper()
	spec, _ := json.Marshal(hs)
	if bin == "" {
		bin = os.Args[0]
	}
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), secrets...)
	cmd.Env = append(cmd.Env, "SANDBOX_TEST_HELPER=run", "SANDBOX_TEST_SPEC="+string(spec))
	cmd.Env = append(cmd.Env, env...)
	if slices.Contains(env, "SANDBOX_TEST_NONS=1") {
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		}
	}
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		tmp, err := os.MkdirTemp("", "sandbox-nobody-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { removeAll(tmp) })
		if err := os.Chmod(tmp, 0o1777); err != nil {
			t.Fatal(err)
		}
		cmd.Dir = "/"
		cmd.Env = append(cmd.Env, "HOME=/nonexistent", "TMPDIR="+tmp)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	if msg, ok := bytes.CutPrefix(out, []byte("SKIP ")); ok {
		t.Skipf("helper: %s", msg)
	}
	i := bytes.LastIndex(out, []byte("RESULT "))
	if i < 0 {
		t.Fatalf("helper printed no result:\n%s", out)
	}
	var p struct {
		Result
		Err  string
		Info Info
	}
	if err := json.Unmarshal(out[i+len("RESULT "):], &p); err != nil {
		t.Fatalf("helper result: %v\n%s", err, out)
	}
	if p.Err != "" {
		t.Fatalf("helper: Run: %s\n%s", p.Err, out)
	}
	return string(out[:i]), p.Result, p.Info
}

func TestSecretsDoNotReachTheProgram(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			if !m.fallback {
				needNamespaces(t)
			}
			out, res, _ := runHelper(t, helperSpec{Prog: progPath, Args: []string{"env"}, Fallback: m.fallback, Control: true}, nil, "")
			sandboxed, control, ok := strings.Cut(out, "CONTROL ")
			if !ok {
				t.Fatalf("no control run:\n%s", out)
			}
			if !res.Exited || res.ExitCode != 0 {
				t.Fatalf("prog env: %+v\n%s", res, sandboxed)
			}
			// The control run finds every secret: the program looks
			// in the right places.
			for _, v := range secretValues {
				if !strings.Contains(control, v) {
					t.Fatalf("control run outside the sandbox did not find %s:\n%s", v, control)
				}
			}
			if !strings.Contains(sandboxed, "self: HOME=") || !strings.Contains(sandboxed, "self: PATH=") {
				t.Fatalf("the sandboxed program printed no environment:\n%s", sandboxed)
			}
			look := sandboxed
			if m.fallback {
				// Without a PID namespace the user's other processes
				// are visible (Isolation says so); the program's own
				// environment and its parent's must still be clean.
				var mine []string
				for _, l := range strings.Split(sandboxed, "\n") {
					if strings.HasPrefix(l, "self: ") {
						mine = append(mine, l)
					}
				}
				look = strings.Join(mine, "\n") + parentLines(sandboxed)
			}
			for _, v := range secretValues {
				if strings.Contains(look, v) {
					t.Errorf("the sandboxed program found %s:\n%s", v, look)
				}
			}
			if !m.fallback && !strings.Contains(sandboxed, "processes: 2\n") {
				t.Errorf("the program should see itself and init alone:\n%s", sandboxed)
			}
		})
	}
}

// parentLines returns the lines the env program printed about its parent
// (the first pid it dumps after its own environment).
func parentLines(out string) string {
	var b strings.Builder
	first := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "self: ") || l == "" {
			continue
		}
		pid, _, _ := strings.Cut(l, " ")
		if first == "" {
			first = pid
		}
		if pid == first {
			b.WriteString("\n" + l)
		}
	}
	return b.String()
}

// snapshot returns the names, modes and contents of everything under dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := make(map[string]string)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		v := fi.Mode().String()
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += " " + string(b)
		}
		m[p] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func equalSnapshots(a, b map[string]string) bool {
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

// userModule makes a small module in a fresh directory, as a user's.
func userModule(t *testing.T) string {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"go.mod":             "module example.com/m\n\ngo 1.22\n",
		"m.go":               "package m\n\nfunc F() int { return 1 }\n",
		"m_test.go":          "package m\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) {}\n",
		"testdata/input.txt": "input\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestWritesStayInTheSandbox(t *testing.T) {
	needNamespaces(t)
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			user := userModule(t)
			realHome := t.TempDir()
			if err := os.WriteFile(filepath.Join(realHome, ".profile"), []byte("real\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			tree, err := NewTree(filepath.Join(t.TempDir(), "tree"), user, user)
			if err != nil {
				t.Fatal(err)
			}
			home, tmp := t.TempDir(), t.TempDir()
			// The package's own source directory: read-only only
			// because all of / is (or, in a checkout under /tmp,
			// hidden by the scratch /tmp).
			here, err := os.Getwd()
			if err != nil {
				t.Fatal(err)
			}
			name := token(t) + ".txt"
			t.Cleanup(func() { os.Remove(filepath.Join(here, name)); os.Remove(filepath.Join("/tmp", name)) })
			beforeUser, beforeHome := snapshot(t, user), snapshot(t, realHome)

			out, res := runProg(t, Spec{
				Dir:          tree.PkgDir(),
				Env:          Env(home, tmp, nil),
				Writable:     []string{tree.Root()},
				ReadOnly:     []string{user, realHome},
				legacyMounts: legacy,
			}, "write", name, user, realHome, here)
			if !res.Exited {
				t.Fatalf("prog write: %+v\n%s", res, out)
			}
			t.Logf("\n%s", out)
			if !equalSnapshots(beforeUser, snapshot(t, user)) {
				t.Errorf("the user's module changed")
			}
			if !equalSnapshots(beforeHome, snapshot(t, realHome)) {
				t.Errorf("the real HOME changed")
			}
			for _, p := range []string{filepath.Join(here, name), filepath.Join("/tmp", name)} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%s was written outside the sandbox", p)
				}
			}
			for _, dir := range []string{tree.PkgDir(), home, tmp} {
				if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
					t.Errorf("the program could not write its scratch directory %s: %v", dir, err)
				}
			}
			for _, dir := range []string{user, realHome, here} {
				want := fmt.Sprintf("write %s: open %s: read-only file system", filepath.Join(dir, name), filepath.Join(dir, name))
				if dir == here && strings.HasPrefix(here, "/tmp/") {
					// A checkout under /tmp lies in the directory the
					// sandbox replaces by its scratch /tmp: hidden, not
					// read-only.
					hidden := fmt.Sprintf("write %s: open %s: no such file or directory", filepath.Join(dir, name), filepath.Join(dir, name))
					if strings.Contains(out, hidden) {
						continue
					}
				}
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q", want)
				}
			}
			if err := tree.Reset(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(tree.PkgDir(), name)); err == nil {
				t.Errorf("Reset left the file the program wrote")
			}
		})
	}
}

func TestCannotUndoMounts(t *testing.T) {
	needNamespaces(t)
	if !Isolation().UserNamespace {
		t.Skip("no user namespace: a root command keeps its capabilities (Isolation says so)")
	}
	ro := t.TempDir()
	out, res := runProg(t, Spec{ReadOnly: []string{ro}}, "remount", ro)
	if !res.Exited {
		t.Fatalf("prog remount: %+v\n%s", res, out)
	}
	for _, want := range []string{"remount: operation not permitted", "unmount: operation not permitted", "write: open " + ro + "/remounted.txt: read-only file system"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(ro, "remounted.txt")); err == nil {
		t.Error("the program wrote through a read-only mount")
	}
}

func TestViewOfTheSystem(t *testing.T) {
	needNamespaces(t)
	out, _ := runProg(t, Spec{}, "ls", "/dev")
	for _, want := range []string{"null\n", "urandom\n", "shm\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("/dev lacks %s:\n%s", want, out)
		}
	}
	for _, not := range []string{"sda", "vda", "mem\n", "kmsg"} {
		if strings.Contains(out, not) {
			t.Errorf("/dev holds %s:\n%s", not, out)
		}
	}
	out, _ = runProg(t, Spec{}, "ls", "/run")
	if out != "err: <nil>\n" {
		t.Errorf("/run is not empty:\n%s", out)
	}
	// Docker's read-only /proc paths: a root caller's program could
	// otherwise write /proc/sysrq-trigger.
	for _, p := range []string{"/proc/sysrq-trigger", "/proc/sys/kernel/hostname"} {
		if _, err := os.Stat(p); err != nil {
			continue // not in this kernel
		}
		out, _ = runProg(t, Spec{}, "openw", p)
		if !strings.Contains(out, "read-only file system") && !strings.Contains(out, "permission denied") {
			t.Errorf("%s is writable: %s", p, out)
		}
	}
}

func TestHide(t *testing.T) {
	needNamespaces(t)
	home := t.TempDir()
	for name, data := range map[string]string{".netrc": "machine x password hunter2\n", ".ssh/id_ed25519": "PRIVATE KEY\n"} {
		p := filepath.Join(home, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := Spec{ReadOnly: []string{home}, Hide: CredentialPaths(home)}
	out, _ := runProg(t, s, "cat", filepath.Join(home, ".netrc"))
	if !strings.HasPrefix(out, "0 bytes") {
		t.Errorf("a hidden file reads %s", out)
	}
	out, _ = runProg(t, s, "ls", filepath.Join(home, ".ssh"))
	if out != "err: <nil>\n" {
		t.Errorf("a hidden directory lists %s", out)
	}
	out, _ = runProg(t, Spec{ReadOnly: []string{home}}, "cat", filepath.Join(home, ".netrc"))
	if !strings.Contains(out, "hunter2") {
		t.Errorf("without Hide the file should be readable: %s", out)
	}
}

func TestSetsidGrandchildIsKilled(t *testing.T) {
	tok := token(t)
	// Control: outside the sandbox the grandchild outlives its parent.
	plain := exec.Command(progPath, "setsid", tok+"-control")
	if out, err := plain.CombinedOutput(); err != nil {
		t.Fatalf("prog setsid: %v\n%s", err, out)
	}
	if !waitFor(func() bool { return len(procsWith(tok+"-control")) == 1 }) {
		t.Fatal("control: no grandchild outside the sandbox")
	}
	noneLeftQuiet(tok + "-control")

	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			if !m.fallback {
				needNamespaces(t)
			}
			tok := token(t)
			out, res := runProg(t, Spec{fallback: m.fallback}, "setsid", tok)
			if !res.Exited || res.ExitCode != 0 || !strings.HasPrefix(out, "started ") {
				t.Fatalf("prog setsid: %+v\n%s", res, out)
			}
			noneLeft(t, tok)
		})
	}
}

func noneLeftQuiet(tok string) {
	for _, p := range procsWith(tok) {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
}

func TestMemoryLimitCoversTheTree(t *testing.T) {
	const limit = 1 << 30
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			if !m.fallback {
				needNamespaces(t)
			}
			// The child of the program touches 4 GiB; the program
			// itself stays small.
			out, res := runProg(t, Spec{MemLimit: limit, fallback: m.fallback}, "alloc", strconv.FormatInt(4<<30, 10), "child")
			if !res.OverMemory || res.Exited {
				t.Fatalf("prog alloc: %+v\n%s", res, out)
			}
			if strings.Contains(out, "allocated") {
				t.Errorf("the child allocated all 4 GiB:\n%s", out)
			}
			if res.PeakRSS <= limit || res.PeakRSS >= 3<<30 {
				t.Errorf("PeakRSS = %d MiB, want just over the %d MiB limit", res.PeakRSS>>20, limit>>20)
			}
			t.Logf("killed at %d MiB", res.PeakRSS>>20)
		})
	}
}

func TestTimeoutKillsTheTree(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			if !m.fallback {
				needNamespaces(t)
			}
			tok := token(t)
			out, res := runProg(t, Spec{Timeout: 300 * time.Millisecond, fallback: m.fallback}, "tree", tok)
			if !res.TimedOut || res.Exited {
				t.Fatalf("prog tree: %+v\n%s", res, out)
			}
			noneLeft(t, tok)
		})
	}
}

func TestCancelKillsTheTree(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			if !m.fallback {
				needNamespaces(t)
			}
			tok := token(t)
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				waitFor(func() bool { return len(procsWith(tok)) == 2 })
				cancel()
			}()
			res := Run(ctx, &Spec{Path: progPath, Args: []string{"tree", tok}, Dir: t.TempDir(), Timeout: 2 * time.Minute, fallback: m.fallback})
			if res.Err != context.Canceled {
				t.Fatalf("Run: %+v, want Err = context.Canceled", res)
			}
			noneLeft(t, tok)
		})
	}
}

func TestKillingTheParentKillsTheSandbox(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			if !m.fallback {
				needNamespaces(t)
			}
			tok := token(t)
			spec, _ := json.Marshal(helperSpec{Prog: progPath, Args: []string{"tree", tok}, Fallback: m.fallback})
			h := exec.Command(os.Args[0], "-test.run=^$")
			// The helper dies before it can remove its scratch
			// directory: make it in one the test removes.
			h.Env = append(os.Environ(), "SANDBOX_TEST_HELPER=run", "SANDBOX_TEST_SPEC="+string(spec), "TMPDIR="+t.TempDir())
			h.Stdout, h.Stderr = io.Discard, io.Discard
			if err := h.Start(); err != nil {
				t.Fatal(err)
			}
			if !waitFor(func() bool { return len(procsWith(tok)) == 2 }) {
				h.Process.Kill()
				h.Wait()
				noneLeftQuiet(tok)
				t.Fatal("the sandboxed program and its grandchild did not start")
			}
			if err := h.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			h.Wait()
			if !waitFor(func() bool { return len(procsWith(tok)) == 0 }) {
				noneLeft(t, tok)
			}
		})
	}
}

func TestNetworkIsLoopbackOnly(t *testing.T) {
	needNamespaces(t)
	out, res := runProg(t, Spec{}, "net")
	if !res.Exited {
		t.Fatalf("prog net: %+v\n%s", res, out)
	}
	if !strings.Contains(out, `loopback: "hello\n" <nil>`) {
		t.Errorf("loopback does not work:\n%s", out)
	}
	if strings.Contains(out, "connected") || !strings.Contains(out, "external 1.1.1.1:80 error") {
		t.Errorf("the program reached the network:\n%s", out)
	}
}

func TestExitStatusAndSignal(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			_, res := runProg(t, Spec{fallback: m.fallback}, "exit", "3")
			if !res.Exited || res.ExitCode != 3 || res.Signal != "" {
				t.Errorf("prog exit 3: %+v", res)
			}
			_, res = runProg(t, Spec{fallback: m.fallback}, "killself")
			if res.Exited || res.ExitCode != -1 || res.Signal != "killed" {
				t.Errorf("prog killself: %+v", res)
			}
			res = Run(context.Background(), &Spec{Path: filepath.Join(t.TempDir(), "missing"), fallback: m.fallback})
			if res.Err == nil || res.Exited {
				t.Errorf("a missing program: %+v", res)
			}
		})
	}
}

// TestSessionAndKeyring checks that the program runs in init's session,
// with no controlling terminal, and with a session keyring other than the
// caller's.
func TestSessionAndKeyring(t *testing.T) {
	const getKeyringID, sessionKeyring = 0, -3
	key := sessionKeyring
	mine, _, e := syscall.RawSyscall(syscall.SYS_KEYCTL, getKeyringID, uintptr(key), 1)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			out, _ := runProg(t, Spec{fallback: m.fallback}, "id")
			if !strings.Contains(out, "session of its parent: true") {
				t.Errorf("the program is not in init's session:\n%s", out)
			}
			if e == 0 && strings.Contains(out, fmt.Sprintf("session keyring %d\n", mine)) {
				t.Errorf("the program shares the caller's session keyring %d:\n%s", mine, out)
			}
		})
	}
}

func TestNoDescriptorLeaks(t *testing.T) {
	// A descriptor without close-on-exec, as a caller may inherit one
	// from its own parent.
	fd, err := syscall.Open("/dev/zero", syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			out, _ := runProg(t, Spec{fallback: m.fallback}, "fds")
			var leaked []string
			for _, l := range strings.Split(strings.TrimSuffix(out, "done\n"), "\n") {
				// The program's own runtime reads its CPU quota.
				if l != "" && !strings.Contains(l, " /sys/fs/cgroup/") {
					leaked = append(leaked, l)
				}
			}
			if len(leaked) > 0 || !strings.HasSuffix(out, "done\n") {
				t.Errorf("the program inherited descriptors:\n%s", out)
			}
		})
	}
}

func TestOutputIsBounded(t *testing.T) {
	var out, errs bytes.Buffer
	_, res := runProg(t, Spec{Stdout: &out, Stderr: &errs}, "spew", strconv.Itoa(MaxOutput+1000))
	if !res.Exited || !res.Truncated || out.Len() != MaxOutput || errs.Len() != MaxOutput {
		t.Errorf("spew: %+v, stdout %d bytes, stderr %d bytes; want %d each", res, out.Len(), errs.Len(), MaxOutput)
	}
	var both bytes.Buffer
	_, res = runProg(t, Spec{Stdout: &both, Stderr: &both}, "spew", "1000")
	if !res.Exited || res.Truncated || both.Len() != 2000 {
		t.Errorf("spew to one writer: %+v, %d bytes; want 2000", res, both.Len())
	}
}

func TestConcurrentRuns(t *testing.T) {
	var wg sync.WaitGroup
	errs := make([]string, 4)
	for i := range errs {
		wg.Go(func() {
			var out bytes.Buffer
			res := Run(context.Background(), &Spec{Path: progPath, Args: []string{"exit", strconv.Itoa(i)}, Dir: t.TempDir(), Stdout: &out, Timeout: 2 * time.Minute})
			if !res.Exited || res.ExitCode != i {
				errs[i] = fmt.Sprintf("run %d: %+v", i, res)
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
}

// TestProbeFallsBack runs the sandbox where mount namespaces are
// forbidden, as in some containers: Isolation must say so, and Run must
// still kill a setsid'd grandchild.
func TestProbeFallsBack(t *testing.T) {
	tok := token(t)
	_, res, info := runHelper(t, helperSpec{Prog: progPath, Args: []string{"setsid", tok}}, nil, "", "SANDBOX_TEST_NONS=1")
	if info.Namespaces || !strings.Contains(strings.Join(info.Missing, "\n"), "mount namespace") {
		t.Errorf("Isolation without mount namespaces:\n%s", info)
	}
	if !res.Exited || res.ExitCode != 0 {
		t.Errorf("prog setsid in the fallback: %+v", res)
	}
	noneLeft(t, tok)
}

// TestUnprivileged runs the sandbox as nobody, as an ordinary user runs
// difgen: init maps nobody to root in its user namespace, and the program
// gets nobody back, with no capabilities.
func TestUnprivileged(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to become nobody")
	}
	needNamespaces(t)
	dir := filepath.Dir(progPath) // readable by all
	bin := filepath.Join(dir, "sandbox.test")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(bin)
	nobody := &syscall.Credential{Uid: 65534, Gid: 65534}
	out, res, info := runHelper(t, helperSpec{Prog: progPath, Args: []string{"id"}}, nobody, bin)
	if !info.Namespaces || !info.UserNamespace {
		t.Skipf("no user namespace for nobody here:\n%s", info)
	}
	if !res.Exited || !strings.Contains(out, "uid 65534 gid 65534") || !strings.Contains(out, "CapEff: 0000000000000000") {
		t.Errorf("prog id as nobody: %+v\n%s", res, out)
	}
	out, res, _ = runHelper(t, helperSpec{Prog: progPath, Args: []string{"env"}}, nobody, bin)
	if !res.Exited || !strings.Contains(out, "processes: 2\n") {
		t.Errorf("prog env as nobody: %+v\n%s", res, out)
	}
	for _, v := range secretValues {
		if strings.Contains(out, v) {
			t.Errorf("the program run by nobody found %s", v)
		}
	}
}

// TestGoTestBinary runs a real test binary, built by go test -c, in a Tree
// as difgen will: its tests read testdata, write into their working
// directory and t.TempDir, serve HTTP on loopback and run the go command,
// and a second run after Reset sees what the first wrote gone.
func TestGoTestBinary(t *testing.T) {
	needNamespaces(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	user := t.TempDir()
	writeModule(t, user, map[string]string{
		"go.mod":             "module example.com/m\n\ngo 1.22\n",
		"m.go":               "package m\n\nfunc F() int { return 1 }\n",
		"testdata/input.txt": "input\n",
		"m_test.go": `package m

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestFiles(t *testing.T) {
	b, err := os.ReadFile("testdata/input.txt")
	if err != nil || string(b) != "input\n" {
		t.Fatalf("testdata: %q %v", b, err)
	}
	if _, err := os.Stat("out.txt"); err == nil {
		t.Fatal("out.txt is left from an earlier run")
	}
	if err := os.WriteFile("out.txt", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(t.TempDir(), "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestUID(t *testing.T) {
	if got, want := strconv.Itoa(os.Getuid()), os.Getenv("WANT_UID"); got != want {
		t.Errorf("uid %s, want %s", got, want)
	}
}

func TestHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok" {
		t.Errorf("got %q", b)
	}
}

func TestGoCommand(t *testing.T) {
	out, err := exec.Command("go", "list", "-m").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "example.com/m" {
		t.Errorf("go list -m: %v\n%s", err, out)
	}
}
`,
	})
	bin := filepath.Join(t.TempDir(), "m.test")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Dir = user
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, out)
	}
	tree, err := NewTree(filepath.Join(t.TempDir(), "tree"), user, user)
	if err != nil {
		t.Fatal(err)
	}
	home, tmp := t.TempDir(), t.TempDir()
	for run := range 2 {
		if err := tree.Reset(); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		res := Run(context.Background(), &Spec{
			Path:     bin,
			Args:     []string{"-test.v", "-test.count=1"},
			Dir:      tree.PkgDir(),
			Env:      Env(home, tmp, []string{"WANT_UID=" + strconv.Itoa(os.Getuid())}),
			Writable: []string{tree.Root()},
			ReadOnly: []string{user},
			Timeout:  2 * time.Minute,
			Stdout:   &out,
			Stderr:   &out,
		})
		if res.Err != nil || !res.Exited || res.ExitCode != 0 {
			t.Fatalf("run %d: %+v\n%s", run, res, out.Bytes())
		}
		if !strings.Contains(out.String(), "--- PASS: TestGoCommand") {
			t.Errorf("run %d:\n%s", run, out.Bytes())
		}
	}
}
