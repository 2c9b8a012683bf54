package main

import (
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/difgen/difgen/refine"
)

// progress shows one status line on a terminal, redrawn after each step
// and every second between (a step may take long: builds and test runs),
// cut to the terminal's width; nothing when stderr is not a terminal.
type progress struct {
	mu     sync.Mutex
	e      *env
	start  time.Time
	budget budget
	pkg    string
	ev     refine.Event
	shown  bool // a line is on the screen
	stop   chan struct{}
	wg     sync.WaitGroup
}

func newProgress(e *env, b budget) *progress {
	p := &progress{e: e, start: time.Now(), budget: b, stop: make(chan struct{})}
	if e.terminal {
		p.wg.Add(1)
		go p.tick()
	}
	return p
}

// tick redraws the line every second until done.
func (p *progress) tick() {
	defer p.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.pkg != "" {
				p.draw()
			}
			p.mu.Unlock()
		}
	}
}

func (p *progress) update(pkg string, ev refine.Event) {
	if !p.e.terminal {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pkg, p.ev = pkg, ev
	p.draw()
}

// line is the status line: the step of the step budget, what is open,
// the model calls, the time spent of the time budget, then the package
// (last, since a narrow terminal cuts the end).
func (p *progress) line() string {
	ev := p.ev
	s := fmt.Sprintf("difgen: step %d/%d, %s asked, %s open, %s", ev.Step, p.budget.steps,
		count(ev.Holes, "hole"), count(ev.Findings, "finding"), count(ev.Calls, "model call"))
	if ev.Usage.PromptTokens > 0 {
		s += fmt.Sprintf(", %d+%d tokens", ev.Usage.PromptTokens, ev.Usage.CompletionTokens)
	}
	return s + fmt.Sprintf(", %s of %s: %s", time.Since(p.start).Round(time.Second), p.budget.time, p.pkg)
}

// draw writes the line over the last one, cut to the width. The caller
// holds p.mu.
func (p *progress) draw() {
	width := termWidth(p.e.stderr) - 1 // never wrap: a wrapped line cannot be redrawn
	s := p.line()
	if utf8.RuneCountInString(s) > width {
		r := []rune(s)
		s = string(r[:max(0, width-1)]) + "…"
	}
	// \r to the start, the line, then erase to the end of the line.
	fmt.Fprintf(p.e.stderr, "\r%s\x1b[K", s)
	p.shown = true
}

// done stops the redraws and erases the line.
func (p *progress) done() {
	if !p.e.terminal {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.e.stderr, "\r\x1b[K")
	}
}
