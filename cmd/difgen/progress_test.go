package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/difgen/difgen/refine"
)

// TestProgressLine checks the status line: counts in words, the budget,
// cut to the terminal's width (80 when it cannot be asked, as for a
// buffer), each redraw erasing the last, and erased at the end.
func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	e := &env{stderr: &buf, terminal: true}
	p := newProgress(e, budget{time: 5 * time.Minute, steps: 12, calls: 60})
	p.update("example.com/some/rather/long/import/path/of/a/package/that/goes/on", refine.Event{Step: 1, Holes: 1, Findings: 3, Calls: 1})
	p.update("example.com/p", refine.Event{Step: 2, Holes: 2, Findings: 1, Calls: 2})
	p.done()
	out := buf.String()
	if strings.Contains(out, "\n") {
		t.Errorf("the progress output holds a newline: %q", out)
	}
	frames := strings.Split(out, "\r")
	for _, f := range frames {
		line := strings.TrimSuffix(f, "\x1b[K")
		if n := utf8.RuneCountInString(line); n > 79 {
			t.Errorf("a line of %d columns on an 80-column terminal: %q", n, line)
		}
	}
	for _, want := range []string{"step 1/12, 1 hole asked, 3 findings open, 1 model call", "step 2/12, 2 holes asked, 1 finding open, 2 model calls", "of 5m0s"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in %q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("the line is not erased at the end: %q", out)
	}
	// Not a terminal: nothing at all.
	buf.Reset()
	p = newProgress(&env{stderr: &buf}, budget{time: time.Minute, steps: 1})
	p.update("p", refine.Event{Step: 1})
	p.done()
	if buf.Len() != 0 {
		t.Errorf("progress on a pipe: %q", buf.String())
	}
}
