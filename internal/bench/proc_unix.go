//go:build unix

package bench

import (
	"os/exec"
	"syscall"
)

// setProcessGroup makes cmd lead a process group of its own, so that a
// timeout kills the fixer and everything it started.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
