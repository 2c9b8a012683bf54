package constraints

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"time"
)

// cmdResult is the outcome of a command: the go command (runCmd) or a
// test binary in the sandbox (runTestBinary).
type cmdResult struct {
	stdout, stderr []byte
	err            error // nil on exit status 0
	exited         bool  // the command ran and exited (possibly non-zero)
	timedOut       bool  // killed at the timeout
	overMemory     bool  // killed for using more than the memory limit
	peakRSS        int64 // the largest resident size seen, in bytes (0: not watched)
}

// maxOutput bounds the output kept of one command.
const maxOutput = 8 << 20

// runCmd runs the go command (name, args) in dir, killing its whole
// process group when timeout passes or ctx is done. It never runs
// candidate code: test binaries run in the sandbox.
func runCmd(ctx context.Context, dir string, env []string, timeout time.Duration, name string, args ...string) cmdResult {
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr limitedBuffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	setProcessGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	killProcessGroup(cmd) // leftover grandchildren
	res := cmdResult{stdout: stdout.Bytes(), stderr: stderr.Bytes(), err: err}
	var ee *exec.ExitError
	res.exited = err == nil || errors.As(err, &ee)
	if tctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
		res.timedOut = true
		res.exited = false
	} else if ctx.Err() != nil {
		res.err = ctx.Err()
		res.exited = false
	}
	return res
}

// limitedBuffer keeps the first maxOutput bytes written to it.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxOutput - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
