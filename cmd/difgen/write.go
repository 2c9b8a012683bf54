package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/difgen/difgen/ast"
)

// writeFile replaces the file name with text, atomically: the text goes to
// a temporary file in the same directory, which is renamed over name. It
// refuses when the file changed on disk since it was read (its hash is no
// longer was) or is read-only.
func writeFile(name string, was ast.Hash, text string) error {
	fi, err := os.Stat(name)
	if err != nil {
		return fmt.Errorf("write %s: %v", name, err)
	}
	if fi.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s is read-only; not written (make it writable, or drop -w to see the diff)", name)
	}
	cur, err := os.ReadFile(name)
	if err != nil {
		return fmt.Errorf("write %s: %v", name, err)
	}
	if ast.NewFile(name, string(cur)).Hash != was {
		return fmt.Errorf("%s changed on disk while difgen ran; not written (run difgen again)", name)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".difgen-*")
	if err != nil {
		return fmt.Errorf("write %s: %v", name, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %v", name, err)
	}
	if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %v", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %v", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %v", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("write %s: %v", name, err)
	}
	return nil
}
