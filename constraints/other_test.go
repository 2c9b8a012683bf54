//go:build !linux

package constraints_test

import "testing"

func waitGone(t *testing.T, cmdline string) {}
