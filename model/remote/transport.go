package remote

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// transport is the http.RoundTripper under go-openai's client and our own
// FIM requests. It adds what go-openai lacks: a per-attempt timeout,
// retries with exponential backoff and seeded jitter that honour
// Retry-After on 429 and 5xx, a concurrency limit and call counting.
//
//	attempt 0 ──429/5xx/reset──▶ wait max(Retry-After, backoff) ──▶ attempt 1 … MaxRetries
//	          ──other 4xx, refused, timeout──▶ return at once
type transport struct {
	next       http.RoundTripper
	timeout    time.Duration // per attempt; 0 means none
	maxRetries int
	backoff    time.Duration // first backoff; doubles per attempt
	maxWait    time.Duration // longest wait we accept, Retry-After included
	sem        chan struct{}
	logf       func(string, ...any)
	sleep      func(ctx context.Context, d time.Duration) error
}

// callInfo travels in a request's context: the seed for jitter and the
// counter of HTTP attempts (model.Usage.Calls).
type callInfo struct {
	seed  int64
	calls atomic.Int64
}

type callInfoKey struct{}

func withCallInfo(ctx context.Context, ci *callInfo) context.Context {
	return context.WithValue(ctx, callInfoKey{}, ci)
}

// retryableStatus reports whether an answer with status code may succeed
// when asked again.
func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ci, _ := req.Context().Value(callInfoKey{}).(*callInfo)
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.Body != nil {
			if req.GetBody == nil {
				return nil, errors.New("request body cannot be replayed for a retry")
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
		resp, err := t.once(req, ci)
		wait, retry := t.retryWait(req, resp, err, attempt, ci)
		if !retry {
			return resp, err
		}
		status := "error"
		if resp != nil {
			status = resp.Status
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		t.logf("remote: %s %s: %s; retrying in %v (attempt %d of %d)", req.Method, req.URL.Path, status, wait, attempt+1, t.maxRetries)
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// once makes one attempt under the concurrency limit and the per-attempt
// timeout; both last until the caller closes the response body.
func (t *transport) once(req *http.Request, ci *callInfo) (*http.Response, error) {
	ctx := req.Context()
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	cancel := context.CancelFunc(func() {})
	if t.timeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, t.timeout, errAttemptTimeout)
		req = req.WithContext(ctx)
	}
	var once sync.Once
	done := func() { once.Do(func() { cancel(); <-t.sem }) }
	if ci != nil {
		ci.calls.Add(1)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		done()
		if context.Cause(ctx) == errAttemptTimeout && req.Context().Err() != nil {
			err = errAttemptTimeout
		}
		return nil, err
	}
	resp.Body = &releaseBody{ReadCloser: resp.Body, done: done, ctx: ctx}
	return resp, nil
}

var errAttemptTimeout = errors.New("attempt timed out")

// releaseBody releases the attempt's slot and timer when the body is closed.
type releaseBody struct {
	io.ReadCloser
	done func()
	ctx  context.Context
}

func (b *releaseBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && context.Cause(b.ctx) == errAttemptTimeout {
		err = errAttemptTimeout
	}
	return n, err
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.done()
	return err
}

// retryWait says whether to retry after an attempt and how long to wait.
func (t *transport) retryWait(req *http.Request, resp *http.Response, err error, attempt int, ci *callInfo) (time.Duration, bool) {
	if attempt >= t.maxRetries || req.Context().Err() != nil {
		return 0, false
	}
	if err != nil {
		// A refused connection or a wrong host will not heal in seconds,
		// and a slow server will be slow again: fail fast on those.
		if errors.Is(err, errAttemptTimeout) || isUnreachable(err) {
			return 0, false
		}
		return t.backoffFor(attempt, req, ci), true
	}
	if !retryableStatus(resp.StatusCode) {
		return 0, false
	}
	wait := t.backoffFor(attempt, req, ci)
	if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		if ra > t.maxWait {
			return 0, false // the server asks for more patience than we have
		}
		wait = ra
	}
	return wait, true
}

// backoffFor returns the exponential backoff before retry attempt+1 with
// jitter in [50%, 100%] drawn from a hash of the request's seed, the
// attempt and the path, so equal requests wait equally.
func (t *transport) backoffFor(attempt int, req *http.Request, ci *callInfo) time.Duration {
	d := t.backoff << attempt
	if d > t.maxWait || d <= 0 {
		d = t.maxWait
	}
	h := fnv.New64a()
	var seed int64
	if ci != nil {
		seed = ci.seed
	}
	fmt.Fprintf(h, "%d %d %s", seed, attempt, req.URL.Path)
	frac := float64(h.Sum64()%1000) / 1000
	return d/2 + time.Duration(frac*float64(d/2))
}

// parseRetryAfter parses a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
