package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

var killCount = flag.Int("kills", 100, "SIGKILLs of TestKillLoop")

// A writeBench is a package of 30 files whose repair edits 29 of them,
// and the difgen runs over it.
type writeBench struct {
	t        *testing.T
	pkg, tmp string            // the package; TMPDIR of the runs
	old, new map[string]string // the package before and after the repair
	env      []string
	whole    time.Duration // how long a whole run took
	write    time.Duration // about how long its write phase takes
}

// fixArgs repairs the package in a second or so: no tests, one candidate
// per hole, four steps (the repair is then clean).
var fixArgs = []string{"fix", "-w", "-v", "-tests=off", "-candidates=1", "-budget=steps=4", "."}

// writePause is DIFGEN_FILETX_PAUSE of the runs: the write phase sleeps
// that long at each of its steps (2 per file), so that kills land in it.
const writePause = 5 * time.Millisecond

func newWriteBench(t *testing.T) *writeBench {
	if testing.Short() {
		t.Skip("kills difgen over and over")
	}
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("needs SIGKILL and flock")
	}
	root := t.TempDir()
	b := &writeBench{t: t, pkg: filepath.Join(root, "m"), tmp: filepath.Join(root, "tmp")}
	os.Mkdir(b.tmp, 0o755)
	b.old = map[string]string{
		"go.mod":  "module example.com/m\n\ngo 1.26\n",
		"base.go": "package m\n\n// Compute returns x doubled.\nfunc Compute(x int) int { return 2 * x }\n",
	}
	for i := 1; i < 30; i++ {
		// The 29 callers call it by a misspelt name: the repair edits
		// each of them.
		b.old[fmt.Sprintf("f%02d.go", i)] = fmt.Sprintf("package m\n\n// F%d returns a value computed from n.\nfunc F%d(n int) int {\n\treturn Compte(n + %d)\n}\n", i, i, i)
	}
	writeTree(t, b.pkg, b.old)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "TMPDIR" && k != "GOWORK" && k != "GOFLAGS" {
			b.env = append(b.env, kv)
		}
	}
	b.env = append(b.env, "TMPDIR="+b.tmp, "GOWORK=off", "GOPROXY=off", "GOTOOLCHAIN=local", "DIFGEN_FILETX_PAUSE="+writePause.String())

	// One whole run gives the repaired package, and the time a run takes.
	start := time.Now()
	if out, err := b.command(context.Background(), fixArgs...).CombinedOutput(); err != nil {
		t.Fatalf("difgen %s: %v\n%s", strings.Join(fixArgs, " "), err, out)
	}
	b.whole = time.Since(start)
	b.new = readTree(t, b.pkg)
	edited := 0
	for name, text := range b.new {
		if b.old[name] != text {
			edited++
		}
	}
	if edited != 29 || len(b.new) != len(b.old) {
		t.Fatalf("the repair edited %d files and left %d, want 29 edited and %d files", edited, len(b.new), len(b.old))
	}
	b.write = time.Duration(2*edited+8) * writePause
	writeTree(t, b.pkg, b.old)
	return b
}

func (b *writeBench) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, difgenBin, args...)
	cmd.Dir = b.pkg
	cmd.Env = b.env
	return cmd
}

// A fixRun is a difgen fix -w started, whose stderr is watched for the
// start of the write phase (the -v line "difgen: writing N files").
type fixRun struct {
	cmd            *exec.Cmd
	began          time.Time
	writing, ended chan struct{}
	stderr         strings.Builder // without the search log
}

func (b *writeBench) start(ctx context.Context) *fixRun {
	r := &fixRun{cmd: b.command(ctx, fixArgs...), writing: make(chan struct{}), ended: make(chan struct{})}
	pipe, err := r.cmd.StderrPipe()
	if err != nil {
		b.t.Fatal(err)
	}
	r.began = time.Now()
	if err := r.cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	go func() {
		defer close(r.ended)
		sc := bufio.NewScanner(pipe)
		sc.Buffer(nil, 1<<20)
		seen := false
		for sc.Scan() {
			line := sc.Text()
			if !seen && strings.HasPrefix(line, "difgen: writing ") {
				seen = true
				close(r.writing)
			}
			if !strings.HasPrefix(line, "difgen: ") || strings.Contains(line, "interrupted") {
				r.stderr.WriteString(line + "\n")
			}
		}
	}()
	return r
}

func (r *fixRun) startedWriting() bool {
	select {
	case <-r.writing:
		return true
	default:
		return false
	}
}

// waitWriting waits until the run starts writing or ends.
func (r *fixRun) waitWriting() {
	select {
	case <-r.writing:
	case <-r.ended:
	}
}

// check fails unless the package is wholly old or wholly new, with no
// file more, and TMPDIR is empty; it reports whether it is new.
func (b *writeBench) check(what string) bool {
	b.t.Helper()
	now := readTree(b.t, b.pkg)
	isNew := maps.Equal(now, b.new)
	if !isNew && !maps.Equal(now, b.old) {
		b.t.Fatalf("%s, the package is neither wholly old nor wholly new:\n%s", what, treeDiff(now, b.old, b.new))
	}
	if names := readDirNames(b.t, b.tmp); len(names) > 0 {
		b.t.Fatalf("%s, TMPDIR holds %v", what, names)
	}
	return isNew
}

// TestKillLoop kills whole runs of difgen fix -w with SIGKILL at random
// moments, over and over, half the kills aimed at the write phase. After
// each kill the next difgen run recovers: a fill (which finds no hole),
// after which the package must be wholly as before or wholly repaired,
// with no temporary file left in the package or in TMPDIR; or, after every
// fifth kill, the next fix -w, killed in its turn.
func TestKillLoop(t *testing.T) {
	b := newWriteBench(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var n struct {
		kills, aimed, inWrite, tempsOnly, journals, committed, sessions, finished, chained, forward, back int
	}
	whole := b.whole
	deadline := time.Now().Add(10 * time.Minute) // a hang guard, not a timing check
	for n.kills < *killCount && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		r := b.start(ctx)
		aimed := n.kills%2 == 1
		if aimed {
			// A random moment of the write phase.
			r.waitWriting()
			time.Sleep(time.Duration(rng.Int64N(int64(b.write))))
		} else {
			// Anywhere in the run.
			time.Sleep(time.Duration(rng.Int64N(int64(whole))))
		}
		inWrite := r.startedWriting()
		r.cmd.Process.Signal(syscall.SIGKILL)
		<-r.ended
		err := r.cmd.Wait()
		cancel()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Exited() {
			n.finished++
			whole = time.Since(r.began) // runs got faster: aim earlier
		} else {
			n.kills++
			n.aimed += bool2int(aimed)
			n.inWrite += bool2int(inWrite)
			// What the kill left, before any recovery.
			var temps, journals, commits int
			for _, name := range readDirNames(t, b.pkg) {
				temps += bool2int(strings.HasSuffix(name, ".tmp"))
				journals += bool2int(strings.HasSuffix(name, ".txn"))
				commits += bool2int(strings.HasSuffix(name, ".commit"))
			}
			switch {
			case commits > 0:
				n.committed++
			case journals > 0:
				n.journals++
			case temps > 0:
				n.tempsOnly++
			}
			n.sessions += bool2int(len(readDirNames(t, b.tmp)) > 0)
			if n.kills%5 == 0 {
				// Now and then the next run to recover is the next
				// fix -w, which may be killed in its turn.
				n.chained++
				continue
			}
		}

		// The next difgen run recovers.
		out, err := b.command(context.Background(), "fill", ".").CombinedOutput()
		if err != nil {
			t.Fatalf("difgen fill after kill %d: %v\n%s", n.kills, err, out)
		}
		n.forward += bool2int(strings.Contains(string(out), "finished the interrupted write"))
		n.back += bool2int(strings.Contains(string(out), "undid the interrupted write"))
		if b.check(fmt.Sprintf("after kill %d and a recovery", n.kills)) {
			writeTree(t, b.pkg, b.old) // to repair again
		}
	}
	t.Logf("%d SIGKILLs, %d aimed at the write phase; %d after the write phase had started: %d left only temporaries, %d journals, %d a commit; %d left a session directory in TMPDIR; %d runs ended before their kill; %d kills were followed by another fix -w, the others by a fill, which rolled %d writes forward and %d back",
		n.kills, n.aimed, n.inWrite, n.tempsOnly, n.journals, n.committed, n.sessions, n.finished, n.chained, n.forward, n.back)
	if n.kills < *killCount {
		t.Fatalf("only %d kills before the hang guard", n.kills)
	}
	if n.forward == 0 {
		t.Errorf("no recovery rolled forward")
	}
	if n.committed == 0 || n.tempsOnly == 0 {
		t.Errorf("no kill landed before or after the commit: the loop does not test the write phase")
	}
}

// TestSignalDuringWrite sends SIGINT or SIGTERM during the write phase:
// difgen finishes it or undoes it (exit 1, "interrupted; nothing
// written"), and removes its temporaries, with no later run to recover.
func TestSignalDuringWrite(t *testing.T) {
	b := newWriteBench(t)
	rng := rand.New(rand.NewPCG(3, 4))
	written, undone := 0, 0
	for i := range 8 {
		sig := []os.Signal{os.Interrupt, syscall.SIGTERM}[i%2]
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		r := b.start(ctx)
		r.waitWriting()
		time.Sleep(time.Duration(rng.Int64N(int64(b.write))))
		r.cmd.Process.Signal(sig)
		<-r.ended
		err := r.cmd.Wait()
		cancel()
		isNew := b.check(fmt.Sprintf("after %v in the write phase", sig))
		var ee *exec.ExitError
		switch {
		case isNew && err == nil:
			written++
			writeTree(t, b.pkg, b.old)
		case !isNew && errors.As(err, &ee) && ee.ExitCode() == 1 && strings.Contains(r.stderr.String(), "interrupted; nothing written"):
			undone++
		default:
			t.Fatalf("after %v in the write phase: new %v, exit %v, stderr:\n%s", sig, isNew, err, r.stderr.String())
		}
	}
	t.Logf("8 signals in the write phase: %d writes finished, %d undone", written, undone)
}

func bool2int(b bool) int {
	if b {
		return 1
	}
	return 0
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every file under dir, by slash path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readDirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// treeDiff describes how now differs from the old and the new tree.
func treeDiff(now, old, new map[string]string) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(now)) {
		switch text := now[name]; {
		case text == old[name] && text == new[name]:
		case text == old[name]:
			fmt.Fprintf(&b, "%s: old\n", name)
		case text == new[name]:
			fmt.Fprintf(&b, "%s: new\n", name)
		default:
			fmt.Fprintf(&b, "%s: neither (%d bytes)\n", name, len(text))
		}
	}
	for name := range old {
		if _, ok := now[name]; !ok {
			fmt.Fprintf(&b, "%s: missing\n", name)
		}
	}
	return b.String()
}
