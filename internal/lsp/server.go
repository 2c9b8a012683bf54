package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/jsonrpc2"
)

// Options configures a server. Repair must be set; the zero value of every
// other field works.
type Options struct {
	// Repair runs difgen's loop on a job. The server calls it when the
	// user asks for a fix or a fill, never on its own; it must return
	// soon after ctx is done.
	Repair func(ctx context.Context, job *Job) (*Outcome, error)
	// Findings returns what the cheap checks (syntax, types, vet) find
	// in a job's file with the buffers. Where a client sends no
	// diagnostics with a code action request the user invoked (Neovim
	// 0.10 and later, Helix and Zed send each server only its own, and
	// this server publishes none), the server offers its fixes on these;
	// they are never published. Nil means only the client's diagnostics
	// count.
	Findings func(ctx context.Context, job *Job) ([]Finding, error)
	// Version is reported to the client in serverInfo.
	Version string
	Logf    func(format string, args ...any)
}

// A Job asks the loop to fix or fill one package with the editor's
// buffers.
type Job struct {
	Dir  string // the package directory (absolute)
	File string // the file the request is about (absolute)
	// Fill fills the hole at Offset of File (every hole of File when
	// Offset is -1); otherwise the job fixes the package's findings.
	Fill   bool
	Offset int
	// WholePackage lets a fix change every file of the package; otherwise
	// only File may change.
	WholePackage bool
	// Overlay holds the text of every open buffer (absolute file name →
	// text). It replaces the disk: a job never sees stale files.
	Overlay  map[string]string
	Progress func(Progress) // called after each step of the loop
}

// Progress is the state of a running job after one step.
type Progress struct {
	Step, Holes, Findings, Calls int
}

// An Outcome is the result of a job.
type Outcome struct {
	// Changes are the files the job changed, only when the loop found the
	// package better afterwards; none otherwise.
	Changes []Change
	// Remote reports whether a remote model (an LLM) produced the edits.
	Remote bool
	// Summary says in one line what the run found (or why it changed
	// nothing).
	Summary string
	// Reasons say, a line each, why each change was made (the findings
	// it answers, the generator, the checks after it).
	Reasons []string
}

// A Finding is a problem of a file, as the server's own checks see it.
type Finding struct {
	Start, End int // byte offsets in the buffer
	Message    string
	Warning    bool // a vet finding, which gopls shows as a warning
}

// A Change is the text of one file before and after a job.
type Change struct {
	File          string // absolute
	Before, After string
}

// Serve runs a language server that reads requests from in and writes
// responses to out, until the client sends exit or goes away. On return
// every job has stopped and its processes have been killed. Serve returns
// nil after shutdown and exit, and an error when the client exits without
// shutdown or disconnects.
func Serve(ctx context.Context, in io.ReadCloser, out io.WriteCloser, opts *Options) error {
	s := &server{docs: map[string]*document{}, inflight: map[jsonrpc2.ID]context.CancelFunc{},
		tasks: map[taskKey]*task{}, progressCancel: map[string]context.CancelFunc{}, ready: make(chan struct{})}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.Repair == nil {
		return errors.New("lsp: Options.Repair is nil")
	}
	if s.opts.Logf == nil {
		s.opts.Logf = func(string, ...any) {}
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	defer s.cancel()
	st := newStream(in, out, s.opts.Logf)
	s.conn = jsonrpc2.NewConn(s.ctx, st, s, jsonrpc2.SetLogger(logger{s.opts.Logf}))
	close(s.ready) // the read loop may run before NewConn returns
	select {
	case <-s.conn.DisconnectNotify():
	case <-ctx.Done():
		s.conn.Close()
	}
	s.cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.opts.Logf("lsp: jobs did not stop within 30s of the disconnect")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.exited && s.state == stateShutdown:
		return nil
	case s.exited:
		return errors.New("lsp: exit without shutdown")
	}
	return errors.New("lsp: the client disconnected")
}

type logger struct{ logf func(string, ...any) }

func (l logger) Printf(format string, args ...any) {
	l.logf("%s", strings.TrimSuffix(fmt.Sprintf(format, args...), "\n"))
}

const (
	stateNew = iota
	stateInitialized
	stateShutdown
)

type server struct {
	opts   Options
	conn   *jsonrpc2.Conn // set before ready is closed
	ready  chan struct{}
	ctx    context.Context // done when the connection ends
	cancel context.CancelFunc
	wg     sync.WaitGroup // request handlers and jobs

	mu             sync.Mutex
	state          int
	exited         bool
	enc            string // position encoding
	caps           clientCapabilities
	docs           map[string]*document // by URI
	gen            uint64               // counts buffer changes
	inflight       map[jsonrpc2.ID]context.CancelFunc
	tasks          map[taskKey]*task
	progressSeq    int
	progressCancel map[string]context.CancelFunc // by progress token, for window/workDoneProgress/cancel
}

// A document is an open buffer.
type document struct {
	uri     string
	path    string
	version int32
	text    string
}

// Handle handles one message. It runs in the connection's read loop, so
// document changes apply in order; requests that run jobs continue in
// goroutines of their own.
func (s *server) Handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) {
	<-s.ready
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	switch {
	case req.Method == methodExit:
		s.mu.Lock()
		s.exited = true
		s.mu.Unlock()
		conn.Close()
		return
	case state == stateNew && req.Method != methodInitialize:
		if !req.Notif {
			s.replyError(req, codeServerNotInitialized, "the server is not initialized")
		}
		return
	case state == stateShutdown:
		if !req.Notif {
			s.replyError(req, codeInvalidRequest, "the server is shut down")
		}
		return
	}

	switch req.Method {
	case methodInitialize:
		var p initializeParams
		if s.params(req, &p) {
			s.reply(req, s.initialize(&p), nil)
		}
	case methodInitialized, methodSetTrace, methodDidChangeConfig, methodDidSave:
	case methodShutdown:
		s.mu.Lock()
		s.state = stateShutdown
		for _, cancel := range s.inflight {
			cancel()
		}
		for _, t := range s.tasks {
			t.cancel()
		}
		s.mu.Unlock()
		s.reply(req, nil, nil)
	case methodCancelRequest:
		var p cancelParams
		if s.params(req, &p) {
			var id jsonrpc2.ID
			if err := json.Unmarshal(p.ID, &id); err == nil {
				s.mu.Lock()
				if cancel := s.inflight[id]; cancel != nil {
					cancel()
				}
				s.mu.Unlock()
			}
		}
	case "window/workDoneProgress/cancel":
		var p struct {
			Token json.RawMessage `json:"token"`
		}
		if s.params(req, &p) {
			s.mu.Lock()
			if cancel := s.progressCancel[string(p.Token)]; cancel != nil {
				cancel()
			}
			s.mu.Unlock()
		}
	case methodDidOpen:
		var p didOpenParams
		if s.params(req, &p) {
			s.didOpen(&p)
		}
	case methodDidChange:
		var p didChangeParams
		if s.params(req, &p) {
			s.didChange(&p)
		}
	case methodDidClose:
		var p didCloseParams
		if s.params(req, &p) {
			s.mu.Lock()
			delete(s.docs, p.TextDocument.URI)
			s.changedLocked()
			s.mu.Unlock()
		}
	case methodCodeAction:
		var p codeActionParams
		if s.params(req, &p) {
			s.async(req, func(ctx context.Context) (any, error) { return s.codeAction(ctx, &p) })
		}
	case methodResolve:
		var p codeAction
		if s.params(req, &p) {
			s.async(req, func(ctx context.Context) (any, error) { return s.resolve(ctx, &p) })
		}
	case methodExecuteCommand:
		var p executeCommandParams
		if s.params(req, &p) {
			s.async(req, func(ctx context.Context) (any, error) { return s.executeCommand(ctx, &p) })
		}
	default:
		if !req.Notif {
			s.replyError(req, codeMethodNotFound, "method not supported: "+req.Method)
		}
	}
}

// params decodes the request's params into v, answering an invalid-params
// error when they do not decode.
func (s *server) params(req *jsonrpc2.Request, v any) bool {
	if req.Params == nil {
		if req.Method == methodShutdown || req.Method == methodInitialized {
			return true
		}
		s.invalid(req, "missing params")
		return false
	}
	if err := json.Unmarshal(*req.Params, v); err != nil {
		s.invalid(req, err.Error())
		return false
	}
	return true
}

func (s *server) invalid(req *jsonrpc2.Request, msg string) {
	if req.Notif {
		s.opts.Logf("lsp: %s: invalid params: %s", req.Method, msg)
		return
	}
	s.replyError(req, codeInvalidParams, req.Method+": invalid params: "+msg)
}

// A replyErr is an error with its JSON-RPC code.
type replyErr struct {
	code int
	msg  string
}

func (e *replyErr) Error() string { return e.msg }

func (s *server) reply(req *jsonrpc2.Request, result any, err error) {
	if err != nil {
		var re *replyErr
		switch {
		case errors.As(err, &re):
			s.replyError(req, re.code, re.msg)
		case errors.Is(err, context.Canceled):
			s.replyError(req, codeRequestCancelled, "request cancelled")
		default:
			s.replyError(req, codeRequestFailed, err.Error())
		}
		return
	}
	if err := s.conn.Reply(s.ctx, req.ID, result); err != nil && !errors.Is(err, jsonrpc2.ErrClosed) {
		s.opts.Logf("lsp: reply to %s: %v", req.Method, err)
	}
}

func (s *server) replyError(req *jsonrpc2.Request, code int, msg string) {
	if err := s.conn.ReplyWithError(s.ctx, req.ID, &jsonrpc2.Error{Code: int64(code), Message: msg}); err != nil && !errors.Is(err, jsonrpc2.ErrClosed) {
		s.opts.Logf("lsp: reply to %s: %v", req.Method, err)
	}
}

// async runs f in a goroutine of its own with a context that
// $/cancelRequest cancels, and replies with its result.
func (s *server) async(req *jsonrpc2.Request, f func(ctx context.Context) (any, error)) {
	ctx, cancel := context.WithCancel(s.ctx)
	s.mu.Lock()
	s.inflight[req.ID] = cancel
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.inflight, req.ID)
			s.mu.Unlock()
			cancel()
		}()
		result, err := f(ctx)
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		s.reply(req, result, err)
	}()
}

func (s *server) initialize(p *initializeParams) *initializeResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = stateInitialized
	s.caps = p.Capabilities
	s.enc = encodingUTF16
	if slices.Contains(p.Capabilities.General.PositionEncodings, encodingUTF8) {
		s.enc = encodingUTF8
	}
	return &initializeResult{
		Capabilities: serverCapabilities{
			PositionEncoding: s.enc,
			TextDocumentSync: textDocumentSync{OpenClose: true, Change: syncIncremental, Save: true},
			CodeActionProvider: codeActionOptions{
				CodeActionKinds:  []string{kindQuickFix, kindRefactorRewrite, kindSourceFixFile, kindSourceFixPackage},
				ResolveProvider:  true,
				WorkDoneProgress: true,
			},
			ExecuteCommandProvider: executeCommandOptions{
				Commands:         []string{cmdFillHole, cmdFixFile, cmdFixPackage},
				WorkDoneProgress: true,
			},
		},
		ServerInfo: serverInfo{Name: "difgen", Version: s.opts.Version},
	}
}

func (s *server) didOpen(p *didOpenParams) {
	path, err := uriPath(p.TextDocument.URI)
	if err != nil {
		s.opts.Logf("lsp: didOpen: %v", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[p.TextDocument.URI] = &document{uri: p.TextDocument.URI, path: path, version: p.TextDocument.Version, text: p.TextDocument.Text}
	s.changedLocked()
}

func (s *server) didChange(p *didChangeParams) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		s.opts.Logf("lsp: didChange of %s, which is not open", p.TextDocument.URI)
		return
	}
	text := d.text
	for _, c := range p.ContentChanges {
		var err error
		if text, err = applyChange(text, c, s.enc); err != nil {
			// The buffer is out of step with the editor; forget it
			// rather than repair stale text.
			s.opts.Logf("lsp: didChange of %s: %v; closing the document", d.uri, err)
			delete(s.docs, d.uri)
			s.changedLocked()
			return
		}
	}
	s.docs[d.uri] = &document{uri: d.uri, path: d.path, version: p.TextDocument.Version, text: text}
	s.changedLocked()
}

// changedLocked records that the buffers changed: results computed on
// older buffers are dropped (running jobs go on for their requests).
func (s *server) changedLocked() {
	s.gen++
	for k, t := range s.tasks {
		if k.gen < s.gen && t.finished() {
			delete(s.tasks, k)
		}
	}
}

// uriPath returns the file name of a file: URI.
func uriPath(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", err
	}
	if u.Scheme != "file" {
		return "", fmt.Errorf("%s: not a file: URI", uri)
	}
	return filepath.FromSlash(u.Path), nil
}

// fileURI returns the file: URI of an absolute file name.
func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// showMessage shows a message in the editor.
// logReasons writes why each change of t was made to the client's log
// (window/logMessage): what a reviewer of the edit needs to trust it.
func (s *server) logReasons(t *task) {
	if t == nil || t.out == nil || len(t.out.Reasons) == 0 {
		return
	}
	msg := "difgen: " + t.out.Summary + "\n" + strings.Join(t.out.Reasons, "\n")
	if err := s.conn.Notify(s.ctx, methodLogMessage, &showMessageParams{Type: messageTypeLog, Message: msg}); err != nil && !errors.Is(err, jsonrpc2.ErrClosed) {
		s.opts.Logf("lsp: logMessage: %v", err)
	}
}

func (s *server) showMessage(typ int, msg string) {
	if err := s.conn.Notify(s.ctx, methodShowMessage, &showMessageParams{Type: typ, Message: msg}); err != nil && !errors.Is(err, jsonrpc2.ErrClosed) {
		s.opts.Logf("lsp: showMessage: %v", err)
	}
}
