package local

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/corpus"
)

// smallCorpus is a handful of standard-library packages that train in a
// second or two.
var smallCorpus = &corpus.Options{Packages: []string{
	"bufio", "bytes", "strings", "strconv", "errors", "io", "os", "sort", "path/filepath", "encoding/json",
}}

var testModel *NGram

func smallModel(t testing.TB) *NGram {
	t.Helper()
	if testModel == nil {
		m, err := train(context.Background(), smallCorpus, false)
		if err != nil {
			t.Fatal(err)
		}
		testModel = m
	}
	return testModel
}

// split tokenizes src and returns the tokens left and right of the first
// token with text mask (after skipping skip of them), and that token.
func split(t testing.TB, src, mask string, skip int) (left []ast.Token, tok ast.Token, right []ast.Token) {
	t.Helper()
	toks := ast.Tokenize(src)
	for i, x := range toks {
		if x.Text == mask {
			if skip > 0 {
				skip--
				continue
			}
			return toks[:i], x, toks[i+1:]
		}
	}
	t.Fatalf("no %q in %q", mask, src)
	return
}

func TestPredictObvious(t *testing.T) {
	m := smallModel(t)
	src := "package p\n\nfunc f() error {\n\tx, err := g()\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn nil\n}\n"
	for _, mask := range []string{"!=", "nil", "return", "err", "if"} {
		left, want, right := split(t, src, mask, 0)
		preds := m.Predict(left, right, 5)
		if len(preds) == 0 || preds[0].Token.Text != want.Text || preds[0].Token.Kind != want.Kind {
			t.Errorf("Predict(%s) = %v, want %q first", mask, preds, want.Text)
		}
		lp := m.LogProb(left, []ast.Token{want}, right)
		if math.Abs(lp-preds[0].LogProb) > 1e-9 {
			t.Errorf("LogProb(%s) = %g, Predict says %g", mask, lp, preds[0].LogProb)
		}
	}
	// A multi-token fill is scored, and a likely one beats a garbled one.
	left, _, right := split(t, src, "err", 1)
	right = right[2:] // drop "!= nil"
	good := m.LogProb(left, ast.Tokenize("err != nil")[:3], right)
	bad := m.LogProb(left, ast.Tokenize("nil != return")[:3], right)
	if !(good > bad) {
		t.Errorf("LogProb(err != nil) = %g, not above LogProb(nil != return) = %g", good, bad)
	}
}

func TestCache(t *testing.T) {
	m := smallModel(t)
	pkg := "package p\n\ntype frobnicator struct{ widgetCount int }\n\nfunc (f *frobnicator) size() int { return f.widgetCount }\n"
	src := "package p\n\nfunc g(f *frobnicator) int {\n\treturn f.widgetCount + 1\n}\n"
	left, want, right := split(t, src, "widget", 0)
	c := m.WithCache(pkg)
	preds := c.Predict(left, right, 3)
	if len(preds) == 0 || preds[0].Token.Text != want.Text {
		t.Errorf("cached Predict = %v, want %q first", preds, want.Text)
	}
	if lp, lm := c.LogProb(left, []ast.Token{want}, right), m.LogProb(left, []ast.Token{want}, right); !(lp > lm) {
		t.Errorf("cache LogProb %g not above model's %g", lp, lm)
	}
}

func TestSaveLoad(t *testing.T) {
	m := smallModel(t)
	path := filepath.Join(t.TempDir(), "m.bin")
	if err := m.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	m2, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m2.Info(), m.Info()) {
		t.Errorf("info %+v, want %+v", m2.Info(), m.Info())
	}
	var b1, b2 bytes.Buffer
	m.WriteTo(&b1)
	m2.WriteTo(&b2)
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Error("re-encoded model differs")
	}
	src, err := os.ReadFile(filepath.Join(corpus.GOROOT().Dir, "bufio", "scan.go"))
	if err != nil {
		t.Fatal(err)
	}
	toks := ast.Tokenize(string(src))
	for i := 10; i < len(toks)-10; i += 37 {
		p1 := m.Predict(toks[:i], toks[i+1:], 5)
		p2 := m2.Predict(toks[:i], toks[i+1:], 5)
		if len(p1) != len(p2) {
			t.Fatalf("at %d: %v vs %v", i, p1, p2)
		}
		for j := range p1 {
			if p1[j].Token != p2[j].Token || math.Abs(p1[j].LogProb-p2[j].LogProb) > 1e-6 {
				t.Fatalf("at %d: %v vs %v", i, p1, p2)
			}
		}
	}
	// Corruption and version mismatch are detected.
	bad := bytes.Clone(b1.Bytes())
	bad[len(bad)/2] ^= 0xff
	if _, err := Decode(bad); err == nil {
		t.Error("corrupt model decoded")
	}
	bad = bytes.Clone(b1.Bytes())
	bad[len(magic)] = FormatVersion + 1
	if _, err := Decode(bad); err == nil {
		t.Error("model of another version decoded")
	}
}

func TestRadixSort(t *testing.T) {
	keys := make([]uint64, 100000)
	x := uint64(1)
	for i := range keys {
		x = mix(x + uint64(i))
		keys[i] = x >> (i % 40)
	}
	radixSort(keys)
	for i := 1; i < len(keys); i++ {
		if keys[i-1] > keys[i] {
			t.Fatalf("unsorted at %d", i)
		}
	}
}

// TestGOROOT trains on all of GOROOT/src less the held-out packages and
// reports time, size and load time. It is slow; set DIFGEN_LONG=1.
func TestGOROOT(t *testing.T) {
	if os.Getenv("DIFGEN_LONG") == "" {
		t.Skip("set DIFGEN_LONG=1")
	}
	start := time.Now()
	m, err := train(context.Background(), &corpus.Options{}, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trained in %v: %+v", time.Since(start), m.Info())
	path := filepath.Join(os.TempDir(), "difgen-model-holdout.bin")
	if err := m.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	start = time.Now()
	if _, err := ReadFile(path); err != nil {
		t.Fatal(err)
	}
	t.Logf("file %s: %d bytes, loaded in %v", path, fi.Size(), time.Since(start))
}

func BenchmarkLoad(b *testing.B) {
	path := filepath.Join(b.TempDir(), "m.bin")
	if err := smallModel(b).WriteFile(path); err != nil {
		b.Fatal(err)
	}
	if p := os.Getenv("DIFGEN_MODEL"); p != "" {
		path = p
	}
	for b.Loop() {
		if _, err := ReadFile(path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredict(b *testing.B) {
	m := smallModel(b)
	src, err := os.ReadFile(filepath.Join(corpus.GOROOT().Dir, "bufio", "scan.go"))
	if err != nil {
		b.Fatal(err)
	}
	toks := ast.Tokenize(string(src))
	i := 0
	for b.Loop() {
		i = (i + 37) % (len(toks) - 20)
		m.Predict(toks[:i+10], toks[i+11:], 5)
	}
}

// train counts a model on the corpus of opts, for tests (difgen's command
// wires the corpus to the trainer the same way).
func train(ctx context.Context, opts *corpus.Options, holdout bool) (*NGram, error) {
	copts := *opts
	copts.TrainOnly = holdout
	tr := NewTrainer(nil)
	if err := corpus.Walk(ctx, &copts, func(d *corpus.Doc) error {
		tr.Add(d.Tokens)
		return nil
	}); err != nil {
		return nil, err
	}
	tr.SetInfo(copts.Packages, holdout)
	return tr.Train(ctx)
}
