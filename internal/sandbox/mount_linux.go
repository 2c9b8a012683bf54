package sandbox

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// setupNamespaces builds the sandbox's view of the system inside init's
// fresh mount and network namespaces:
//
//	/                 everything read-only (recursively)
//	/proc             a new procfs of the PID namespace: only the sandbox's processes;
//	                  the system-wide files read-only or covered, as Docker does
//	/dev              a tmpfs with null, zero, full, random, urandom and tty bound
//	                  from the host, and a private /dev/shm
//	/tmp, /var/tmp    private, empty, writable tmpfs mounts
//	/run, /var/run    private, empty, read-only tmpfs mounts
//	cfg.Keep          bound back at their own paths, writable or read-only
//	cfg.Hide          covered: an empty directory, or a file that reads as empty
//	lo                up; no other interface exists
func setupNamespaces(cfg *initConfig) error {
	if err := mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making mounts private: %v", err)
	}

	// Open what is bound back later before anything covers it.
	keepFD := make([]int, len(cfg.Keep))
	for i, k := range cfg.Keep {
		fd, err := openPath(k.Path)
		if err != nil {
			return fmt.Errorf("opening %s: %v", k.Path, err)
		}
		keepFD[i] = fd
	}
	devNodes := []string{"null", "zero", "full", "random", "urandom", "tty"}
	devFD := make(map[string]int)
	for _, n := range devNodes {
		if fd, err := openPath("/dev/" + n); err == nil {
			devFD[n] = fd
		}
	}
	if _, ok := devFD["null"]; !ok {
		return fmt.Errorf("no /dev/null")
	}

	if err := setReadOnly("/", true, true, cfg.Legacy); err != nil {
		return fmt.Errorf("making / read-only: %v", err)
	}
	if err := setupProc(devFD["null"], cfg.Legacy); err != nil {
		return err
	}

	keeps := make([]string, len(cfg.Keep))
	for i, k := range cfg.Keep {
		keeps[i] = k.Path
	}
	// A masked directory stays as it is where the caller keeps it or a
	// directory above it.
	kept := func(dir string) bool {
		for _, k := range keeps {
			if under(dir, k) {
				return true
			}
		}
		return false
	}
	var roMasks []string
	for _, m := range maskedDirs {
		if m == "/dev/shm" {
			continue // part of /dev below
		}
		fi, err := os.Lstat(m)
		if err != nil || !fi.IsDir() || kept(m) {
			continue
		}
		mode, ro := "1777", false
		if strings.HasSuffix(m, "/run") {
			mode, ro = "755", true
		}
		if err := mount("tmpfs", m, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, fmt.Sprintf("mode=%s,size=%d", mode, cfg.TmpSize)); err != nil {
			return fmt.Errorf("mounting a tmpfs on %s: %v", m, err)
		}
		if ro {
			roMasks = append(roMasks, m)
		}
	}
	if err := setupDev(devFD, cfg.TmpSize); err != nil {
		return err
	}

	for i, k := range cfg.Keep {
		if err := bindKeep(k, keepFD[i], cfg.Legacy); err != nil {
			return err
		}
		syscall.Close(keepFD[i])
	}
	for _, h := range cfg.Hide {
		if err := hide(h, devFD["null"]); err != nil {
			return err
		}
	}
	for _, fd := range devFD {
		syscall.Close(fd)
	}
	for _, m := range append(roMasks, "/dev") {
		if err := setReadOnly(m, true, false, cfg.Legacy); err != nil {
			return fmt.Errorf("making %s read-only: %v", m, err)
		}
	}
	if err := loopbackUp(); err != nil {
		return fmt.Errorf("bringing up lo: %v", err)
	}
	return nil
}

// setupProc mounts a procfs of the sandbox's PID namespace on /proc. It
// stays writable, because init writes the command's uid_map there (and a
// read-only procfs gains nothing for a process's own files), but its
// system-wide files are made read-only or covered, as Docker does: a root
// caller's command could otherwise write /proc/sysrq-trigger.
func setupProc(null int, legacy bool) error {
	if err := mount("proc", "/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mounting /proc: %v", err)
	}
	for _, p := range []string{"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs"} {
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		if err := mount(p, p, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
			return fmt.Errorf("binding %s: %v", p, err)
		}
		if err := setReadOnly(p, true, true, legacy); err != nil {
			return fmt.Errorf("making %s read-only: %v", p, err)
		}
	}
	for _, p := range []string{"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
		"/proc/latency_stats", "/proc/timer_stats", "/proc/acpi", "/proc/scsi", "/proc/asound"} {
		if err := hide(p, null); err != nil {
			return err
		}
	}
	return nil
}

// setupDev covers /dev with a tmpfs holding the harmless device nodes of
// the host (a root caller's command could otherwise write to disks), the
// usual symbolic links and a private /dev/shm.
func setupDev(devFD map[string]int, tmpSize int64) error {
	if err := mount("tmpfs", "/dev", "tmpfs", syscall.MS_NOSUID|syscall.MS_NOEXEC, "mode=755,size=65536"); err != nil {
		return fmt.Errorf("mounting a tmpfs on /dev: %v", err)
	}
	names := make([]string, 0, len(devFD))
	for n := range devFD {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		p := "/dev/" + n
		if err := os.WriteFile(p, nil, 0o666); err != nil {
			return err
		}
		if err := mount(fdPath(devFD[n]), p, "", syscall.MS_BIND, ""); err != nil {
			return fmt.Errorf("binding %s: %v", p, err)
		}
	}
	for name, target := range map[string]string{
		"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
		"stderr": "/proc/self/fd/2",
	} {
		if err := os.Symlink(target, "/dev/"+name); err != nil {
			return err
		}
	}
	if err := os.Mkdir("/dev/shm", 0o1777); err != nil {
		return err
	}
	if err := mount("tmpfs", "/dev/shm", "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, fmt.Sprintf("mode=1777,size=%d", tmpSize)); err != nil {
		return fmt.Errorf("mounting a tmpfs on /dev/shm: %v", err)
	}
	return nil
}

// bindKeep binds k.Path, open as fd, back at its own path with k's access.
// Its mount point is made first where a mask covers it.
func bindKeep(k keepPath, fd int, legacy bool) error {
	if k.Path == "/" {
		return setReadOnly("/", !k.Writable, true, legacy)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return err
	}
	isDir := st.Mode&syscall.S_IFMT == syscall.S_IFDIR
	if _, err := os.Lstat(k.Path); err != nil {
		if err := os.MkdirAll(filepath.Dir(k.Path), 0o755); err != nil {
			return fmt.Errorf("making a mount point for %s: %v", k.Path, err)
		}
		if isDir {
			err = os.Mkdir(k.Path, 0o755)
		} else {
			err = os.WriteFile(k.Path, nil, 0o644)
		}
		if err != nil {
			return fmt.Errorf("making a mount point for %s: %v", k.Path, err)
		}
	}
	if err := mount(fdPath(fd), k.Path, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		return fmt.Errorf("binding %s: %v", k.Path, err)
	}
	if err := setReadOnly(k.Path, !k.Writable, true, legacy); err != nil {
		what := "read-only"
		if k.Writable {
			what = "writable"
		}
		return fmt.Errorf("making %s %s: %v", k.Path, what, err)
	}
	return nil
}

// hide covers path: a directory with an empty read-only tmpfs, anything
// else with /dev/null (open as null).
func hide(path string, null int) error {
	fi, err := os.Stat(path)
	if err != nil {
		return nil // gone, or under something hidden already
	}
	if fi.IsDir() {
		err = mount("tmpfs", path, "tmpfs", syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, "mode=755,size=4096")
	} else {
		err = mount(fdPath(null), path, "", syscall.MS_BIND, "")
	}
	if err != nil {
		return fmt.Errorf("hiding %s: %v", path, err)
	}
	return nil
}

func mount(source, target, fstype string, flags uintptr, data string) error {
	return syscall.Mount(source, target, fstype, flags, data)
}

// openPath opens path with O_PATH, for binding it later by /proc/self/fd.
func openPath(path string) (int, error) {
	const oPath = 0x200000
	return syscall.Open(path, oPath|syscall.O_CLOEXEC, 0)
}

func fdPath(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// mount_setattr(2), Linux 5.12; its number is the same on every
// architecture.
const (
	sysMountSetattr = 442
	atRecursive     = 0x8000
	mountAttrRdonly = 0x1
)

type mountAttr struct {
	attrSet, attrClr, propagation, usernsFD uint64
}

// setReadOnly makes the mount at path read-only, or writable again, and
// with recursive every mount below it too. A mount below that the kernel
// keeps read-only (one read-only outside the sandbox) stays so.
func setReadOnly(path string, ro, recursive, legacy bool) error {
	if !legacy {
		err := mountSetattr(path, ro, recursive)
		if err == syscall.EPERM && !ro && recursive {
			// A locked read-only mount below: change the top alone.
			err = mountSetattr(path, ro, false)
		}
		if err != syscall.ENOSYS {
			return err
		}
	}
	mounts := []string{path}
	if recursive {
		var err error
		if mounts, err = mountsUnder(path); err != nil {
			return err
		}
	}
	for i, m := range mounts {
		var st syscall.Statfs_t
		if err := syscall.Statfs(m, &st); err != nil {
			if i == 0 {
				return err
			}
			continue
		}
		// A remount must repeat the flags that the kernel locks.
		flags := uintptr(syscall.MS_REMOUNT | syscall.MS_BIND)
		for _, f := range statfsFlags {
			if int64(st.Flags)&f.st != 0 {
				flags |= f.ms
			}
		}
		flags &^= syscall.MS_RDONLY
		if ro {
			flags |= syscall.MS_RDONLY
		}
		if err := mount("", m, "", flags, ""); err != nil && i == 0 {
			return err
		}
	}
	return nil
}

var statfsFlags = []struct {
	st int64
	ms uintptr
}{
	{0x1, syscall.MS_RDONLY}, {0x2, syscall.MS_NOSUID}, {0x4, syscall.MS_NODEV},
	{0x8, syscall.MS_NOEXEC}, {0x400, syscall.MS_NOATIME}, {0x800, syscall.MS_NODIRATIME},
	{0x1000, syscall.MS_RELATIME},
}

func mountSetattr(path string, ro, recursive bool) error {
	p, err := syscall.BytePtrFromString(path)
	if err != nil {
		return err
	}
	var attr mountAttr
	if ro {
		attr.attrSet = mountAttrRdonly
	} else {
		attr.attrClr = mountAttrRdonly
	}
	flags := 0
	if recursive {
		flags = atRecursive
	}
	dirfd := -100 // AT_FDCWD
	_, _, e := syscall.Syscall6(sysMountSetattr, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(flags),
		uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr), 0)
	if e != 0 {
		return e
	}
	return nil
}

// mountsUnder lists the mount points at or below path, parents first,
// from /proc/self/mountinfo.
func mountsUnder(path string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		m := unescapeMountinfo(fields[4])
		if under(m, path) {
			out = append(out, m)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b string) int { return depth(a) - depth(b) })
	out = slices.Compact(out)
	if len(out) == 0 || out[0] != path {
		return nil, fmt.Errorf("%s is not a mount point", path)
	}
	return out, nil
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) of a
// mountinfo field.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// loopbackUp brings up lo, the only interface of a new network namespace,
// so that tests can listen on and dial 127.0.0.1 and ::1.
func loopbackUp() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	var ifr [40]byte // struct ifreq: name[16], then flags (short)
	copy(ifr[:], "lo")
	if err := ioctl(fd, syscall.SIOCGIFFLAGS, unsafe.Pointer(&ifr[0])); err != nil {
		return err
	}
	flags := *(*uint16)(unsafe.Pointer(&ifr[16]))
	flags |= syscall.IFF_UP | syscall.IFF_RUNNING
	*(*uint16)(unsafe.Pointer(&ifr[16])) = flags
	return ioctl(fd, syscall.SIOCSIFFLAGS, unsafe.Pointer(&ifr[0]))
}

func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(arg))
	if e != 0 {
		return e
	}
	return nil
}
