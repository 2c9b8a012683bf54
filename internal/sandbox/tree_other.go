//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || solaris)

package sandbox

import (
	"io/fs"
	"time"
)

// fileStamp identifies one version of a file as well as the system lets
// a portable program: by its modification time (size and mode are
// compared too).
type fileStamp struct{ mtime time.Time }

func stampOf(fi fs.FileInfo) fileStamp { return fileStamp{fi.ModTime()} }
