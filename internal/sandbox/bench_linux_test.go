package sandbox

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkRun measures one run of a trivial program: a plain exec, and
// Run with namespaces and with the fallback. The ratios are reported by
// BenchmarkRunOverhead, which alternates them in one loop.
func BenchmarkRun(b *testing.B) {
	dir := b.TempDir()
	b.Run("exec", func(b *testing.B) {
		for b.Loop() {
			if err := plainRun(dir); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			if !m.fallback && !Isolation().Namespaces {
				b.Skip("no namespaces")
			}
			for b.Loop() {
				if err := sandboxRun(dir, m.fallback); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRunOverhead runs a plain exec, a namespaced Run and a fallback
// Run of the trivial program in turn and reports the mean of each and
// the ratios to the plain exec, so that the machine's load affects all
// three alike.
func BenchmarkRunOverhead(b *testing.B) {
	dir := b.TempDir()
	Isolation() // the probe is not part of a run
	var plain, ns, fb time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := plainRun(dir); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := sandboxRun(dir, false); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if err := sandboxRun(dir, true); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		plain += t1.Sub(t0)
		ns += t2.Sub(t1)
		fb += t3.Sub(t2)
	}
	n := float64(b.N)
	b.ReportMetric(float64(plain.Microseconds())/n/1000, "exec-ms")
	b.ReportMetric(float64(ns.Microseconds())/n/1000, "sandbox-ms")
	b.ReportMetric(float64(fb.Microseconds())/n/1000, "fallback-ms")
	b.ReportMetric(float64(ns)/float64(plain), "sandbox/exec")
	b.ReportMetric(float64(fb)/float64(plain), "fallback/exec")
	b.ReportMetric(0, "ns/op")
}

func plainRun(dir string) error {
	cmd := exec.Command(progPath, "true")
	cmd.Dir = dir
	return cmd.Run()
}

func sandboxRun(dir string, fallback bool) error {
	res := Run(context.Background(), &Spec{Path: progPath, Args: []string{"true"}, Dir: dir, Timeout: time.Minute, fallback: fallback})
	if res.Err != nil || !res.Exited || res.ExitCode != 0 {
		return fmt.Errorf("Run: %+v", res)
	}
	return nil
}

// BenchmarkTreeReset measures Reset of an untouched tree of a module of
// 1000 files in 50 directories: the cost paid before every run.
func BenchmarkTreeReset(b *testing.B) {
	src := b.TempDir()
	files := make(map[string]string)
	for i := range 1000 {
		files[fmt.Sprintf("d%02d/f%03d.go", i%50, i)] = "package d\n"
	}
	files["go.mod"] = "module example.com/big\n"
	writeModule(b, src, files)
	tree, err := NewTree(filepath.Join(b.TempDir(), "tree"), src, filepath.Join(src, "d00"))
	if err != nil {
		b.Fatal(err)
	}
	defer tree.Remove()
	for b.Loop() {
		if err := tree.Reset(); err != nil {
			b.Fatal(err)
		}
	}
}
