//go:build unix

package tempdir

import (
	"os"
	"syscall"
)

// lockSupported reports whether lock tells a live session from a dead one.
const lockSupported = true

// lock takes an exclusive flock on f, waiting for it if block is set; the
// kernel releases it when the process dies.
func lock(f *os.File, block bool) error {
	how := syscall.LOCK_EX
	if !block {
		how |= syscall.LOCK_NB
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

// alive reports whether a process with this pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
