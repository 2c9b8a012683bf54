//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package filetx

import (
	"os"
	"syscall"
)

// locking reports whether directory locks keep Recover off a live
// writer's files.
const locking = true

// tryLock takes an flock on f without waiting; false when another open
// file holds a conflicting one.
func tryLock(f *os.File, exclusive bool) (bool, error) {
	how := syscall.LOCK_SH | syscall.LOCK_NB
	if exclusive {
		how = syscall.LOCK_EX | syscall.LOCK_NB
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		switch err {
		case nil:
			return true, nil
		case syscall.EWOULDBLOCK:
			return false, nil
		case syscall.EINTR:
			continue
		}
		return false, err
	}
}

const (
	wOK = 0x2 // access(2)'s W_OK
	xOK = 0x1 // X_OK
)

// canWrite reports whether this process may write the file name.
func canWrite(name string) bool { return syscall.Access(name, wOK) == nil }

// canWriteDir reports whether this process may create and rename files in
// the directory dir.
func canWriteDir(dir string) bool { return syscall.Access(dir, wOK|xOK) == nil }

// keepOwner gives the temporary f the owner and group of the file it
// replaces, where this process may (as root, or for the group).
func keepOwner(f *os.File, orig string) {
	fi, err := os.Stat(orig)
	if err != nil {
		return
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	if int(st.Uid) != os.Geteuid() || int(st.Gid) != os.Getegid() {
		f.Chown(int(st.Uid), int(st.Gid))
	}
}
