package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"

	openai "github.com/sashabaranov/go-openai"

	"github.com/difgen/difgen/internal/redact"
)

// An Error is a failure of the remote denoiser, as one line that says what
// to do about it. Its text never holds the API key.
type Error struct {
	Status int    // HTTP status, or 0
	Msg    string // scrubbed
	err    error  // a context error or ErrContextExceeded, for errors.Is; nil otherwise
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the context error behind e, if any, so that
// errors.Is(err, context.Canceled) works, or ErrContextExceeded. Other
// causes are kept out because their text may hold secrets.
func (e *Error) Unwrap() error { return e.err }

// httpError is a failed answer of one of our own (non go-openai) requests.
type httpError struct {
	status int
	body   string
}

func (e *httpError) Error() string {
	return fmt.Sprintf("status %d: %s", e.status, e.body)
}

// statusOf returns the HTTP status code and server message of err, if it
// is an error answer.
func statusOf(err error) (int, string) {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode, apiErr.Message
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode, string(reqErr.Body)
	}
	var hErr *httpError
	if errors.As(err, &hErr) {
		return hErr.status, hErr.body
	}
	return 0, ""
}

// isUnreachable reports whether err means that nothing answers at the
// address: connection refused, unknown host, no route.
func isUnreachable(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// isContextExceeded reports whether a server message says the prompt does
// not fit the model's context.
func isContextExceeded(status int, msg string) bool {
	if status != http.StatusBadRequest && status != http.StatusRequestEntityTooLarge && status != http.StatusUnprocessableEntity && status != 0 {
		return false
	}
	m := strings.ToLower(msg)
	for _, s := range []string{"context length", "context_length", "context size", "context window", "maximum context", "prompt is too long", "too many tokens"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// explain turns an error of a call to url into a one-line *Error.
func (d *Denoiser) explain(ctx context.Context, url string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	mk := func(status int, format string, args ...any) *Error {
		return &Error{Status: status, Msg: d.scrub("remote: " + d.name + ": " + fmt.Sprintf(format, args...))}
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		e := mk(0, "%v", ctxErr)
		e.err = ctxErr
		return e
	}
	if errors.Is(err, errAttemptTimeout) {
		return mk(0, "no answer from %s within %v; raise the timeout or check the server", url, d.timeout)
	}
	if isUnreachable(err) {
		return mk(0, "cannot reach %s (%s); check %s and that the server runs", url, shortNetErr(err), d.baseVar)
	}
	status, msg := statusOf(err)
	msg = oneLine(msg)
	if isContextExceeded(status, msg) {
		e := mk(status, "the prompt does not fit the model's context (%s answered %d: %s)", url, status, msg)
		e.err = ErrContextExceeded
		return e
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return mk(status, "API key missing or rejected by %s (%d %s); set %s", url, status, msg, d.keyVar)
	case status == http.StatusNotFound:
		return mk(status, "model %q not found at %s (404 %s); check the model name and %s", d.model, url, msg, d.baseVar)
	case status == http.StatusTooManyRequests:
		return mk(status, "rate limited by %s after %d retries (429 %s)", url, d.maxRetries, msg)
	case status >= 500:
		return mk(status, "server error from %s after %d retries (%d %s)", url, d.maxRetries, status, msg)
	case status != 0:
		return mk(status, "%s answered %d: %s", url, status, msg)
	}
	if m := err.Error(); strings.HasPrefix(m, "remote: ") {
		return &Error{Msg: d.scrub(oneLine(m))}
	}
	return mk(0, "%s: %s", url, oneLine(err.Error()))
}

// shortNetErr names the network failure without the request dump.
func shortNetErr(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no route to host"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "unknown host " + dnsErr.Name
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	return "unreachable"
}

// oneLine shortens a server message to one line of at most 200 bytes.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// scrub removes the API key, and any credentials inside URLs (a key in a
// base URL, a proxy password), from s.
func (d *Denoiser) scrub(s string) string {
	return redact.URLs(scrubSecret(s, d.apiKey))
}

func scrubSecret(s, secret string) string {
	if len(secret) >= 4 {
		s = strings.ReplaceAll(s, secret, "[REDACTED]")
	}
	return s
}
