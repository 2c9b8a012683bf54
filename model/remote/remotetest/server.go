// Package remotetest provides an offline OpenAI-compatible test server,
// scripted per scenario, and a record/replay http.RoundTripper, for tests
// of the remote denoiser and of packages that use it.
package remotetest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A Step is one scripted answer of a Server.
type Step struct {
	// Path, if set, is the path the request must have
	// ("/v1/chat/completions", "/v1/completions", "/v1/fim/completions",
	// "/infill"); a request to another path fails the test.
	Path string

	Status int               // default 200
	Header map[string]string // e.g. {"Retry-After": "1"}
	Delay  time.Duration     // wait before answering (or until the client gives up)

	// Body, if set, is sent as is. Otherwise the body is built for the
	// request's path from Texts: a chat completion (one choice per text),
	// a completion, a FIM completion or a llama.cpp infill answer. A
	// failed Status with no Body gets an OpenAI error object with Message.
	Body    string
	Texts   []string
	Message string

	// FIMMessage makes a /v1/fim/completions answer put the text in
	// choices[i].message.content (Mistral) instead of choices[i].text
	// (Mercury).
	FIMMessage bool
}

// Text returns a step answering text on any path.
func Text(text string) Step { return Step{Texts: []string{text}} }

// Fail returns a step answering status with an OpenAI error message.
func Fail(status int, message string) Step { return Step{Status: status, Message: message} }

// Holes returns a hole-protocol answer with fills[i] for hole i+1.
func Holes(fills ...string) string {
	var sb strings.Builder
	for i, f := range fills {
		fmt.Fprintf(&sb, "<hole id=\"%d\">%s</hole>\n", i+1, f)
	}
	return sb.String() // the server stops before </holes>
}

// A Request is a request the server got.
type Request struct {
	Method, Path string
	Header       http.Header // without Authorization
	HadAuth      bool        // whether it carried an Authorization header
	Body         string
	JSON         map[string]any // Body decoded, or nil
}

// Prompt returns the text of the request's last user message, or its
// prompt or input_prefix for completions.
func (r *Request) Prompt() string {
	if msgs, ok := r.JSON["messages"].([]any); ok {
		for i := len(msgs) - 1; i >= 0; i-- {
			if m, ok := msgs[i].(map[string]any); ok && m["role"] == "user" {
				s, _ := m["content"].(string)
				return s
			}
		}
	}
	if s, ok := r.JSON["prompt"].(string); ok {
		return s
	}
	s, _ := r.JSON["input_prefix"].(string)
	return s
}

// A Server is an OpenAI-compatible httptest server that answers with a
// script of steps, or with a function, and records what it got.
type Server struct {
	URL string // base URL including /v1

	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	steps  []Step
	next   int
	answer func(*Request) Step
	reqs   []*Request
}

// NewServer starts a server answering the given steps in order; a request
// beyond the script fails the test. The server closes with the test.
func NewServer(t testing.TB, steps ...Step) *Server {
	s := &Server{t: t, steps: steps}
	s.start()
	return s
}

// NewServerFunc starts a server that answers each request with f's step.
func NewServerFunc(t testing.TB, f func(*Request) Step) *Server {
	s := &Server{t: t, answer: f}
	s.start()
	return s
}

func (s *Server) start() {
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1"
	s.t.Cleanup(s.srv.Close)
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Requests returns the requests received so far.
func (s *Server) Requests() []*Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Request(nil), s.reqs...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := &Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: string(body)}
	req.HadAuth = r.Header.Get("Authorization") != ""
	req.Header.Del("Authorization")
	json.Unmarshal(body, &req.JSON)

	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	var st Step
	ok := true
	if s.answer != nil {
		st = s.answer(req)
	} else if s.next < len(s.steps) {
		st = s.steps[s.next]
		s.next++
	} else {
		ok = false
	}
	s.mu.Unlock()

	if !ok {
		s.t.Errorf("remotetest: unexpected request %s %s (script has %d steps)", r.Method, r.URL.Path, len(s.steps))
		http.Error(w, `{"error":{"message":"remotetest: script exhausted"}}`, http.StatusInternalServerError)
		return
	}
	if st.Path != "" && st.Path != r.URL.Path {
		s.t.Errorf("remotetest: got %s %s, want path %s", r.Method, r.URL.Path, st.Path)
	}
	if st.Delay > 0 {
		select {
		case <-time.After(st.Delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range st.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	status := st.Status
	if status == 0 {
		status = http.StatusOK
	}
	out := st.Body
	if out == "" {
		if status >= 300 {
			b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": st.Message, "type": "invalid_request_error"}})
			out = string(b)
		} else {
			out = answerBody(r.URL.Path, req, st)
		}
	}
	w.WriteHeader(status)
	io.WriteString(w, out)
}

// answerBody builds a successful answer for path.
func answerBody(path string, req *Request, st Step) string {
	usage := map[string]any{"prompt_tokens": len(req.Body) / 4, "completion_tokens": 0, "total_tokens": 0}
	completion := 0
	for _, t := range st.Texts {
		completion += len(t)/4 + 1
	}
	usage["completion_tokens"] = completion
	usage["total_tokens"] = len(req.Body)/4 + completion
	var choices []any
	for i, t := range st.Texts {
		switch {
		case strings.HasSuffix(path, "/chat/completions") || (strings.HasSuffix(path, "/fim/completions") && st.FIMMessage):
			choices = append(choices, map[string]any{"index": i, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": t}})
		default:
			choices = append(choices, map[string]any{"index": i, "finish_reason": "stop", "text": t})
		}
	}
	var v any = map[string]any{"id": "remotetest", "object": "chat.completion", "created": 0, "model": req.JSON["model"], "choices": choices, "usage": usage}
	if strings.HasSuffix(path, "/infill") {
		text := ""
		if len(st.Texts) > 0 {
			text = st.Texts[0]
		}
		v = map[string]any{"content": text, "stop": true, "tokens_evaluated": len(req.Body) / 4, "tokens_predicted": len(text)/4 + 1}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

var holeIDRE = regexp.MustCompile(`<hole id="(\d+)">`)

// AnswerAll returns a server function that answers every hole listed in a
// chat prompt with fill(id), and a FIM request with fill(1): a
// deterministic model for conformance tests.
func AnswerAll(fill func(id int) string) func(*Request) Step {
	return func(r *Request) Step {
		if !strings.HasSuffix(r.Path, "/chat/completions") {
			return Text(fill(1))
		}
		seen := map[int]bool{}
		n := 0
		for _, m := range holeIDRE.FindAllStringSubmatch(r.Prompt(), -1) {
			id, _ := strconv.Atoi(m[1])
			if !seen[id] {
				seen[id] = true
				n = max(n, id)
			}
		}
		fills := make([]string, n)
		for i := range fills {
			fills[i] = fill(i + 1)
		}
		return Text(Holes(fills...))
	}
}
