//go:build linux

package constraints

import "syscall"

// dieWithParent makes the kernel kill the process when difgen dies, even
// by SIGKILL, so that no go command outlives the run that started it and
// writes into temporary directories the next run has cleaned.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
