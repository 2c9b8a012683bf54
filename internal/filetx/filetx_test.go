package filetx

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/difgen/difgen/ast"
)

// A tree is a small module on disk: files by slash path relative to the
// root, with the inputs and the files to write of a transaction over it.
type tree struct {
	t    *testing.T
	root string
	old  map[string]string // path → text before
	new  map[string]string // path → text after, for the targets
}

// newTree writes a module with packages a and b and a directory common
// that a's link.go points into; the transaction edits a/a1.go, a/link.go
// (common/s.go through the link) and b/b1.go, and reads a/a2.go too.
func newTree(t *testing.T) *tree {
	t.Helper()
	tr := &tree{t: t, root: t.TempDir(), old: map[string]string{}, new: map[string]string{}}
	for _, name := range []string{"a/a1.go", "a/a2.go", "b/b1.go", "common/s.go"} {
		tr.old[name] = "package x // old " + name + "\n"
	}
	for _, name := range []string{"a/a1.go", "b/b1.go", "common/s.go"} {
		tr.new[name] = "package x // new " + name + "\n"
	}
	tr.write(tr.old)
	if err := os.Symlink("../common/s.go", tr.path("a/link.go")); err != nil {
		t.Fatal(err)
	}
	return tr
}

func (tr *tree) path(name string) string { return filepath.Join(tr.root, filepath.FromSlash(name)) }

func (tr *tree) write(files map[string]string) {
	for name, text := range files {
		p := tr.path(name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tr.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o640); err != nil {
			tr.t.Fatal(err)
		}
	}
}

// inputs returns the hashes of the files as on disk now, by absolute
// name; a/link.go is read through its link.
func (tr *tree) inputs() map[string]ast.Hash {
	in := map[string]ast.Hash{}
	for _, name := range []string{"a/a1.go", "a/a2.go", "a/link.go", "b/b1.go"} {
		data, err := os.ReadFile(tr.path(name))
		if err != nil {
			tr.t.Fatal(err)
		}
		in[tr.path(name)] = ast.NewFile("", string(data)).Hash
	}
	return in
}

func (tr *tree) files() []File {
	return []File{
		{Name: tr.path("a/a1.go"), Text: tr.new["a/a1.go"], Root: tr.root},
		{Name: tr.path("a/link.go"), Text: tr.new["common/s.go"], Root: tr.root},
		{Name: tr.path("b/b1.go"), Text: tr.new["b/b1.go"], Root: tr.root},
	}
}

func (tr *tree) options() *Options {
	return &Options{Inputs: tr.inputs(), Dirs: []string{tr.path("a"), tr.path("b")}}
}

// state reports whether the tree holds the old texts ("old"), the new ones
// ("new") or a mix (a description of it).
func (tr *tree) state() string {
	tr.t.Helper()
	var olds, news, other []string
	for name, o := range tr.old {
		data, err := os.ReadFile(tr.path(name))
		n, edited := tr.new[name]
		switch {
		case err != nil:
			other = append(other, name+": "+err.Error())
		case string(data) == o && (!edited || n != o):
			olds = append(olds, name)
		case edited && string(data) == n:
			news = append(news, name)
		default:
			other = append(other, name+": "+string(data))
		}
	}
	if fi, err := os.Lstat(tr.path("a/link.go")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		other = append(other, "a/link.go is no longer a symbolic link")
	}
	switch {
	case len(other) == 0 && len(news) == 0:
		return "old"
	case len(other) == 0 && len(news) == len(tr.new):
		return "new"
	}
	slices.Sort(olds)
	slices.Sort(news)
	return fmt.Sprintf("old %v, new %v, other %v", olds, news, other)
}

// litter returns the files of the tree whose names begin with ".".
func (tr *tree) litter() []string {
	var out []string
	filepath.WalkDir(tr.root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".") && path != tr.root {
			rel, _ := filepath.Rel(tr.root, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func (tr *tree) recoverAll() []Recovered {
	tr.t.Helper()
	var out []Recovered
	for _, d := range []string{"a", "b"} {
		rs, err := Recover(tr.path(d))
		if err != nil {
			tr.t.Fatalf("Recover(%s): %v", d, err)
		}
		out = append(out, rs...)
	}
	return out
}

func TestApply(t *testing.T) {
	tr := newTree(t)
	if err := Apply(context.Background(), tr.files(), tr.options()); err != nil {
		t.Fatal(err)
	}
	if s := tr.state(); s != "new" {
		t.Errorf("after Apply: %s", s)
	}
	if l := tr.litter(); l != nil {
		t.Errorf("Apply left %v", l)
	}
	for _, name := range []string{"a/a1.go", "common/s.go", "b/b1.go"} {
		if fi, err := os.Stat(tr.path(name)); err != nil || fi.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v (%v), want 0640 kept", name, fi.Mode().Perm(), err)
		}
	}
	if rs := tr.recoverAll(); rs != nil {
		t.Errorf("Recover after a complete Apply: %+v", rs)
	}
}

// refused runs Apply expecting it to refuse, with problems matching want
// (name: kind: reason substring), and checks that nothing was written.
func refused(t *testing.T, tr *tree, opts *Options, want ...string) {
	t.Helper()
	err := Apply(context.Background(), tr.files(), opts)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Apply: %v, want an *Error", err)
	}
	if e.Incomplete {
		t.Errorf("Incomplete set on a refusal")
	}
	var got []string
	for _, p := range e.Problems {
		rel, _ := filepath.Rel(tr.root, p.Name)
		got = append(got, fmt.Sprintf("%s: %d: %s", filepath.ToSlash(rel), p.Kind, p.Reason))
	}
	if len(got) != len(want) {
		t.Fatalf("problems:\n%s\nwant %d matching %q", strings.Join(got, "\n"), len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("problem %q, want it to contain %q", got[i], w)
		}
	}
	if s := tr.state(); s != "old" {
		t.Errorf("a refused Apply wrote: %s", s)
	}
	if l := tr.litter(); l != nil {
		t.Errorf("a refused Apply left %v", l)
	}
}

func TestReadOnlyTarget(t *testing.T) {
	tr := newTree(t)
	os.Chmod(tr.path("b/b1.go"), 0o444)
	refused(t, tr, tr.options(), fmt.Sprintf("b/b1.go: %d: read-only", ReadOnly))
}

func TestDirNotWritable(t *testing.T) {
	tr := newTree(t)
	os.Chmod(tr.path("b"), 0o555)
	defer os.Chmod(tr.path("b"), 0o755)
	refused(t, tr, tr.options(), fmt.Sprintf("b/b1.go: %d: directory %s is not writable", DirReadOnly, tr.path("b")))
}

func TestChangedInput(t *testing.T) {
	tr := newTree(t)
	opts := tr.options()
	// a2.go is read but not edited; someone saves it meanwhile.
	os.WriteFile(tr.path("a/a2.go"), []byte("package x // edited by hand\n"), 0o640)
	tr.old["a/a2.go"] = "package x // edited by hand\n"
	refused(t, tr, opts, fmt.Sprintf("a/a2.go: %d: changed on disk since difgen read it", Changed))
}

func TestChangedThroughLink(t *testing.T) {
	tr := newTree(t)
	opts := tr.options()
	os.WriteFile(tr.path("common/s.go"), []byte("package x // edited by hand\n"), 0o640)
	tr.old["common/s.go"] = "package x // edited by hand\n"
	refused(t, tr, opts, fmt.Sprintf("a/link.go: %d: changed on disk", Changed))
}

func TestDeletedAndAdded(t *testing.T) {
	tr := newTree(t)
	opts := tr.options()
	os.Remove(tr.path("a/a2.go"))
	delete(tr.old, "a/a2.go")
	os.WriteFile(tr.path("b/b2.go"), []byte("package x\n"), 0o644)
	os.WriteFile(tr.path("b/_ignored.go"), []byte("package x\n"), 0o644) // the go command ignores it
	refused(t, tr, opts,
		fmt.Sprintf("a/a2.go: %d: deleted since difgen read it", Changed),
		fmt.Sprintf("b/b2.go: %d: added since difgen read the package", Changed))
}

func TestSymlinkOutside(t *testing.T) {
	tr := newTree(t)
	outside := filepath.Join(t.TempDir(), "o.go")
	os.WriteFile(outside, []byte("package x // outside\n"), 0o644)
	os.Remove(tr.path("a/link.go"))
	os.Symlink(outside, tr.path("a/link.go"))
	opts := tr.options()
	refused(t, tr, opts, fmt.Sprintf("a/link.go: %d: symbolic link to %s, outside the module", Outside, outside))
	if data, _ := os.ReadFile(outside); string(data) != "package x // outside\n" {
		t.Errorf("the file outside the module was written: %q", data)
	}
}

func TestSameFileTwice(t *testing.T) {
	tr := newTree(t)
	opts := tr.options()
	files := append(tr.files(), File{Name: tr.path("common/s.go"), Text: "x", Root: tr.root})
	err := Apply(context.Background(), files, opts)
	if e, ok := err.(*Error); !ok || len(e.Problems) != 1 || !strings.Contains(e.Problems[0].Reason, "the same file as") {
		t.Errorf("Apply of one file under two names: %v", err)
	}
}

// points runs a whole Apply and returns the names of its steps in order.
func points(t *testing.T) []string {
	tr := newTree(t)
	opts := tr.options()
	var ps []string
	opts.crash = func(p string) bool { ps = append(ps, p); return false }
	if err := Apply(context.Background(), tr.files(), opts); err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestCrashPoints stops Apply at each of its steps as if the process died
// there, then recovers: every package must be wholly old (before the
// commit) or wholly new (from the commit on), with no file left over.
func TestCrashPoints(t *testing.T) {
	ps := points(t)
	want := []string{"temp", "temp", "temp", "temps-synced", "journal", "journal", "journal",
		"commit", "rename", "rename", "rename", "journal-removed", "journal-removed", "done"}
	if !slices.Equal(ps, want) {
		t.Fatalf("steps %v, want %v", ps, want)
	}
	committed := slices.Index(ps, "commit")
	for k := range ps {
		t.Run(fmt.Sprintf("%d-%s", k, ps[k]), func(t *testing.T) {
			tr := newTree(t)
			opts := tr.options()
			n := 0
			opts.crash = func(string) bool { n++; return n == k+1 }
			if err := Apply(context.Background(), tr.files(), opts); err != errCrash {
				t.Fatalf("Apply: %v, want the crash", err)
			}
			if k < len(ps)-1 && tr.litter() == nil {
				t.Errorf("a crash at %s left no file to recover", ps[k])
			}
			rs := tr.recoverAll()
			want := "old"
			if k >= committed {
				want = "new"
			}
			if s := tr.state(); s != want {
				t.Errorf("after a crash at step %d (%s) and Recover: %s, want %s", k, ps[k], s, want)
			}
			if l := tr.litter(); l != nil {
				t.Errorf("Recover left %v", l)
			}
			if k < len(ps)-1 && k > 3 && (len(rs) != 1 || rs[0].Forward != (want == "new") || len(rs[0].Files) != 3) {
				t.Errorf("Recover reported %+v", rs)
			}
			if rs := tr.recoverAll(); rs != nil {
				t.Errorf("second Recover: %+v", rs)
			}
			// A fresh Apply over the recovered tree works.
			if want == "old" {
				if err := Apply(context.Background(), tr.files(), tr.options()); err != nil || tr.state() != "new" {
					t.Errorf("Apply after recovery: %v, %s", err, tr.state())
				}
			}
		})
	}
}

// TestRecoverOneDir recovers only the directory of b after a crash in
// the middle of the renames: the whole transaction, a's files included,
// rolls forward.
func TestRecoverOneDir(t *testing.T) {
	tr := newTree(t)
	opts := tr.options()
	n := 0
	opts.crash = func(p string) bool { n += bool2int(p == "rename"); return n == 1 }
	if err := Apply(context.Background(), tr.files(), opts); err != errCrash {
		t.Fatal(err)
	}
	if _, err := Recover(tr.path("b")); err != nil {
		t.Fatal(err)
	}
	if s := tr.state(); s != "new" {
		t.Errorf("after Recover(b): %s", s)
	}
	if l := tr.litter(); l != nil {
		t.Errorf("Recover(b) left %v", l)
	}
}

func bool2int(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestTornJournal cuts a journal short, as a crash while writing it
// would: the transaction was not committed, so Recover undoes it.
func TestTornJournal(t *testing.T) {
	tr := newTree(t)
	opts := tr.options()
	opts.crash = func(p string) bool { return p == "journal" } // the first journal written
	if err := Apply(context.Background(), tr.files(), opts); err != errCrash {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(tr.root, "*", ".difgen-*.txn"))
	if len(matches) != 1 {
		t.Fatalf("journals %v, want one", matches)
	}
	data, _ := os.ReadFile(matches[0])
	os.WriteFile(matches[0], data[:len(data)-10], 0o644)
	tr.recoverAll()
	Recover(tr.path("common"))
	if s := tr.state(); s != "old" {
		t.Errorf("after Recover: %s", s)
	}
	if l := tr.litter(); l != nil {
		t.Errorf("Recover left %v", l)
	}
}

// TestForgedJournal: a journal that asks for a rename filetx never makes
// (into another directory) is refused, and nothing is renamed.
func TestForgedJournal(t *testing.T) {
	tr := newTree(t)
	id := "1-0000abcd"
	a := tr.path("a")
	p := &plan{id: id, home: a, dirs: []string{a}, renames: []rename{{tempName(tr.path("a/a1.go"), id), tr.path("b/b1.go")}}}
	os.WriteFile(commitName(a, id), p.encode(a), 0o644)
	os.WriteFile(tempName(tr.path("a/a1.go"), id), []byte("evil"), 0o644)
	if _, err := Recover(a); err == nil || !strings.Contains(err.Error(), "not one filetx writes") {
		t.Errorf("Recover of a forged journal: %v", err)
	}
	if s := tr.state(); s != "old" {
		t.Errorf("after Recover: %s", s)
	}
}

// TestLiveWriter: while a writer is inside Apply it holds the lock of
// each directory it writes in, so a concurrent Recover waits and then
// finds nothing to recover.
func TestLiveWriter(t *testing.T) {
	if !locking {
		t.Skip("no directory locks here")
	}
	tr := newTree(t)
	opts := tr.options()
	reached, release := make(chan bool), make(chan bool)
	opts.crash = func(p string) bool {
		if p == "commit" {
			close(reached)
			<-release
		}
		return false
	}
	done := make(chan error)
	go func() { done <- Apply(context.Background(), tr.files(), opts) }()
	<-reached
	for _, d := range []string{"a", "b", "common"} {
		if f, err := lockDir(tr.path(d), true, 0); err == nil {
			f.Close()
			t.Errorf("directory %s is not locked while Apply writes in it", d)
		}
	}
	type result struct {
		rs  []Recovered
		err error
	}
	rec := make(chan result)
	go func() { rs, err := Recover(tr.path("a")); rec <- result{rs, err} }()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	r := <-rec
	if r.err != nil || r.rs != nil {
		t.Errorf("Recover beside a live writer: %+v, %v", r.rs, r.err)
	}
	if s := tr.state(); s != "new" {
		t.Errorf("after Apply: %s", s)
	}
}

// TestConcurrentWriters runs two Applies over the same files at once:
// they take turns, and the second finds its inputs changed by the first.
func TestConcurrentWriters(t *testing.T) {
	tr := newTree(t)
	opts := tr.options()
	other := tr.files()
	for i := range other {
		other[i].Text += "// the other writer\n"
	}
	errs := make(chan error)
	go func() { errs <- Apply(context.Background(), tr.files(), opts) }()
	go func() { errs <- Apply(context.Background(), other, opts) }()
	e1, e2 := <-errs, <-errs
	if (e1 == nil) == (e2 == nil) {
		t.Fatalf("two writers over the same files: %v and %v, want one success", e1, e2)
	}
	err := e1
	if err == nil {
		err = e2
	}
	if e, ok := err.(*Error); !ok || e.Problems[0].Kind != Changed {
		t.Errorf("the second writer: %v, want its inputs changed", err)
	}
	if l := tr.litter(); l != nil {
		t.Errorf("left %v", l)
	}
}

func TestCancel(t *testing.T) {
	for _, at := range []string{"before", "temp", "journal", "commit"} {
		t.Run(at, func(t *testing.T) {
			tr := newTree(t)
			opts := tr.options()
			ctx, cancel := context.WithCancel(context.Background())
			if at == "before" {
				cancel()
			}
			opts.crash = func(p string) bool {
				if p == at {
					cancel()
				}
				return false
			}
			err := Apply(ctx, tr.files(), opts)
			cancel()
			want := "old"
			if at == "commit" {
				want = "new"
				if err != nil {
					t.Errorf("Apply cancelled after the commit: %v, want nil", err)
				}
			} else if err != context.Canceled {
				t.Errorf("Apply cancelled at %s: %v, want context.Canceled", at, err)
			}
			if s := tr.state(); s != want {
				t.Errorf("Apply cancelled at %s: %s, want %s", at, s, want)
			}
			if l := tr.litter(); l != nil {
				t.Errorf("Apply cancelled at %s left %v", at, l)
			}
		})
	}
}

// TestLegacyTemp: the temporaries of earlier binaries are removed once a
// minute old.
func TestLegacyTemp(t *testing.T) {
	dir := t.TempDir()
	oldTmp := filepath.Join(dir, ".a.go.difgen-123456")
	newTmp := filepath.Join(dir, ".b.go.difgen-654321")
	for _, n := range []string{oldTmp, newTmp} {
		os.WriteFile(n, []byte("x"), 0o644)
	}
	past := time.Now().Add(-2 * legacyAge)
	os.Chtimes(oldTmp, past, past)
	if _, err := Recover(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(oldTmp); err == nil {
		t.Errorf("Recover kept an old temporary of an earlier binary")
	}
	if _, err := os.Stat(newTmp); err != nil {
		t.Errorf("Recover removed a fresh temporary of an earlier binary (it may be writing it)")
	}
}

func TestJournalRoundTrip(t *testing.T) {
	dir := "/m/a b"
	id := "42-0123abcd"
	p := &plan{id: id, home: "/m/a b", dirs: []string{"/m/a b", "/m/c"}, renames: []rename{
		{tempName("/m/a b/x\".go", id), "/m/a b/x\".go"},
		{tempName("/m/c/y.go", id), "/m/c/y.go"},
	}}
	data := p.encode(dir)
	q, err := decodePlan(dir, data)
	if err != nil {
		t.Fatalf("decode:\n%s\n%v", data, err)
	}
	if q.id != p.id || q.home != p.home || !slices.Equal(q.dirs, p.dirs) || !slices.Equal(q.renames, p.renames) {
		t.Errorf("round trip: %+v, want %+v", q, p)
	}
	for i := range len(data) - 1 {
		if _, err := decodePlan(dir, data[:i]); err == nil {
			t.Fatalf("a journal cut at %d decodes", i)
		}
	}
}
