package main

import (
	"fmt"
	"strings"
	"sync"

	"github.com/difgen/difgen/refine"
)

// progress shows one updating status line on a terminal and nothing when
// stderr is piped.
type progress struct {
	mu    sync.Mutex
	e     *env
	width int
}

func newProgress(e *env) *progress { return &progress{e: e} }

func (p *progress) update(pkg string, ev refine.Event) {
	if !p.e.terminal {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	line := fmt.Sprintf("difgen: %s: step %d, %d holes, %d findings left, %d model calls", pkg, ev.Step, ev.Holes, ev.Findings, ev.Calls)
	if ev.Usage.PromptTokens > 0 {
		line += fmt.Sprintf(", %d+%d tokens", ev.Usage.PromptTokens, ev.Usage.CompletionTokens)
	}
	pad := max(0, p.width-len(line))
	fmt.Fprintf(p.e.stderr, "\r%s%s", line, strings.Repeat(" ", pad))
	p.width = len(line)
}

func (p *progress) done() {
	if !p.e.terminal || p.width == 0 {
		return
	}
	fmt.Fprintf(p.e.stderr, "\r%s\r", strings.Repeat(" ", p.width))
}
