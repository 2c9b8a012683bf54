package remote

import (
	"context"
	"math"
	"strconv"

	openai "github.com/sashabaranov/go-openai"
)

// A sample is one answer for one hole, before ranking.
type sample struct {
	text    string
	order   int     // the order in which samples arrived
	logprob float64 // mean token log probability of its answer, or 0
	hasLP   bool
}

// denoiseChat fills holes through the chat hole protocol.
func (d *Denoiser) denoiseChat(ctx context.Context, job *job) error {
	files, err := render(job.req)
	if err != nil {
		return err
	}
	n := len(job.holes)
	user := chatPrompt(files, job.holes, false)
	msgs := []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: systemPrompt},
		{Role: openai.ChatMessageRoleUser, Content: user},
	}
	choices, err := d.chat(ctx, job, msgs, job.k)
	if err != nil {
		status, msg := statusOf(err)
		if !isContextExceeded(status, msg) {
			return d.explain(ctx, d.baseURL+"/chat/completions", err)
		}
		d.logf("remote: %s: prompt exceeds the context; retrying with the enclosing functions only", d.name)
		msgs[1].Content = chatPrompt(files, job.holes, true)
		choices, err = d.chat(ctx, job, msgs, job.k)
		if err != nil {
			return d.explain(ctx, d.baseURL+"/chat/completions", err)
		}
	}

	order := 0
	add := func(fills map[int]string, ch openai.ChatCompletionChoice) {
		lp, has := meanLogprob(ch.LogProbs)
		for id := 1; id <= n; id++ {
			if text, ok := fills[id]; ok {
				job.add(id-1, text, lp, has, &order)
			}
		}
	}
	var firstProblem string
	var firstFills map[int]string
	for i, ch := range choices {
		fills, problem := parseAnswer(ch.Message.Content, n)
		if i == 0 && problem != "" {
			firstProblem, firstFills = problem, fills
			continue
		}
		add(fills, ch)
	}
	if firstProblem == "" {
		return nil
	}

	// Re-ask once, naming what was wrong.
	d.logf("remote: %s: malformed answer (%s); asking again", d.name, firstProblem)
	msgs = append(msgs,
		openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: choices[0].Message.Content},
		openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: reaskPrompt(firstProblem, n)},
	)
	again, err := d.chat(ctx, job, msgs, 1)
	if err != nil {
		if ctx.Err() != nil {
			return d.explain(ctx, d.baseURL+"/chat/completions", err)
		}
		// Keep what the first answer had.
		d.logf("remote: %s: re-ask failed: %v", d.name, d.explain(ctx, d.baseURL+"/chat/completions", err))
		add(firstFills, choices[0])
		return nil
	}
	fills, problem := parseAnswer(again[0].Message.Content, n)
	if problem != "" {
		d.logf("remote: %s: answer still malformed (%s); the missing holes stay masked", d.name, problem)
	}
	for id, text := range firstFills {
		if _, ok := fills[id]; !ok {
			fills[id] = text
		}
	}
	add(fills, again[0])
	return nil
}

func reaskPrompt(problem string, n int) string {
	return "Your answer broke the protocol: " + problem + ". Answer again with exactly " +
		itoa(n) + " blocks, <hole id=\"1\"> to <hole id=\"" + itoa(n) + "\">, each closed by </hole>, then </holes>. Only Go code inside the blocks."
}

// chat asks for k answers: with n=k, and with further single calls when
// the server returns fewer choices (Ollama ignores n).
func (d *Denoiser) chat(ctx context.Context, job *job, msgs []openai.ChatCompletionMessage, k int) ([]openai.ChatCompletionChoice, error) {
	var out []openai.ChatCompletionChoice
	reasoning := isReasoningModel(d.model)
	for call := 0; len(out) < k && call < k; call++ {
		want := k - len(out)
		req := openai.ChatCompletionRequest{
			Model:    d.model,
			Messages: msgs,
			Stop:     []string{"</holes>"},
			N:        want,
		}
		if want == 1 {
			req.N = 0
		}
		maxTok := d.maxTok
		if maxTok <= 0 {
			maxTok = 4096
		}
		if reasoning {
			// o1/o3/o4/gpt-5: no max_tokens, temperature, n, stop or logprobs.
			req.MaxCompletionTokens = maxTok * 4
			req.N, req.Stop = 0, nil
			want = 1
		} else {
			// max_tokens is deprecated at OpenAI but the field that
			// Ollama, vLLM, llama.cpp, DeepSeek and Mistral read.
			req.MaxTokens = maxTok //lint:ignore SA1019 see above
			req.Temperature = d.temperature(k)
			req.LogProbs = d.logprobs
		}
		if !d.prov.noSeed {
			seed := int(job.req.Seed) + call
			req.Seed = &seed
		}
		resp, err := d.client.CreateChatCompletion(ctx, req)
		if err != nil {
			return nil, err
		}
		job.usage(resp.Usage.PromptTokens, resp.Usage.CompletionTokens)
		if len(resp.Choices) == 0 {
			return nil, &httpError{status: 0, body: "the answer has no choices"}
		}
		if len(resp.Choices) > want {
			resp.Choices = resp.Choices[:want]
		}
		out = append(out, resp.Choices...)
	}
	return out, nil
}

// temperature returns the sampling temperature to send for k candidates.
// go-openai omits a zero temperature, which servers read as their default
// (often 0.8 or 1), so greedy decoding is asked for with the smallest
// positive float, which servers treat as 0.
func (d *Denoiser) temperature(k int) float32 {
	switch {
	case d.temp < 0:
		return 0
	case d.temp > 0:
		return d.temp
	case k > 1:
		return 0.7
	}
	return math.SmallestNonzeroFloat32
}

// meanLogprob returns the mean token log probability of an answer.
func meanLogprob(lp *openai.LogProbs) (float64, bool) {
	if lp == nil || len(lp.Content) == 0 {
		return 0, false
	}
	sum := 0.0
	for _, t := range lp.Content {
		sum += t.LogProb
	}
	return sum / float64(len(lp.Content)), true
}

// isReasoningModel reports whether go-openai treats name as a reasoning
// model, whose requests take max_completion_tokens and no sampling knobs.
func isReasoningModel(name string) bool {
	for _, p := range []string{"o1", "o3", "o4", "gpt-5", "gpt-6"} {
		if len(name) >= len(p) && name[:len(p)] == p {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }

// lineIndent returns the indentation of the line of text holding offset.
func lineIndent(text string, off int) string {
	start := off
	for start > 0 && text[start-1] != '\n' {
		start--
	}
	i := start
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return text[start:i]
}
