package sandbox

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Limits of a full copy of a module in a [Tree]; past either, only the
// package is copied (see NewTree).
const (
	MaxTreeBytes = 64 << 20
	MaxTreeFiles = 10000
	// maxPartialBytes bounds even the partial copy.
	maxPartialBytes = 512 << 20
)

// vcsDirs are never copied.
var vcsDirs = []string{".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", ".pijul", "CVS", ".fslckout"}

// Tree is a scratch copy of a module, the working directory of a command
// that runs a package's tests: the user's tree is never a candidate's
// working directory, and [Tree.Reset] puts the copy back as it was before
// each run, so runs are independent. A Tree is not safe for concurrent use;
// give each concurrent run its own.
type Tree struct {
	src     string // the module directory copied
	root    string // the copy
	pkg     string // the package directory, relative to root, slash-separated ("." for the root)
	partial bool
	entries map[string]*treeEntry // by slash-separated path relative to root; "." is the root
	dirs    []string              // the directories of entries, parents first
	files   []string              // the other entries, in copy order

	maxBytes int64 // limits of a full copy
	maxFiles int
}

// treeEntry is one file, directory or symbolic link of a Tree as copied.
type treeEntry struct {
	mode  fs.FileMode // type and permission bits
	link  string      // a symbolic link's target
	size  int64
	sum   [sha256.Size]byte
	stamp fileStamp // of the copy, as last written
}

// NewTree copies the module at moduleDir into dst, which must not exist
// or be empty, and returns it; pkgDir is the package whose tests run, a
// directory at or under moduleDir.
//
// The copy holds every directory and file of the module but version
// control directories (.git, .hg, .svn …), nested modules (directories with
// a go.mod of their own, other than one holding pkgDir) and special files
// (sockets, devices). Files are copied, never hard-linked, with their
// permission bits and modification times; symbolic links are copied as
// links, a link to a place inside the module pointing into the copy and
// one outside to the same place as before.
//
// When the module holds more than MaxTreeBytes of files or more than
// MaxTreeFiles entries, the copy is partial: the go.mod, go.sum and
// go.work.sum of the module root, the files of the package directory
// itself and everything under its testdata directory, and the directories
// between; [Tree.Partial] reports it. A partial copy over 512 MiB is an
// error.
func NewTree(dst, moduleDir, pkgDir string) (*Tree, error) {
	return newTree(dst, moduleDir, pkgDir, MaxTreeBytes, MaxTreeFiles)
}

// newTree is NewTree with the limits of a full copy as given (tests).
func newTree(dst, moduleDir, pkgDir string, maxBytes int64, maxFiles int) (*Tree, error) {
	src, err := filepath.Abs(moduleDir)
	if err == nil {
		src, err = filepath.EvalSymlinks(src)
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: module directory: %v", err)
	}
	pkg, err := filepath.Abs(pkgDir)
	if err == nil {
		pkg, err = filepath.EvalSymlinks(pkg)
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: package directory: %v", err)
	}
	rel, err := filepath.Rel(src, pkg)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("sandbox: package directory %s is not inside module %s", pkgDir, moduleDir)
	}
	root, err := filepath.Abs(dst)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %v", err)
	}
	if ents, err := os.ReadDir(root); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("sandbox: tree directory %s is not empty", dst)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("sandbox: %v", err)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox: %v", err)
	}
	t := &Tree{src: src, root: root, pkg: filepath.ToSlash(rel), entries: make(map[string]*treeEntry), maxBytes: maxBytes, maxFiles: maxFiles}
	if err := t.copyAll(); err != nil {
		t.Remove()
		return nil, err
	}
	return t, nil
}

// Root returns the directory of the copy of the module.
func (t *Tree) Root() string { return t.root }

// PkgDir returns the package directory inside the copy.
func (t *Tree) PkgDir() string { return filepath.Join(t.root, filepath.FromSlash(t.pkg)) }

// Partial reports whether the module was too large to copy whole and only
// the package was copied (see NewTree).
func (t *Tree) Partial() bool { return t.partial }

// srcEntry is a file of the module found by plan.
type srcEntry struct {
	rel  string // slash-separated, relative to the module
	mode fs.FileMode
	size int64
}

// plan lists what to copy of the module: all of it, or, past the limits,
// the package alone.
func (t *Tree) plan() ([]srcEntry, error) {
	var all []srcEntry
	var total int64
	full := true
	err := filepath.WalkDir(t.src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == t.src {
				return err
			}
			return nil // unreadable: not copied
		}
		rel, _ := filepath.Rel(t.src, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() && rel != "." {
			if slices.Contains(vcsDirs, d.Name()) || p == t.root {
				return fs.SkipDir // version control, or the copy itself
			}
			if !full && !t.inPartial(srcEntry{rel: rel, mode: fs.ModeDir}) {
				return fs.SkipDir // past the limits: what a partial copy lacks
			}
			if _, err := os.Lstat(filepath.Join(p, "go.mod")); err == nil && !within(filepath.Join(t.src, filepath.FromSlash(t.pkg)), p) {
				return fs.SkipDir // a nested module
			}
		}
		if !d.IsDir() && d.Type()&^fs.ModeSymlink != 0 {
			return nil // a socket, device or pipe
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		e := srcEntry{rel: rel, mode: info.Mode()}
		if info.Mode().IsRegular() {
			e.size = info.Size()
			total += e.size
		}
		all = append(all, e)
		if full && (total > t.maxBytes || len(all) > t.maxFiles) {
			full = false
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sandbox: copying %s: %v", t.src, err)
	}
	if full {
		return all, nil
	}
	t.partial = true
	var part []srcEntry
	total = 0
	for _, e := range all {
		if !t.inPartial(e) {
			continue
		}
		part = append(part, e)
		total += e.size
	}
	if total > maxPartialBytes {
		return nil, fmt.Errorf("sandbox: package %s holds %d MiB of files, more than the %d MiB a scratch tree may copy", t.pkg, total>>20, maxPartialBytes>>20)
	}
	return part, nil
}

// inPartial reports whether a partial copy holds e.
func (t *Tree) inPartial(e srcEntry) bool {
	dir, name := path.Split(e.rel)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	switch {
	case e.rel == ".":
		return true
	case e.mode.IsDir() && within(t.pkg, e.rel):
		return true // a directory between the root and the package
	case dir == "." && (name == "go.mod" || name == "go.sum" || name == "go.work.sum"):
		return true
	case dir == t.pkg && !e.mode.IsDir():
		return true
	case within(e.rel, path.Join(t.pkg, "testdata")):
		return true
	}
	return false
}

// within reports whether the slash- or separator-path p is dir or lies
// below it; "." holds everything relative.
func within(p, dir string) bool {
	if dir == "." && !filepath.IsAbs(p) {
		return true
	}
	return p == dir || strings.HasPrefix(p, dir+"/") || strings.HasPrefix(p, dir+string(filepath.Separator))
}

func (t *Tree) copyAll() error {
	plan, err := t.plan()
	if err != nil {
		return err
	}
	for _, e := range plan {
		if err := t.copyEntry(e.rel, e.mode); err != nil {
			return err
		}
	}
	for _, rel := range t.dirs {
		if err := t.restoreDirMode(rel); err != nil {
			return err
		}
	}
	return nil
}

// copyEntry copies the entry rel of the module, of mode mode, into the
// tree and records it. A directory is left writable by its owner until
// restoreDirMode.
func (t *Tree) copyEntry(rel string, mode fs.FileMode) error {
	from := filepath.Join(t.src, filepath.FromSlash(rel))
	to := filepath.Join(t.root, filepath.FromSlash(rel))
	e := &treeEntry{mode: mode.Type() | mode.Perm()}
	switch {
	case mode.IsDir():
		if rel != "." {
			if err := os.Mkdir(to, mode.Perm()|0o700); err != nil {
				return fmt.Errorf("sandbox: %v", err)
			}
		} else if err := os.Chmod(to, mode.Perm()|0o700); err != nil {
			return fmt.Errorf("sandbox: %v", err)
		}
		t.dirs = append(t.dirs, rel)
	case mode&fs.ModeSymlink != 0:
		target, err := os.Readlink(from)
		if err != nil {
			return fmt.Errorf("sandbox: %v", err)
		}
		e.link = t.linkTarget(rel, target)
		if err := os.Symlink(e.link, to); err != nil {
			return fmt.Errorf("sandbox: %v", err)
		}
		t.files = append(t.files, rel)
	default:
		sum, size, err := copyFile(from, to, mode.Perm())
		if err != nil {
			return err
		}
		e.sum, e.size = sum, size
		if fi, err := os.Lstat(to); err == nil {
			e.stamp = stampOf(fi)
		}
		t.files = append(t.files, rel)
	}
	t.entries[rel] = e
	return nil
}

// linkTarget returns the target of the copy of the link rel whose target
// in the module is target: a place inside the module is reached inside
// the copy, by a relative link; one outside, by an absolute link to it.
func (t *Tree) linkTarget(rel, target string) string {
	abs := target
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(t.src, filepath.FromSlash(path.Dir(rel)), target)
	}
	in, err := filepath.Rel(t.src, abs)
	if err != nil || in == ".." || strings.HasPrefix(in, ".."+string(filepath.Separator)) {
		return abs
	}
	r, err := filepath.Rel(filepath.Join(t.root, filepath.FromSlash(path.Dir(rel))), filepath.Join(t.root, in))
	if err != nil {
		return abs
	}
	return r
}

// copyFile copies the regular file from to the new file to, with
// permission bits perm and from's modification time, and returns the
// SHA-256 and size of what it copied.
func copyFile(from, to string, perm fs.FileMode) (sum [sha256.Size]byte, size int64, err error) {
	in, err := os.Open(from)
	if err != nil {
		return sum, 0, fmt.Errorf("sandbox: %v", err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return sum, 0, fmt.Errorf("sandbox: %v", err)
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return sum, 0, fmt.Errorf("sandbox: %v", err)
	}
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(out, h), in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(to, perm)
	}
	if err == nil {
		err = os.Chtimes(to, fi.ModTime(), fi.ModTime())
	}
	if err != nil {
		return sum, 0, fmt.Errorf("sandbox: copying %s: %v", from, err)
	}
	copy(sum[:], h.Sum(nil))
	return sum, size, nil
}

// restoreDirMode gives the directory rel its recorded permission bits.
func (t *Tree) restoreDirMode(rel string) error {
	e := t.entries[rel]
	if e.mode.Perm()|0o700 == e.mode.Perm() {
		return nil // left so
	}
	if err := os.Chmod(filepath.Join(t.root, filepath.FromSlash(rel)), e.mode.Perm()); err != nil {
		return fmt.Errorf("sandbox: %v", err)
	}
	return nil
}

// Reset puts the tree back as NewTree made it: files and directories that
// a run added are removed, and those it changed, removed or replaced are
// restored, permission bits included. A file counts as changed when its
// size, mode, modification or change time, or inode differs from the copy
// made; it is restored from the module, and if the module's file no
// longer has the content first copied, Reset fails (make a new Tree).
// Reset costs a stat of every entry and a read of every directory.
func (t *Tree) Reset() error {
	// Directories first, parents first, writable by their owner while
	// their contents are put back.
	for _, rel := range t.dirs {
		p := filepath.Join(t.root, filepath.FromSlash(rel))
		e := t.entries[rel]
		want := e.mode.Perm() | 0o700
		fi, err := os.Lstat(p)
		switch {
		case err == nil && fi.IsDir():
			if fi.Mode().Perm() != want {
				if err := os.Chmod(p, want); err != nil {
					return fmt.Errorf("sandbox: resetting tree: %v", err)
				}
			}
			continue
		case err == nil:
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("sandbox: resetting tree: %v", err)
			}
		}
		if err := os.Mkdir(p, want); err != nil {
			return fmt.Errorf("sandbox: resetting tree: %v", err)
		}
	}
	// Remove what is new.
	for _, rel := range t.dirs {
		dir := filepath.Join(t.root, filepath.FromSlash(rel))
		ents, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("sandbox: resetting tree: %v", err)
		}
		for _, d := range ents {
			r := path.Join(rel, d.Name())
			if _, ok := t.entries[r]; ok {
				continue
			}
			if err := removeAll(filepath.Join(dir, d.Name())); err != nil {
				return fmt.Errorf("sandbox: resetting tree: %v", err)
			}
		}
	}
	// Restore what changed.
	for _, rel := range t.files {
		e := t.entries[rel]
		p := filepath.Join(t.root, filepath.FromSlash(rel))
		fi, err := os.Lstat(p)
		if err == nil {
			if e.mode&fs.ModeSymlink != 0 {
				if fi.Mode()&fs.ModeSymlink != 0 {
					if l, err := os.Readlink(p); err == nil && l == e.link {
						continue
					}
				}
			} else if fi.Mode() == e.mode && fi.Size() == e.size && stampOf(fi) == e.stamp {
				continue
			}
			if err := removeAll(p); err != nil {
				return fmt.Errorf("sandbox: resetting tree: %v", err)
			}
		}
		if err := t.restore(rel, e); err != nil {
			return err
		}
	}
	for _, rel := range t.dirs {
		if err := t.restoreDirMode(rel); err != nil {
			return err
		}
	}
	return nil
}

// restore writes the entry rel again.
func (t *Tree) restore(rel string, e *treeEntry) error {
	to := filepath.Join(t.root, filepath.FromSlash(rel))
	if e.mode&fs.ModeSymlink != 0 {
		if err := os.Symlink(e.link, to); err != nil {
			return fmt.Errorf("sandbox: resetting tree: %v", err)
		}
		return nil
	}
	from := filepath.Join(t.src, filepath.FromSlash(rel))
	sum, size, err := copyFile(from, to, e.mode.Perm())
	if err != nil {
		return err
	}
	if sum != e.sum || size != e.size {
		return fmt.Errorf("sandbox: resetting tree: %s changed since the tree was made", from)
	}
	fi, err := os.Lstat(to)
	if err != nil {
		return fmt.Errorf("sandbox: resetting tree: %v", err)
	}
	e.stamp = stampOf(fi)
	return nil
}

// Remove removes the tree from disk, read-only directories included.
func (t *Tree) Remove() error { return removeAll(t.root) }

// removeAll is os.RemoveAll that first makes directories writable by
// their owner, as a run may leave them otherwise.
func removeAll(p string) error {
	err := os.RemoveAll(p)
	if err == nil {
		return nil
	}
	// WalkDir calls the function for a directory before reading it.
	_ = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(q, 0o700)
		}
		return nil
	})
	return os.RemoveAll(p)
}
