package constraints

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	dast "github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/internal/tempdir"
)

// test builds the test binary of the canvas once, with statement coverage,
// runs it in the package directory with a scrubbed environment, and turns
// failing tests into findings; when tests fail, it ranks statements by
// Ochiai suspiciousness if rank is set.
func (c *Checker) test(ctx context.Context, cv *dast.Canvas, units []unit, r *Report, rank bool) ([]Suspect, error) {
	tmp, err := tempdir.MkdirTemp("difgen-test-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	env := environ(c.opts.Env)
	timeout := c.opts.timeout()
	bin := filepath.Join(tmp, "pkg.test")

	// Build the instrumented test binary; if instrumenting breaks the
	// build, build the canvas as it is (and rank no statements).
	var inst *instrumentation
	if rank && c.canInstrument(ctx) {
		inst = c.instrument(cv, units)
	}
	var res cmdResult
	var ov *overlay
	if inst != nil {
		idir := filepath.Join(tmp, "instrumented")
		if ov, err = c.writeOverlay(inst.canvas, idir); err != nil {
			return nil, err
		}
		res = runCmd(ctx, c.pkg.Dir, env, timeout, "go", "test", "-c", "-overlay="+ov.File, "-o", bin, ".")
		if res.exited && res.err != nil {
			c.opts.logf("constraints: instrumented test build failed; building without coverage: %s", trimOutput(res.stderr))
			inst = nil
		}
	}
	if inst == nil {
		if ov, err = c.writeOverlay(cv, tmp); err != nil {
			return nil, err
		}
		res = runCmd(ctx, c.pkg.Dir, env, timeout, "go", "test", "-c", "-overlay="+ov.File, "-o", bin, ".")
	}
	switch {
	case res.timedOut:
		r.Findings = append(r.Findings, Finding{Category: Tests, Code: "timeout", Message: fmt.Sprintf("go test -c timed out after %v", timeout), Weight: 1})
		return nil, nil
	case !res.exited:
		return nil, fmt.Errorf("go test -c: %v", res.err)
	case res.err != nil:
		out := append(res.stderr, res.stdout...)
		fs := c.parseGoOutput(cv, ov, Build, "testbuild", out)
		if len(fs) == 0 {
			fs = append(fs, Finding{Category: Build, Code: "testbuild", Message: "go test -c: " + trimOutput(out), Weight: 1})
		}
		r.Findings = append(r.Findings, fs...)
		return nil, nil
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, nil // no test files
	}

	// The binary's own -test.timeout names the running tests; the process
	// group is killed shortly after in case the binary cannot stop itself.
	// Once the tests have run to the end, a candidate gets a limit scaled
	// to that run, so a fill that loops forever costs seconds, not the
	// whole -timeout.
	timeout = c.runTimeout()
	start := time.Now()
	memLimit := c.runMemLimit()
	res = runCmdCombined(ctx, c.pkg.Dir, env, timeout+2*time.Second, memLimit, true, bin,
		"-test.v=test2json", "-test.paniconexit0", "-test.timeout="+timeout.String())
	elapsed := time.Since(start)
	if res.overMemory {
		// A fill that allocates without end (a loop that never meets
		// its EOF, say) must not take the machine's memory with it.
		r.TestsFailed++
		r.Findings = append(r.Findings, Finding{Category: Tests, Code: "crash",
			Message: fmt.Sprintf("test binary killed: it used more than %d MiB of memory", memLimit>>20), Weight: 1})
		return nil, nil
	}
	if !res.exited && !res.timedOut {
		return nil, fmt.Errorf("running tests: %v", res.err)
	}
	tr := parseTestOutput(string(res.stdout))
	tr.timedOut = res.timedOut || strings.Contains(string(res.stdout), "panic: test timed out after")
	if res.exited && !tr.timedOut {
		c.observeRun(elapsed, res.peakRSS)
	}
	for _, name := range tr.order {
		r.TestsRun++
		st := tr.status[name]
		if st == "pass" || st == "skip" {
			continue
		}
		r.TestsFailed++
		r.Findings = append(r.Findings, c.testFinding(cv, r, tr, name, res.timedOut, timeout))
	}
	if res.err != nil && r.TestsFailed == 0 {
		msg := "test binary failed"
		if res.timedOut {
			msg = fmt.Sprintf("test timed out after %v", timeout)
		} else if line := firstLine(tr.pkgOut); line != "" {
			msg += ": " + line
		}
		r.Findings = append(r.Findings, Finding{Category: Tests, Code: "test", Message: msg, Weight: 1})
	}
	if r.TestsFailed > 0 && inst != nil {
		return c.ochiai(ctx, cv, inst, tmp, bin, env, tr), nil
	}
	return nil, nil
}

// testOutput is the parsed output of a test binary run with
// -test.v=test2json.
type testOutput struct {
	order    []string          // top-level tests, in run order
	status   map[string]string // "run" (unfinished), "pass", "fail" or "skip", by test
	lines    []testLine        // output lines, attributed to tests
	pkgOut   []string          // output outside any test
	timedOut bool              // the binary was stopped at the timeout
}

type testLine struct{ test, text string }

const marker = "\x16" // frames test2json lines

func parseTestOutput(out string) *testOutput {
	tr := &testOutput{status: make(map[string]string)}
	cur := ""
	for _, line := range strings.Split(out, "\n") {
		body, framed := strings.CutPrefix(line, marker)
		if !framed {
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "warning: GOCOVERDIR not set") {
				continue
			}
			if cur == "" {
				tr.pkgOut = append(tr.pkgOut, line)
			} else {
				tr.lines = append(tr.lines, testLine{cur, line})
			}
			continue
		}
		body = strings.TrimLeft(body, " ")
		switch {
		case strings.HasPrefix(body, "=== RUN"):
			name := strings.TrimSpace(strings.TrimPrefix(body, "=== RUN"))
			if _, ok := tr.status[name]; !ok && !strings.Contains(name, "/") {
				tr.order = append(tr.order, name)
			}
			tr.status[name] = "run"
			cur = name
		case strings.HasPrefix(body, "=== PAUSE"), strings.HasPrefix(body, "=== CONT"), strings.HasPrefix(body, "=== NAME"):
			_, rest, _ := strings.Cut(strings.TrimPrefix(body, "=== "), " ")
			cur = strings.TrimSpace(rest)
		case strings.HasPrefix(body, "--- "):
			verdict, rest, _ := strings.Cut(strings.TrimPrefix(body, "--- "), ": ")
			name := rest
			if i := strings.LastIndex(rest, " ("); i >= 0 {
				name = rest[:i]
			}
			tr.status[name] = strings.ToLower(verdict)
			cur = name
		case strings.HasPrefix(body, "==="):
			// ATTR, ARTIFACTS: nothing to record.
		default:
			cur = "" // PASS, FAIL, coverage summary
			if strings.TrimSpace(body) != "" {
				tr.pkgOut = append(tr.pkgOut, body)
			}
		}
	}
	return tr
}

var (
	logLine   = regexp.MustCompile(`^\s*([\w.\-+]+\.go):(\d+): (.*)$`)
	frameLine = regexp.MustCompile(`^\t(.+\.go):(\d+)(?: \+0x[0-9a-f]+)?$`)
	recovered = regexp.MustCompile(`\s*\[recovered[^\]]*\]$`)
)

// testFinding describes the failure of the top-level test name: at the
// first file:line its output names, else at the first stack frame in the
// canvas, else at the test function's declaration.
func (c *Checker) testFinding(cv *dast.Canvas, r *Report, tr *testOutput, name string, killed bool, timeout time.Duration) Finding {
	var lines []testLine
	for _, l := range tr.lines {
		if l.test == name || strings.HasPrefix(l.test, name+"/") {
			lines = append(lines, l)
		}
	}
	who, detail := name, ""
	file, line := "", 0
	for _, l := range lines {
		if m := logLine.FindStringSubmatch(l.text); m != nil {
			if f := cv.File(filepath.Join(c.pkg.Dir, m[1])); f != nil {
				file, who, detail = f.Name, l.test, strings.TrimSpace(m[3])
				fmt.Sscan(m[2], &line)
				break
			}
		}
	}
	timedOut := killed
	for _, l := range append(lines, pkgLines(tr.pkgOut)...) {
		if msg, ok := strings.CutPrefix(strings.TrimSpace(l.text), "panic: "); ok {
			if strings.HasPrefix(msg, "test timed out") {
				timedOut = true
			}
			if detail == "" {
				detail = "panic: " + recovered.ReplaceAllString(msg, "")
			}
		}
	}
	if timedOut && tr.status[name] == "run" {
		detail = fmt.Sprintf("test timed out after %v", timeout)
	}
	if file == "" && !timedOut {
		// A panic: the first stack frame in the canvas.
		for _, l := range append(lines, pkgLines(tr.pkgOut)...) {
			if m := frameLine.FindStringSubmatch(l.text); m != nil {
				if f := cv.File(m[1]); f != nil {
					file = f.Name
					fmt.Sscan(m[2], &line)
					break
				}
			}
		}
	}
	if detail == "" {
		if tr.status[name] == "run" {
			detail = "test binary exited during the test (os.Exit or crash)"
		}
		for _, l := range lines {
			if s := strings.TrimSpace(l.text); s != "" {
				if detail != "" {
					detail += ": "
				}
				detail += s
				break
			}
		}
	}
	msg := who + " failed"
	if detail != "" {
		msg += ": " + detail
	}
	code := "test"
	switch {
	case timedOut && tr.status[name] == "run":
		msg = name + ": " + detail
		code = "timeout"
	case tr.status[name] == "run":
		code = "crash" // the binary died inside the test
	}
	if f := cv.File(file); f != nil && line > 0 {
		start, end := lineSpan(f.Text, line)
		return finding(Tests, f.Name, f.Text, start, end, code, msg)
	}
	if fd, i := funcDecl(r.Files, name); fd != nil {
		if f := cv.File(r.Names[i]); f != nil {
			start := c.fset.Position(fd.Name.Pos()).Offset
			return finding(Tests, f.Name, f.Text, start, start+len(name), code, msg)
		}
	}
	return Finding{Category: Tests, Code: code, Message: msg, Weight: 1}
}

func pkgLines(out []string) []testLine {
	var ls []testLine
	for _, s := range out {
		ls = append(ls, testLine{"", s})
	}
	return ls
}

func firstLine(lines []string) string {
	for _, l := range lines {
		if s := strings.TrimSpace(l); s != "" && s != "FAIL" && !strings.HasPrefix(s, "coverage:") {
			return s
		}
	}
	return ""
}

// minRunTimeout is the least limit a test run gets once runs are timed.
const minRunTimeout = 3 * time.Second

// runTimeout returns the limit for one run of the test binary: the
// configured timeout until a run has finished, then ten times the
// slowest finished run (at least minRunTimeout, at most the timeout).
func (c *Checker) runTimeout() time.Duration {
	limit := c.opts.timeout()
	c.mu.Lock()
	d := c.slowestRun
	c.mu.Unlock()
	if d == 0 {
		return limit
	}
	return min(limit, max(minRunTimeout, 10*d))
}

// observeRun records the duration and peak resident size of a finished
// test run.
func (c *Checker) observeRun(d time.Duration, rss int64) {
	c.mu.Lock()
	c.slowestRun = max(c.slowestRun, d)
	c.largestRun = max(c.largestRun, rss)
	c.mu.Unlock()
}

// runMemLimit returns the memory limit of a test run: 4 times the largest
// finished run, at least Options.TestMemory.
func (c *Checker) runMemLimit() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return max(c.opts.testMemory(), 4*c.largestRun)
}
