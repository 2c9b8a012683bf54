package remote

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
	"github.com/difgen/difgen/model"
	"github.com/difgen/difgen/model/remote/remotetest"
)

const testKey = "sk-test-secret-1234567890"

const srcA = `package p

import "fmt"

func other() int {
	return 42 // a long unrelated function
}

func add(a, b int) int {
	c := __
	__
	return c
}
`

// newRequest returns a request with the holes marked by __ in srcA: an
// expression hole and a statements hole.
func newRequest(t *testing.T, src string) *model.Request {
	t.Helper()
	name := "/src/p/a.go"
	var holes []*ast.Hole
	off := 0
	for {
		i := strings.Index(src[off:], "__")
		if i < 0 {
			break
		}
		start := off + i
		kind := ast.Expr
		lineStart := strings.LastIndexByte(src[:start], '\n') + 1
		if strings.TrimSpace(src[lineStart:start]) == "" && strings.HasPrefix(src[start:], "__\n") {
			kind = ast.Stmts
		}
		holes = append(holes, &ast.Hole{
			ID: len(holes) + 1, File: name, Start: start, End: start + 2, Kind: kind, User: true, Original: "__",
			Slot: &ast.Slot{Expected: types.Typ[types.Int], Func: "func add(a, b int) int", Scope: []types.Object{
				types.NewVar(token.NoPos, nil, "a", types.Typ[types.Int]), types.NewVar(token.NoPos, nil, "b", types.Typ[types.Int])}},
			Findings: []diag.Finding{{Category: diag.Types, Code: diag.MissingReturn, Message: "a.go:10:2: missing return"}},
		})
		off = start + 2
	}
	if len(holes) == 0 {
		t.Fatal("no holes in source")
	}
	return &model.Request{Canvas: ast.NewCanvas("/src/p", ast.NewFile(name, src)), Holes: holes, Candidates: 1, Seed: 7}
}

type testLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *testLog) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// newDenoiser parses spec against srv with test options: a key, fast
// backoff and recorded sleeps.
func newDenoiser(t *testing.T, spec string, srv *remotetest.Server, env map[string]string, mod func(*Options)) (*Denoiser, *[]time.Duration, *testLog) {
	t.Helper()
	var mu sync.Mutex
	var sleeps []time.Duration
	log := &testLog{}
	o := &Options{
		APIKey:    testKey,
		BaseURL:   srv.URL,
		retryBase: time.Millisecond,
		sleep:     func(d time.Duration) { mu.Lock(); sleeps = append(sleeps, d); mu.Unlock() },
		Logf:      log.logf,
	}
	if mod != nil {
		mod(o)
	}
	d, err := Parse(spec, func(k string) string { return env[k] }, o)
	if err != nil {
		t.Fatal(err)
	}
	return d, &sleeps, log
}

func fills(resp *model.Response) [][]string {
	var out [][]string
	for _, cs := range resp.Fills {
		var ts []string
		for _, c := range cs {
			ts = append(ts, c.Text)
		}
		out = append(out, ts)
	}
	return out
}

func TestChatGood(t *testing.T) {
	srv := remotetest.NewServer(t, remotetest.Step{Path: "/v1/chat/completions",
		Texts: []string{"Sure:\n" + remotetest.Holes("a + b", "\n```go\n\t\tc *= 2\n\t\tfmt.Println(c)\n```\n") + "<|im_end|>"}})
	d, _, _ := newDenoiser(t, "openai:gpt-4.1", srv, nil, nil)
	req := newRequest(t, srcA)
	req.Holes[0].Instruction = "sum of  a\nand b"
	resp, err := d.Denoise(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a + b"}, {"c *= 2\n\tfmt.Println(c)"}}
	if got := fills(resp); !reflect.DeepEqual(got, want) {
		t.Errorf("fills = %q, want %q", got, want)
	}
	if resp.Usage.Calls != 1 || resp.Usage.PromptTokens == 0 || resp.Usage.CompletionTokens == 0 {
		t.Errorf("usage = %+v", resp.Usage)
	}
	if c := resp.Fills[0][0].Confidence; c <= 0 || c > 1 {
		t.Errorf("confidence = %v", c)
	}
	r := srv.Requests()[0]
	if !r.HadAuth {
		t.Error("no Authorization header")
	}
	if r.JSON["model"] != "gpt-4.1" || fmt.Sprint(r.JSON["stop"]) != "[</holes>]" || r.JSON["seed"] != 7.0 || r.JSON["max_tokens"] == nil {
		t.Errorf("request = %s", r.Body)
	}
	p := r.Prompt()
	for _, s := range []string{"File a.go:", "c := __difgen_hole_1__\n", "\t__difgen_hole_2__()\n", `<hole id="1"> expr in a.go line 10`,
		`<hole id="2"> stmts`, "expected type: int", "in scope: a int, b int", "enclosing function: func add(a, b int) int",
		"instruction: sum of a and b", "last attempt failed: a.go:10:2: missing return", "exactly 2 blocks"} {
		if !strings.Contains(p, s) {
			t.Errorf("prompt lacks %q:\n%s", s, p)
		}
	}
}

func TestChatMalformedThenGood(t *testing.T) {
	srv := remotetest.NewServer(t,
		remotetest.Text(`<hole id="1">a + b<hole id="2">c++</hole><hole id="5">x</hole>`),
		remotetest.Text(remotetest.Holes("a - b", "c++")))
	d, _, log := newDenoiser(t, "openai:gpt-4.1", srv, nil, nil)
	resp, err := d.Denoise(context.Background(), newRequest(t, srcA))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fills(resp), [][]string{{"a - b"}, {"c++"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("fills = %q, want %q", got, want)
	}
	if resp.Usage.Calls != 2 {
		t.Errorf("calls = %d, want 2", resp.Usage.Calls)
	}
	r := srv.Requests()[1]
	msgs := r.JSON["messages"].([]any)
	if len(msgs) != 4 {
		t.Fatalf("re-ask has %d messages, want 4", len(msgs))
	}
	p := r.Prompt()
	for _, s := range []string{"hole 1 is not closed", "there is no hole 5", "holes 1 are missing", "exactly 2 blocks"} {
		if !strings.Contains(p, s) {
			t.Errorf("re-ask lacks %q: %s", s, p)
		}
	}
	if len(log.lines) == 0 {
		t.Error("nothing logged")
	}
}

func TestChatMissingHoles(t *testing.T) {
	srv := remotetest.NewServer(t,
		remotetest.Text(remotetest.Holes("a + b")),
		remotetest.Text("I cannot do that."))
	d, _, _ := newDenoiser(t, "openai:gpt-4.1", srv, nil, nil)
	resp, err := d.Denoise(context.Background(), newRequest(t, srcA))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Fills) != 2 || len(resp.Fills[0]) != 1 || resp.Fills[0][0].Text != "a + b" || len(resp.Fills[1]) != 0 {
		t.Errorf("fills = %q", fills(resp))
	}
	if resp.Usage.Calls != 2 {
		t.Errorf("calls = %d", resp.Usage.Calls)
	}
}

func TestRetryAfter429(t *testing.T) {
	srv := remotetest.NewServer(t,
		remotetest.Step{Status: 429, Message: "slow down", Header: map[string]string{"Retry-After": "3"}},
		remotetest.Text(remotetest.Holes("1", "")))
	d, sleeps, _ := newDenoiser(t, "openai:gpt-4.1", srv, nil, nil)
	resp, err := d.Denoise(context.Background(), newRequest(t, srcA))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*sleeps, []time.Duration{3 * time.Second}) {
		t.Errorf("sleeps = %v, want [3s]", *sleeps)
	}
	if resp.Usage.Calls != 2 {
		t.Errorf("calls = %d", resp.Usage.Calls)
	}
	if got := fills(resp); got[0][0] != "1" || len(got[1]) != 1 || got[1][0] != "" {
		t.Errorf("fills = %q", got)
	}
}

func TestRetry500Deterministic(t *testing.T) {
	var runs [][]time.Duration
	for range 2 {
		srv := remotetest.NewServer(t, remotetest.Fail(500, "boom"), remotetest.Fail(503, "busy"), remotetest.Text(remotetest.Holes("1", "")))
		d, sleeps, _ := newDenoiser(t, "openai:gpt-4.1", srv, nil, func(o *Options) { o.retryBase = 100 * time.Millisecond })
		if _, err := d.Denoise(context.Background(), newRequest(t, srcA)); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, *sleeps)
	}
	if len(runs[0]) != 2 || !reflect.DeepEqual(runs[0], runs[1]) {
		t.Errorf("backoffs = %v, want two equal runs of 2", runs)
	}
	if b := runs[0]; b[0] < 50*time.Millisecond || b[0] > 100*time.Millisecond || b[1] < 100*time.Millisecond || b[1] > 200*time.Millisecond {
		t.Errorf("backoffs %v outside [50%%,100%%] of 100ms, 200ms", b)
	}

	// Retries run out.
	srv := remotetest.NewServer(t, remotetest.Fail(500, "a"), remotetest.Fail(500, "b"))
	d, _, _ := newDenoiser(t, "openai:gpt-4.1", srv, nil, func(o *Options) { o.MaxRetries = 1 })
	_, err := d.Denoise(context.Background(), newRequest(t, srcA))
	if err == nil || !strings.Contains(err.Error(), "server error") || !strings.Contains(err.Error(), "after 1 retries") {
		t.Errorf("err = %v", err)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		step remotetest.Step
		want []string
	}{
		{"401", remotetest.Fail(401, "Incorrect API key provided: "+testKey), []string{"remote: openai:gpt-4.1: API key missing or rejected", "set OPENAI_API_KEY"}},
		{"404", remotetest.Fail(404, "The model `gpt-4.1` does not exist"), []string{`model "gpt-4.1" not found at`, "check the model name"}},
		{"400", remotetest.Fail(400, "bad temperature"), []string{"answered 400: bad temperature"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := remotetest.NewServer(t, tc.step) // one step: a retry would fail the test
			d, _, log := newDenoiser(t, "openai:gpt-4.1", srv, nil, nil)
			_, err := d.Denoise(context.Background(), newRequest(t, srcA))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, s := range tc.want {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q lacks %q", msg, s)
				}
			}
			if strings.Contains(msg, testKey) || strings.Contains(msg, "\n") || strings.Contains(fmt.Sprint(log.lines), testKey) {
				t.Errorf("error or log holds the key or several lines: %q", msg)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	srv := remotetest.NewServer(t, remotetest.Step{Delay: 5 * time.Second, Texts: []string{"late"}})
	d, _, _ := newDenoiser(t, "openai:gpt-4.1", srv, nil, func(o *Options) { o.Timeout = 200 * time.Millisecond })
	start := time.Now()
	_, err := d.Denoise(context.Background(), newRequest(t, srcA))
	if err == nil || !strings.Contains(err.Error(), "no answer from "+srv.URL+"/chat/completions within 200ms") {
		t.Errorf("err = %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
}

func TestCancel(t *testing.T) {
	srv := remotetest.NewServer(t, remotetest.Step{Delay: 5 * time.Second, Texts: []string{"late"}})
	d, _, _ := newDenoiser(t, "openai:gpt-4.1", srv, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := d.Denoise(ctx, newRequest(t, srcA))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestContextExceeded(t *testing.T) {
	srv := remotetest.NewServer(t,
		remotetest.Fail(400, "This model's maximum context length is 4096 tokens. However, your messages resulted in 9000 tokens."),
		remotetest.Text(remotetest.Holes("a + b", "")))
	d, _, _ := newDenoiser(t, "vllm:qwen", srv, nil, nil)
	resp, err := d.Denoise(context.Background(), newRequest(t, srcA))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Fills[0][0].Text != "a + b" {
		t.Errorf("fills = %q", fills(resp))
	}
	first, second := srv.Requests()[0].Prompt(), srv.Requests()[1].Prompt()
	if !strings.Contains(first, "a long unrelated function") {
		t.Errorf("first prompt lacks the whole file")
	}
	if strings.Contains(second, "a long unrelated function") || !strings.Contains(second, "func add(a, b int) int {") || !strings.Contains(second, `import "fmt"`) {
		t.Errorf("narrowed prompt:\n%s", second)
	}
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/v1"
	l.Close()
	d, err := Parse("openai:gpt-4.1", func(k string) string {
		return map[string]string{"OPENAI_BASE_URL": url, "OPENAI_API_KEY": testKey}[k]
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = d.Denoise(context.Background(), newRequest(t, srcA))
	want := "remote: openai:gpt-4.1: cannot reach " + url + "/chat/completions (connection refused); check OPENAI_BASE_URL and that the server runs"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v, want fast failure", el)
	}
}

const srcOne = `package p

func add(a, b int) int {
	return __
}
`

func TestFIM(t *testing.T) {
	for _, tc := range []struct {
		spec string
		env  map[string]string
		step remotetest.Step
		path string
		want map[string]any // request fields
	}{
		{"ollama:qwen2.5-coder:7b", map[string]string{"DIFGEN_FIM": "suffix"}, remotetest.Text("a + b<|endoftext|>"), "/v1/completions",
			map[string]any{"model": "qwen2.5-coder:7b", "prompt": "package p\n\nfunc add(a, b int) int {\n\treturn ", "suffix": "\n}\n", "max_tokens": 256.0, "stop": "[\n\n]"}},
		{"mercury:", nil, remotetest.Text("a + b"), "/v1/fim/completions",
			map[string]any{"model": "mercury-coder", "suffix": "\n}\n", "presence_penalty": 0.0, "temperature": 0.0, "max_tokens": 256.0}},
		{"mistral:", nil, remotetest.Step{Texts: []string{"a + b"}, FIMMessage: true}, "/v1/fim/completions",
			map[string]any{"model": "codestral-latest", "presence_penalty": nil}},
		{"llamacpp:", map[string]string{"DIFGEN_FIM": "infill"}, remotetest.Text("a + b"), "/infill",
			map[string]any{"input_prefix": "package p\n\nfunc add(a, b int) int {\n\treturn ", "input_suffix": "\n}\n", "n_predict": 256.0, "seed": 7.0}},
		{"vllm:Qwen/Qwen2.5-Coder-7B", map[string]string{"DIFGEN_FIM": "prompt"}, remotetest.Text(" a + b "), "/v1/completions",
			map[string]any{"prompt": "<|fim_prefix|>package p\n\nfunc add(a, b int) int {\n\treturn <|fim_suffix|>\n}\n<|fim_middle|>", "suffix": nil}},
		{"vllm:bigcode/starcoder2", map[string]string{"DIFGEN_FIM": "prompt:starcoder"}, remotetest.Text("a + b"), "/v1/completions",
			map[string]any{"prompt": "<fim_prefix>package p\n\nfunc add(a, b int) int {\n\treturn <fim_suffix>\n}\n<fim_middle>"}},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			srv := remotetest.NewServer(t, tc.step)
			d, _, _ := newDenoiser(t, tc.spec, srv, tc.env, nil)
			req := newRequest(t, srcOne)
			resp, err := d.Denoise(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if got := fills(resp); !reflect.DeepEqual(got, [][]string{{"a + b"}}) {
				t.Errorf("fills = %q", got)
			}
			r := srv.Requests()[0]
			if r.Path != tc.path {
				t.Errorf("path = %s, want %s", r.Path, tc.path)
			}
			for k, v := range tc.want {
				got, ok := r.JSON[k]
				if v == nil {
					if ok {
						t.Errorf("request has %s = %v", k, got)
					}
					continue
				}
				if s, isStr := v.(string); isStr && strings.HasPrefix(s, "[") {
					got = fmt.Sprint(got)
				}
				if got != v {
					t.Errorf("request %s = %#v, want %#v", k, got, v)
				}
			}
		})
	}
}

func TestVLLMRejectsSuffix(t *testing.T) {
	srv := remotetest.NewServer(t,
		remotetest.Fail(400, "suffix is not currently supported"),
		remotetest.Text("a + b"),
		remotetest.Text("a * b"))
	d, _, log := newDenoiser(t, "vllm:Qwen/Qwen2.5-Coder-7B", srv, map[string]string{"DIFGEN_FIM": "suffix"}, nil)
	for i, want := range []string{"a + b", "a * b"} {
		resp, err := d.Denoise(context.Background(), newRequest(t, srcOne))
		if err != nil {
			t.Fatal(err)
		}
		if got := fills(resp); got[0][0] != want {
			t.Errorf("call %d: fills = %q", i, got)
		}
	}
	rs := srv.Requests()
	if len(rs) != 3 || rs[0].JSON["suffix"] == nil || rs[1].JSON["suffix"] != nil || !strings.HasPrefix(rs[1].Prompt(), "<|fim_prefix|>") || rs[2].JSON["suffix"] != nil {
		t.Errorf("requests: %d, %v", len(rs), rs)
	}
	if !strings.Contains(fmt.Sprint(log.lines), "rejects suffix") {
		t.Errorf("log = %q", log.lines)
	}
}

func TestFIMFallsBackToChat(t *testing.T) {
	srv := remotetest.NewServer(t,
		remotetest.Step{Path: "/v1/fim/completions", Status: 404, Message: "not found"},
		remotetest.Step{Path: "/v1/chat/completions", Texts: []string{remotetest.Holes("a + b")}})
	d, _, _ := newDenoiser(t, "mercury:mercury-coder", srv, nil, nil)
	resp, err := d.Denoise(context.Background(), newRequest(t, srcOne))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Fills[0][0].Text != "a + b" || resp.Usage.Calls != 2 {
		t.Errorf("fills = %q, usage %+v", fills(resp), resp.Usage)
	}
}

func TestCandidates(t *testing.T) {
	srv := remotetest.NewServer(t, remotetest.Step{Texts: []string{
		remotetest.Holes("a + b", "c++"),
		remotetest.Holes("b + a", "c++"),
		remotetest.Holes("b + a", "c--"),
	}})
	d, _, _ := newDenoiser(t, "openai:gpt-4.1", srv, nil, nil)
	req := newRequest(t, srcA)
	req.Candidates = 3
	resp, err := d.Denoise(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fills(resp), [][]string{{"b + a", "a + b"}, {"c++", "c--"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("fills = %q, want %q", got, want)
	}
	if c := resp.Fills[0]; c[0].Confidence <= c[1].Confidence {
		t.Errorf("confidences not decreasing: %+v", c)
	}
	r := srv.Requests()[0]
	if r.JSON["n"] != 3.0 || r.JSON["temperature"] != 0.7 {
		t.Errorf("n = %v, temperature = %v", r.JSON["n"], r.JSON["temperature"])
	}

	// A server that ignores n gets further calls.
	req.Candidates = 2
	srv = remotetest.NewServer(t, remotetest.Text(remotetest.Holes("x", "")), remotetest.Text(remotetest.Holes("y", "")))
	d, _, _ = newDenoiser(t, "ollama:llama3", srv, nil, nil)
	resp, err = d.Denoise(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := fills(resp); !reflect.DeepEqual(got[0], []string{"x", "y"}) || resp.Usage.Calls != 2 {
		t.Errorf("fills = %q, calls %d", got, resp.Usage.Calls)
	}
}

func TestDeterministic(t *testing.T) {
	srv := remotetest.NewServerFunc(t, remotetest.AnswerAll(func(id int) string { return fmt.Sprintf("v%d", id) }))
	d, _, _ := newDenoiser(t, "openai:gpt-4.1", srv, nil, nil)
	var resps []*model.Response
	for range 2 {
		resp, err := d.Denoise(context.Background(), newRequest(t, srcA))
		if err != nil {
			t.Fatal(err)
		}
		resps = append(resps, resp)
	}
	if !reflect.DeepEqual(resps[0], resps[1]) {
		t.Errorf("responses differ: %+v vs %+v", resps[0], resps[1])
	}
	rs := srv.Requests()
	if rs[0].Body != rs[1].Body {
		t.Error("request bodies differ")
	}
	if got := fills(resps[0]); !reflect.DeepEqual(got, [][]string{{"v1"}, {"v2"}}) {
		t.Errorf("fills = %q", got)
	}
	empty, err := d.Denoise(context.Background(), &model.Request{Canvas: ast.NewCanvas("/x")})
	if err != nil || len(empty.Fills) != 0 || len(rs) != len(srv.Requests()) {
		t.Errorf("empty request: %v %v", empty, err)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		env     map[string]string
		base    string
		fim     FIMStyle
		wantErr string
	}{
		{spec: "openai:gpt-4.1", env: map[string]string{"OPENAI_API_KEY": "k"}, base: "https://api.openai.com/v1"},
		{spec: "openai:gpt-4.1", wantErr: "remote: openai:gpt-4.1 needs an API key; set OPENAI_API_KEY (or DIFGEN_API_KEY)"},
		{spec: "openai:m", env: map[string]string{"OPENAI_BASE_URL": "http://localhost:1234/v1/"}, base: "http://localhost:1234/v1"},
		{spec: "openai:m", env: map[string]string{"OPENAI_BASE_URL": "http://a/v1", "DIFGEN_BASE_URL": "http://b/v1"}, base: "http://b/v1"},
		{spec: "ollama:qwen2.5-coder:7b", base: "http://localhost:11434/v1"},
		{spec: "ollama:", wantErr: "model name missing"},
		{spec: "vllm:q", env: map[string]string{"DIFGEN_FIM": "prompt:codellama"}, base: "http://localhost:8000/v1", fim: FIMPrompt},
		{spec: "llamacpp:", base: "http://localhost:8080/v1"},
		{spec: "deepseek:", env: map[string]string{"DEEPSEEK_API_KEY": "k", "DIFGEN_FIM": "on"}, base: "https://api.deepseek.com/v1", fim: FIMSuffix},
		{spec: "mistral:", env: map[string]string{"MISTRAL_API_KEY": "k"}, base: "https://api.mistral.ai/v1", fim: FIMEndpoint},
		{spec: "mercury:", env: map[string]string{"DIFGEN_API_KEY": "k"}, base: "https://api.inceptionlabs.ai/v1", fim: FIMEndpoint},
		{spec: "mercury:", env: map[string]string{"INCEPTION_API_KEY": "k", "DIFGEN_FIM": "off"}, base: "https://api.inceptionlabs.ai/v1"},
		{spec: "mercury:", wantErr: "set INCEPTION_API_KEY"},
		{spec: "gemini:x", wantErr: `remote: unknown model "gemini:x"`},
		{spec: "ollama:x", env: map[string]string{"DIFGEN_FIM": "bogus"}, wantErr: "unknown FIM style"},
		{spec: "ollama:x", env: map[string]string{"DIFGEN_FIM": "prompt:nope"}, wantErr: "unknown FIM template"},
		{spec: "ollama:x", env: map[string]string{"DIFGEN_BASE_URL": "localhost:11434"}, wantErr: "bad base URL"},
	} {
		d, err := Parse(tc.spec, func(k string) string { return tc.env[k] }, nil)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Parse(%q, %v) err = %v, want %q", tc.spec, tc.env, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q, %v): %v", tc.spec, tc.env, err)
			continue
		}
		if d.BaseURL() != tc.base || d.fim != tc.fim {
			t.Errorf("Parse(%q, %v) = base %s fim %q, want %s %q", tc.spec, tc.env, d.BaseURL(), d.fim, tc.base, tc.fim)
		}
	}
	d, err := Parse("mercury:", func(k string) string {
		return map[string]string{"INCEPTION_API_KEY": "k", "DIFGEN_FIM": "off"}[k]
	}, nil)
	if err != nil || d.mode != Chat {
		t.Errorf("DIFGEN_FIM=off: mode %v, err %v", d.mode, err)
	}
}
