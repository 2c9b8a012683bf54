// Package remote is a denoiser that asks an OpenAI-compatible server:
// OpenAI, Ollama, vLLM, llama.cpp, DeepSeek, Mistral Codestral or
// Inception's Mercury.
//
// # Specs
//
// Parse takes a spec provider:model, e.g. openai:gpt-4.1,
// ollama:qwen2.5-coder:7b, vllm:Qwen/Qwen2.5-Coder-7B, llamacpp:,
// deepseek:deepseek-chat, mistral:codestral-latest or mercury:mercury-coder.
// The base URL comes from Options.BaseURL, DIFGEN_BASE_URL, OPENAI_BASE_URL
// (openai: only) or the provider's default; the key from Options.APIKey,
// DIFGEN_API_KEY or the provider's variable (OPENAI_API_KEY, DEEPSEEK_API_KEY,
// MISTRAL_API_KEY, INCEPTION_API_KEY, VLLM_API_KEY, LLAMA_API_KEY). A server
// at a base URL of one's own needs no key. DIFGEN_FIM selects
// fill-in-the-middle: suffix, fim-endpoint, infill, prompt[:template] or off.
//
// # Chat hole protocol
//
// The prompt holds each file with holes, every hole's span replaced by its
// placeholder (__difgen_hole_K__, or __difgen_hole_K__() for statements),
// and a table of the holes with their kind, expected type, enclosing
// signature, names in scope, instruction and last diagnostics. The answer
// is
//
//	<hole id="1">code</hole>
//	<hole id="2">code</hole>
//	</holes>
//
// with "</holes>" also the stop string. Ids must be exactly 1..N; a
// malformed answer is asked again once, naming what was wrong, and holes
// still unanswered get no candidates (refine masks them again).
//
// # Fill in the middle
//
// A single hole may go to a FIM endpoint instead: /v1/completions with
// suffix (Ollama, DeepSeek beta), /v1/fim/completions (Codestral, Mercury),
// llama.cpp's /infill, or /v1/completions with a FIM prompt built here
// (vLLM, which rejects suffix; chosen by itself after such a rejection).
//
// # Robustness
//
// Every HTTP attempt has a timeout; 429 and 5xx answers are retried with
// exponential backoff and seeded jitter, honouring Retry-After; a bounded
// number of requests run at once. Errors are one line that says what to
// check, and never hold the API key. A prompt too long for the model's
// context is retried once with only the declarations that enclose holes.
package remote
