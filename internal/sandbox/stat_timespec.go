//go:build darwin || freebsd || netbsd || dragonfly

package sandbox

import "syscall"

func mtimeOf(st *syscall.Stat_t) syscall.Timespec { return st.Mtimespec }
func ctimeOf(st *syscall.Stat_t) syscall.Timespec { return st.Ctimespec }
