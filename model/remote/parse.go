package remote

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Mode says which protocol the denoiser speaks.
type Mode int

const (
	Auto Mode = iota // FIM for one hole where the provider or DIFGEN_FIM says so, chat otherwise
	Chat             // the chat hole protocol for every request
	FIM              // fill-in-the-middle, one call per hole
)

// FIMStyle says how a fill-in-the-middle request is sent.
type FIMStyle string

const (
	FIMSuffix   FIMStyle = "suffix"       // /v1/completions with suffix (Ollama, DeepSeek beta)
	FIMEndpoint FIMStyle = "fim-endpoint" // /v1/fim/completions (Mistral Codestral, Inception Mercury)
	FIMInfill   FIMStyle = "infill"       // llama.cpp /infill
	FIMPrompt   FIMStyle = "prompt"       // /v1/completions with a client-built FIM prompt (vLLM)
)

// Options configures a remote denoiser. The zero value works: every zero
// field takes the default named in its comment.
type Options struct {
	BaseURL string // default: DIFGEN_BASE_URL, then the provider's variable, then its default URL
	APIKey  string // default: DIFGEN_API_KEY, then the provider's variable (OPENAI_API_KEY for openai:)
	Mode    Mode   // default Auto

	// FIMStyle selects the FIM protocol; default: DIFGEN_FIM, then the
	// provider's style (fim-endpoint for mistral: and mercury:, suffix for
	// deepseek:, infill for llamacpp:, prompt for vllm:).
	FIMStyle FIMStyle
	// FIMTemplate names the prompt template for FIMPrompt: qwen (default),
	// starcoder, codellama or deepseek. DIFGEN_FIM=prompt:starcoder sets it.
	FIMTemplate string

	Timeout     time.Duration // per HTTP attempt; default 2 minutes
	MaxRetries  int           // retries after 429, 5xx or a reset connection; default 3, negative for none
	Concurrency int           // HTTP requests in flight at once; default 4
	HTTPClient  *http.Client  // its Transport is wrapped with retries; default http.DefaultTransport
	MaxTokens   int           // per answer; default 4096 for chat, by hole kind for FIM
	// Temperature for sampling; default 0 (greedy) for one candidate and
	// 0.7 for several. Negative leaves it to the server.
	Temperature float32
	Logprobs    bool // ask for log probabilities (not every server supports them)
	Logf        func(format string, args ...any)

	// retryBase is the first backoff; tests shorten it. Default 500ms.
	retryBase time.Duration
	// sleep replaces the backoff sleep in tests.
	sleep func(d time.Duration)
}

// A provider is what a spec prefix such as "ollama:" implies.
type provider struct {
	name         string
	baseURL      string // default
	baseVar      string // environment variable for the base URL besides DIFGEN_BASE_URL
	keyVar       string // environment variable for the key besides DIFGEN_API_KEY
	needKey      bool   // a key is required at the default base URL
	defaultModel string
	fim          FIMStyle // FIM style when asked for FIM
	autoFIM      bool     // use FIM for single holes in Auto mode
	fimBaseURL   string   // base URL of the FIM endpoint when it differs (DeepSeek beta)
	noSeed       bool     // the server rejects "seed"
	zeroPenalty  bool     // send presence_penalty 0 on FIM (Mercury defaults to 1.5)
}

var providers = []provider{
	{name: "openai", baseURL: "https://api.openai.com/v1", baseVar: "OPENAI_BASE_URL", keyVar: "OPENAI_API_KEY", needKey: true, fim: FIMSuffix},
	{name: "ollama", baseURL: "http://localhost:11434/v1", keyVar: "OLLAMA_API_KEY", fim: FIMSuffix},
	{name: "vllm", baseURL: "http://localhost:8000/v1", keyVar: "VLLM_API_KEY", fim: FIMPrompt},
	{name: "llamacpp", baseURL: "http://localhost:8080/v1", keyVar: "LLAMA_API_KEY", defaultModel: "default", fim: FIMInfill},
	{name: "deepseek", baseURL: "https://api.deepseek.com/v1", keyVar: "DEEPSEEK_API_KEY", needKey: true, defaultModel: "deepseek-chat", fim: FIMSuffix, fimBaseURL: "https://api.deepseek.com/beta"},
	{name: "mistral", baseURL: "https://api.mistral.ai/v1", keyVar: "MISTRAL_API_KEY", needKey: true, defaultModel: "codestral-latest", fim: FIMEndpoint, autoFIM: true, noSeed: true},
	{name: "mercury", baseURL: "https://api.inceptionlabs.ai/v1", keyVar: "INCEPTION_API_KEY", needKey: true, defaultModel: "mercury-coder", fim: FIMEndpoint, autoFIM: true, zeroPenalty: true},
}

// Providers returns the spec prefixes that Parse accepts, e.g. "openai".
func Providers() []string {
	var names []string
	for _, p := range providers {
		names = append(names, p.name)
	}
	return names
}

// Parse returns the denoiser named by spec, "provider:model" where provider
// is one of Providers (openai:gpt-4.1, ollama:qwen2.5-coder:7b, …).
// getenv reads the environment (os.Getenv; nil reads nothing); opts may be
// nil. Parse makes no network call.
func Parse(spec string, getenv func(string) string, opts *Options) (*Denoiser, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	prefix, modelName, ok := strings.Cut(spec, ":")
	var p provider
	found := false
	for _, q := range providers {
		if q.name == prefix {
			p, found = q, true
		}
	}
	if !ok || !found {
		return nil, fmt.Errorf("remote: unknown model %q; want provider:model with provider one of %s", spec, strings.Join(Providers(), ", "))
	}
	if modelName == "" {
		modelName = p.defaultModel
	}
	if modelName == "" {
		return nil, fmt.Errorf("remote: model name missing in %q; write %s:<model>", spec, p.name)
	}

	d := &Denoiser{
		name:     p.name + ":" + modelName,
		model:    modelName,
		prov:     p,
		mode:     o.Mode,
		template: o.FIMTemplate,
		maxTok:   o.MaxTokens,
		temp:     o.Temperature,
		logprobs: o.Logprobs,
		logf:     o.Logf,
		timeout:  o.Timeout,
	}
	if d.logf == nil {
		d.logf = func(string, ...any) {}
	}

	// Base URL and the variable that set it (named in errors).
	d.baseURL, d.baseVar = o.BaseURL, "DIFGEN_BASE_URL"
	if d.baseURL == "" {
		d.baseURL = getenv("DIFGEN_BASE_URL")
	}
	if d.baseURL == "" && p.baseVar != "" {
		d.baseURL, d.baseVar = getenv(p.baseVar), p.baseVar
	}
	custom := d.baseURL != ""
	if !custom {
		d.baseURL = p.baseURL
	}
	d.baseURL = strings.TrimRight(d.baseURL, "/")
	if u, err := url.Parse(d.baseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("remote: bad base URL %q; check %s (want e.g. %s)", d.baseURL, d.baseVar, p.baseURL)
	}
	d.fimBaseURL = d.baseURL
	if !custom && p.fimBaseURL != "" {
		d.fimBaseURL = p.fimBaseURL
	}

	// Key, never required for a server of one's own.
	d.keyVar = "DIFGEN_API_KEY"
	if p.keyVar != "" {
		d.keyVar = p.keyVar
	}
	d.apiKey = o.APIKey
	if d.apiKey == "" {
		d.apiKey = getenv("DIFGEN_API_KEY")
	}
	if d.apiKey == "" && p.keyVar != "" {
		d.apiKey = getenv(p.keyVar)
	}
	if d.apiKey == "" && p.needKey && !custom {
		return nil, fmt.Errorf("remote: %s needs an API key; set %s (or DIFGEN_API_KEY)", d.name, d.keyVar)
	}

	// FIM style.
	d.fim = o.FIMStyle
	if d.fim == "" {
		switch v := strings.TrimSpace(getenv("DIFGEN_FIM")); {
		case v == "":
			if p.autoFIM {
				d.fim = p.fim
			}
		case v == "off" || v == "0" || v == "no" || v == "chat":
			if d.mode == Auto {
				d.mode = Chat
			}
		case v == "1" || v == "on" || v == "yes":
			d.fim = p.fim
		default:
			style, tmpl, _ := strings.Cut(v, ":")
			d.fim = FIMStyle(style)
			if tmpl != "" && d.template == "" {
				d.template = tmpl
			}
		}
	}
	if d.mode == FIM && d.fim == "" {
		d.fim = p.fim
	}
	switch d.fim {
	case "", FIMSuffix, FIMEndpoint, FIMInfill, FIMPrompt:
	default:
		return nil, fmt.Errorf("remote: unknown FIM style %q; want suffix, fim-endpoint, infill or prompt[:template] (DIFGEN_FIM)", d.fim)
	}
	if d.template == "" {
		d.template = "qwen"
	}
	if _, ok := fimTemplates[d.template]; !ok {
		return nil, fmt.Errorf("remote: unknown FIM template %q; want qwen, starcoder, codellama or deepseek", d.template)
	}

	// HTTP.
	if d.timeout <= 0 {
		d.timeout = 2 * time.Minute
	}
	d.maxRetries = o.MaxRetries
	if d.maxRetries == 0 {
		d.maxRetries = 3
	} else if d.maxRetries < 0 {
		d.maxRetries = 0
	}
	conc := o.Concurrency
	if conc <= 0 {
		conc = 4
	}
	base := o.retryBase
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	hc := &http.Client{}
	if o.HTTPClient != nil {
		*hc = *o.HTTPClient
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	tr := &transport{
		next:       next,
		timeout:    d.timeout,
		maxRetries: d.maxRetries,
		backoff:    base,
		maxWait:    2 * time.Minute,
		sem:        make(chan struct{}, conc),
		logf:       d.logf,
		sleep:      sleepCtx,
	}
	if o.sleep != nil {
		tr.sleep = func(ctx context.Context, dur time.Duration) error { o.sleep(dur); return ctx.Err() }
	}
	hc.Transport = tr
	hc.Timeout = 0 // per attempt, in tr
	d.http = hc

	cfg := openai.DefaultConfig(d.apiKey)
	cfg.BaseURL = d.baseURL
	cfg.HTTPClient = hc
	d.client = openai.NewClientWithConfig(cfg)
	return d, nil
}
