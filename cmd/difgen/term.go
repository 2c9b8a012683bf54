package main

import (
	"io"
	"os"
)

// isTerminal reports whether w is a character device (a terminal), so
// progress lines go only to people, never into pipes or files.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
