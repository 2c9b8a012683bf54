package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/difgen/difgen/internal/redact"
)

// envAllowed lists the variables that [Env] takes from the process
// environment; envPrefixes the prefixes of more.
var (
	envAllowed = []string{
		"PATH", "LANG", "LANGUAGE", "TZ",
		// The go command and the runtime.
		"GOROOT", "GOPATH", "GOMODCACHE", "GOFLAGS", "GOOS", "GOARCH",
		"GO386", "GOAMD64", "GOARM", "GOARM64", "GOMIPS", "GOMIPS64",
		"GOPPC64", "GORISCV64", "GOWASM", "GOEXPERIMENT", "GODEBUG",
		"GOFIPS140", "GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GOTRACEBACK",
		// cgo.
		"CGO_ENABLED", "CC", "CXX", "FC", "AR", "PKG_CONFIG", "GCCGO",
	}
	envPrefixes = []string{"LC_", "CGO_"}
)

// envForced are set whatever the process environment holds: the sandbox
// has no network, and a test must not fetch a toolchain or modules, read
// the user's go env file or a workspace outside its scratch tree.
var envForced = []string{
	"GOTOOLCHAIN=local",
	"GOPROXY=off",
	"GOSUMDB=off",
	"GOWORK=off",
	"GOENV=off",
}

// Env returns the environment for a sandboxed command, sorted by name: the
// allow-listed variables of the process environment (PATH, the locale, TZ,
// the GO* variables of the toolchain and runtime, CGO_ENABLED, CC, CXX and
// the CGO_* flags), HOME=home and TMPDIR=tmp (scratch directories the
// caller made), GOTOOLCHAIN=local, GOPROXY=off, GOSUMDB=off, GOWORK=off and
// GOENV=off, then extra (KEY=value entries, later ones winning). Anything
// else of the process environment — API keys, tokens, proxies, database
// URLs — is left out.
//
// GOPATH, when unset, is set to the user's default (HOME/go of the real
// HOME), so the go command run by a test finds the module cache (read-only
// inside the sandbox). GOCACHE is never taken from the environment: a
// build cache shared writable with untrusted code would let it plant
// objects in the user's later builds, and a read-only one breaks the go
// command; the default under the scratch HOME applies unless extra names
// one (which the caller then makes writable).
//
// Extra entries are the caller's own choice and are not checked against
// the allow-list (difgen passes the user's -env settings and its coverage
// variable). Every value, extra ones included, has credentials in URLs
// removed by [redact.URLs].
func Env(home, tmp string, extra []string) []string {
	vars := make(map[string]string)
	for _, kv := range os.Environ() {
		name, val, ok := strings.Cut(kv, "=")
		if ok && envAllows(name) {
			vars[name] = val
		}
	}
	if vars["GOPATH"] == "" {
		delete(vars, "GOPATH")
		if h, err := os.UserHomeDir(); err == nil && filepath.IsAbs(h) {
			vars["GOPATH"] = filepath.Join(h, "go")
		}
	}
	for _, kv := range envForced {
		name, val, _ := strings.Cut(kv, "=")
		vars[name] = val
	}
	if home != "" {
		vars["HOME"] = home
	}
	if tmp != "" {
		vars["TMPDIR"] = tmp
	}
	for _, kv := range extra {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			continue
		}
		vars[name] = val
	}
	out := make([]string, 0, len(vars))
	for name, val := range vars {
		out = append(out, name+"="+redact.URLs(val))
	}
	slices.Sort(out)
	return out
}

// envAllows reports whether Env takes the variable name from the process
// environment.
func envAllows(name string) bool {
	if slices.Contains(envAllowed, name) {
		return true
	}
	for _, p := range envPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// CredentialPaths returns the usual places of credentials under the home
// directory home (SSH and GnuPG keys, cloud and registry logins, .netrc,
// git credentials, database password files), for [Spec.Hide]. Paths that
// do not exist are included; Run skips them.
func CredentialPaths(home string) []string {
	rel := []string{
		".ssh", ".gnupg", ".aws", ".azure", ".config/gcloud", ".config/gh",
		".config/hub", ".docker", ".kube", ".netrc", ".git-credentials",
		".config/git/credentials", ".pgpass", ".my.cnf", ".npmrc", ".pypirc",
		".cargo/credentials", ".cargo/credentials.toml", ".terraform.d",
		".password-store", ".local/share/keyrings", ".config/openai",
		".config/anthropic",
	}
	out := make([]string, len(rel))
	for i, r := range rel {
		out[i] = filepath.Join(home, filepath.FromSlash(r))
	}
	return out
}
