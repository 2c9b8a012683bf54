package remotetest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
)

// A RecordReplay is an http.RoundTripper that either records the
// exchanges of a real transport into a file or replays them from it, in
// the manner of golang/oscar's internal/httprr.
//
// The file is text: the line "difgen rr v1", then per exchange a line
// "N M" and the N bytes of the request followed by the M bytes of the
// response, both in HTTP/1.1 wire form. Requests are stored without their
// host and without Authorization or API-key headers, and every secret
// string is replaced by [REDACTED] before anything is written. Replay
// matches a request by method, path and body (secrets scrubbed alike).
type RecordReplay struct {
	file    string
	real    http.RoundTripper // nil when replaying
	secrets []string

	mu      sync.Mutex
	records []rrRecord
	used    []bool
}

type rrRecord struct {
	key  string // method path body
	req  string
	resp string
}

const rrHeader = "difgen rr v1\n"

// Record returns a RecordReplay that sends requests through rt (nil means
// http.DefaultTransport) and writes the exchanges to file when Close is
// called, scrubbing the secrets.
func Record(file string, rt http.RoundTripper, secrets ...string) *RecordReplay {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &RecordReplay{file: file, real: rt, secrets: secrets}
}

// Replay returns a RecordReplay that answers from the recording in file.
func Replay(file string) (*RecordReplay, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	rr := &RecordReplay{file: file}
	s, ok := strings.CutPrefix(string(data), rrHeader)
	if !ok {
		return nil, fmt.Errorf("%s: not a difgen rr v1 recording", file)
	}
	for s != "" {
		line, rest, ok := strings.Cut(s, "\n")
		var n, m int
		if ok {
			a, b, _ := strings.Cut(line, " ")
			n, err = strconv.Atoi(a)
			if err == nil {
				m, err = strconv.Atoi(b)
			}
		}
		if !ok || err != nil || n < 0 || m < 0 || n+m > len(rest) {
			return nil, fmt.Errorf("%s: corrupt record header %q", file, line)
		}
		reqText, respText := rest[:n], rest[n:n+m]
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(reqText)))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		body, _ := io.ReadAll(req.Body)
		rr.records = append(rr.records, rrRecord{key: req.Method + " " + req.URL.Path + " " + string(body), req: reqText, resp: respText})
		s = rest[n+m:]
	}
	rr.used = make([]bool, len(rr.records))
	return rr, nil
}

// Client returns an http.Client using rr.
func (rr *RecordReplay) Client() *http.Client { return &http.Client{Transport: rr} }

func (rr *RecordReplay) scrub(s string) string {
	for _, sec := range rr.secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return s
}

// RoundTrip implements http.RoundTripper.
func (rr *RecordReplay) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	key := req.Method + " " + req.URL.Path + " " + rr.scrub(string(body))

	if rr.real == nil {
		rr.mu.Lock()
		defer rr.mu.Unlock()
		for i, rec := range rr.records {
			if !rr.used[i] && rec.key == key {
				rr.used[i] = true
				return http.ReadResponse(bufio.NewReader(strings.NewReader(rec.resp)), req)
			}
		}
		return nil, fmt.Errorf("%s: no recorded answer for %s %s", rr.file, req.Method, req.URL.Path)
	}

	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := rr.real.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))

	// Store a scrubbed copy.
	sreq := &http.Request{Method: req.Method, URL: req.URL, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	for k, vs := range req.Header {
		switch strings.ToLower(k) {
		case "authorization", "api-key", "x-api-key", "openai-organization":
			continue
		}
		for _, v := range vs {
			sreq.Header.Add(k, rr.scrub(v))
		}
	}
	sbody := rr.scrub(string(body))
	sreq.Body = io.NopCloser(strings.NewReader(sbody))
	sreq.ContentLength = int64(len(sbody))
	sreq.Host = "recorded.invalid"
	var reqBuf bytes.Buffer
	if err := sreq.Write(&reqBuf); err != nil {
		return nil, err
	}
	sresp := *resp
	sresp.Header = resp.Header.Clone()
	sresp.Header.Del("Date")
	srespBody := rr.scrub(string(respBody))
	sresp.Body = io.NopCloser(strings.NewReader(srespBody))
	sresp.ContentLength = int64(len(srespBody))
	sresp.TransferEncoding = nil
	var respBuf bytes.Buffer
	if err := sresp.Write(&respBuf); err != nil {
		return nil, err
	}
	rr.mu.Lock()
	rr.records = append(rr.records, rrRecord{key: key, req: rr.scrub(reqBuf.String()), resp: rr.scrub(respBuf.String())})
	rr.mu.Unlock()
	return resp, nil
}

// Close writes the recording when recording; it does nothing on replay.
func (rr *RecordReplay) Close() error {
	if rr.real == nil {
		return nil
	}
	rr.mu.Lock()
	defer rr.mu.Unlock()
	var buf bytes.Buffer
	buf.WriteString(rrHeader)
	for _, rec := range rr.records {
		fmt.Fprintf(&buf, "%d %d\n%s%s", len(rec.req), len(rec.resp), rec.req, rec.resp)
	}
	return os.WriteFile(rr.file, buf.Bytes(), 0o666)
}
