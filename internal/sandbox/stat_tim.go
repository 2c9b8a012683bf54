//go:build linux || openbsd || solaris

package sandbox

import "syscall"

func mtimeOf(st *syscall.Stat_t) syscall.Timespec { return st.Mtim }
func ctimeOf(st *syscall.Stat_t) syscall.Timespec { return st.Ctim }
