//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || solaris

package sandbox

import (
	"io/fs"
	"syscall"
)

// fileStamp identifies one version of a file: writing it, or setting its
// times back, changes the change time; replacing it changes the inode.
type fileStamp struct {
	mtime, ctime syscall.Timespec
	dev, ino     uint64
}

func stampOf(fi fs.FileInfo) fileStamp {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileStamp{}
	}
	return fileStamp{mtime: mtimeOf(st), ctime: ctimeOf(st), dev: uint64(st.Dev), ino: uint64(st.Ino)}
}
