package sandbox

import (
	"io/fs"
	"path/filepath"
)

func isExecutable(fi fs.FileInfo) bool { return true }

func executableNames(file string) []string {
	if filepath.Ext(file) != "" {
		return []string{file}
	}
	return []string{file + ".exe", file + ".com", file + ".bat", file + ".cmd", file}
}
