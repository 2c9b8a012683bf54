package sandbox

import (
	"slices"
	"strings"
	"testing"
)

// secrets are put in the environment of a helper process that runs the
// sandbox; none may reach the program.
var secrets = []string{
	"OPENAI_API_KEY=sk-test-s3cr3tvalue",
	"DATABASE_URL=postgres://u:PASSdb4242@db.example/app",
	"HTTPS_PROXY=http://u:PASSproxy77@proxy.example:3128",
	"MYSQL_PWD=mysqlpwd9191",
	"GH_PAT=ghp_fakepat31337",
	"AWS_SECRET_ACCESS_KEY=awsfakesecret2718",
}

// secretValues are the parts of secrets that must never be seen.
var secretValues = []string{"sk-test-s3cr3tvalue", "PASSdb4242", "PASSproxy77", "mysqlpwd9191", "ghp_fakepat31337", "awsfakesecret2718"}

func TestEnvAllowList(t *testing.T) {
	for _, kv := range append(slices.Clip(secrets),
		"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C", "TZ=UTC", "GOFLAGS=-mod=mod", "GOARCH=amd64",
		"CGO_ENABLED=0", "CGO_CFLAGS=-O2", "GOPATH=/home/u/go", "GOCACHE=/home/u/.cache/go-build",
		"GOPROXY=https://u:tok@proxy.corp/", "GOTOOLCHAIN=auto", "HOME=/home/u", "TMPDIR=/tmp",
		"SSH_AUTH_SOCK=/tmp/ssh-x/agent.1", "LD_PRELOAD=/evil.so", "GOCOVERDIR=/tmp/cover",
		"XDG_CONFIG_HOME=/home/u/.config", "DIFGEN_API_KEY=dk-1", "GOENV=/home/u/.config/go/env") {
		name, val, _ := strings.Cut(kv, "=")
		t.Setenv(name, val)
	}
	got := Env("/scratch/home", "/scratch/tmp", []string{
		"DIFGEN_COVER=/scratch/cover.out",
		"GOFLAGS=-tags=integration",
		"APP_URL=https://admin:hunter2@localhost:8080/x?token=abc&page=2",
		"malformed",
	})
	want := []string{
		"APP_URL=https://REDACTED@localhost:8080/x?token=REDACTED&page=2",
		"CGO_CFLAGS=-O2",
		"CGO_ENABLED=0",
		"DIFGEN_COVER=/scratch/cover.out",
		"GOARCH=amd64",
		"GOENV=off",
		"GOFLAGS=-tags=integration",
		"GOPATH=/home/u/go",
		"GOPROXY=off",
		"GOSUMDB=off",
		"GOTOOLCHAIN=local",
		"GOWORK=off",
		"HOME=/scratch/home",
		"LANG=C.UTF-8",
		"LC_ALL=C",
		"PATH=/usr/bin:/bin",
		"TMPDIR=/scratch/tmp",
		"TZ=UTC",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Env =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, v := range secretValues {
		for _, kv := range got {
			if strings.Contains(kv, v) {
				t.Errorf("Env passed on %s", kv)
			}
		}
	}
}

func TestEnvDefaultGOPATH(t *testing.T) {
	t.Setenv("GOPATH", "")
	t.Setenv("HOME", "/home/real")
	got := Env("/scratch", "/scratch", nil)
	if !slices.Contains(got, "GOPATH=/home/real/go") {
		t.Errorf("Env without GOPATH = %q; want GOPATH=/home/real/go (the module cache)", got)
	}
}
