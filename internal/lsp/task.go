package lsp

import (
	"context"
	"maps"
	"path/filepath"
)

// A taskKey identifies a job on one state of the buffers.
type taskKey struct {
	cmd    string // cmdFixFile, cmdFixPackage or cmdFillHole
	file   string
	offset int // cmdFillHole: the hole's offset, or -1
	gen    uint64
}

// A task is one run of Options.Repair, shared by the requests that wait for
// it: a code action that computed a fix and the resolve or command that
// applies it wait for the same run. It is cancelled when the last request
// waiting for it is.
type task struct {
	key      taskKey
	job      *Job
	versions map[string]int32  // versions of the open buffers the job saw, by file name
	uris     map[string]string // URIs of the open buffers, by file name
	cancel   context.CancelFunc
	done     chan struct{}

	// Set before done is closed.
	out *Outcome
	err error

	// Guarded by server.mu.
	waiters   int
	listeners map[int]func(Progress)
	nextID    int
}

func (t *task) finished() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

// improved reports whether a finished task changed anything.
func (t *task) improved() bool { return t.err == nil && t.out != nil && len(t.out.Changes) > 0 }

// newJobLocked returns a job for cmd on the file at path (s.mu held), with
// the open buffers as its overlay.
func (s *server) newJobLocked(cmd, path string, offset int) (*Job, map[string]int32, map[string]string) {
	job := &Job{
		Dir:          filepath.Dir(path),
		File:         path,
		Fill:         cmd == cmdFillHole,
		Offset:       offset,
		WholePackage: cmd == cmdFixPackage,
		Overlay:      map[string]string{},
	}
	versions := map[string]int32{}
	uris := map[string]string{}
	for _, d := range s.docs {
		job.Overlay[d.path] = d.text
		versions[d.path] = d.version
		uris[d.path] = d.uri
	}
	return job, versions, uris
}

// cached returns the finished task for key, or nil.
func (s *server) cached(key taskKey) *task {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tasks[key]; t != nil && t.finished() {
		return t
	}
	return nil
}

// run runs (or joins) the task for cmd on path at the current buffers and
// waits for it, reporting its progress to onProgress. It returns ctx's
// error when ctx is done first.
func (s *server) run(ctx context.Context, cmd, path string, offset int, onProgress func(Progress)) (*task, error) {
	s.mu.Lock()
	key := taskKey{cmd: cmd, file: path, offset: offset, gen: s.gen}
	t := s.tasks[key]
	if t == nil {
		tctx, cancel := context.WithCancel(s.ctx)
		t = &task{key: key, cancel: cancel, done: make(chan struct{}), listeners: map[int]func(Progress){}}
		t.job, t.versions, t.uris = s.newJobLocked(cmd, path, offset)
		t.job.Progress = func(p Progress) {
			s.mu.Lock()
			ls := maps.Clone(t.listeners)
			s.mu.Unlock()
			for _, l := range ls {
				l(p)
			}
		}
		s.tasks[key] = t
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer cancel()
			out, err := s.opts.Repair(tctx, t.job)
			if err == nil && tctx.Err() != nil {
				err = tctx.Err()
			}
			t.out, t.err = out, err
			if err != nil {
				s.mu.Lock()
				if s.tasks[key] == t {
					delete(s.tasks, key) // ask again, and it runs again
				}
				s.mu.Unlock()
			}
			close(t.done)
		}()
	}
	t.waiters++
	id := t.nextID
	t.nextID++
	if onProgress != nil {
		t.listeners[id] = onProgress
	}
	s.mu.Unlock()

	leave := func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(t.listeners, id)
		t.waiters--
		if t.waiters == 0 && !t.finished() {
			t.cancel()
			if s.tasks[key] == t {
				delete(s.tasks, key)
			}
		}
	}
	select {
	case <-t.done:
		leave()
		return t, t.err
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
}

// workspaceEdit returns the edit that applies a finished task's changes
// to the buffers (or files) it read.
func (s *server) workspaceEdit(t *task) *workspaceEdit {
	s.mu.Lock()
	enc, docChanges := s.enc, s.caps.Workspace.WorkspaceEdit.DocumentChanges
	s.mu.Unlock()
	we := &workspaceEdit{}
	for _, c := range t.out.Changes {
		uri, open := t.uris[c.File]
		if !open {
			uri = fileURI(c.File)
		}
		edits := textEdits(c.Before, c.After, enc)
		if docChanges {
			id := optionalVersionedTextDocumentIdentifier{URI: uri}
			if open {
				v := t.versions[c.File]
				id.Version = &v
			}
			we.DocumentChanges = append(we.DocumentChanges, textDocumentEdit{TextDocument: id, Edits: edits})
		} else {
			if we.Changes == nil {
				we.Changes = map[string][]textEdit{}
			}
			we.Changes[uri] = edits
		}
	}
	return we
}

// stale reports whether a buffer the task read has changed since.
func (s *server) stale(t *task) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range t.out.Changes {
		uri, open := t.uris[c.File]
		if !open {
			continue
		}
		d := s.docs[uri]
		if d == nil || d.version != t.versions[c.File] {
			return true
		}
	}
	return false
}
