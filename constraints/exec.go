package constraints

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// cmdResult is the outcome of runCmd.
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

// runCmd runs name with args in dir, killing its whole process group
// when timeout passes or ctx is done.
func runCmd(ctx context.Context, dir string, env []string, timeout time.Duration, name string, args ...string) cmdResult {
	return runCmdCombined(ctx, dir, env, timeout, 0, false, name, args...)
}

// runCmdCombined is runCmd; if combined, stderr is written to stdout too,
// interleaved as the command wrote it. If memLimit > 0 and the system
// reports process sizes, the command's process group is killed once the
// command's resident size passes memLimit bytes.
func runCmdCombined(ctx context.Context, dir string, env []string, timeout time.Duration, memLimit int64, combined bool, name string, args ...string) cmdResult {
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr limitedBuffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if combined {
		cmd.Stderr = &stdout
	}
	setProcessGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Start()
	if err != nil {
		return cmdResult{err: err}
	}
	var (
		over atomic.Bool
		peak atomic.Int64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	if memLimit > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
				}
				rss, ok := treeResidentSize(cmd.Process.Pid)
				if !ok {
					return
				}
				peak.Store(max(peak.Load(), rss))
				if rss > memLimit {
					over.Store(true)
					killProcessGroup(cmd)
					_ = cmd.Process.Kill()
					return
				}
			}
		}()
	}
	err = cmd.Wait()
	close(done)
	wg.Wait()
	killProcessGroup(cmd) // leftover grandchildren
	res := cmdResult{stdout: stdout.Bytes(), stderr: stderr.Bytes(), err: err, overMemory: over.Load(), peakRSS: peak.Load()}
	if res.overMemory {
		res.exited = false
		return res
	}
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

// treeResidentSize returns the resident set size of process pid and all
// its descendants, in bytes, from /proc (Linux); false where the system
// does not report it.
func treeResidentSize(pid int) (int64, bool) {
	total, ok := residentSize(pid)
	if !ok {
		return 0, false
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return total, true
	}
	parent := map[int]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(f[1])
		parent[p] = pp
	}
	for p := range parent {
		for q, n := parent[p], 0; q > 1 && n < 64; q, n = parent[q], n+1 {
			if q == pid {
				if rss, ok := residentSize(p); ok {
					total += rss
				}
				break
			}
		}
	}
	return total, true
}

// residentSize returns the resident set size of process pid in bytes,
// from /proc (Linux); false where the system does not report it.
func residentSize(pid int) (int64, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}
