package remote_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/difgen/difgen/model/remote"
	"github.com/difgen/difgen/model/remote/remotetest"
)

func TestComplete(t *testing.T) {
	srv := remotetest.NewServer(t, remotetest.Text("<think>hmm</think>```go\npackage p\n```<|im_end|>junk"))
	d, err := remote.Parse("openai:m", nil, &remote.Options{BaseURL: srv.URL, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	text, use, err := d.Complete(context.Background(), "sys", "design this")
	if err != nil {
		t.Fatal(err)
	}
	if text != "```go\npackage p\n```" {
		t.Errorf("text %q", text)
	}
	if use.Calls != 1 || use.PromptTokens == 0 {
		t.Errorf("usage %+v", use)
	}
	r := srv.Requests()[0]
	if !strings.Contains(r.Body, `"design this"`) || !strings.Contains(r.Body, `"sys"`) {
		t.Errorf("request body %s", r.Body)
	}
}

func TestCompleteContextExceeded(t *testing.T) {
	srv := remotetest.NewServer(t, remotetest.Fail(400, "This model's maximum context length is 8192 tokens"))
	d, err := remote.Parse("openai:m", nil, &remote.Options{BaseURL: srv.URL, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = d.Complete(context.Background(), "sys", strings.Repeat("x", 1000))
	if !errors.Is(err, remote.ErrContextExceeded) {
		t.Fatalf("err %v, want ErrContextExceeded", err)
	}
	t.Log(err)
}
