//go:build !unix

package bench

import "os/exec"

// setProcessGroup kills only the process itself where process groups are
// not available.
func setProcessGroup(cmd *exec.Cmd) {}
