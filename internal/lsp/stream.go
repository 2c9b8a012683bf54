package lsp

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// maxMessage bounds the Content-Length the server accepts.
const maxMessage = 256 << 20

// A stream is a jsonrpc2.ObjectStream over the LSP base protocol
// (Content-Length framing). Unlike jsonrpc2.VSCodeObjectCodec, it survives
// a well-framed message that is not a JSON-RPC message: it answers with a
// parse error (or an invalid-request error where the message has an id)
// and reads on, as JSON-RPC 2.0 asks; only broken framing ends the
// connection.
type stream struct {
	r      *bufio.Reader
	rc     io.ReadCloser
	wmu    sync.Mutex // guards w
	w      io.WriteCloser
	logf   func(string, ...any)
	closed sync.Once
}

func newStream(r io.ReadCloser, w io.WriteCloser, logf func(string, ...any)) *stream {
	return &stream{r: bufio.NewReader(r), rc: r, w: w, logf: logf}
}

// WriteObject writes obj as one framed message.
func (s *stream) WriteObject(obj any) error {
	data, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return s.write(data)
}

func (s *stream) write(data []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := fmt.Fprintf(s.w, "Content-Length: %d\r\n\r\n", len(data)); err != nil {
		return err
	}
	_, err := s.w.Write(data)
	return err
}

// ReadObject reads the next JSON-RPC message into v, answering and
// skipping messages that do not decode.
func (s *stream) ReadObject(v any) error {
	for {
		body, err := s.readFrame()
		if err != nil {
			return err
		}
		err = json.Unmarshal(body, v)
		if err == nil {
			return nil
		}
		reflect.ValueOf(v).Elem().SetZero()
		s.reject(body, err)
	}
}

// reject answers a message that is not a JSON-RPC request or response.
func (s *stream) reject(body []byte, err error) {
	var probe struct {
		ID     json.RawMessage `json:"id"`
		Method json.RawMessage `json:"method"`
	}
	code, msg := codeParseError, "parse error: "+err.Error()
	id := json.RawMessage("null")
	if json.Unmarshal(body, &probe) == nil {
		code, msg = codeInvalidRequest, "invalid request: "+err.Error()
		switch {
		case len(probe.ID) > 0 && (probe.ID[0] == '"' || probe.ID[0] == '-' || probe.ID[0] >= '0' && probe.ID[0] <= '9'):
			id = probe.ID
		case len(probe.Method) > 0 && len(probe.ID) == 0:
			// A notification we cannot read: JSON-RPC says no reply.
			s.logf("lsp: dropped a malformed notification: %v", err)
			return
		}
	}
	s.logf("lsp: %s", msg)
	resp := struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}{JSONRPC: "2.0", ID: id}
	resp.Error.Code, resp.Error.Message = code, msg
	data, _ := json.Marshal(resp)
	if err := s.write(data); err != nil {
		s.logf("lsp: %v", err)
	}
}

// readFrame reads the header and body of one message.
func (s *stream) readFrame() ([]byte, error) {
	length := -1
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			if err == io.EOF && line == "" && length < 0 {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("lsp: reading header: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if length < 0 {
				continue // stray blank lines between messages
			}
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("lsp: malformed header line %q", line)
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 || n > maxMessage {
				return nil, fmt.Errorf("lsp: bad Content-Length %q", value)
			}
			length = n
		}
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(s.r, body); err != nil {
		return nil, fmt.Errorf("lsp: reading body: %v", err)
	}
	return body, nil
}

// Close closes both directions.
func (s *stream) Close() error {
	var err error
	s.closed.Do(func() {
		err = errors.Join(s.rc.Close(), s.w.Close())
	})
	return err
}
