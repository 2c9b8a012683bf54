package redact

import (
	"strings"
	"testing"
)

func TestURLs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"https://api.openai.com/v1", "https://api.openai.com/v1"},
		{"cannot reach https://u:sk-secret@gw.example/v1 (refused)", "cannot reach https://u:REDACTED@gw.example/v1 (refused)"},
		{"postgres://app:PASS@db:5432/x?sslmode=off", "postgres://app:REDACTED@db:5432/x?sslmode=off"},
		{"http://u:PASS@proxy:3128", "http://u:REDACTED@proxy:3128"},
		{"https://h/v1?api-key=abc123&model=x", "https://h/v1?api-key=REDACTED&model=x"},
		{"https://h/v1?token=t0k", "https://h/v1?token=REDACTED"},
		{"https://ghp_0123456789abcdefghijklmn@github.com/x", "https://REDACTED@github.com/x"},
		{"https://user@host/x", "https://user@host/x"},
		{`"https://a:b@c" and https://d:e@f`, `"https://a:REDACTED@c" and https://d:REDACTED@f`},
	} {
		if got := URLs(tc.in); got != tc.want {
			t.Errorf("URLs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNoSecretLeft(t *testing.T) {
	for _, s := range []string{"https://u:SEKRIT@h/", "https://h/?key=SEKRIT", "https://h/?access_token=SEKRIT", "ht%tp://u:SEKRIT@h/"} {
		if got := URLs(s); strings.Contains(got, "SEKRIT") {
			t.Errorf("URLs(%q) = %q: the secret is still there", s, got)
		}
	}
}

func TestSecretName(t *testing.T) {
	for _, n := range []string{"OPENAI_API_KEY", "GH_PAT", "MYSQL_PWD", "AWS_SECRET_ACCESS_KEY", "api-key", "access_token", "PGPASSWORD"} {
		if !SecretName(n) {
			t.Errorf("SecretName(%q) = false", n)
		}
	}
	for _, n := range []string{"PATH", "HOME", "GOPATH", "model", "LANG"} {
		if SecretName(n) {
			t.Errorf("SecretName(%q) = true", n)
		}
	}
}
