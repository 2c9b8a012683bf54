//go:build unix

package constraints_test

import (
	"syscall"
	"testing"
	"time"
)

// waitGone fails unless process pid is gone within a few seconds.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for range 30 {
		if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("child process %d of the hanging test is still alive", pid)
	syscall.Kill(pid, syscall.SIGKILL)
}
