//go:build linux

package constraints_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitGone fails unless, within a few seconds, no process runs with the
// command line cmdline (its arguments joined by NULs). Processes are
// found in /proc, so it works whatever PID namespace they ran in.
func waitGone(t *testing.T, cmdline string) {
	t.Helper()
	var pids []int
	for range 30 {
		pids = pids[:0]
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
		if len(pids) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("child processes %v of the hanging test are still alive", pids)
	for _, pid := range pids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}
