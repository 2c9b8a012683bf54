//go:build !linux

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"time"
)

// run runs the command with the isolation a system without Linux's
// namespaces gives: its own process group (Unix), killed as a whole.
func run(ctx context.Context, s *Spec, p *prepared) Result {
	res := Result{ExitCode: -1}
	cmd := exec.Command(p.path, s.Args...)
	cmd.Dir = p.dir
	cmd.Env = s.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	cmd.WaitDelay = 2 * time.Second
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		res.Err = fmt.Errorf("sandbox: %v", err)
		return res
	}
	var timeout <-chan time.Time
	if s.Timeout > 0 {
		t := time.NewTimer(s.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var err error
	reason := ""
	select {
	case err = <-waited:
	case <-ctx.Done():
		reason = "ctx"
	case <-timeout:
		reason = "timeout"
	}
	if reason != "" {
		killProcessGroup(cmd)
		err = <-waited
	}
	killProcessGroup(cmd) // what the command left behind in its group
	res.Truncated = p.truncated()
	var ee *exec.ExitError
	switch {
	case reason == "ctx":
		res.Err = ctx.Err()
	case reason == "timeout":
		res.TimedOut = true
	case err == nil:
		res.Exited, res.ExitCode = true, 0
	case errors.As(err, &ee) && ee.Exited():
		res.Exited, res.ExitCode = true, ee.ExitCode()
	case errors.As(err, &ee):
		res.Signal = ee.String()
	default:
		res.Err = fmt.Errorf("sandbox: %v", err)
	}
	return res
}

func isolation() Info {
	info := Info{
		Have: []string{"the command's process group is killed as a whole at the timeout and when it exits"},
		Missing: []string{
			"namespaces (" + runtime.GOOS + " has none): the command sees the user's other processes, can write wherever the user can and can reach the network",
			"a process that leaves the command's process group (setsid) survives it, and so does the tree when difgen is killed",
			"memory limit: " + runtime.GOOS + " has no /proc to measure the tree; Spec.MemLimit is ignored",
		},
	}
	if runtime.GOOS == "windows" {
		info.Have = []string{"the command is killed at the timeout"}
		info.Missing[1] = "processes the command starts survive it (no job object is used)"
	}
	return info
}
