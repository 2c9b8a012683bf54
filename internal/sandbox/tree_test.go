package sandbox

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// writeModule writes files (slash paths to contents; a content starting
// with "->" makes a symbolic link to the rest) under dir.
func writeModule(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := files[name]
		if target, ok := strings.CutPrefix(data, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// listTree returns every path under dir (slash-separated, relative) with
// its type, permission bits and content or link target.
func listTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := make(map[string]string)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		v := fi.Mode().String()
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			v += " -> " + filepath.ToSlash(l)
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			v += " " + string(b)
		}
		m[filepath.ToSlash(rel)] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func diffTrees(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if want[k] != got[k] {
			t.Errorf("%s: %s: got %q, want %q", what, k, got[k], want[k])
		}
	}
}

var moduleFiles = map[string]string{
	"go.mod":                    "module example.com/m\n\ngo 1.22\n",
	"go.sum":                    "",
	"root.go":                   "package m\n",
	"pkg/p.go":                  "package pkg\n",
	"pkg/p_test.go":             "package pkg\n",
	"pkg/testdata/a.txt":        "a\n",
	"pkg/testdata/deep/b.txt":   "b\n",
	"pkg/sub/s.go":              "package sub\n",
	"other/o.go":                "package other\n",
	"other/testdata/o.txt":      "o\n",
	".git/HEAD":                 "ref: refs/heads/main\n",
	"pkg/.hg/store":             "x",
	"nested/go.mod":             "module example.com/m/nested\n",
	"nested/n.go":               "package nested\n",
	"pkg/link.txt":              "->testdata/a.txt",
	"pkg/up.go":                 "->../root.go",
	"pkg/outside":               "->/etc/hostname",
	"pkg/testdata/.hidden/x":    "hidden\n",
	"pkg/testdata/exec.sh":      "#!/bin/sh\n",
	"docs/readme.md":            "# m\n",
	"pkg/testdata/empty/.keep":  "",
	"pkg/testdata/golden.txtar": "-- a --\n",
}

func TestTreeCopiesTheModule(t *testing.T) {
	src := t.TempDir()
	writeModule(t, src, moduleFiles)
	if err := os.Chmod(filepath.Join(src, "pkg/testdata/exec.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "tree")
	tree, err := NewTree(dst, src, filepath.Join(src, "pkg"))
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Remove()
	if tree.Partial() {
		t.Error("a small module was copied partially")
	}
	if got, want := tree.PkgDir(), filepath.Join(dst, "pkg"); got != want {
		t.Errorf("PkgDir() = %s, want %s", got, want)
	}
	want := listTree(t, src)
	for k := range want {
		if k == ".git" || strings.HasPrefix(k, ".git/") || strings.HasPrefix(k, "pkg/.hg") || k == "nested" || strings.HasPrefix(k, "nested/") {
			delete(want, k)
		}
	}
	// A link out of the module is absolute in the copy; links inside
	// stay relative, into the copy.
	got := listTree(t, dst)
	if runtime.GOOS != "windows" {
		want["."] = got["."] // the copy's own root
		diffTrees(t, "copy", want, got)
	}
	if got, err := os.Readlink(filepath.Join(dst, "pkg/up.go")); err != nil || got != filepath.FromSlash("../root.go") {
		t.Errorf("pkg/up.go links to %q (%v), want ../root.go", got, err)
	}
	// Real copies: writing the copy leaves the module alone.
	if err := os.WriteFile(filepath.Join(dst, "pkg/p.go"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(src, "pkg/p.go")); string(b) != "package pkg\n" {
		t.Errorf("writing the copy changed the module: %q", b)
	}
}

func TestTreeReset(t *testing.T) {
	src := t.TempDir()
	writeModule(t, src, moduleFiles)
	if err := os.Chmod(filepath.Join(src, "docs"), 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Join(src, "docs"), 0o755)
	dst := filepath.Join(t.TempDir(), "tree")
	tree, err := NewTree(dst, src, filepath.Join(src, "pkg"))
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Remove()
	pristine := listTree(t, dst)

	// What a test run might do.
	p := func(rel string) string { return filepath.Join(dst, filepath.FromSlash(rel)) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(p("pkg/new.txt"), []byte("new"), 0o644))
	must(os.MkdirAll(p("pkg/newdir/deeper"), 0o755))
	must(os.WriteFile(p("pkg/newdir/deeper/f"), []byte("f"), 0o644))
	must(os.Chmod(p("pkg/newdir"), 0o500)) // a read-only directory to remove
	must(os.WriteFile(p("pkg/p.go"), []byte("package pkg // edited\n"), 0o644))
	must(os.Remove(p("pkg/testdata/a.txt")))
	must(os.RemoveAll(p("pkg/testdata/deep")))
	must(os.Remove(p("root.go")))
	must(os.Mkdir(p("root.go"), 0o755)) // a file replaced by a directory
	must(os.Chmod(p("pkg/testdata"), 0o000))
	must(os.Remove(p("pkg/link.txt")))
	must(os.Symlink("/etc/passwd", p("pkg/link.txt")))
	must(os.WriteFile(p("go.sum"), []byte{}, 0o600)) // same size, new mode
	must(os.Chmod(p("docs"), 0o755))
	must(os.WriteFile(p("docs/added.md"), []byte("x"), 0o644))
	// Same size and modification time: only the change time tells.
	fi, err := os.Stat(p("other/o.go"))
	must(err)
	must(os.WriteFile(p("other/o.go"), []byte("package OTHER\n"), 0o644))
	must(os.Chtimes(p("other/o.go"), fi.ModTime(), fi.ModTime()))

	if err := tree.Reset(); err != nil {
		t.Fatal(err)
	}
	diffTrees(t, "after Reset", pristine, listTree(t, dst))

	// Reset of an untouched tree changes nothing; twice neither.
	for range 2 {
		if err := tree.Reset(); err != nil {
			t.Fatal(err)
		}
		diffTrees(t, "after another Reset", pristine, listTree(t, dst))
	}

	// The module's file changed since the copy: Reset cannot restore it.
	must(os.WriteFile(filepath.Join(src, "pkg/p.go"), []byte("package pkg // user edit\n"), 0o644))
	must(os.Remove(p("pkg/p.go")))
	if err := tree.Reset(); err == nil || !strings.Contains(err.Error(), "changed since the tree was made") {
		t.Errorf("Reset after the module changed: %v", err)
	}
}

func TestTreePartial(t *testing.T) {
	src := t.TempDir()
	writeModule(t, src, moduleFiles)
	dst := filepath.Join(t.TempDir(), "tree")
	tree, err := newTree(dst, src, filepath.Join(src, "pkg"), 1<<20, 10) // more than 10 entries
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Remove()
	if !tree.Partial() {
		t.Fatal("Partial() = false past the file limit")
	}
	var got []string
	for k := range listTree(t, dst) {
		got = append(got, k)
	}
	slices.Sort(got)
	want := []string{".", "go.mod", "go.sum", "pkg", "pkg/link.txt", "pkg/outside", "pkg/p.go", "pkg/p_test.go", "pkg/testdata",
		"pkg/testdata/.hidden", "pkg/testdata/.hidden/x", "pkg/testdata/a.txt", "pkg/testdata/deep", "pkg/testdata/deep/b.txt",
		"pkg/testdata/empty", "pkg/testdata/empty/.keep", "pkg/testdata/exec.sh", "pkg/testdata/golden.txtar", "pkg/up.go"}
	if !slices.Equal(got, want) {
		t.Errorf("partial copy holds\n%q\nwant\n%q", got, want)
	}
	if err := tree.Reset(); err != nil {
		t.Fatal(err)
	}
}

func TestTreeErrors(t *testing.T) {
	src := t.TempDir()
	writeModule(t, src, moduleFiles)
	if _, err := NewTree(t.TempDir()+"/t", src, t.TempDir()); err == nil {
		t.Error("NewTree accepted a package outside the module")
	}
	full := t.TempDir()
	writeModule(t, full, map[string]string{"x": "x"})
	if _, err := NewTree(full, src, src); err == nil {
		t.Error("NewTree accepted a destination that is not empty")
	}
	// A destination inside the module is not copied into itself.
	tree, err := NewTree(filepath.Join(src, "pkg", "tree"), src, filepath.Join(src, "pkg"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(tree.PkgDir(), "tree")); err == nil {
		t.Error("the tree holds a copy of itself")
	}
	tree.Remove()
}
