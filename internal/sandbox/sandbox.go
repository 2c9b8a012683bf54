package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Spec describes one sandboxed command. The zero value of each field means
// its default, given with the field.
type Spec struct {
	// Path is the program to run: a path, or a name looked up in the PATH
	// of Env.
	Path string
	// Args are the program's arguments, without argv[0] (which is Path).
	Args []string
	// Dir is the working directory of the command, writable inside the
	// sandbox; usually the package directory of a [Tree]. Empty means the
	// current directory, which is seldom what a caller wants.
	Dir string
	// Env is the command's whole environment, passed as is (nil: empty);
	// build it with [Env]. The HOME and TMPDIR it names are writable
	// inside the sandbox where they exist.
	Env []string

	// Timeout is the wall-clock limit: the whole process tree is killed
	// when it passes. Zero means no limit but ctx's.
	Timeout time.Duration
	// MemLimit is the limit, in bytes, on the resident memory summed over
	// every process of the sandbox, polled about every 50 ms; the whole
	// tree is killed past it. Zero means no limit.
	MemLimit int64

	// ReadOnly lists paths that are read-only inside the sandbox even where
	// they lie under a writable one (the user's module, the real HOME).
	// Paths that do not exist are skipped.
	//
	// With namespaces, everything but Dir, Writable and the HOME and
	// TMPDIR of Env is read-only anyway, and /tmp, /var/tmp, /run and
	// /dev/shm are private and empty: a path under them is seen only if
	// it is one of those, is listed here, or is the program or a GOROOT,
	// GOPATH, GOMODCACHE or PATH directory of Env. See the package
	// documentation.
	ReadOnly []string
	// Writable lists paths writable inside the sandbox, which must exist:
	// the root of a [Tree] (a test may write beside its package), a
	// GOCACHE of the sandbox's own, the directory where a coverage profile
	// is to be written. The deepest of ReadOnly and Writable that holds a
	// path decides; at equal depth ReadOnly wins.
	Writable []string
	// Hide lists paths that look empty inside the sandbox: a directory is
	// covered by an empty read-only one and a file reads as empty. Paths
	// that do not exist are skipped. See [CredentialPaths].
	Hide []string

	// Stdout and Stderr receive the command's output, at most MaxOutput
	// bytes of each (Result.Truncated tells when more was dropped). They
	// may be the same writer; the two streams are then one, interleaved as
	// written, and bounded together. Nil discards.
	Stdout, Stderr io.Writer

	// fallback forces the fallback isolation even where namespaces work
	// (tests).
	fallback bool
	// legacyMounts makes read-only mounts with remount(2) instead of
	// mount_setattr(2), as on kernels older than 5.12 (tests).
	//lint:ignore U1000 used on Linux
	legacyMounts bool
}

// Result is the outcome of [Run].
type Result struct {
	// Exited reports whether the command ran and exited by itself, with
	// status ExitCode.
	Exited bool
	// ExitCode is the command's exit status when Exited, -1 otherwise.
	ExitCode int
	// Signal names the signal that ended the command when it died of one
	// that the sandbox did not send ("segmentation fault", "killed").
	Signal string
	// TimedOut reports whether the tree was killed at Spec.Timeout.
	TimedOut bool
	// OverMemory reports whether the tree was killed for holding more than
	// Spec.MemLimit bytes of resident memory.
	OverMemory bool
	// PeakRSS is the largest resident size of the tree seen, in bytes: the
	// largest polled sum, or the largest single process where that is
	// larger; 0 where the system does not report sizes.
	PeakRSS int64
	// Truncated reports whether output past the 8 MiB bound was dropped.
	Truncated bool
	// Err is why the command could not be run, or ctx's error if ctx was
	// done first. It is nil when the command ran, whatever its status.
	Err error
}

// MaxOutput bounds the output kept of each stream of one command.
const MaxOutput = 8 << 20

// Run runs the command that s describes, isolated as well as this machine
// allows (see [Isolation]), and waits for it and for every process it
// started: when Run returns, no process of the sandbox is left. Run is safe
// for concurrent use.
func Run(ctx context.Context, s *Spec) Result {
	if err := ctx.Err(); err != nil {
		return Result{ExitCode: -1, Err: err}
	}
	p, err := prepare(s)
	if err != nil {
		return Result{ExitCode: -1, Err: err}
	}
	return run(ctx, s, p)
}

// prepared is what Run derives from a Spec before starting anything.
type prepared struct {
	path   string    // absolute program path
	dir    string    // absolute working directory
	stdout io.Writer // bounded
	stderr io.Writer // bounded; == stdout when combined
	out    []*boundedWriter
}

func prepare(s *Spec) (*prepared, error) {
	if s.Path == "" {
		return nil, errors.New("sandbox: no program")
	}
	if s.MemLimit < 0 || s.Timeout < 0 {
		return nil, errors.New("sandbox: negative limit")
	}
	path, err := lookPath(s.Path, lookupEnv(s.Env, "PATH"))
	if err != nil {
		return nil, err
	}
	dir := s.Dir
	if dir == "" {
		dir = "."
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, fmt.Errorf("sandbox: %v", err)
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("sandbox: working directory: %v", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("sandbox: working directory %s is not a directory", dir)
	}
	p := &prepared{path: path, dir: dir}
	bound := func(w io.Writer) *boundedWriter {
		if w == nil {
			w = io.Discard
		}
		b := &boundedWriter{w: w, room: MaxOutput}
		p.out = append(p.out, b)
		return b
	}
	so := bound(s.Stdout)
	p.stdout = so
	if s.Stderr != nil && s.Stderr == s.Stdout {
		p.stderr = so
	} else {
		p.stderr = bound(s.Stderr)
	}
	return p, nil
}

// truncated reports whether any output was dropped.
func (p *prepared) truncated() bool {
	for _, b := range p.out {
		if b.dropped() {
			return true
		}
	}
	return false
}

// lookPath resolves file as exec.LookPath does, but against the PATH of
// the command's environment rather than the caller's.
func lookPath(file, pathEnv string) (string, error) {
	check := func(p string) error {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if fi.IsDir() || (!isExecutable(fi)) {
			return fmt.Errorf("%s is not an executable file", p)
		}
		return nil
	}
	if strings.ContainsRune(file, filepath.Separator) || strings.ContainsRune(file, '/') {
		p, err := filepath.Abs(file)
		if err != nil {
			return "", fmt.Errorf("sandbox: %v", err)
		}
		if err := check(p); err != nil {
			return "", fmt.Errorf("sandbox: %v", err)
		}
		return p, nil
	}
	for _, d := range filepath.SplitList(pathEnv) {
		if d == "" || !filepath.IsAbs(d) {
			continue // never the working directory
		}
		for _, name := range executableNames(file) {
			p := filepath.Join(d, name)
			if check(p) == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("sandbox: %s: executable file not found in the command's PATH", file)
}

// lookupEnv returns the value of the last entry for name in env.
func lookupEnv(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == name {
			v = val
		}
	}
	return v
}

// boundedWriter forwards at most room bytes to w and drops the rest, so a
// command that prints without end neither blocks nor fills memory.
type boundedWriter struct {
	mu   sync.Mutex
	w    io.Writer
	room int
	over bool // something was dropped
}

func (b *boundedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := min(len(p), b.room)
	if n < len(p) {
		b.over = true
	}
	if n > 0 {
		b.room -= n
		if _, err := b.w.Write(p[:n]); err != nil {
			b.room = 0 // a failing writer gets nothing more
		}
	}
	return len(p), nil
}

func (b *boundedWriter) dropped() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.over
}
