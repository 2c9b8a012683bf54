package filetx

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
)

// createTx is a transaction that creates a/new.go and c/c.go (in a
// directory with no other file) and replaces a/a1.go.
func createTx(tr *tree) []File {
	os.MkdirAll(tr.path("c"), 0o755)
	return []File{
		{Name: tr.path("a/a1.go"), Text: tr.new["a/a1.go"], Root: tr.root},
		{Name: tr.path("a/new.go"), Text: "package x // created\n", Root: tr.root, Create: true},
		{Name: tr.path("c/c.go"), Text: "package c // created\n", Root: tr.root, Create: true},
	}
}

func created(tr *tree) []string {
	var out []string
	for _, name := range []string{"a/new.go", "c/c.go"} {
		if _, err := os.Lstat(tr.path(name)); err == nil {
			out = append(out, name)
		}
	}
	return out
}

func TestCreate(t *testing.T) {
	tr := newTree(t)
	if err := Apply(context.Background(), createTx(tr), tr.options()); err != nil {
		t.Fatal(err)
	}
	if got := created(tr); len(got) != 2 {
		t.Errorf("created %v, want both files", got)
	}
	data, _ := os.ReadFile(tr.path("c/c.go"))
	if string(data) != "package c // created\n" {
		t.Errorf("c/c.go holds %q", data)
	}
	if fi, err := os.Stat(tr.path("c/c.go")); err != nil || fi.Mode().Perm()&0o600 != 0o600 {
		t.Errorf("c/c.go: mode %v (%v), want at least 0600", fi.Mode(), err)
	}
	if l := tr.litter(); l != nil {
		t.Errorf("Apply left %v", l)
	}
}

// TestCreateExists checks that a file to create which exists stops the
// whole transaction, the replaced file included.
func TestCreateExists(t *testing.T) {
	tr := newTree(t)
	files := createTx(tr)
	if err := os.WriteFile(tr.path("c/c.go"), []byte("package c // mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Apply(context.Background(), files, tr.options())
	var e *Error
	if !errors.As(err, &e) || len(e.Problems) != 1 || e.Problems[0].Name != tr.path("c/c.go") || e.Problems[0].Kind != Changed {
		t.Fatalf("Apply: %v, want one Changed problem for c/c.go", err)
	}
	if data, _ := os.ReadFile(tr.path("c/c.go")); string(data) != "package c // mine\n" {
		t.Errorf("c/c.go overwritten: %q", data)
	}
	if _, err := os.Lstat(tr.path("a/new.go")); err == nil {
		t.Error("a/new.go created although the transaction was refused")
	}
	if s := tr.state(); s != "old" {
		t.Errorf("a refused Apply wrote: %s", s)
	}
}

// TestCreateMissingDir checks that a file to create in a directory that
// does not exist is refused.
func TestCreateMissingDir(t *testing.T) {
	tr := newTree(t)
	files := []File{{Name: tr.path("nodir/x.go"), Text: "package x\n", Root: tr.root, Create: true}}
	if err := Apply(context.Background(), files, nil); err == nil {
		t.Fatal("Apply created a file in a directory that does not exist")
	}
}

// TestCreateOutside checks that a file to create through a directory
// link that leads outside its root is refused.
func TestCreateOutside(t *testing.T) {
	tr := newTree(t)
	outside := t.TempDir()
	if err := os.Symlink(outside, tr.path("out")); err != nil {
		t.Fatal(err)
	}
	files := []File{{Name: tr.path("out/x.go"), Text: "package x\n", Root: tr.root, Create: true}}
	err := Apply(context.Background(), files, nil)
	var e *Error
	if !errors.As(err, &e) || e.Problems[0].Kind != Outside {
		t.Fatalf("Apply: %v, want Outside", err)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("wrote outside the root: %v", ents)
	}
}

// TestCreateCrashPoints crashes a transaction that creates files at each
// of its steps: after Recover, either every file is created and replaced
// (from the commit on) or none is.
func TestCreateCrashPoints(t *testing.T) {
	var ps []string
	{
		tr := newTree(t)
		opts := tr.options()
		opts.crash = func(p string) bool { ps = append(ps, p); return false }
		if err := Apply(context.Background(), createTx(tr), opts); err != nil {
			t.Fatal(err)
		}
	}
	committed := slices.Index(ps, "commit")
	for k := range ps {
		tr := newTree(t)
		opts := tr.options()
		n := 0
		opts.crash = func(string) bool { n++; return n == k+1 }
		if err := Apply(context.Background(), createTx(tr), opts); err != errCrash {
			t.Fatalf("step %d: Apply: %v, want the crash", k, err)
		}
		for _, d := range []string{"a", "b", "c"} {
			if _, err := Recover(tr.path(d)); err != nil {
				t.Fatalf("step %d: Recover(%s): %v", k, d, err)
			}
		}
		wantNew := k >= committed
		got := created(tr)
		switch {
		case wantNew && (len(got) != 2 || tr.state() == "old"):
			t.Errorf("crash at step %d (%s), after the commit: created %v, tree %s; want all new", k, ps[k], got, tr.state())
		case !wantNew && (len(got) != 0 || tr.state() != "old"):
			t.Errorf("crash at step %d (%s), before the commit: created %v, tree %s; want all old", k, ps[k], got, tr.state())
		}
		if l := tr.litter(); l != nil {
			t.Errorf("step %d: Recover left %v", k, l)
		}
	}
}
