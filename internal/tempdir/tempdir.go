// Package tempdir keeps the temporary directories of a process under one
// session directory, $TMPDIR/difgen-<pid>-<random>, so that a process that
// dies leaves at most that one directory behind, and the next process to
// start removes it.
//
// A session directory holds a file "lock" that its process keeps locked
// (flock) while it lives. [Start] removes the sessions whose lock is free:
// their process is dead, however its pid was reused since. It also
// removes the temporary directories of difgen binaries that predate
// sessions (difgen-build-*, difgen-test-*, difgen-overlay-*, difgen-bench-*
// directly in $TMPDIR) once they are older than [LegacyAge], because those
// binaries hold no lock to tell a live directory from a dead one.
//
// The session is the one piece of process-wide state of difgen's packages,
// as the process's TMPDIR is: main starts it and closes it, and
// [MkdirTemp] makes every temporary directory under it.
package tempdir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LegacyAge is how old a temporary directory of a difgen binary that
// predates sessions must be before Start removes it. Such a directory
// lives as long as one go build or one test run of that binary (its
// -timeout, 30 s by default) or one benchmark case; a day leaves a wide
// margin for any run still alive.
const LegacyAge = 24 * time.Hour

// lockName is the name of the lock file in a session directory.
const lockName = "lock"

// A Session is the temporary directory of one process.
type Session struct {
	dir  string
	lock *os.File // held locked while the session lives

	closeOnce sync.Once
	closeErr  error
}

var (
	mu      sync.Mutex
	current *Session
)

// sessionName matches the name of a session directory.
var sessionName = regexp.MustCompile(`^difgen-[0-9]+-[0-9a-f]+$`)

// legacyPrefixes are the prefixes of the temporary directories of difgen
// binaries that predate sessions.
var legacyPrefixes = []string{"difgen-build-", "difgen-test-", "difgen-overlay-", "difgen-bench-"}

// Start creates the session directory of this process in parent ("" means
// os.TempDir()), after removing the sessions of dead processes and old
// temporary directories of earlier binaries there (see the package
// documentation). While the session is open, [MkdirTemp] creates
// directories in it. Only one session is open at a time: Start fails if
// one is.
func Start(parent string) (*Session, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	mu.Lock()
	defer mu.Unlock()
	if current != nil {
		return nil, fmt.Errorf("tempdir: a session is already open (%s)", current.dir)
	}
	Clean(parent)
	for range 10 {
		s, err := create(parent)
		if err != nil {
			return nil, err
		}
		if s != nil {
			current = s
			return s, nil
		}
	}
	return nil, errors.New("tempdir: could not lock a new session directory")
}

// create makes a session directory and locks it; nil when a concurrent
// Clean removed the directory before the lock was taken.
func create(parent string) (*Session, error) {
	var r [4]byte
	rand.Read(r[:])
	dir := filepath.Join(parent, fmt.Sprintf("difgen-%d-%s", os.Getpid(), hex.EncodeToString(r[:])))
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("tempdir: %v", err)
	}
	name := filepath.Join(dir, lockName)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		os.RemoveAll(dir)
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrExist) {
			return nil, nil // removed or taken by a concurrent Clean
		}
		return nil, fmt.Errorf("tempdir: %v", err)
	}
	if err := lock(f, true); err != nil {
		f.Close()
		return nil, fmt.Errorf("tempdir: lock %s: %v", name, err)
	}
	// Between creating the lock file and locking it, a concurrent Clean
	// may have found it free and removed the directory: make sure the
	// locked file is still the one at its name.
	if !sameFile(f, name) {
		f.Close()
		return nil, nil
	}
	return &Session{dir: dir, lock: f}, nil
}

func sameFile(f *os.File, name string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(name)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// Dir returns the session directory.
func (s *Session) Dir() string { return s.dir }

// Close removes the session directory and everything in it, and ends the
// session: MkdirTemp creates directories in os.TempDir() again. Calling
// Close more than once is harmless.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		mu.Lock()
		if current == s {
			current = nil
		}
		mu.Unlock()
		s.closeErr = os.RemoveAll(s.dir)
		s.lock.Close()
	})
	return s.closeErr
}

// Current returns the directory of the open session, or "" if none is
// open.
func Current() string {
	mu.Lock()
	defer mu.Unlock()
	if current == nil {
		return ""
	}
	return current.dir
}

// MkdirTemp creates a new temporary directory, as os.MkdirTemp("",
// pattern) does, in the open session directory, or in os.TempDir() when
// no session is open (a library used outside difgen's main).
func MkdirTemp(pattern string) (string, error) {
	dir, err := os.MkdirTemp(Current(), pattern)
	if err != nil && Current() != "" && errors.Is(err, os.ErrNotExist) {
		// Someone removed the session directory (rm -rf /tmp/*): carry
		// on in the system's.
		return os.MkdirTemp("", pattern)
	}
	return dir, err
}

// Clean removes from parent the session directories of dead processes and
// the temporary directories of earlier difgen binaries older than
// LegacyAge. It never removes the directory of a live session. Errors are
// ignored: what cannot be removed now is tried again at the next start.
func Clean(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	now := time.Now()
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, "difgen-") {
			continue
		}
		dir := filepath.Join(parent, name)
		switch {
		case sessionName.MatchString(name):
			cleanSession(dir, now)
		case strings.HasSuffix(name, ".dead"):
			os.RemoveAll(dir) // renamed by a Clean that was stopped
		default:
			for _, p := range legacyPrefixes {
				if strings.HasPrefix(name, p) {
					if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > LegacyAge {
						os.RemoveAll(dir)
					}
					break
				}
			}
		}
	}
}

// orphanAge is how old a session directory without a lock file must be
// before Clean removes it even if a process with its pid lives.
const orphanAge = time.Hour

// sessionPid returns the pid in the name of session directory dir.
func sessionPid(dir string) int {
	f := strings.Split(filepath.Base(dir), "-")
	pid, _ := strconv.Atoi(f[1])
	return pid
}

// cleanSession removes the session directory dir if its process is dead.
func cleanSession(dir string, now time.Time) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		// No lock file: its process died between creating the directory
		// and the file, or is about to create the file; its pid tells
		// which (a reused pid only keeps the directory longer).
		if fi, err := os.Stat(dir); err == nil && (now.Sub(fi.ModTime()) > orphanAge || !alive(sessionPid(dir))) {
			os.RemoveAll(dir)
		}
		return
	}
	if err != nil {
		return
	}
	defer f.Close()
	if !lockSupported {
		if fi, err := os.Stat(dir); err != nil || now.Sub(fi.ModTime()) <= LegacyAge {
			return
		}
	} else if lock(f, false) != nil {
		return // held: the process lives
	}
	// Rename first: a child process of the dead owner that still runs
	// (a go build) can then create nothing more under the old name while
	// the tree is removed.
	dead := dir + ".dead"
	if os.Rename(dir, dead) == nil {
		dir = dead
	}
	os.RemoveAll(dir)
}
