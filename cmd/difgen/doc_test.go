package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestHelpFromDoc checks that the help of every command comes from its
// section of doc.go, and that doc.go documents no command that is not.
func TestHelpFromDoc(t *testing.T) {
	for _, c := range commands {
		if c == cmdHelp {
			continue
		}
		name := strings.ToUpper(c.Name[:1]) + c.Name[1:]
		if c.Long == "" || c.Long != helpText(name) {
			t.Errorf("difgen %s: help is not doc.go's section # %s", c.Name, name)
		}
	}
	for _, m := range regexp.MustCompile(`(?m)^# (\w+)$`).FindAllStringSubmatch(doc, -1) {
		if lookup(strings.ToLower(m[1])) == nil {
			t.Errorf("doc.go documents %q, which is no command", m[1])
		}
	}
}
