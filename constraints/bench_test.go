package constraints

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkRecheck measures a re-check of net/http (from GOROOT) after a
// one-file edit: in-process type checking with cached imports ("types")
// against go build -overlay of the same edit ("gobuild"). Each iteration
// edits server.go differently, so no cache can answer.
//
//	go test -bench Recheck -benchtime 5x ./constraints
func BenchmarkRecheck(b *testing.B) {
	ctx := context.Background()
	dir := filepath.Join(goroot(b), "src", "net", "http")
	pkgs, err := Load(ctx, dir, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	pkg := pkgs[0]
	c, err := NewChecker(ctx, pkg, nil)
	if err != nil {
		b.Fatal(err)
	}
	base, err := pkg.Canvas()
	if err != nil {
		b.Fatal(err)
	}
	server := filepath.Join(dir, "server.go")
	orig := base.File(server).Text
	// The nonce defeats the go command's build cache across runs.
	nonce := time.Now().UnixNano()
	edit := func(i int) string {
		return orig + fmt.Sprintf("\nfunc difgenEdit%d() int64 { return %d }\n", i%2, nonce+int64(i))
	}
	// Warm the parse cache and check that the package is clean.
	r, err := c.Check(ctx, base, Types)
	if err != nil {
		b.Fatal(err)
	}
	if len(r.Findings) > 0 {
		b.Fatalf("net/http has findings: %v", r.Findings[0])
	}
	noTests, err := NewChecker(ctx, pkg, &Options{Tests: TestsOff})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		c    *Checker
	}{{"types", c}, {"types-notests", noTests}} {
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				r, err := bc.c.Check(ctx, base.WithText(server, edit(i)), Types)
				if err != nil {
					b.Fatal(err)
				}
				if len(r.Findings) > 0 {
					b.Fatal(r.Findings[0])
				}
			}
		})
	}
	b.Run("gobuild", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			fs, err := c.build(ctx, base.WithText(server, edit(i)))
			if err != nil {
				b.Fatal(err)
			}
			if len(fs) > 0 {
				b.Fatal(fs[0])
			}
		}
	})
}

// goroot returns the GOROOT of the go command on PATH.
func goroot(tb testing.TB) string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		tb.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
