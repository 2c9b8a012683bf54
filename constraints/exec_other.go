//go:build !unix

package constraints

import "os/exec"

// setProcessGroup is a no-op where process groups are not available: only
// the command itself is killed at the timeout.
func setProcessGroup(cmd *exec.Cmd) {}

func killProcessGroup(cmd *exec.Cmd) {}
