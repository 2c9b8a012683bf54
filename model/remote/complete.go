package remote

import (
	"context"
	"errors"

	openai "github.com/sashabaranov/go-openai"

	"github.com/difgen/difgen/model"
)

// ErrContextExceeded is wrapped by the error of a request (Denoise or
// Complete) whose prompt the server says does not fit the model's
// context, even cut down to the functions that hold the holes.
var ErrContextExceeded = errors.New("the prompt exceeds the model's context")

// Complete sends one chat request, a system and a user message, and
// returns the text of the answer: for requests outside the hole protocol,
// such as asking for the API of a spec that has none. It retries and
// explains errors as Denoise does; a prompt the server finds too long
// gives an error that wraps ErrContextExceeded.
func (d *Denoiser) Complete(ctx context.Context, system, user string) (string, model.Usage, error) {
	ci := &callInfo{}
	ctx = withCallInfo(ctx, ci)
	maxTok := d.maxTok
	if maxTok <= 0 {
		maxTok = 4096
	}
	req := openai.ChatCompletionRequest{
		Model: d.model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
	}
	if isReasoningModel(d.model) {
		req.MaxCompletionTokens = maxTok * 4
	} else {
		req.MaxTokens = maxTok //lint:ignore SA1019 the field that servers other than OpenAI read
		req.Temperature = d.temperature(1)
	}
	if !d.prov.noSeed {
		seed := 1
		req.Seed = &seed
	}
	resp, err := d.client.CreateChatCompletion(ctx, req)
	use := model.Usage{Calls: int(ci.calls.Load())}
	if err != nil {
		return "", use, d.explain(ctx, d.baseURL+"/chat/completions", err)
	}
	use.PromptTokens, use.CompletionTokens = resp.Usage.PromptTokens, resp.Usage.CompletionTokens
	if len(resp.Choices) == 0 {
		return "", use, d.explain(ctx, d.baseURL+"/chat/completions", &httpError{status: 0, body: "the answer has no choices"})
	}
	return thinkRE.ReplaceAllString(cutEndTokens(resp.Choices[0].Message.Content), ""), use, nil
}
