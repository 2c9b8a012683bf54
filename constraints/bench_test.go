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
// one-file edit: in-process type checking with cached imports ("types"),
// and for an edit inside a function body that does not type-check, the
// full check ("types-bodyerror") against the screen ("screen-bodyerror",
// see Screen), all against go build -overlay of the same edits ("gobuild",
// "gobuild-bodyerror"). Each
// iteration edits server.go differently, so no cache can answer.
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
	// An edit inside a function body that does not type-check, as most
	// candidates: the screen checks the declarations and that body.
	body := strings.Index(orig, "func (c *conn) serve(ctx context.Context) {") + len("func (c *conn) serve(ctx context.Context) {")
	bad := func(i int) string {
		return orig[:body] + fmt.Sprintf("\n\t_ = difgenUndefined%d\n", nonce+int64(i)) + orig[body:]
	}
	for _, bc := range []struct {
		name   string
		screen bool
	}{{"types-bodyerror", false}, {"screen-bodyerror", true}} {
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := c.Check(ctx, base, Types); err != nil { // the base, as in refine
					b.Fatal(err)
				}
				b.StartTimer()
				cv := base.WithText(server, bad(i))
				var r *Report
				if bc.screen {
					r, err = c.Screen(ctx, cv, Types)
				} else {
					r, err = c.Check(ctx, cv, Types)
				}
				if err != nil {
					b.Fatal(err)
				}
				if len(r.Findings) != 1 || r.Shallow != bc.screen {
					b.Fatalf("findings %v, shallow %v", r.Findings, r.Shallow)
				}
			}
		})
	}
	// A body edit that type-checks: the screen's verdict (clean, so the
	// full check follows for vet, build and tests) and go build of it.
	good := func(i int) string {
		return orig[:body] + fmt.Sprintf("\n\t_ = %d\n", nonce+int64(i)) + orig[body:]
	}
	b.Run("screen-bodyvalid", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if r := c.screen(ctx, base.WithText(server, good(i))); r == nil || r.Blocked() {
				b.Fatalf("a valid edit not screened clean: %v", r)
			}
		}
	})
	b.Run("gobuild-bodyvalid", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			fs, err := c.build(ctx, base.WithText(server, good(i)))
			if err != nil {
				b.Fatal(err)
			}
			if len(fs) > 0 {
				b.Fatal(fs[0])
			}
		}
	})
	b.Run("gobuild-bodyerror", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			fs, err := c.build(ctx, base.WithText(server, bad(i)))
			if err != nil {
				b.Fatal(err)
			}
			if len(fs) == 0 {
				b.Fatal("go build found no error")
			}
		}
	})
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
