package filetx

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/difgen/difgen/ast"
)

// A File is a file to replace.
type File struct {
	Name string // absolute name, as read (a symbolic link stays one)
	Text string // the new text
	// Root is the directory the file must lie in once symbolic links are
	// resolved: the root of the main module being repaired. "" means the
	// file's own directory.
	Root string
	// Create makes Apply create the file, which must not exist yet (in a
	// directory that does): it is written with mode 0644 less the umask,
	// and needs no entry in Options.Inputs. A file of that name that
	// appears before the write stops the transaction.
	Create bool
}

// Options configures Apply. The zero value, and a nil *Options, are valid.
type Options struct {
	// Inputs maps every file the new texts were computed from (absolute
	// name) to its hash when it was read: the targets and every other
	// file of their packages. Apply writes nothing if one changed.
	Inputs map[string]ast.Hash
	// Dirs are package directories whose Go files (as the go command
	// lists them: *.go, not starting with "." or "_") are all in Inputs;
	// a Go file added there since stops the write.
	Dirs []string
	// LockWait is how long to wait for another difgen writing in the same
	// directories; 0 means 10s.
	LockWait time.Duration

	// crash, set by this package's tests, is called at each step of Apply
	// with the step's name; returning true makes Apply stop there as if
	// the process died: it closes its files and locks and cleans nothing.
	crash func(point string) bool
}

// A Kind says why a file cannot be written.
type Kind int

const (
	Changed     Kind = iota + 1 // changed, deleted or added on disk since it was read
	ReadOnly                    // the file is read-only
	DirReadOnly                 // its directory is not writable
	Outside                     // it lies (through a symbolic link) outside its module
	Busy                        // another difgen holds the lock of its directory
	Failed                      // anything else (an I/O error)
)

// A Problem is why one file stops the write.
type Problem struct {
	Name   string // the file (a target, or an input that is not one)
	Kind   Kind
	Reason string // e.g. "read-only", "changed on disk since difgen read it"
}

// An Error reports why Apply did not write every file. Unless Incomplete,
// it wrote none.
type Error struct {
	Problems []Problem // sorted by name
	// Incomplete reports that the transaction was committed but some
	// renames failed (the files of Problems): the other files are written,
	// and the journal stays so that Recover finishes the transaction once
	// the cause is removed.
	Incomplete bool
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s: %s", p.Name, p.Reason)
	}
	return b.String()
}

// errCrash is what Apply returns when a test's crash hook stopped it.
var errCrash = errors.New("filetx: crashed (test hook)")

// Test-only variables, for tests of the difgen command (a unit test uses
// Options.crash):
//
//   - DIFGEN_FILETX_PAUSE, a duration: Apply sleeps that long at each of
//     its steps, so that a test which kills difgen lands inside them;
//   - DIFGEN_FILETX_GATE, a file name: Apply creates NAME.ready, then waits
//     until NAME exists (a minute at most) before it checks anything, so
//     that a test can change files between difgen's read and its write.
const (
	pauseEnv = "DIFGEN_FILETX_PAUSE"
	gateEnv  = "DIFGEN_FILETX_GATE"
)

// gate waits for the test that set DIFGEN_FILETX_GATE.
func gate() {
	name := os.Getenv(gateEnv)
	if name == "" {
		return
	}
	os.WriteFile(name+".ready", nil, 0o644)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(name); err == nil {
			return
		}
	}
}

const defaultLockWait = 10 * time.Second

// A target is a File resolved.
type target struct {
	File
	real string // Name with symbolic links resolved: the file replaced
	dir  string // filepath.Dir(real)
	tmp  string // the temporary, in dir
	mode fs.FileMode
	link bool // Name is a symbolic link
}

// A tx is one run of Apply.
type tx struct {
	opts  *Options
	pause time.Duration
	id    string
	locks []*os.File
}

// Apply replaces every file of files with its new text, or none of them;
// see the package documentation. It returns nil when every file is
// written, an *Error when a file may not be written (then nothing is),
// or ctx.Err() when ctx was done before anything was written.
func Apply(ctx context.Context, files []File, opts *Options) error {
	if opts == nil {
		opts = &Options{}
	}
	if len(files) == 0 {
		return nil
	}
	t := &tx{opts: opts}
	if d, err := time.ParseDuration(os.Getenv(pauseEnv)); err == nil {
		t.pause = d
	}
	var r [4]byte
	rand.Read(r[:])
	t.id = fmt.Sprintf("%d-%s", os.Getpid(), hex.EncodeToString(r[:]))

	gate()
	targets, probs := resolve(files)
	if len(probs) > 0 {
		// Say all that is wrong, not only the first kind.
		return problems(append(probs, check(targets, opts)...))
	}
	// Lock every directory that will hold a temporary or a journal
	// (exclusively), and the other directories read (shared), in sorted
	// order so that two writers cannot deadlock.
	ex := map[string]bool{}
	for _, tg := range targets {
		ex[tg.dir] = true
		ex[filepath.Dir(tg.Name)] = true
	}
	sh := map[string]bool{}
	for name := range opts.Inputs {
		sh[filepath.Dir(name)] = true
	}
	for _, d := range opts.Dirs {
		sh[d] = true
	}
	if err := t.lock(ex, sh); err != nil {
		t.unlock()
		var out []Problem
		for _, tg := range targets {
			out = append(out, Problem{tg.Name, Busy, err.Error()})
		}
		return problems(out)
	}
	defer t.unlock()

	probs = check(targets, opts)
	if len(probs) > 0 {
		return problems(probs)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return t.write(ctx, targets, slices.Sorted(maps.Keys(ex)))
}

// resolve resolves the names of files, and refuses a file that leads
// outside its root or is named twice.
func resolve(files []File) ([]*target, []Problem) {
	var out []*target
	var probs []Problem
	roots := map[string]string{}
	seen := map[string]string{}
	for _, f := range files {
		if !filepath.IsAbs(f.Name) {
			probs = append(probs, Problem{f.Name, Failed, "not an absolute name"})
			continue
		}
		if f.Create {
			tg, p := resolveNew(f, roots)
			if p != nil {
				probs = append(probs, *p)
				continue
			}
			if other, ok := seen[tg.real]; ok {
				probs = append(probs, Problem{f.Name, Failed, "the same file as " + other})
				continue
			}
			seen[tg.real] = f.Name
			out = append(out, tg)
			continue
		}
		lfi, err := os.Lstat(f.Name)
		if errors.Is(err, fs.ErrNotExist) {
			probs = append(probs, Problem{f.Name, Changed, "deleted since difgen read it"})
			continue
		} else if err != nil {
			probs = append(probs, Problem{f.Name, Failed, err.Error()})
			continue
		}
		real, err := filepath.EvalSymlinks(f.Name)
		if err != nil {
			probs = append(probs, Problem{f.Name, Failed, "symbolic link that leads nowhere: " + err.Error()})
			continue
		}
		root, rr := resolveRoot(f, roots)
		link := lfi.Mode()&fs.ModeSymlink != 0
		if !within(rr, real) {
			what := "outside the module " + root
			if link {
				what = "symbolic link to " + real + ", outside the module " + root
			}
			probs = append(probs, Problem{f.Name, Outside, what})
			continue
		}
		if other, ok := seen[real]; ok {
			probs = append(probs, Problem{f.Name, Failed, "the same file as " + other})
			continue
		}
		seen[real] = f.Name
		out = append(out, &target{File: f, real: real, dir: filepath.Dir(real), link: link})
	}
	return out, probs
}

// resolveRoot returns f's root (its directory when it names none) and
// the root with its symbolic links resolved, cached in roots.
func resolveRoot(f File, roots map[string]string) (root, resolved string) {
	root = f.Root
	if root == "" {
		root = filepath.Dir(f.Name)
	}
	rr, ok := roots[root]
	if !ok {
		var err error
		if rr, err = filepath.EvalSymlinks(root); err != nil {
			rr = root
		}
		roots[root] = rr
	}
	return root, rr
}

// resolveNew resolves a file to create: its directory's symbolic links
// are resolved, and the directory must lie inside its root.
func resolveNew(f File, roots map[string]string) (*target, *Problem) {
	if _, err := os.Lstat(f.Name); err == nil {
		return nil, &Problem{f.Name, Changed, "exists already (difgen writes new files only where there is none)"}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, &Problem{f.Name, Failed, err.Error()}
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(f.Name))
	if err != nil {
		return nil, &Problem{f.Name, Failed, "directory: " + err.Error()}
	}
	real := filepath.Join(dir, filepath.Base(f.Name))
	root, rr := resolveRoot(f, roots)
	if !within(rr, real) {
		return nil, &Problem{f.Name, Outside, "outside the module " + root}
	}
	return &target{File: f, real: real, dir: dir, mode: 0o644}, nil
}

// check refuses targets that may not be written and reports inputs
// changed since they were read.
func check(targets []*target, opts *Options) []Problem {
	var probs []Problem
	for _, tg := range targets {
		if tg.Create {
			if _, err := os.Lstat(tg.real); err == nil {
				probs = append(probs, Problem{tg.Name, Changed, "created by another program since difgen looked"})
			} else if dfi, err := os.Stat(tg.dir); err != nil || dfi.Mode().Perm()&0o222 == 0 || !canWriteDir(tg.dir) {
				probs = append(probs, Problem{tg.Name, DirReadOnly, "directory " + tg.dir + " is not writable"})
			}
			continue
		}
		fi, err := os.Stat(tg.real)
		switch {
		case err != nil:
			probs = append(probs, Problem{tg.Name, Failed, err.Error()})
			continue
		case !fi.Mode().IsRegular():
			probs = append(probs, Problem{tg.Name, Failed, "not a regular file"})
			continue
		case fi.Mode().Perm()&0o222 == 0:
			probs = append(probs, Problem{tg.Name, ReadOnly, "read-only"})
			continue
		case !canWrite(tg.real):
			probs = append(probs, Problem{tg.Name, ReadOnly, "not writable: permission denied"})
			continue
		}
		tg.mode = fi.Mode()
		if dfi, err := os.Stat(tg.dir); err != nil || dfi.Mode().Perm()&0o222 == 0 || !canWriteDir(tg.dir) {
			probs = append(probs, Problem{tg.Name, DirReadOnly, "directory " + tg.dir + " is not writable"})
			continue
		}
		if _, ok := opts.Inputs[tg.Name]; !ok {
			probs = append(probs, Problem{tg.Name, Failed, "not among the inputs: its state on disk is unknown"})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Inputs)) {
		data, err := os.ReadFile(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			probs = append(probs, Problem{name, Changed, "deleted since difgen read it"})
		case err != nil:
			probs = append(probs, Problem{name, Failed, err.Error()})
		case ast.Hash(sha256.Sum256(data)) != opts.Inputs[name]:
			probs = append(probs, Problem{name, Changed, "changed on disk since difgen read it"})
		}
	}
	for _, dir := range opts.Dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			probs = append(probs, Problem{dir, Changed, err.Error()})
			continue
		}
		for _, e := range entries {
			n := e.Name()
			name := filepath.Join(dir, n)
			if !strings.HasSuffix(n, ".go") || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
				continue
			}
			if fi, err := os.Stat(name); err != nil || !fi.Mode().IsRegular() {
				continue
			}
			if _, ok := opts.Inputs[name]; !ok {
				probs = append(probs, Problem{name, Changed, "added since difgen read the package"})
			}
		}
	}
	return probs
}

// write runs the transaction proper, under the locks: temporaries,
// journals, commit, renames, clean-up.
func (t *tx) write(ctx context.Context, targets []*target, dirs []string) error {
	var tmpDirs []string
	for _, tg := range targets {
		tg.tmp = tempName(tg.real, t.id)
		tmpDirs = append(tmpDirs, tg.dir)
	}
	slices.Sort(tmpDirs)
	tmpDirs = slices.Compact(tmpDirs)
	var made []string // files to remove on a roll-back, in order
	rollback := func(p Problem) error {
		for _, name := range slices.Backward(made) {
			os.Remove(name)
		}
		if p.Name == "" {
			return ctx.Err()
		}
		return problems([]Problem{p})
	}

	// 1. The new texts, beside their targets.
	for _, tg := range targets {
		if err := writeTemp(tg); err != nil {
			os.Remove(tg.tmp)
			return rollback(Problem{tg.Name, Failed, err.Error()})
		}
		made = append(made, tg.tmp)
		if t.point("temp") {
			return errCrash
		}
	}
	for _, d := range tmpDirs {
		if err := syncDir(d); err != nil {
			return rollback(Problem{d, Failed, err.Error()})
		}
	}
	if t.point("temps-synced") {
		return errCrash
	}
	if ctx.Err() != nil {
		return rollback(Problem{})
	}

	// 2. The journal, in every directory.
	p := &plan{id: t.id, home: dirs[0], dirs: dirs}
	for _, tg := range targets {
		p.renames = append(p.renames, rename{tg.tmp, tg.real})
	}
	// The home's journal comes last: it is the one the commit renames.
	for _, d := range slices.Backward(dirs) {
		name := journalName(d, t.id)
		err := writeSync(name, p.encode(d))
		if err == nil {
			made = append(made, name)
			err = syncDir(d)
		} else {
			os.Remove(name)
		}
		if err != nil {
			return rollback(Problem{name, Failed, err.Error()})
		}
		if t.point("journal") {
			return errCrash
		}
	}
	if ctx.Err() != nil {
		return rollback(Problem{})
	}

	// 3. Commit. From here on the transaction rolls forward: a signal no
	// longer stops it, and neither does a failed rename.
	if err := os.Rename(journalName(p.home, t.id), commitName(p.home, t.id)); err != nil {
		return rollback(Problem{journalName(p.home, t.id), Failed, err.Error()})
	}
	syncDir(p.home)
	if t.point("commit") {
		return errCrash
	}

	// 4. Renames.
	var failed []Problem
	for _, tg := range targets {
		if err := os.Rename(tg.tmp, tg.real); err != nil {
			failed = append(failed, Problem{tg.Name, Failed, fmt.Sprintf("rename failed: %v; difgen finishes the write on its next run once the cause is removed", err)})
		}
		if t.point("rename") {
			return errCrash
		}
	}
	for _, d := range tmpDirs {
		syncDir(d)
	}
	if len(failed) > 0 {
		e := problems(failed)
		e.Incomplete = true
		return e
	}

	// 5. Clean-up: the journals, the home's commit last.
	for _, d := range dirs[1:] {
		os.Remove(journalName(d, t.id))
		syncDir(d)
		if t.point("journal-removed") {
			return errCrash
		}
	}
	os.Remove(commitName(p.home, t.id))
	syncDir(p.home)
	if t.point("done") {
		return errCrash
	}
	return nil
}

// point marks a step of the transaction: it sleeps for the test pause and
// reports whether the test hook wants a crash here.
func (t *tx) point(name string) bool {
	if t.pause > 0 {
		time.Sleep(t.pause)
	}
	if t.opts.crash != nil && t.opts.crash(name) {
		t.unlock() // the kernel drops a dead process's locks
		return true
	}
	return false
}

func writeTemp(tg *target) error {
	f, err := os.OpenFile(tg.tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, tg.mode.Perm())
	if err != nil {
		return err
	}
	_, err = f.WriteString(tg.Text)
	if err == nil && !tg.Create {
		err = f.Chmod(tg.mode.Perm()) // not the umask's
	}
	if err == nil {
		if !tg.Create {
			keepOwner(f, tg.real)
		}
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeSync(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	f.Close()
	if errors.Is(err, errors.ErrUnsupported) {
		return nil
	}
	return err
}

// lock takes the exclusive locks of ex and the shared locks of the other
// directories of sh, in sorted order.
func (t *tx) lock(ex, sh map[string]bool) error {
	all := map[string]bool{}
	for d := range sh {
		all[d] = false
	}
	for d := range ex {
		all[d] = true
	}
	wait := t.opts.LockWait
	if wait <= 0 {
		wait = defaultLockWait
	}
	for _, d := range slices.Sorted(maps.Keys(all)) {
		f, err := lockDir(d, all[d], wait)
		if err != nil {
			if !all[d] && errors.Is(err, fs.ErrNotExist) {
				continue // an input directory gone: check reports its files
			}
			return err
		}
		t.locks = append(t.locks, f)
	}
	return nil
}

func (t *tx) unlock() {
	for _, f := range t.locks {
		f.Close()
	}
	t.locks = nil
}

// lockDir locks directory dir (exclusively or shared), waiting up to wait
// for another process to release it.
func lockDir(dir string, exclusive bool, wait time.Duration) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		ok, err := tryLock(f, exclusive)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %v", dir, err)
		}
		if ok {
			return f, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("another difgen is writing in %s", dir)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func problems(ps []Problem) *Error {
	slices.SortStableFunc(ps, func(a, b Problem) int { return strings.Compare(a.Name, b.Name) })
	return &Error{Problems: ps}
}

// within reports whether name is root or inside it.
func within(root, name string) bool {
	rel, err := filepath.Rel(root, name)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
