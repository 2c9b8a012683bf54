package remote_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/difgen/difgen/model"
	"github.com/difgen/difgen/model/modeltest"
	"github.com/difgen/difgen/model/remote"
	"github.com/difgen/difgen/model/remote/remotetest"
)

// TestConformance runs the model.Denoiser conformance table against the
// remote denoiser, talking the chat hole protocol to a scripted server
// that answers every hole deterministically.
func TestConformance(t *testing.T) {
	modeltest.Run(t, newTestDenoiser)

	// The table checks shapes; check too that the answers arrive.
	d := newTestDenoiser(t)
	resp, err := d.Denoise(context.Background(), modeltest.Fixture(t, "total += x", `"world"`))
	if err != nil {
		t.Fatal(err)
	}
	for i, cs := range resp.Fills {
		if want := fmt.Sprintf("fill%d", i+1); len(cs) == 0 || cs[0].Text != want {
			t.Errorf("hole %d: candidates %v, want first %q", i+1, cs, want)
		}
	}
}

// newTestDenoiser returns an openai: denoiser whose server answers hole K
// with fillK.
func newTestDenoiser(t *testing.T) model.Denoiser {
	srv := remotetest.NewServerFunc(t, remotetest.AnswerAll(func(id int) string {
		return fmt.Sprintf("fill%d", id)
	}))
	env := map[string]string{
		"OPENAI_BASE_URL": srv.URL,
		"OPENAI_API_KEY":  "sk-test-secret",
	}
	d, err := remote.Parse("openai:test-model", func(k string) string { return env[k] }, &remote.Options{
		Logf: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}
