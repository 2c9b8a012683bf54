package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/difgen/difgen/model/remote/remotetest"
	"github.com/sourcegraph/jsonrpc2"
	"golang.org/x/tools/txtar"
)

// An lspScenario is one archive of testdata/lsp: a module, the file to
// open, an unsaved edit, the diagnostic gopls would publish and the
// action expected. The archive's comment holds them, one per line:
//
//	open FILE
//	edit OLD => NEW
//	diagnostic error|warning AT => MESSAGE
//	action TITLE | none
//	want TEXT (the buffer contains it after the action)
type lspScenario struct {
	Name       string     `json:"name"`
	Dir        string     `json:"dir"`
	Open       string     `json:"open"`
	Edit       []string   `json:"edit,omitempty"`
	Diagnostic diagSpec   `json:"diagnostic"`
	Action     string     `json:"action"`
	Want       string     `json:"want,omitempty"`
	files      []txtarFil // the archive's files
}

type diagSpec struct {
	Severity int    `json:"severity"`
	At       string `json:"at"`
	Message  string `json:"message"`
}

type txtarFil struct{ name, text string }

// loadScenario reads testdata/lsp/NAME.txt and writes its module into a
// new directory.
func loadScenario(t testing.TB, name string) *lspScenario {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("testdata", "lsp", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	sc := &lspScenario{Name: name, Dir: filepath.Join(t.TempDir(), name)}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		key, val, _ := strings.Cut(line, " ")
		switch key {
		case "open":
			sc.Open = filepath.Join(sc.Dir, val)
		case "edit":
			old, new, ok := strings.Cut(val, " => ")
			if !ok {
				t.Fatalf("%s: edit wants OLD => NEW", name)
			}
			sc.Edit = []string{old, new}
		case "diagnostic":
			sev, rest, _ := strings.Cut(val, " ")
			at, msg, ok := strings.Cut(rest, " => ")
			if !ok {
				t.Fatalf("%s: diagnostic wants SEVERITY AT => MESSAGE", name)
			}
			sc.Diagnostic = diagSpec{Severity: map[string]int{"error": 1, "warning": 2}[sev], At: at, Message: msg}
		case "action":
			sc.Action = val
		case "want":
			sc.Want = val
		}
	}
	if sc.Open == "" || sc.Action == "" || sc.Diagnostic.Severity == 0 {
		t.Fatalf("%s: the comment lacks open, action or diagnostic", name)
	}
	for _, f := range ar.Files {
		path := filepath.Join(sc.Dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		sc.files = append(sc.files, txtarFil{f.Name, string(f.Data)})
	}
	return sc
}

// original returns the archive's text of the file at path.
func (sc *lspScenario) original(path string) string {
	for _, f := range sc.files {
		if filepath.Join(sc.Dir, f.name) == path {
			return f.text
		}
	}
	return ""
}

// toolEnv is the environment of the clients and servers the tests start:
// the test's, offline.
func toolEnv() []string {
	return append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off")
}

// needTool skips the test when a client is not installed, except on CI
// (CI=true), where .ci/run installs it and the test must run.
func needTool(t *testing.T, what, hint string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing on CI; .ci/run installs it (%s)", what, hint)
	}
	t.Skipf("%s is missing; install it to run this test (%s)", what, hint)
}

// goTestPasses checks that the package in dir vets and passes its tests.
func goTestPasses(t testing.TB, dir string) {
	t.Helper()
	for _, args := range [][]string{{"vet", "."}, {"test", "-count=1", "."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, toolEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
		}
	}
}

// TestLSPVSCodeClient runs the VS Code protocol client
// (testdata/lspclient/client.mjs, vscode-languageserver-protocol 3.18.5)
// against difgen lsp: light-bulb code actions resolved on demand, the
// unsaved edits of the buffer, executeCommand with workspace/applyEdit, no
// action for a fix that would make things worse.
func TestLSPVSCodeClient(t *testing.T) {
	node, err := exec.LookPath("node")
	needTool(t, "node", "apt-get install nodejs npm", err == nil)
	_, err = os.Stat(filepath.Join("testdata", "lspclient", "node_modules", "vscode-languageserver-protocol"))
	needTool(t, "testdata/lspclient/node_modules", "cd cmd/difgen/testdata/lspclient && npm ci", err == nil)

	var scs []*lspScenario
	for _, name := range []string{"typo", "hole", "worse"} {
		scs = append(scs, loadScenario(t, name))
	}
	cfg := filepath.Join(t.TempDir(), "scenarios.json")
	data, _ := json.Marshal(scs)
	if err := os.WriteFile(cfg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute) // a hang guard
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "client.mjs", difgenBin, cfg)
	cmd.Dir, cmd.Env = filepath.Join("testdata", "lspclient"), toolEnv()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node client.mjs: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	t.Logf("client.mjs:\n%s", out)
	var res struct {
		Results []struct {
			Name          string   `json:"name"`
			ResolveMillis int      `json:"resolveMillis"`
			Automatic     []string `json:"automaticTitles"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("client.mjs output: %v", err)
	}
	if len(res.Results) != len(scs) {
		t.Fatalf("client.mjs ran %d scenarios, want %d", len(res.Results), len(scs))
	}
	for _, sc := range scs {
		if sc.Action == "none" {
			if got, _ := os.ReadFile(sc.Open); string(got) != sc.original(sc.Open) {
				t.Errorf("%s: the file changed", sc.Name)
			}
			continue
		}
		goTestPasses(t, sc.Dir)
	}
}

// TestLSPNeovim runs headless Neovim's built-in LSP client
// (testdata/nvim/codeaction.lua) against difgen lsp: open, unsaved edit,
// code action, apply, write; the package then vets and passes its tests.
func TestLSPNeovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	needTool(t, "nvim", "apt-get install neovim", err == nil)
	var scs []*lspScenario
	for _, name := range []string{"typo", "hole"} {
		scs = append(scs, loadScenario(t, name))
	}
	dir := t.TempDir()
	outFile := filepath.Join(dir, "out.json")
	cfg := map[string]any{"difgen": difgenBin, "scenarios": scs, "out": outFile}
	data, _ := json.Marshal(cfg)
	cfgFile := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "nvim", "codeaction.lua"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute) // a hang guard
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "-n", "-u", "NONE", "-i", "NONE", "-c", "luafile "+script)
	cmd.Dir = dir
	cmd.Env = append(toolEnv(), "DIFGEN_NVIM="+cfgFile, "XDG_STATE_HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	cmd.Stdin = nil
	out, runErr := cmd.CombinedOutput()
	report, err := os.ReadFile(outFile)
	if runErr != nil || err != nil {
		t.Fatalf("nvim: %v\noutput:\n%s\nreport:\n%s", runErr, out, report)
	}
	var rep struct {
		Nvim    map[string]any `json:"nvim"`
		Error   string         `json:"error"`
		Results []struct {
			Name    string   `json:"name"`
			Start   string   `json:"start"`
			Offered []string `json:"offered"`
			Millis  float64  `json:"millis"`
		} `json:"results"`
	}
	if err := json.Unmarshal(report, &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, report)
	}
	if rep.Error != "" || len(rep.Results) != len(scs) {
		t.Fatalf("nvim: %s\n%s", rep.Error, report)
	}
	t.Logf("Neovim %v.%v.%v:", rep.Nvim["major"], rep.Nvim["minor"], rep.Nvim["patch"])
	for _, r := range rep.Results {
		t.Logf("  %s: %s; offered %q; request to edit %.0f ms", r.Name, r.Start, r.Offered, r.Millis)
	}
	for _, sc := range scs {
		goTestPasses(t, sc.Dir)
	}
}

// An lspClient is a JSON-RPC client of a difgen lsp process, for the
// tests of cancellation, disconnection and malformed requests.
type lspClient struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	conn    *jsonrpc2.Conn
	exited  chan struct{} // closed when the process has exited
	waitErr error         // its Wait result, set before exited is closed

	mu          sync.Mutex
	applied     int               // workspace/applyEdit requests received
	messages    []string          // window/showMessage
	diagnostics int               // textDocument/publishDiagnostics received
	begun       []json.RawMessage // tokens of the progress begun
}

func startLSP(t testing.TB, args ...string) *lspClient {
	t.Helper()
	return startLSPCmd(t, exec.Command(difgenBin, append([]string{"lsp"}, args...)...), toolEnv())
}

// startLSPCmd starts cmd, a difgen lsp command, with env.
func startLSPCmd(t testing.TB, cmd *exec.Cmd, env []string) *lspClient {
	t.Helper()
	cmd.Env = env
	cmd.Stderr = &testWriter{t: t}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &lspClient{cmd: cmd, stdin: stdin, exited: make(chan struct{})}
	go func() { c.waitErr = cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-c.exited
		}
	})
	stream := jsonrpc2.NewBufferedStream(struct {
		io.Reader
		io.WriteCloser
	}{stdout, stdin}, jsonrpc2.VSCodeObjectCodec{})
	c.conn = jsonrpc2.NewConn(context.Background(), stream, jsonrpc2.HandlerWithError(c.handle))
	return c
}

func (c *lspClient) handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch req.Method {
	case "workspace/applyEdit":
		c.applied++
		return map[string]bool{"applied": false}, nil
	case "window/showMessage":
		var p showMessageParams
		json.Unmarshal(*req.Params, &p)
		c.messages = append(c.messages, p.Message)
	case "window/workDoneProgress/create":
		return nil, nil
	case "textDocument/publishDiagnostics":
		c.diagnostics++
	case "$/progress":
		var p struct {
			Token json.RawMessage `json:"token"`
			Value struct {
				Kind string `json:"kind"`
			} `json:"value"`
		}
		json.Unmarshal(*req.Params, &p)
		if p.Value.Kind == "begin" {
			c.begun = append(c.begun, p.Token)
		}
	}
	return nil, nil
}

type showMessageParams struct {
	Message string `json:"message"`
}

func (c *lspClient) call(t testing.TB, method string, params, result any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a hang guard
	defer cancel()
	if err := c.conn.Call(ctx, method, params, result); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

func (c *lspClient) notify(t testing.TB, method string, params any) {
	t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

// initialize initializes the server as a client with workDoneProgress
// and applyEdit, and opens the scenario's file.
func (c *lspClient) initialize(t testing.TB, sc *lspScenario) {
	t.Helper()
	var res json.RawMessage
	c.call(t, "initialize", map[string]any{
		"processId": os.Getpid(),
		"capabilities": map[string]any{
			"window":    map[string]any{"workDoneProgress": true},
			"workspace": map[string]any{"applyEdit": true, "workspaceEdit": map[string]any{"documentChanges": true}},
		},
	}, &res)
	c.notify(t, "initialized", map[string]any{})
	c.notify(t, "textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": fileURI(sc.Open), "languageId": "go", "version": 1, "text": sc.original(sc.Open),
	}})
}

// codeActionParams are the params of an invoked quick fix on the
// scenario's diagnostic in text, the buffer.
func (sc *lspScenario) codeActionParams(text string) map[string]any {
	i := strings.Index(text, sc.Diagnostic.At)
	line := strings.Count(text[:i], "\n")
	col := i - strings.LastIndex(text[:i], "\n") - 1
	rng := map[string]any{
		"start": map[string]int{"line": line, "character": col},
		"end":   map[string]int{"line": line, "character": col + len(sc.Diagnostic.At)},
	}
	return map[string]any{
		"textDocument": map[string]string{"uri": fileURI(sc.Open)},
		"range":        rng,
		"context": map[string]any{
			"diagnostics": []any{map[string]any{"range": rng, "severity": sc.Diagnostic.Severity, "message": sc.Diagnostic.Message}},
			"triggerKind": 1,
		},
	}
}

func fileURI(path string) string { return "file://" + filepath.ToSlash(path) }

// A proc is a process, told apart from a later one with the same pid by
// its start time.
type proc struct {
	pid   int
	start string
	comm  string
}

// readProc reads /proc/PID/stat: the parent and the start time.
func readProc(pid int) (ppid int, p proc, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, p, false
	}
	s := string(data)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < 0 {
		return 0, p, false
	}
	fields := strings.Fields(s[close+1:])
	if len(fields) < 20 {
		return 0, p, false
	}
	ppid, _ = strconv.Atoi(fields[1])
	return ppid, proc{pid: pid, start: fields[19], comm: s[open+1 : close]}, true
}

// descendants lists the processes below pid.
func descendants(pid int) []proc {
	entries, _ := os.ReadDir("/proc")
	children := map[int][]proc{}
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, p, ok := readProc(n); ok {
			children[ppid] = append(children[ppid], p)
		}
	}
	var out []proc
	var walk func(int)
	walk = func(pid int) {
		for _, c := range children[pid] {
			out = append(out, c)
			walk(c.pid)
		}
	}
	walk(pid)
	return out
}

// alive reports whether p still runs (and is no zombie).
func alive(p proc) bool {
	_, q, ok := readProc(p.pid)
	if !ok || q.start != p.start {
		return false
	}
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}

// waitForTestBinary waits until the server runs the scenario's hanging
// test binary, and returns the server's descendants then.
func waitForTestBinary(t *testing.T, c *lspClient) []proc {
	t.Helper()
	deadline := time.Now().Add(4 * time.Minute) // a hang guard
	for time.Now().Before(deadline) {
		// A test binary runs with -test.* flags (under a sandbox's
		// wrapper too, whose arguments name them).
		ps := descendants(c.cmd.Process.Pid)
		if slices.ContainsFunc(ps, func(p proc) bool {
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.pid))
			return strings.HasSuffix(p.comm, ".test") || strings.Contains(string(cmdline), "\x00-test.")
		}) {
			return ps
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the search never ran the package's tests")
	return nil
}

// waitGone waits until none of ps runs.
func waitGone(t *testing.T, ps []proc) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a hang guard
	for {
		var left []proc
		for _, p := range ps {
			if alive(p) {
				left = append(left, p)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes left running: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLSPCancel cancels a code action while its search runs the
// package's (hanging) tests: the request fails with RequestCancelled
// soon, nothing is applied, the search's processes are killed, and the
// server keeps serving.
func TestLSPCancel(t *testing.T) {
	sc := loadScenario(t, "hang")
	c := startLSP(t, "-timeout=5m", "-v")
	c.initialize(t, sc)

	id := jsonrpc2.ID{Num: 1000}
	w, err := c.conn.DispatchCall(context.Background(), "textDocument/codeAction", sc.codeActionParams(sc.original(sc.Open)), jsonrpc2.PickID(id))
	if err != nil {
		t.Fatal(err)
	}
	running := waitForTestBinary(t, c)
	t0 := time.Now()
	c.notify(t, "$/cancelRequest", map[string]any{"id": id.Num})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	var result json.RawMessage
	err = w.Wait(ctx, &result)
	elapsed := time.Since(t0)
	var rpcErr *jsonrpc2.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != -32800 {
		t.Fatalf("cancelled codeAction: result %s, error %v; want error code -32800 (RequestCancelled)", result, err)
	}
	if elapsed > 10*time.Second {
		t.Errorf("cancellation took %v", elapsed)
	}
	waitGone(t, running)
	t.Logf("cancelled mid-search: answered %v after $/cancelRequest, the search's processes gone after %v",
		elapsed.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	// And the search started none since.
	for deadline := time.Now().Add(30 * time.Second); len(descendants(c.cmd.Process.Pid)) > 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server still runs %v after the cancel", descendants(c.cmd.Process.Pid))
		}
	}

	// The same through the progress: the user cancels it in the editor
	// (window/workDoneProgress/cancel).
	c.mu.Lock()
	nBegun := len(c.begun)
	c.mu.Unlock()
	w, err = c.conn.DispatchCall(context.Background(), "textDocument/codeAction", sc.codeActionParams(sc.original(sc.Open)))
	if err != nil {
		t.Fatal(err)
	}
	running = waitForTestBinary(t, c)
	c.mu.Lock()
	if len(c.begun) == nBegun {
		c.mu.Unlock()
		t.Fatal("the search sent no progress")
	}
	token := c.begun[len(c.begun)-1]
	c.mu.Unlock()
	c.notify(t, "window/workDoneProgress/cancel", map[string]any{"token": token})
	err = w.Wait(ctx, &result)
	if !errors.As(err, &rpcErr) || rpcErr.Code != -32800 {
		t.Fatalf("codeAction cancelled through its progress: result %s, error %v; want error code -32800", result, err)
	}
	waitGone(t, running)
	if got, _ := os.ReadFile(sc.Open); string(got) != sc.original(sc.Open) {
		t.Error("the file changed")
	}

	// The server goes on: a light-bulb request is answered at once.
	params := sc.codeActionParams(sc.original(sc.Open))
	params["context"].(map[string]any)["triggerKind"] = 2
	var actions []struct {
		Title string          `json:"title"`
		Edit  json.RawMessage `json:"edit"`
	}
	c.call(t, "textDocument/codeAction", params, &actions)
	if len(actions) == 0 || actions[0].Title != `Fix "undefined: smu" with difgen` || actions[0].Edit != nil {
		t.Errorf("after the cancel: code actions %+v", actions)
	}
	c.mu.Lock()
	applied := c.applied
	c.mu.Unlock()
	if applied != 0 {
		t.Errorf("the server sent %d workspace/applyEdit requests", applied)
	}
	c.call(t, "shutdown", nil, nil)
	c.notify(t, "exit", nil)
	select {
	case <-c.exited:
		if c.waitErr != nil {
			t.Errorf("difgen lsp after shutdown and exit: %v", c.waitErr)
		}
	case <-time.After(time.Minute):
		t.Fatal("difgen lsp did not exit")
	}
}

// TestLSPDisconnect closes the connection while a search runs the
// package's tests: the server exits and leaves no process behind.
func TestLSPDisconnect(t *testing.T) {
	sc := loadScenario(t, "hang")
	c := startLSP(t, "-timeout=5m", "-v")
	c.initialize(t, sc)
	if _, err := c.conn.DispatchCall(context.Background(), "textDocument/codeAction", sc.codeActionParams(sc.original(sc.Open))); err != nil {
		t.Fatal(err)
	}
	running := waitForTestBinary(t, c)
	t0 := time.Now()
	c.stdin.Close() // the editor goes away
	select {
	case <-c.exited:
		t.Logf("difgen lsp exited %v after the client disconnected", time.Since(t0).Round(time.Millisecond))
	case <-time.After(time.Minute): // a hang guard
		t.Fatal("difgen lsp did not exit after the client disconnected")
	}
	waitGone(t, running)
	t.Logf("the search's processes gone %v after the disconnect", time.Since(t0).Round(time.Millisecond))
}

// TestLSPMalformed sends messages that are not valid requests: each gets
// an error response and the server goes on.
func TestLSPMalformed(t *testing.T) {
	cmd := exec.Command(difgenBin, "lsp")
	cmd.Env = toolEnv()
	cmd.Stderr = &testWriter{t: t}
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	r := bufio.NewReader(stdout)
	send := func(body string) {
		t.Helper()
		if _, err := fmt.Fprintf(stdin, "Content-Length: %d\r\n\r\n%s", len(body), body); err != nil {
			t.Fatal(err)
		}
	}
	type response struct {
		ID     json.RawMessage `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	recv := func() response {
		t.Helper()
		n := -1
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("reading a response: %v", err)
			}
			line = strings.TrimSpace(line)
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				n, _ = strconv.Atoi(v)
			}
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			t.Fatal(err)
		}
		var resp response
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatalf("response %s: %v", body, err)
		}
		return resp
	}
	wantError := func(what string, id string, code int) {
		t.Helper()
		resp := recv()
		if resp.Error == nil || resp.Error.Code != code || string(resp.ID) != id {
			t.Errorf("%s: got id %s, error %+v; want id %s, code %d", what, resp.ID, resp.Error, id, code)
		} else {
			t.Logf("%s: %d %s", what, resp.Error.Code, resp.Error.Message)
		}
	}

	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":`)
	wantError("truncated JSON", "null", -32700)
	send(`{"jsonrpc":"2.0","id":2,"method":"textDocument/codeAction","params":{}}`)
	wantError("a request before initialize", "2", -32002)
	send(`{"jsonrpc":"2.0","id":3,"method":"initialize","params":{"capabilities":{}}}`)
	if resp := recv(); resp.Error != nil || !strings.Contains(string(resp.Result), `"difgen"`) {
		t.Fatalf("initialize: %+v %s", resp.Error, resp.Result)
	}
	send(`{"jsonrpc":"2.0","id":4,"method":"textDocument/codeAction","params":"not an object"}`)
	wantError("params of the wrong type", "4", -32602)
	send(`{"jsonrpc":"2.0","id":5,"method":7}`)
	wantError("a method that is not a string", "5", -32600)
	send(`{"jsonrpc":"2.0","id":6,"method":"textDocument/hover","params":{}}`)
	wantError("an unknown method", "6", -32601)
	send(`{"jsonrpc":"2.0","id":7,"method":"workspace/executeCommand","params":{"command":"difgen.nothing"}}`)
	wantError("an unknown command", "7", -32602)
	send(`{"jsonrpc":"2.0","id":8,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"file:///not/open.go"},"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"context":{"diagnostics":[]}}}`)
	if resp := recv(); resp.Error != nil || string(resp.Result) != "[]" {
		t.Errorf("codeAction on a file that is not open: %+v %s; want []", resp.Error, resp.Result)
	}
	send(`{"jsonrpc":"2.0","id":9,"method":"shutdown"}`)
	if resp := recv(); resp.Error != nil || string(resp.ID) != "9" {
		t.Errorf("shutdown: %+v", resp)
	}
	send(`{"jsonrpc":"2.0","method":"exit"}`)
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("difgen lsp after shutdown and exit: %v", waitErr)
		}
	case <-time.After(time.Minute): // a hang guard
		t.Fatal("difgen lsp did not exit")
	}
}

// testWriter logs a process's stderr through t.
type testWriter struct {
	t  testing.TB
	mu sync.Mutex
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t.Logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestLSPRemoteTag checks that a fix a remote model wrote is marked
// CodeAction.tags [LLMGenerated] (LSP 3.18), through a real HTTP server
// speaking the OpenAI chat API.
func TestLSPRemoteTag(t *testing.T) {
	srv := remotetest.NewServerFunc(t, func(r *remotetest.Request) remotetest.Step {
		if m := holeKindRE.FindStringSubmatch(r.Prompt()); m != nil && rightFill[m[1]] != "" {
			return remotetest.Text(remotetest.Holes(rightFill[m[1]]))
		}
		return remotetest.Text(remotetest.Holes("sum"))
	})
	sc := loadScenario(t, "typo")
	cmd := exec.Command(difgenBin, "lsp", "-model", "openai:test-model", "-candidates", "1")
	c := startLSPCmd(t, cmd, remoteEnv("OPENAI_BASE_URL="+srv.URL, "OPENAI_API_KEY="+remoteKey))
	c.initialize(t, sc)
	broken := strings.Replace(sc.original(sc.Open), sc.Edit[0], sc.Edit[1], 1)
	c.notify(t, "textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": fileURI(sc.Open), "version": 2},
		"contentChanges": []any{map[string]string{"text": broken}},
	})
	var actions []struct {
		Title string          `json:"title"`
		Edit  json.RawMessage `json:"edit"`
		Tags  []int           `json:"tags"`
	}
	c.call(t, "textDocument/codeAction", sc.codeActionParams(broken), &actions)
	if len(actions) == 0 || actions[0].Title != sc.Action || actions[0].Edit == nil || !slices.Equal(actions[0].Tags, []int{1}) {
		t.Fatalf("code actions %+v; want %q with an edit and tags [1]", actions, sc.Action)
	}
	if len(srv.Requests()) == 0 {
		t.Error("the model server got no request")
	}
}

// TestLSPOwnFindings asks for code actions with no diagnostics, as
// Neovim 0.10 and later, Helix and Zed do for a server that publishes
// none: difgen finds the problem on the cursor's line itself and offers
// its fix, and publishes no diagnostics.
func TestLSPOwnFindings(t *testing.T) {
	sc := loadScenario(t, "typo")
	c := startLSP(t)
	c.initialize(t, sc)
	broken := strings.Replace(sc.original(sc.Open), sc.Edit[0], sc.Edit[1], 1)
	c.notify(t, "textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": fileURI(sc.Open), "version": 2},
		"contentChanges": []any{map[string]string{"text": broken}},
	})
	params := sc.codeActionParams(broken)
	ctx := params["context"].(map[string]any)
	ctx["diagnostics"], ctx["triggerKind"] = []any{}, 1
	start := params["range"].(map[string]any)["start"].(map[string]int)
	params["range"] = map[string]any{"start": map[string]int{"line": start["line"], "character": 0}, "end": map[string]int{"line": start["line"], "character": 0}}
	var actions []struct {
		Title   string          `json:"title"`
		Edit    json.RawMessage `json:"edit"`
		Command *struct {
			Command string `json:"command"`
		} `json:"command"`
	}
	c.call(t, "textDocument/codeAction", params, &actions)
	if len(actions) == 0 || actions[0].Title != `Fix "undefined: smu" with difgen` || actions[0].Edit == nil {
		t.Errorf("code actions %+v; want the fix with its edit", actions)
	}
	// A light-bulb request does not run the check: only the source
	// actions, which compute nothing until they run.
	ctx["triggerKind"] = 2
	actions = nil
	c.call(t, "textDocument/codeAction", params, &actions)
	for _, a := range actions {
		if strings.HasPrefix(a.Title, `Fix "`) {
			t.Errorf("light bulb without diagnostics: code action %q", a.Title)
		}
	}
	ctx["triggerKind"] = 1
	// On a line without problems, no fix.
	params["range"] = map[string]any{"start": map[string]int{"line": 0, "character": 0}, "end": map[string]int{"line": 0, "character": 0}}
	actions = nil
	c.call(t, "textDocument/codeAction", params, &actions)
	for _, a := range actions {
		if strings.HasPrefix(a.Title, `Fix "`) {
			t.Errorf("line 1: code action %q", a.Title)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.diagnostics != 0 {
		t.Errorf("the server published diagnostics %d times", c.diagnostics)
	}
}

// TestLSPHoleForms offers "Fill hole" on each form of hole, on the light
// bulb (nothing computed) and without diagnostics (a stub body has none).
func TestLSPHoleForms(t *testing.T) {
	sc := loadScenario(t, "hole")
	c := startLSP(t)
	c.initialize(t, sc)
	text := `package stats

func Twice(n int) int {
	return __("twice n")
}

func Half(n int) int {
	panic("TODO")
}

func Third(n int) int { return n / 3 }
`
	c.notify(t, "textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": fileURI(sc.Open), "version": 2},
		"contentChanges": []any{map[string]string{"text": text}},
	})
	for _, tc := range []struct {
		at   string
		want string // the kind of the Fill hole action, or "" for none
	}{
		{`__("twice n")`, "refactor.rewrite"},
		{`panic("TODO")`, "refactor.rewrite"},
		{`return n / 3`, ""},
	} {
		i := strings.Index(text, tc.at)
		line := strings.Count(text[:i], "\n")
		col := i - strings.LastIndex(text[:i], "\n") - 1
		pos := map[string]int{"line": line, "character": col + 1}
		var actions []struct {
			Title string `json:"title"`
			Kind  string `json:"kind"`
		}
		c.call(t, "textDocument/codeAction", map[string]any{
			"textDocument": map[string]string{"uri": fileURI(sc.Open)},
			"range":        map[string]any{"start": pos, "end": pos},
			"context":      map[string]any{"diagnostics": []any{}, "triggerKind": 2},
		}, &actions)
		kind := ""
		for _, a := range actions {
			if a.Title == "Fill hole" {
				kind = a.Kind
			}
		}
		if kind != tc.want {
			t.Errorf("at %s: Fill hole of kind %q, want %q (actions %+v)", tc.at, kind, tc.want, actions)
		}
	}
}
