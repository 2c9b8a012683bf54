package redact

import (
	"strings"
	"testing"
)

func TestURLs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"no url here", "no url here"},
		{"https://api.openai.com/v1", "https://api.openai.com/v1"},
		{"postgres://u:PASS@h/db", "postgres://REDACTED@h/db"},
		{"http://u:PASS@proxy:3128", "http://REDACTED@proxy:3128"},
		{"https://token@github.com/o/r.git", "https://REDACTED@github.com/o/r.git"},
		{"https://api.example/v1?key=sk-1&model=m", "https://api.example/v1?key=REDACTED&model=m"},
		{"https://h/p?api_key=1;access_token=2&X-Amz-Signature=3&X-Amz-Credential=4&q=go", "https://h/p?api_key=REDACTED;access_token=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&q=go"},
		{"https://h/cb#access_token=tok&state=s", "https://h/cb#access_token=REDACTED&state=s"},
		{`Post "https://u:p@api.openai.com/v1/chat?token=t": dial tcp: refused`, `Post "https://REDACTED@api.openai.com/v1/chat?token=REDACTED": dial tcp: refused`},
		{"two: http://a:b@x/ and ftp://c:d@y/z", "two: http://REDACTED@x/ and ftp://REDACTED@y/z"},
		{"https://proxy.golang.org/github.com/x/y/@v/list", "https://proxy.golang.org/github.com/x/y/@v/list"},
		{"https://h/?password=&user=u", "https://h/?password=REDACTED&user=u"},
		{"mongodb+srv://admin:pw@cluster0.example.net/?retryWrites=true", "mongodb+srv://REDACTED@cluster0.example.net/?retryWrites=true"},
		{"cannot reach https://u:sk-secret@gw.example/v1 (refused)", "cannot reach https://REDACTED@gw.example/v1 (refused)"},
	} {
		if got := URLs(c.in); got != c.want {
			t.Errorf("URLs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNoSecretLeft(t *testing.T) {
	for _, s := range []string{"https://u:SEKRIT@h/", "https://h/?key=SEKRIT", "https://h/?access_token=SEKRIT", "ht%tp://u:SEKRIT@h/", "https://SEKRIT@h"} {
		if got := URLs(s); strings.Contains(got, "SEKRIT") {
			t.Errorf("URLs(%q) = %q: the secret is still there", s, got)
		}
	}
}

func TestSecretName(t *testing.T) {
	for _, n := range []string{"OPENAI_API_KEY", "GH_PAT", "MYSQL_PWD", "AWS_SECRET_ACCESS_KEY", "api-key", "access_token", "PGPASSWORD", "X-Amz-Signature"} {
		if !SecretName(n) {
			t.Errorf("SecretName(%q) = false", n)
		}
	}
	for _, n := range []string{"PATH", "HOME", "GOPATH", "model", "LANG", "q"} {
		if SecretName(n) {
			t.Errorf("SecretName(%q) = true", n)
		}
	}
}
