package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"

	openai "github.com/sashabaranov/go-openai"

	"github.com/difgen/difgen/ast"
)

// A fimTemplate builds a client-side FIM prompt for servers that reject
// "suffix" (vLLM) and names the tokens that end the middle.
type fimTemplate struct {
	prefix, suffix, middle string
	stop                   []string
}

var fimTemplates = map[string]fimTemplate{
	"qwen":      {"<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", []string{"<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|im_end|>"}},
	"starcoder": {"<fim_prefix>", "<fim_suffix>", "<fim_middle>", []string{"<|endoftext|>", "<file_sep>"}},
	"codellama": {"<PRE> ", " <SUF>", " <MID>", []string{"<EOT>"}},
	"deepseek":  {"<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", []string{"<｜end▁of▁sentence｜>", "<|EOT|>"}},
}

// denoiseFIM fills each hole with its own FIM calls, concurrently (the
// transport bounds how many run at once).
func (d *Denoiser) denoiseFIM(ctx context.Context, j *job) error {
	var wg sync.WaitGroup
	errs := make([]error, len(j.holes))
	for i := range j.holes {
		wg.Go(func() { errs[i] = d.fimHole(ctx, j, i) })
	}
	wg.Wait()
	return firstNonNil(errs)
}

func firstNonNil(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// fimHole asks for j.k fills of hole i.
func (d *Denoiser) fimHole(ctx context.Context, j *job, i int) error {
	h := j.holes[i]
	f := j.req.Canvas.File(h.File)
	if f == nil || h.Start < 0 || h.End < h.Start || h.End > len(f.Text) {
		return errors.New("remote: hole " + itoa(h.ID) + " is out of range of its file")
	}
	prefix, suffix := f.Text[:h.Start], f.Text[h.End:]
	order := 0
	for s := 0; s < j.k; {
		texts, err := d.fimCall(ctx, j, h, prefix, suffix, s, j.k-s)
		if err != nil {
			status, msg := statusOf(err)
			if !isContextExceeded(status, msg) {
				return d.explain(ctx, d.fimURL(), err)
			}
			d.logf("remote: %s: prompt exceeds the context; retrying with the enclosing function only", d.name)
			prefix, suffix = narrowFIM(h, prefix, suffix)
			texts, err = d.fimCall(ctx, j, h, prefix, suffix, s, j.k-s)
			if err != nil {
				return d.explain(ctx, d.fimURL(), err)
			}
		}
		if len(texts) == 0 {
			break
		}
		for _, t := range texts {
			j.add(i, t, 0, false, &order)
		}
		s += len(texts)
	}
	return nil
}

// narrowFIM cuts prefix and suffix down to the enclosing declaration.
func narrowFIM(h *ast.Hole, prefix, suffix string) (string, string) {
	ph := h.Placeholder()
	rf := &renderedFile{name: "x.go", text: prefix + ph + suffix, at: map[int]int{h.ID: len(prefix)}}
	p, s, ok := strings.Cut(narrow(rf), ph)
	if !ok {
		return prefix, suffix
	}
	return p, s
}

func (d *Denoiser) style() FIMStyle {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fim == FIMSuffix && d.noSuffixFIM {
		return FIMPrompt
	}
	return d.fim
}

func (d *Denoiser) fimURL() string {
	switch d.style() {
	case FIMEndpoint:
		return d.fimBaseURL + "/fim/completions"
	case FIMInfill:
		return serverRoot(d.baseURL) + "/infill"
	}
	return d.fimBaseURL + "/completions"
}

// serverRoot strips a trailing /v1 from a base URL: llama.cpp serves
// /infill at the root.
func serverRoot(base string) string { return strings.TrimSuffix(base, "/v1") }

// fimLimits returns max_tokens and stop strings for a hole of kind k.
func (d *Denoiser) fimLimits(k ast.HoleKind) (int, []string) {
	maxTok := d.maxTok
	switch k {
	case ast.Expr, ast.Ident:
		if maxTok <= 0 {
			maxTok = 256
		}
		return maxTok, []string{"\n\n"}
	case ast.Stmts:
		if maxTok <= 0 {
			maxTok = 1024
		}
	default:
		if maxTok <= 0 {
			maxTok = 2048
		}
	}
	return maxTok, []string{"\n\n\n", "\nfunc "}
}

// fimCall makes one FIM call for up to want fills; sample numbers the
// first of them, for the seed.
func (d *Denoiser) fimCall(ctx context.Context, j *job, h *ast.Hole, prefix, suffix string, sample, want int) ([]string, error) {
	maxTok, stop := d.fimLimits(h.Kind)
	temp := d.temperature(j.k)
	seed := int(j.req.Seed) + sample
	switch style := d.style(); style {
	case FIMSuffix, FIMPrompt:
		req := openai.CompletionRequest{
			Model:       d.model,
			Prompt:      prefix,
			Suffix:      suffix,
			MaxTokens:   maxTok,
			Stop:        stop,
			Temperature: temp,
			N:           want,
		}
		if want == 1 {
			req.N = 0
		}
		if !d.prov.noSeed {
			req.Seed = &seed
		}
		if style == FIMPrompt {
			t := fimTemplates[d.template]
			req.Prompt = t.prefix + prefix + t.suffix + suffix + t.middle
			req.Suffix = ""
			req.Stop = append(append([]string(nil), stop...), t.stop...)
			if len(req.Stop) > 4 && d.prov.name == "openai" {
				req.Stop = req.Stop[:4] // OpenAI allows at most 4
			}
		}
		resp, err := d.fimClient().CreateCompletion(ctx, req)
		if err != nil {
			if status, msg := statusOf(err); style == FIMSuffix && status == http.StatusBadRequest && strings.Contains(strings.ToLower(msg), "suffix") {
				d.logf("remote: %s: the server rejects suffix; building FIM prompts (template %s)", d.name, d.template)
				d.mu.Lock()
				d.noSuffixFIM = true
				d.mu.Unlock()
				return d.fimCall(ctx, j, h, prefix, suffix, sample, want)
			}
			return nil, err
		}
		if resp.Usage != nil {
			j.usage(resp.Usage.PromptTokens, resp.Usage.CompletionTokens)
		}
		var out []string
		for _, c := range resp.Choices {
			out = append(out, c.Text)
		}
		return trimTo(out, want), nil

	case FIMEndpoint:
		body := map[string]any{
			"model":      d.model,
			"prompt":     prefix,
			"suffix":     suffix,
			"max_tokens": maxTok,
			"stop":       stop,
			"stream":     false,
		}
		if d.temp >= 0 {
			body["temperature"] = rawTemp(temp)
		}
		if d.prov.zeroPenalty || strings.Contains(d.fimBaseURL, "inceptionlabs") {
			body["presence_penalty"] = 0
		}
		var resp struct {
			Choices []struct {
				Text    string `json:"text"`
				Message struct {
					Content string `json:"content"`
				} `json:"message"`
			} `json:"choices"`
			Usage openai.Usage `json:"usage"`
		}
		if err := d.postJSON(ctx, d.fimBaseURL+"/fim/completions", body, &resp); err != nil {
			return nil, err
		}
		j.usage(resp.Usage.PromptTokens, resp.Usage.CompletionTokens)
		var out []string
		for _, c := range resp.Choices {
			t := c.Text
			if t == "" {
				t = c.Message.Content
			}
			out = append(out, t)
		}
		return trimTo(out, 1), nil

	case FIMInfill:
		body := map[string]any{
			"input_prefix": prefix,
			"input_suffix": suffix,
			"n_predict":    maxTok,
			"stop":         stop,
			"seed":         seed,
			"cache_prompt": true,
		}
		if d.temp >= 0 {
			body["temperature"] = rawTemp(temp)
		}
		var resp struct {
			Content         string `json:"content"`
			TokensEvaluated int    `json:"tokens_evaluated"`
			TokensPredicted int    `json:"tokens_predicted"`
		}
		if err := d.postJSON(ctx, serverRoot(d.baseURL)+"/infill", body, &resp); err != nil {
			return nil, err
		}
		j.usage(resp.TokensEvaluated, resp.TokensPredicted)
		return []string{resp.Content}, nil
	}
	return nil, errors.New("remote: no FIM style")
}

// rawTemp returns the temperature to send in our own JSON, where 0 can be
// written.
func rawTemp(t float32) float64 {
	if t < 1e-6 {
		return 0
	}
	return math.Round(float64(t)*1000) / 1000
}

func trimTo(s []string, n int) []string {
	if len(s) > n {
		s = s[:n]
	}
	return s
}

// fimClient returns the go-openai client for the FIM base URL.
func (d *Denoiser) fimClient() *openai.Client {
	if d.fimBaseURL == d.baseURL {
		return d.client
	}
	cfg := openai.DefaultConfig(d.apiKey)
	cfg.BaseURL = d.fimBaseURL
	cfg.HTTPClient = d.http
	return openai.NewClientWithConfig(cfg)
}

// postJSON posts body to url and decodes the answer into out; a failed
// answer becomes an *httpError holding the server's message.
func (d *Denoiser) postJSON(ctx context.Context, url string, body, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if d.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+d.apiKey)
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err = io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return &httpError{status: resp.StatusCode, body: serverMessage(data)}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &httpError{status: resp.StatusCode, body: "cannot decode the answer: " + err.Error()}
	}
	return nil
}

// serverMessage extracts the message of an error answer in the shapes
// OpenAI, Mistral and llama.cpp use, or returns the body.
func serverMessage(data []byte) string {
	var e struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Detail  any             `json:"detail"`
	}
	if json.Unmarshal(data, &e) == nil {
		var inner struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(e.Error, &inner) == nil && inner.Message != "":
			return inner.Message
		case json.Unmarshal(e.Error, &s) == nil && s != "":
			return s
		case e.Message != "":
			return e.Message
		case e.Detail != nil:
			b, _ := json.Marshal(e.Detail)
			return string(b)
		}
	}
	return string(data)
}
