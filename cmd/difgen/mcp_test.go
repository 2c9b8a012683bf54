package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestMCP drives difgen mcp with the MCP Go SDK's own client over a real
// stdio subprocess: it lists the tools, calls each, checks the diffs and
// verdicts, writes with write: true, and gets tool errors (not a crash)
// for bad arguments.
func TestMCP(t *testing.T) {
	typo := loadScenario(t, "typo")
	hole := loadScenario(t, "hole")
	worse := loadScenario(t, "worse")
	// The typo on disk: agents edit files, not buffers.
	broken := strings.Replace(typo.original(typo.Open), typo.Edit[0], typo.Edit[1], 1)
	if err := os.WriteFile(typo.Open, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute) // a hang guard
	defer cancel()
	var progress atomic.Int32
	client := mcp.NewClient(&mcp.Implementation{Name: "difgen-test", Version: "v0"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(context.Context, *mcp.ProgressNotificationClientRequest) { progress.Add(1) },
	})
	cmd := exec.Command(difgenBin, "mcp", "-budget=steps=4")
	cmd.Env = toolEnv()
	cmd.Dir = filepath.Dir(typo.Dir) // relative paths name the scenarios
	cmd.Stderr = &testWriter{t: t}
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()

	// The tools, with input schemas strict clients accept: objects, every
	// property of one type, no unions.
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
		data, _ := json.Marshal(tool.InputSchema)
		var schema struct {
			Type       string `json:"type"`
			Properties map[string]struct {
				Type any `json:"type"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(data, &schema); err != nil {
			t.Fatal(err)
		}
		if schema.Type != "object" || schema.Properties["path"].Type != "string" || schema.Properties["dir"].Type != "string" {
			t.Errorf("%s: input schema %s: want an object with string properties path and dir", tool.Name, data)
		}
		for _, bad := range []string{"anyOf", "oneOf", "allOf", `"type":[`} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s: input schema has %s: %s", tool.Name, bad, data)
			}
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"difgen_check", "difgen_fill", "difgen_fix"}) {
		t.Fatalf("tools %v", names)
	}

	call := func(name string, args map[string]any) (*mcp.CallToolResult, map[string]any) {
		t.Helper()
		p := &mcp.CallToolParams{Name: name, Arguments: args}
		p.SetProgressToken(name)
		res, err := cs.CallTool(ctx, p)
		if err != nil {
			t.Fatalf("%s %v: %v", name, args, err)
		}
		var out map[string]any
		if data, err := json.Marshal(res.StructuredContent); err == nil {
			json.Unmarshal(data, &out)
		}
		return res, out
	}
	text := func(res *mcp.CallToolResult) string {
		var sb strings.Builder
		for _, c := range res.Content {
			if tc, ok := c.(*mcp.TextContent); ok {
				sb.WriteString(tc.Text)
			}
		}
		return sb.String()
	}
	verdict := func(out map[string]any) map[string]any {
		v, _ := out["verdict"].(map[string]any)
		return v
	}

	// difgen_check: the typo is a types finding; against a baseline
	// commit without it, it is new; against one with it, pre-existing.
	git := func(args ...string) {
		t.Helper()
		c := exec.Command("git", args...)
		c.Dir = typo.Dir
		c.Env = append(toolEnv(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	os.WriteFile(typo.Open, []byte(typo.original(typo.Open)), 0o644)
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "good")
	os.WriteFile(typo.Open, []byte(broken), 0o644)
	res, out := call("difgen_check", map[string]any{"path": "typo", "baseline": "HEAD"})
	if res.IsError || verdict(out)["types"] != "fail" || len(out["new"].([]any)) != 1 || len(out["pre_existing"].([]any)) != 0 {
		t.Errorf("difgen_check against a good baseline: %s", text(res))
	}
	if f := out["new"].([]any)[0].(map[string]any); f["pos"] != "a.go:12:9" || f["message"] != "undefined: smu" {
		t.Errorf("difgen_check: new finding %v", f)
	}
	git("commit", "-qam", "broken")
	res, out = call("difgen_check", map[string]any{"dir": typo.Dir, "baseline": "HEAD"})
	if res.IsError || len(out["new"].([]any)) != 0 || len(out["pre_existing"].([]any)) != 1 {
		t.Errorf("difgen_check against a broken baseline: %s", text(res))
	}
	res, out = call("difgen_check", map[string]any{"package": filepath.Join(hole.Dir, "stats.go"), "tests": "off"})
	if res.IsError || verdict(out)["clean"] != false || verdict(out)["tests"] != "not run" {
		t.Errorf("difgen_check of a file with a hole: %s", text(res))
	}

	// difgen_fix: a diff and a clean verdict, nothing written.
	res, out = call("difgen_fix", map[string]any{"path": "typo"})
	v := verdict(out)
	if res.IsError || out["changed"] != true || v["build"] != "pass" || v["tests"] != "pass" || v["clean"] != true ||
		!strings.Contains(out["diff"].(string), "-\treturn smu / float64(len(xs))\n+\treturn sum / float64(len(xs))\n") {
		t.Errorf("difgen_fix: %s", text(res))
	}
	if got, _ := os.ReadFile(typo.Open); string(got) != broken {
		t.Error("difgen_fix without write changed the file")
	}
	// Each change comes with its reason.
	if cs, _ := out["changes"].([]any); len(cs) != 1 || !strings.Contains(fmt.Sprint(cs[0]), "undefined: smu") ||
		!strings.Contains(text(res), `"smu" → "sum": undefined: smu [`) {
		t.Errorf("difgen_fix: changes %v, want one answering undefined: smu; text:\n%s", out["changes"], text(res))
	}
	// write: true writes it.
	res, out = call("difgen_fix", map[string]any{"path": "typo/a.go", "write": true})
	if res.IsError || !slices.Equal(out["written"].([]any), []any{"a.go"}) {
		t.Errorf("difgen_fix write: true: %s", text(res))
	}
	if got, _ := os.ReadFile(typo.Open); string(got) != typo.original(typo.Open) {
		t.Errorf("difgen_fix write: true wrote:\n%s", got)
	}
	goTestPasses(t, typo.Dir)

	// difgen_fill at a position: the fill, verified, not written.
	res, out = call("difgen_fill", map[string]any{"path": filepath.Join(hole.Dir, "stats.go"), "line": 9, "column": 9})
	if res.IsError || out["changed"] != true || verdict(out)["tests"] != "pass" || !strings.Contains(out["diff"].(string), "+\treturn b\n") {
		t.Errorf("difgen_fill: %s", text(res))
	}
	if got, _ := os.ReadFile(hole.Open); string(got) != hole.original(hole.Open) {
		t.Error("difgen_fill without write changed the file")
	}

	// A fix that would make things worse: nothing changes.
	res, out = call("difgen_fix", map[string]any{"path": worse.Dir, "write": true})
	if res.IsError || out["changed"] != false || out["diff"] != "" || out["written"] != nil || verdict(out)["vet"] != "fail" {
		t.Errorf("difgen_fix of the worse case: %s", text(res))
	}
	if got, _ := os.ReadFile(worse.Open); string(got) != worse.original(worse.Open) {
		t.Error("difgen_fix of the worse case changed the file")
	}
	if progress.Load() == 0 {
		t.Error("no progress notifications")
	}

	// Bad arguments are tool errors, and the server goes on.
	for _, bad := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"difgen_fix", map[string]any{}, "missing"},
		{"difgen_fix", map[string]any{"path": "nowhere"}, "no such file"},
		{"difgen_fix", map[string]any{"path": 5}, "path"},
		{"difgen_check", map[string]any{"path": "typo", "tests": "sometimes"}, "tests"},
		{"difgen_check", map[string]any{"path": "typo", "baseline": "no-such-revision"}, "baseline"},
		{"difgen_fill", map[string]any{"path": hole.Dir, "line": 3}, "line needs a .go file"},
		{"difgen_fill", map[string]any{"path": filepath.Join(hole.Dir, "stats.go"), "line": 1, "column": 1}, "no hole at this position"},
		{"difgen_fill", map[string]any{"path": "typo"}, "no holes"},
	} {
		res, _ := call(bad.tool, bad.args)
		if !res.IsError || !strings.Contains(text(res), bad.want) {
			t.Errorf("%s %v: error %v, %q; want a tool error mentioning %q", bad.tool, bad.args, res.IsError, text(res), bad.want)
		}
	}
	if _, err := cs.ListTools(ctx, nil); err != nil {
		t.Errorf("after the bad arguments: %v", err)
	}
}
