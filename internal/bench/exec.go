package bench

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"time"
)

// A cmdResult is what one command left behind.
type cmdResult struct {
	Out      string // stdout
	Err      string // stderr
	Code     int    // exit status; -1 when it did not run or was killed
	TimedOut bool
	Wall     time.Duration
	StartErr error // the command could not start
}

// runCmd runs argv in dir with env, killing its process group when
// timeout passes or ctx ends.
func runCmd(ctx context.Context, dir string, env []string, timeout time.Duration, argv ...string) cmdResult {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	setProcessGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := cmdResult{Out: stdout.String(), Err: stderr.String(), Wall: time.Since(start), Code: -1}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.TimedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
	case err == nil:
		r.Code = 0
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	default:
		r.StartErr = err
	}
	return r
}

// goEnv is the environment of go commands run on cases: offline, in
// module mode, with secrets scrubbed because generated code runs there.
func goEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		u := strings.ToUpper(k)
		if strings.Contains(u, "KEY") || strings.Contains(u, "TOKEN") || strings.Contains(u, "SECRET") || strings.Contains(u, "PASSWORD") {
			continue
		}
		switch k {
		case "GOFLAGS", "GOPROXY", "GOWORK", "GOTOOLCHAIN", "GONOSUMDB", "GOFLAGS_EXTRA":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
}

// onlineEnv is goEnv with the module proxy allowed, for preparing
// sources.
func onlineEnv() []string {
	env := goEnv()
	for i, kv := range env {
		if kv == "GOPROXY=off" {
			env[i] = "GOPROXY=" + proxy()
		}
	}
	return env
}

func proxy() string {
	if p := os.Getenv("GOPROXY"); p != "" && p != "off" {
		return p
	}
	return "https://proxy.golang.org,direct"
}

// firstLines returns the first n lines of s, trimmed.
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}
