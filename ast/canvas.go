package ast

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// Hash is the SHA-256 of a file's text.
type Hash [sha256.Size]byte

// String returns the first 12 hex digits of h.
func (h Hash) String() string { return hex.EncodeToString(h[:6]) }

// A File is an immutable snapshot of one Go source file.
type File struct {
	Name string // absolute path
	Text string
	Hash Hash
}

// NewFile returns a snapshot of a file named name holding text.
func NewFile(name, text string) *File {
	return &File{Name: name, Text: text, Hash: sha256.Sum256([]byte(text))}
}

// A Canvas is an immutable set of file snapshots: the Go files of one
// package directory. Methods that change a canvas return a new one and
// share the unchanged snapshots.
type Canvas struct {
	Dir   string  // absolute package directory
	files []*File // sorted by Name
}

// NewCanvas returns a canvas of the given files in dir.
func NewCanvas(dir string, files ...*File) *Canvas {
	fs := slices.Clone(files)
	slices.SortFunc(fs, func(a, b *File) int { return strings.Compare(a.Name, b.Name) })
	fs = slices.CompactFunc(fs, func(a, b *File) bool { return a.Name == b.Name })
	return &Canvas{Dir: dir, files: fs}
}

// Files returns the canvas's files sorted by name. The caller must not
// modify the slice.
func (c *Canvas) Files() []*File { return c.files }

// File returns the snapshot named name, or nil.
func (c *Canvas) File(name string) *File {
	i, ok := slices.BinarySearchFunc(c.files, name, func(f *File, name string) int { return strings.Compare(f.Name, name) })
	if !ok {
		return nil
	}
	return c.files[i]
}

// With returns a canvas in which the given files replace (or join) those
// of the same name.
func (c *Canvas) With(files ...*File) *Canvas {
	out := make([]*File, 0, len(c.files)+len(files))
	out = append(out, files...)
	for _, f := range c.files {
		if !slices.ContainsFunc(files, func(g *File) bool { return g.Name == f.Name }) {
			out = append(out, f)
		}
	}
	return NewCanvas(c.Dir, out...)
}

// WithText returns a canvas in which the file named name holds text.
func (c *Canvas) WithText(name, text string) *Canvas {
	if f := c.File(name); f != nil && f.Text == text {
		return c
	}
	return c.With(NewFile(name, text))
}

// Changed returns the names of the files whose text differs between base
// and c, sorted.
func (c *Canvas) Changed(base *Canvas) []string {
	var names []string
	for _, f := range c.files {
		if b := base.File(f.Name); b == nil || b.Hash != f.Hash {
			names = append(names, f.Name)
		}
	}
	return names
}

// Key returns a hash of the whole canvas, for caching results by content.
func (c *Canvas) Key() Hash {
	h := sha256.New()
	for _, f := range c.files {
		h.Write([]byte(f.Name))
		h.Write([]byte{0})
		h.Write(f.Hash[:])
	}
	var k Hash
	h.Sum(k[:0])
	return k
}
