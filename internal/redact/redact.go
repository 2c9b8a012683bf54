// Package redact removes credentials from text that difgen prints or
// passes on: URLs with a password (https://user:secret@host) or a key in
// their query (?api-key=…, ?token=…), as they appear in base URLs,
// proxies and error messages.
package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// urlRE matches a URL with a scheme, up to the first space or quote.
var urlRE = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s"'<>]+`)

// Mask stands for a removed credential.
const Mask = "REDACTED"

// URLs returns s with the credentials of every URL in it replaced by
// Mask: the password of the user information, and the values of query
// parameters whose names say they hold a secret.
func URLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlRE.ReplaceAllStringFunc(s, URL)
}

// URL returns the URL u with its credentials replaced by Mask; u is
// returned as it is when it does not parse or holds none.
func URL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return redactUnparsed(u)
	}
	changed := false
	if p.User != nil {
		if _, has := p.User.Password(); has {
			p.User = url.UserPassword(p.User.Username(), Mask)
		} else if looksSecret(p.User.Username()) {
			p.User = url.User(Mask) // https://TOKEN@host
		}
		changed = true
	}
	if p.RawQuery != "" {
		q := p.Query()
		for k := range q {
			if SecretName(k) {
				q.Set(k, Mask)
				changed = true
			}
		}
		if changed {
			p.RawQuery = q.Encode()
		}
	}
	if !changed {
		return u
	}
	return p.String()
}

// redactUnparsed handles a URL that net/url rejects: it masks what lies
// between "://" and the last "@" before the host.
func redactUnparsed(u string) string {
	i := strings.Index(u, "://")
	rest := u[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return u[:i+3] + Mask + rest[at:]
	}
	return u
}

// SecretName reports whether a variable or parameter name says it holds
// a secret: it contains KEY, TOKEN, SECRET, PASSWORD, PASSWD, PWD, AUTH,
// CREDENTIAL or SIGNATURE (case-insensitively), or is PAT or ends in _PAT.
func SecretName(name string) bool {
	n := strings.ToUpper(name)
	for _, s := range []string{"KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PWD", "AUTH", "CREDENTIAL", "SIGNATURE"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return n == "PAT" || strings.HasSuffix(n, "_PAT") || n == "SIG"
}

// looksSecret reports whether a user name of a URL is a token rather than
// a name: long, and made of letters, digits and token punctuation.
func looksSecret(user string) bool {
	if len(user) < 20 {
		return false
	}
	for _, r := range user {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.", r)) {
			return false
		}
	}
	return true
}
