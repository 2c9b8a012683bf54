package constraints

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/difgen/difgen/internal/sandbox"
	"github.com/difgen/difgen/internal/tempdir"
)

// Candidate code is untrusted code (design §4b): test binaries run in a
// sandbox, never in the user's tree. Each Checker keeps a scratch copy of
// the module (a sandbox.Tree), reset before every run, with a scratch HOME
// and TMPDIR; the run sees an allow-listed environment, no network but
// loopback, none of the user's processes, and a read-only file system
// beside its scratch space. Builds (go build, go test -c) run the go
// command, not candidate code, and stay outside.

// scratch is a Checker's sandbox space.
type scratch struct {
	dir  string // holds tree/, home/, tmp/
	tree *sandbox.Tree
}

// runTestBinary runs a test binary (under test2json) in the sandbox, with
// output combined, killing all its processes at timeout or past memLimit
// bytes. Paths in writable (a coverage profile's directory) may be
// written. The caller holds c.runMu.
func (c *Checker) runTestBinary(ctx context.Context, env []string, writable []string, timeout time.Duration, memLimit int64, name string, args ...string) (cmdResult, error) {
	s, err := c.scratch()
	if err != nil {
		return cmdResult{}, err
	}
	home, tmp := filepath.Join(s.dir, "home"), filepath.Join(s.dir, "tmp")
	for _, d := range []string{home, tmp} {
		if err := os.RemoveAll(d); err != nil {
			return cmdResult{}, err
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return cmdResult{}, err
		}
	}
	var out bytes.Buffer
	spec := &sandbox.Spec{
		Path:     name,
		Args:     args,
		Dir:      s.tree.PkgDir(),
		Env:      sandbox.Env(home, tmp, withoutDirs(env)),
		Timeout:  timeout,
		MemLimit: memLimit,
		ReadOnly: c.readOnly(),
		Writable: append([]string{s.tree.Root()}, append(writable, c.opts.Writable...)...),
		Hide:     c.hide(),
		Stdout:   &out,
		Stderr:   &out,
	}
	res := sandbox.Run(ctx, spec)
	if res.Err != nil {
		if ctx.Err() != nil {
			return cmdResult{err: ctx.Err()}, nil
		}
		return cmdResult{}, res.Err
	}
	cr := cmdResult{stdout: out.Bytes(), exited: res.Exited, timedOut: res.TimedOut, overMemory: res.OverMemory, peakRSS: res.PeakRSS}
	if !res.Exited || res.ExitCode != 0 {
		cr.err = errors.New("exit status " + res.Signal)
		if res.Exited {
			cr.err = &exitStatus{res.ExitCode}
		}
	}
	if ctx.Err() != nil && !res.Exited {
		cr.err = ctx.Err()
	}
	return cr, nil
}

// withoutDirs returns env without HOME and TMPDIR, which the sandbox
// sets to its scratch directories.
func withoutDirs(env []string) []string {
	var out []string
	for _, kv := range env {
		if name, _, _ := strings.Cut(kv, "="); name != "HOME" && name != "TMPDIR" {
			out = append(out, kv)
		}
	}
	return out
}

// exitStatus is a non-zero exit of a sandboxed command.
type exitStatus struct{ code int }

func (e *exitStatus) Error() string { return "exit status " + itoa(e.code) }

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// scratch returns the Checker's sandbox space, made on first use and
// reset to the package as it is on disk before each run.
func (c *Checker) scratch() (*scratch, error) {
	if c.sb != nil {
		if err := c.sb.tree.Reset(); err == nil {
			return c.sb, nil
		}
		// The user changed the package under us: copy it again.
		c.sb.tree.Remove()
		c.sb.tree = nil
	}
	if c.sb == nil {
		dir, err := tempdir.MkdirTemp("difgen-sandbox-")
		if err != nil {
			return nil, err
		}
		c.sb = &scratch{dir: dir}
		c.opts.logf("constraints: tests run in a sandbox: %s", sandbox.Isolation())
	}
	mod := c.pkg.ModuleDir
	if mod == "" || !within(mod, c.pkg.Dir) {
		mod = c.pkg.Dir // the standard library: the package alone
	}
	tree, err := sandbox.NewTree(filepath.Join(c.sb.dir, "tree"), mod, c.pkg.Dir)
	if err != nil {
		return nil, err
	}
	if tree.Partial() {
		c.opts.logf("constraints: the module is too large to copy for the tests; they see %s, its testdata and go.mod only", c.pkg.Dir)
	}
	c.sb.tree = tree
	return c.sb, nil
}

// readOnly lists what the tests must never write: the user's module and
// home (everything else outside the scratch space is read-only too where
// the system has namespaces).
func (c *Checker) readOnly() []string {
	ro := []string{c.pkg.Dir}
	if c.pkg.ModuleDir != "" {
		ro = append(ro, c.pkg.ModuleDir)
	}
	if h, err := os.UserHomeDir(); err == nil {
		ro = append(ro, h)
	}
	return ro
}

// hide lists the user's credential files, which the tests see empty.
func (c *Checker) hide() []string {
	h, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	return sandbox.CredentialPaths(h)
}

// Close removes the Checker's scratch space. A Checker must not be used
// after Close.
func (c *Checker) Close() error {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	if c.sb == nil {
		return nil
	}
	err := os.RemoveAll(c.sb.dir)
	c.sb = nil
	return err
}
