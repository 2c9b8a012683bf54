package constraints

import (
	"os"
	"slices"
	"strings"
)

// ScrubEnv returns env (KEY=value entries) without the variables that may
// hold secrets: those whose name contains KEY, TOKEN, SECRET or PASSWORD,
// or starts with OPENAI_, ANTHROPIC_ or DIFGEN_ (case-insensitively).
// Generated code runs in the tests, so it must not see API keys.
func ScrubEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if isSecretName(name) {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func isSecretName(name string) bool {
	n := strings.ToUpper(name)
	for _, s := range []string{"KEY", "TOKEN", "SECRET", "PASSWORD"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	for _, p := range []string{"OPENAI_", "ANTHROPIC_", "DIFGEN_"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// environ returns the environment for a subprocess: the process's
// environment plus extra, later entries winning, scrubbed of secrets.
func environ(extra []string) []string {
	env := append(os.Environ(), extra...)
	// Keep the last entry of each name, in order.
	seen := make(map[string]bool)
	var out []string
	for _, kv := range slices.Backward(env) {
		name, _, _ := strings.Cut(kv, "=")
		if seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, kv)
	}
	slices.Reverse(out)
	return ScrubEnv(out)
}
