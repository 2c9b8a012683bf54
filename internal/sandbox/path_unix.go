//go:build !windows

package sandbox

import "io/fs"

func isExecutable(fi fs.FileInfo) bool { return fi.Mode()&0o111 != 0 }

func executableNames(file string) []string { return []string{file} }
