package filetx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Recovered describes a transaction that Recover finished or undid.
type Recovered struct {
	ID      string
	Forward bool     // rolled forward: the targets hold their new texts
	Files   []string // the targets (symbolic links resolved)
}

// legacyAge is how old a temporary of an earlier difgen binary must be
// before Recover removes it: such a binary held no lock, and its
// temporary lived for the milliseconds of one write.
const legacyAge = time.Minute

// Recover finishes or undoes the transactions that dead processes left in
// directory dir (see the package documentation), and removes their stray
// temporaries. It also looks in the directories that dir's symbolically
// linked Go files lead to, where their temporaries are. It costs one
// directory read when there is nothing to do. It returns what it
// recovered; an error when a transaction cannot be finished (it stays for
// the next run).
func Recover(dir string) ([]Recovered, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	scan := []string{dir}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	found := hasLitter(entries)
	for _, e := range entries {
		if e.Type()&fs.ModeSymlink == 0 || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		real, err := filepath.EvalSymlinks(filepath.Join(dir, e.Name()))
		if err != nil || slices.Contains(scan, filepath.Dir(real)) {
			continue
		}
		d := filepath.Dir(real)
		if es, err := os.ReadDir(d); err == nil && hasLitter(es) {
			found = true
			scan = append(scan, d)
		}
	}
	if !found {
		return nil, nil
	}

	var out []Recovered
	var errs []error
	for _, d := range scan {
		rs, err := recoverDir(d)
		out = append(out, rs...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

func hasLitter(entries []fs.DirEntry) bool {
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") && (journalRE.MatchString(n) || tempRE.MatchString(n) || legacyRE.MatchString(n)) {
			return true
		}
	}
	return false
}

// recoverDir recovers the transactions whose journals are in dir, then
// removes the temporaries left there without a journal.
func recoverDir(dir string) ([]Recovered, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if m := journalRE.FindStringSubmatch(e.Name()); m != nil {
			ids = append(ids, m[1])
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []Recovered
	var errs []error
	for _, id := range ids {
		r, err := recoverTx(dir, id)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: recover transaction %s: %v", dir, id, err))
			continue
		}
		if r != nil {
			out = append(out, *r)
		}
	}
	if err := removeStrays(dir); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// recoverTx recovers transaction id, whose journal was seen in dir.
func recoverTx(dir, id string) (*Recovered, error) {
	p, err := readPlan(dir, id)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // recovered meanwhile
	}
	if errors.Is(err, errIncomplete) {
		// Its writer died writing it, before any commit: undo here; the
		// temporaries of the other directories have no journal there, or
		// one that names no commit, and are undone when they are recovered.
		f, err := lockDir(dir, true, defaultLockWait)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if _, err := readPlan(dir, id); !errors.Is(err, errIncomplete) {
			return nil, nil // gone meanwhile
		}
		removeTemps(dir, id)
		if err := os.Remove(journalName(dir, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return &Recovered{ID: id}, nil
	}
	if err != nil {
		return nil, err
	}

	// Lock every directory of the transaction, then look again: while
	// its writer lives it holds these locks, so what is left now is a
	// dead writer's.
	var locks []*os.File
	defer func() {
		for _, f := range locks {
			f.Close()
		}
	}()
	for _, d := range p.dirs {
		f, err := lockDir(d, true, defaultLockWait)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		locks = append(locks, f)
	}
	if _, err := readPlan(dir, id); errors.Is(err, fs.ErrNotExist) {
		return nil, nil // finished or recovered meanwhile
	}
	// Only a directory that holds a journal of the transaction still has
	// work: the writer removes a directory's journal only after all the
	// renames, and never writes a temporary where it wrote no journal.
	has := func(d string) bool {
		for _, n := range []string{journalName(d, id), commitName(d, id)} {
			if _, err := os.Lstat(n); err == nil {
				return true
			}
		}
		return false
	}
	var live []string
	for _, d := range p.dirs {
		if has(d) {
			live = append(live, d)
		}
	}
	_, err = os.Lstat(commitName(p.home, id))
	forward := err == nil
	r := &Recovered{ID: id, Forward: forward}
	for _, rn := range p.renames {
		r.Files = append(r.Files, rn.target)
	}

	if !forward {
		// Not committed: every temporary of the transaction is garbage,
		// also where the writer died before writing the journal.
		for _, d := range p.dirs {
			removeTemps(d, id)
		}
		for _, d := range slices.Backward(live) { // the home, first, last
			if err := os.Remove(journalName(d, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
		return r, nil
	}
	var errs []error
	for _, rn := range p.renames {
		if !slices.Contains(live, filepath.Dir(rn.target)) {
			continue
		}
		if _, err := os.Lstat(rn.tmp); errors.Is(err, fs.ErrNotExist) {
			continue // renamed before the crash
		}
		if err := os.Rename(rn.tmp, rn.target); err != nil {
			errs = append(errs, err)
		}
	}
	for _, d := range live {
		syncDir(d)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, d := range live {
		if d != p.home {
			os.Remove(journalName(d, id))
			syncDir(d)
		}
	}
	if err := os.Remove(commitName(p.home, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	syncDir(p.home)
	return r, nil
}

// readPlan reads the journal of transaction id in dir (.txn or .commit).
func readPlan(dir, id string) (*plan, error) {
	data, err := os.ReadFile(journalName(dir, id))
	if errors.Is(err, fs.ErrNotExist) {
		data, err = os.ReadFile(commitName(dir, id))
	}
	if err != nil {
		return nil, err
	}
	return decodePlan(dir, data)
}

// removeTemps removes the temporaries of transaction id in dir.
func removeTemps(dir, id string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if m := tempRE.FindStringSubmatch(e.Name()); m != nil && m[2] == id {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// removeStrays removes, under dir's lock, the temporaries in dir of
// transactions that have no journal there (their writer died before
// writing it), and the old temporaries of earlier binaries.
func removeStrays(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil || !hasStrays(entries) {
		return nil
	}
	f, err := lockDir(dir, true, defaultLockWait)
	if err != nil {
		return err
	}
	defer f.Close()
	entries, err = os.ReadDir(dir)
	if err != nil {
		return err
	}
	journals := map[string]bool{}
	for _, e := range entries {
		if m := journalRE.FindStringSubmatch(e.Name()); m != nil {
			journals[m[1]] = true
		}
	}
	for _, e := range entries {
		n := e.Name()
		if m := tempRE.FindStringSubmatch(n); m != nil && !journals[m[2]] {
			os.Remove(filepath.Join(dir, n))
		} else if legacyRE.MatchString(n) {
			if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > legacyAge {
				os.Remove(filepath.Join(dir, n))
			}
		}
	}
	return nil
}

func hasStrays(entries []fs.DirEntry) bool {
	for _, e := range entries {
		if n := e.Name(); tempRE.MatchString(n) || legacyRE.MatchString(n) {
			return true
		}
	}
	return false
}
