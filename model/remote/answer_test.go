package remote

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/model/remote/remotetest"
)

func TestParseAnswer(t *testing.T) {
	for _, tc := range []struct {
		in      string
		n       int
		want    map[int]string
		problem string
	}{
		{`<hole id="1">x</hole><hole id="2">y</hole></holes>`, 2, map[int]string{1: "x", 2: "y"}, ""},
		{"<think>maybe <hole id=\"1\">z</hole></think>\n<hole id='1'>x</hole>\n<hole id=2>\n```go\ny()\n```\n</hole><|im_end|>junk", 2, map[int]string{1: "x", 2: "y()"}, ""},
		{`<hole id="2">y</hole><hole id="1">x</hole>`, 2, map[int]string{1: "x", 2: "y"}, ""},
		{`<hole id="1">x</hole><hole id="1">z</hole>`, 2, map[int]string{1: "x"}, "hole 1 is answered twice; holes 2 are missing"},
		{`<hole id="1">x`, 1, map[int]string{}, "hole 1 is not closed with </hole>; holes 1 are missing"},
		{`plain prose`, 1, map[int]string{}, `it has no <hole id="K">…</hole> blocks`},
		{`<hole id="3">x</hole>`, 1, map[int]string{}, "holes 1 are missing; there is no hole 3 (ids are 1 to 1)"},
	} {
		got, problem := parseAnswer(tc.in, tc.n)
		if !reflect.DeepEqual(got, tc.want) || problem != tc.problem {
			t.Errorf("parseAnswer(%q) = %v, %q; want %v, %q", tc.in, got, problem, tc.want, tc.problem)
		}
	}
}

func TestCleanFill(t *testing.T) {
	stmts := &ast.Hole{Kind: ast.Stmts}
	body := &ast.Hole{Kind: ast.Body}
	expr := &ast.Hole{Kind: ast.Expr}
	for _, tc := range []struct {
		raw    string
		h      *ast.Hole
		indent string
		suffix string
		want   string
		ok     bool
	}{
		{" a + b;\n", expr, "", ")", "a + b", true},
		{"```go\nx := 1\n```", stmts, "\t", "", "x := 1", true},
		{"    x := 1\n    if x > 0 {\n        y()\n    }\n", stmts, "\t", "", "x := 1\n\tif x > 0 {\n\t\ty()\n\t}", true},
		{"return a + b\n}\n\nfunc next() {}\n", body, "\t", "\n}\n", "return a + b", true},
		{"x := 1\nfmt.Println(x, total)\nreturn", stmts, "\t", "\n\tfmt.Println(x, total)\n\treturn\n}", "x := 1", true},
		{"return c", stmts, "\t", "\n\treturn c\n}\n", "", false},
		{"", body, "\t", "}", "", true},
		{"a<|endoftext|>garbage", expr, "", "", "a", true},
	} {
		got, ok := cleanFill(tc.raw, tc.h, tc.indent, tc.suffix)
		if got != tc.want || ok != tc.ok {
			t.Errorf("cleanFill(%q) = %q, %v; want %q, %v", tc.raw, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"5", 5 * time.Second, true}, {"-1", 0, false}, {"soon", 0, false},
		{"Wed, 01 Jan 2025 00:00:30 GMT", 30 * time.Second, true},
		{"Tue, 31 Dec 2024 23:00:00 GMT", 0, true},
	} {
		got, ok := parseRetryAfter(tc.v, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

func TestConcurrencyLimit(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv := remotetest.NewServerFunc(t, func(r *remotetest.Request) remotetest.Step {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		return remotetest.Text("v")
	})
	for _, conc := range []int{1, 3} {
		peak.Store(0)
		d, _, _ := newDenoiser(t, "ollama:m", srv, nil, func(o *Options) { o.Mode = FIM; o.Concurrency = conc })
		req := newRequest(t, "package p\n\nvar a, b, c, d, e = __, __, __, __, __\n")
		resp, err := d.Denoise(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Fills) != 5 || resp.Usage.Calls != 5 {
			t.Errorf("fills %d, calls %d", len(resp.Fills), resp.Usage.Calls)
		}
		if p := peak.Load(); p > int32(conc) {
			t.Errorf("concurrency %d: peak %d requests in flight", conc, p)
		}
	}
}

var record = flag.Bool("record", false, "re-record testdata/*.rr against the scripted test server")

// TestReplay replays a recorded chat exchange. With -record it records it
// again against a remotetest server, scrubbing the key.
func TestReplay(t *testing.T) {
	file := filepath.Join("testdata", "chat.rr")
	if *record {
		srv := remotetest.NewServer(t, remotetest.Text(remotetest.Holes("a + b", "c++")))
		rec := remotetest.Record(file, nil, testKey)
		d, _, _ := newDenoiser(t, "openai:gpt-4.1", srv, nil, func(o *Options) { o.HTTPClient = rec.Client() })
		if _, err := d.Denoise(context.Background(), newRequest(t, srcA)); err != nil {
			t.Fatal(err)
		}
		if err := rec.Close(); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), testKey) || strings.Contains(strings.ToLower(string(data)), "authorization") {
		t.Errorf("%s holds a secret", file)
	}
	rr, err := remotetest.Replay(file)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse("openai:gpt-4.1", nil, &Options{APIKey: "another-key", BaseURL: "http://example.invalid/v1", HTTPClient: rr.Client(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.Denoise(context.Background(), newRequest(t, srcA))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fills(resp), [][]string{{"a + b"}, {"c++"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("fills = %q, want %q", got, want)
	}
	// A request that was not recorded fails clearly.
	req := newRequest(t, srcOne)
	if _, err := d.Denoise(context.Background(), req); err == nil || !strings.Contains(err.Error(), "no recorded answer") {
		t.Errorf("unrecorded request: err = %v", err)
	}
}
