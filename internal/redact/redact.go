// Package redact removes credentials from text that difgen prints or
// passes on: URLs with user information (https://user:secret@host,
// https://TOKEN@host) or a credential in their query or fragment
// (?api-key=…, #access_token=…), as they appear in base URLs, proxies,
// database URLs and error messages.
package redact

import (
	"regexp"
	"strings"
)

// Mask stands for a removed credential.
const Mask = "REDACTED"

// urlPattern matches a URL with a scheme inside free text: up to the next
// space or quote.
var urlPattern = regexp.MustCompile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'<>`]+")

// URLs returns s with the credentials of every URL in it replaced by
// Mask: the user information (user:password@ or token@) and the values of
// query and fragment parameters whose names look like credentials (see
// SecretName). The rest of s is unchanged. A URL's authority ends at the
// first '/', '?' or '#', so a password holding a raw '/' (which RFC 3986
// forbids) is not recognised.
func URLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlPattern.ReplaceAllStringFunc(s, url)
}

func url(u string) string {
	i := strings.Index(u, "://") + len("://")
	head, rest := u[:i], u[i:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	var b strings.Builder
	b.WriteString(head)
	if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
		b.WriteString(Mask + "@")
		rest = rest[at+1:]
	}
	// Parameters after '?' and after '#' alike (OAuth puts access_token
	// in the fragment).
	for {
		j := strings.IndexAny(rest, "?#")
		if j < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:j+1])
		rest = rest[j+1:]
		k := strings.IndexByte(rest, '#')
		if k < 0 {
			k = len(rest)
		}
		b.WriteString(params(rest[:k]))
		rest = rest[k:]
	}
	return b.String()
}

// params masks the credential values of a name=value list separated by
// '&' or ';'.
func params(q string) string {
	var b strings.Builder
	for q != "" {
		j := strings.IndexAny(q, "&;")
		part, sep := q, ""
		if j >= 0 {
			part, sep, q = q[:j], q[j:j+1], q[j+1:]
		} else {
			q = ""
		}
		if name, _, ok := strings.Cut(part, "="); ok && SecretName(name) {
			part = name + "=" + Mask
		}
		b.WriteString(part)
		b.WriteString(sep)
	}
	return b.String()
}

var secretWords = []string{"key", "token", "secret", "pass", "pwd", "auth", "sig", "credential", "session", "cookie"}

// SecretName reports whether a variable or parameter name says it holds a
// credential: it contains key, token, secret, pass, pwd, auth, sig,
// credential, session or cookie (in any case, as in API_KEY or
// X-Amz-Signature), or is PAT or ends in _PAT.
func SecretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return n == "pat" || strings.HasSuffix(n, "_pat")
}
