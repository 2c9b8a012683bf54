package constraints

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// TestStatus is the outcome of one top-level test in one check.
type TestStatus int

const (
	TestPass    TestStatus = iota
	TestSkip               // skipped: counts as passing
	TestFail               // failed, and failed again when run alone
	TestFlaky              // failed, then passed when run alone: reported, weighs nothing
	TestTimeout            // still running at the timeout: reported, never repaired
	TestCrash              // the binary died inside the test (os.Exit, a fatal error, a kill)
	TestMemory             // the test binary was killed for its memory use
)

var testStatusNames = [...]string{TestPass: "pass", TestSkip: "skip", TestFail: "fail", TestFlaky: "flaky",
	TestTimeout: "timeout", TestCrash: "crash", TestMemory: "memory"}

func (s TestStatus) String() string {
	if int(s) >= 0 && int(s) < len(testStatusNames) {
		return testStatusNames[s]
	}
	return fmt.Sprintf("TestStatus(%d)", int(s))
}

// Passed reports whether s counts as passing.
func (s TestStatus) Passed() bool { return s == TestPass || s == TestSkip }

// Bug reports whether s is evidence of a bug: a failure that reproduces
// or a crash. Flakes, timeouts and memory kills are reported but are
// never evidence for test-driven repair.
func (s TestStatus) Bug() bool { return s == TestFail || s == TestCrash }

// test builds the test binary of the canvas once (with go test's own vet
// step off: the vet check reports vet findings as what they are) and runs
// it, only the tests of focus when not nil (through go tool test2json, in
// the sandbox), then runs the failing tests again,
// alone, to tell failures that reproduce from flakes. Failing tests
// become findings. When rank is set and tests fail, it also ranks the
// statements by Ochiai suspiciousness.
func (c *Checker) test(ctx context.Context, cv *ast.Canvas, units []unit, r *Report, rank bool, focus []string) ([]Suspect, error) {
	tmp, err := c.tempDir("test")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
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
		res = c.goCmd(ctx, "test", "-c", "-vet=off", "-overlay="+ov.File, "-o", bin, ".")
		if res.exited && res.err != nil {
			c.opts.logf("constraints: instrumented test build failed; building without coverage: %s", trimOutput(res.stderr))
			inst = nil
		}
	}
	if inst == nil {
		if ov, err = c.writeOverlay(cv, tmp); err != nil {
			return nil, err
		}
		res = c.goCmd(ctx, "test", "-c", "-vet=off", "-overlay="+ov.File, "-o", bin, ".")
	}
	switch {
	case res.timedOut:
		// A build limit, not a test timeout: go test -c never runs the
		// package's code.
		r.Findings = append(r.Findings, Finding{Category: Build, Code: "timeout", Message: fmt.Sprintf("go test -c did not finish in %v", c.opts.buildTimeout()), Weight: 1})
		return nil, nil
	case !res.exited:
		return nil, fmt.Errorf("go test -c: %v", res.err)
	case res.err != nil:
		out := append(res.stderr, res.stdout...)
		fs := c.parseGoOutput(cv, ov, Build, "testbuild", out)
		if len(fs) == 0 {
			fs = append(fs, Finding{Category: Build, Code: "testbuild", Message: "go test -c: " + ov.unmap(trimOutput(out)), Weight: 1})
		}
		r.Findings = append(r.Findings, fs...)
		return nil, nil
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, nil // no test files
	}

	run, err := c.runAndReport(ctx, cv, r, tmp, bin, focus, nil, nil, true)
	if err != nil {
		return nil, err
	}
	if inst != nil && slices.ContainsFunc(run.order, func(n string) bool { return r.Tests[n].Bug() }) {
		return c.ochiai(ctx, cv, inst, tmp, bin, run, r.Tests), nil
	}
	return nil, nil
}

// runAndReport runs the test binary bin (the tests of focus, or all),
// reruns the failures alone to tell those that reproduce from flakes, and
// records the outcome in r: its Tests, counts and findings against cv.
// extra is added to the tests' environment; mapLine, if not nil, maps a
// line of a file as the binary was compiled to the line of cv. Without
// rerun, failures are taken as they are (a screen of candidates: the one
// taken is checked again in full).
func (c *Checker) runAndReport(ctx context.Context, cv *ast.Canvas, r *Report, tmp, bin string, focus, extra []string, mapLine func(file string, line int) int, rerun bool) (*testRun, error) {
	run, err := c.runTests(ctx, tmp, bin, focus, extra)
	if err != nil {
		return nil, err
	}
	run.mapLine = mapLine
	failed := run.failed()
	var again *testRun
	if names := run.rerunnable(); rerun && len(names) > 0 && ctx.Err() == nil {
		// A failure is evidence only if it happens again.
		if again, err = c.runTests(ctx, tmp, bin, names, extra); err != nil {
			return nil, err
		}
	}
	r.Tests = make(map[string]TestStatus)
	for _, name := range run.order {
		r.Tests[name] = run.verdict(name, again)
	}
	for _, name := range run.order {
		r.TestsRun++
		st := r.Tests[name]
		if st.Passed() {
			continue
		}
		r.TestsFailed++
		r.Findings = append(r.Findings, c.testFinding(cv, r, run, name, st))
	}
	if run.memory || (run.err != nil && len(failed) == 0) {
		// The binary failed outside any test (in TestMain, in an init,
		// or killed for its memory before a test started).
		msg, code := "test binary failed", diag.Crash
		switch {
		case run.memory:
			msg, code = fmt.Sprintf("test binary killed: it used more than %d MiB of memory", run.memLimit>>20), diag.Memory
		case run.timedOut:
			msg, code = fmt.Sprintf("test binary timed out after %v", run.timeout), diag.Timeout
		default:
			if line := firstLine(run.pkgOut); line != "" {
				msg += ": " + line
			}
		}
		if len(failed) == 0 {
			r.TestsFailed++
			r.Findings = append(r.Findings, Finding{Category: Tests, Code: code, Message: msg, Weight: 1})
		}
	}
	return run, nil
}

// testEvent is one line of go tool test2json's output.
type testEvent struct {
	Action  string
	Test    string
	Output  string
	Elapsed float64
}

// A testRun is the parsed outcome of one run of a test binary.
type testRun struct {
	order      []string            // top-level tests, in run order
	status     map[string]string   // "run" (unfinished), "pass", "fail" or "skip", by test (subtests too)
	output     map[string][]string // output lines by test (subtests too)
	elapsed    map[string]time.Duration
	pkgOut     []string                        // output outside any test
	err        error                           // the binary's exit error
	timedOut   bool                            // stopped at the timeout (by -test.timeout or by the kill)
	memory     bool                            // killed for its memory use
	sawTimeout bool                            // the output holds the binary's timeout panic
	reported   map[string]bool                 // tests the testing package reported as failed ("--- FAIL")
	mapLine    func(file string, line int) int // from the compiled file's lines to the canvas's; nil: the same
	timeout    time.Duration
	memLimit   int64
	wall       time.Duration
	peakRSS    int64
}

// runTests runs the test binary bin through test2json, the tests named in
// only (top-level names; all when nil), with extra environment.
func (c *Checker) runTests(ctx context.Context, tmp, bin string, only []string, extra []string) (*testRun, error) {
	t2j, err := c.test2json(ctx)
	if err != nil {
		return nil, err
	}
	// The binary's own -test.timeout names the running tests; the tree is
	// killed shortly after in case the binary cannot stop itself. Once the
	// tests have run to the end, a run gets a limit scaled to that run,
	// so a fill that loops forever costs seconds, not the whole -timeout.
	timeout := c.runTimeout()
	args := []string{"-t", "-p", c.pkg.ImportPath, bin, "-test.v=test2json", "-test.paniconexit0", "-test.timeout=" + timeout.String()}
	if len(only) > 0 {
		quoted := make([]string, len(only))
		for i, n := range only {
			quoted[i] = regexp.QuoteMeta(n)
		}
		args = append(args, "-test.run=^(?:"+strings.Join(quoted, "|")+")$")
	}
	memLimit := c.runMemLimit()
	c.runMu.Lock()
	start := time.Now()
	res, err := c.runTestBinary(ctx, slices.Concat(c.opts.Env, extra), []string{tmp}, timeout+2*time.Second, memLimit, t2j, args...)
	c.runMu.Unlock()
	if err != nil {
		return nil, err
	}
	run := parseTestEvents(res.stdout)
	run.err, run.memory, run.timeout, run.memLimit = res.err, res.overMemory, timeout, memLimit
	run.wall, run.peakRSS = time.Since(start), res.peakRSS
	run.timedOut = res.timedOut || run.sawTimeout
	if !res.exited && !res.timedOut && !res.overMemory {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("running tests: %v", res.err)
	}
	if len(only) == 0 && res.exited && !run.timedOut {
		c.observeRun(run.wall, res.peakRSS)
	}
	return run, nil
}

// parseTestEvents parses the JSON events of test2json.
func parseTestEvents(out []byte) *testRun {
	run := &testRun{status: map[string]string{}, output: map[string][]string{}, elapsed: map[string]time.Duration{}, reported: map[string]bool{}}
	partial := map[string]string{} // output not yet ended by a newline, by test
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), maxOutput)
	for sc.Scan() {
		var ev testEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			// Not an event (test2json writes only events; be lenient).
			run.pkgOut = append(run.pkgOut, sc.Text())
			continue
		}
		switch ev.Action {
		case "run":
			if _, seen := run.status[ev.Test]; !seen && !strings.Contains(ev.Test, "/") {
				run.order = append(run.order, ev.Test)
			}
			run.status[ev.Test] = "run"
		case "pass", "fail", "skip":
			if ev.Test != "" {
				run.status[ev.Test] = ev.Action
				run.elapsed[ev.Test] = time.Duration(ev.Elapsed * float64(time.Second))
			}
		case "output":
			text := partial[ev.Test] + ev.Output
			lines := strings.Split(text, "\n")
			partial[ev.Test] = lines[len(lines)-1]
			for _, l := range lines[:len(lines)-1] {
				run.addOutput(ev.Test, l)
			}
		}
	}
	for test, l := range partial {
		if l != "" {
			run.addOutput(test, l)
		}
	}
	return run
}

func (run *testRun) addOutput(test, line string) {
	s := strings.TrimSpace(line)
	if s == "" || strings.HasPrefix(line, "warning: GOCOVERDIR not set") {
		return
	}
	switch {
	case strings.HasPrefix(s, "--- FAIL: "):
		name := strings.TrimPrefix(s, "--- FAIL: ")
		if i := strings.LastIndex(name, " ("); i >= 0 {
			name = name[:i]
		}
		run.reported[name] = true
	case strings.HasPrefix(s, "panic: test timed out after"):
		run.sawTimeout = true
	}
	if test == "" {
		run.pkgOut = append(run.pkgOut, line)
		return
	}
	run.output[test] = append(run.output[test], line)
}

// failed returns the top-level tests that did not pass or skip.
func (run *testRun) failed() []string {
	var out []string
	for _, n := range run.order {
		if st := run.status[n]; st != "pass" && st != "skip" {
			out = append(out, n)
		}
	}
	return out
}

// rerunnable returns the failed tests worth running again alone: those
// that finished with a failure (not the one running at a timeout or a
// kill, whose rerun would cost the whole limit again).
func (run *testRun) rerunnable() []string {
	if run.memory {
		return nil
	}
	var out []string
	for _, n := range run.failed() {
		if run.status[n] == "fail" && run.reported[n] && !(run.timedOut && run.timedOutIn(n)) {
			out = append(out, n)
		}
	}
	return out
}

// verdict classifies the top-level test name of run, given its rerun
// (nil when there was none).
func (run *testRun) verdict(name string, again *testRun) TestStatus {
	switch run.status[name] {
	case "pass":
		return TestPass
	case "skip":
		return TestSkip
	case "fail":
		if run.timedOut && run.timedOutIn(name) {
			return TestTimeout
		}
		if !run.reported[name] {
			// test2json ends a test that the binary never finished with
			// a failure: the binary stopped inside it.
			switch {
			case run.memory:
				return TestMemory
			case run.timedOut:
				return TestTimeout
			}
			return TestCrash
		}
		if again != nil {
			if st, ok := again.status[name]; ok && (st == "pass" || st == "skip") {
				return TestFlaky
			}
		}
		return TestFail
	}
	// Started and never ended: the binary stopped inside the test.
	switch {
	case run.memory:
		return TestMemory
	case run.timedOut:
		return TestTimeout
	}
	return TestCrash
}

// timedOutIn reports whether the timeout panic names test (or one of its
// subtests) among the running tests.
func (run *testRun) timedOutIn(test string) bool {
	lines := slices.Concat(run.pkgOut, run.output[test])
	for _, l := range lines {
		if s := strings.TrimSpace(l); s == test || strings.HasPrefix(s, test+" (") || strings.HasPrefix(s, test+"/") {
			return true
		}
	}
	return false
}

// linesOf returns the output lines of test and its subtests.
func (run *testRun) linesOf(test string) []testLine {
	var names []string
	for n := range run.output {
		if n == test || strings.HasPrefix(n, test+"/") {
			names = append(names, n)
		}
	}
	slices.Sort(names) // the test before its subtests
	var ls []testLine
	for _, n := range names {
		for _, l := range run.output[n] {
			ls = append(ls, testLine{n, l})
		}
	}
	return ls
}

type testLine struct{ test, text string }

var (
	logLine   = regexp.MustCompile(`^\s*([\w.\-+]+\.go):(\d+): (.*)$`)
	frameLine = regexp.MustCompile(`^\t(.+\.go):(\d+)(?: \+0x[0-9a-f]+)?$`)
	recovered = regexp.MustCompile(`\s*\[recovered[^\]]*\]$`)
)

// testFinding describes the failure of the top-level test name: at the
// first file:line its output names, else at the first stack frame in the
// canvas, else at the test function's declaration.
func (c *Checker) testFinding(cv *ast.Canvas, r *Report, run *testRun, name string, st TestStatus) Finding {
	lines := run.linesOf(name)
	who, detail := name, ""
	file, line := "", 0
	for i, l := range lines {
		if m := logLine.FindStringSubmatch(l.text); m != nil {
			if f := cv.File(filepath.Join(c.pkg.Dir, m[1])); f != nil {
				file, who, detail = f.Name, l.test, strings.TrimSpace(m[3])
				detail += continuation(lines[i:])
				fmt.Sscan(m[2], &line)
				break
			}
		}
	}
	for _, l := range append(lines, pkgLines(run.pkgOut)...) {
		if msg, ok := strings.CutPrefix(strings.TrimSpace(l.text), "panic: "); ok && detail == "" && !strings.HasPrefix(msg, "test timed out") {
			detail = "panic: " + recovered.ReplaceAllString(msg, "")
		}
	}
	if file == "" && st != TestTimeout {
		// A panic: the first stack frame in the canvas.
		for _, l := range append(lines, pkgLines(run.pkgOut)...) {
			if m := frameLine.FindStringSubmatch(l.text); m != nil {
				if f := cv.File(m[1]); f != nil {
					file = f.Name
					fmt.Sscan(m[2], &line)
					break
				}
			}
		}
	}
	if detail == "" && st == TestCrash {
		detail = "test binary exited during the test (os.Exit or crash)"
	}
	if detail == "" {
		for _, l := range lines {
			if s := strings.TrimSpace(l.text); s != "" && !strings.HasPrefix(s, "=== ") && !strings.HasPrefix(s, "--- ") {
				detail = s
				break
			}
		}
	}
	msg := who + " failed"
	if detail != "" {
		msg += ": " + detail
	}
	code := diag.TestFailed
	switch st {
	case TestTimeout:
		msg, code = fmt.Sprintf("%s: test timed out after %v", name, run.timeout), diag.Timeout
		file = "" // at the declaration
	case TestMemory:
		msg, code = fmt.Sprintf("%s: test binary killed: it used more than %d MiB of memory", name, run.memLimit>>20), diag.Memory
	case TestCrash:
		code = diag.Crash
	case TestFlaky:
		msg, code = msg+" (then passed when run again: flaky)", diag.Flaky
	}
	f := Finding{Category: Tests, Code: code, Message: msg, Weight: 1, Test: name}
	if cf := cv.File(file); cf != nil && line > 0 {
		if run.mapLine != nil {
			line = run.mapLine(cf.Name, line)
		}
		start, end := lineSpan(cf.Text, line)
		f = finding(Tests, cf.Name, cf.Text, start, end, code, msg)
	} else if fd, i := funcDecl(r.Files, name); fd != nil {
		if cf := cv.File(r.Names[i]); cf != nil {
			start := c.fset.Position(fd.Name.Pos()).Offset
			f = finding(Tests, cf.Name, cf.Text, start, start+len(name), code, msg)
		}
	}
	f.Test = name
	return f
}

// maxContinuation bounds the continuation lines kept of a test's message.
const maxContinuation = 20

// continuation returns the lines after lines[0] that continue its message
// (more indented, of the same test), as testify and go-cmp print expected
// and actual values: each on a line of its own, tab-indented, as the
// compiler continues its messages.
func continuation(lines []testLine) string {
	indent := func(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }
	first := indent(lines[0].text)
	var b strings.Builder
	n := 0
	for _, l := range lines[1:] {
		if l.test != lines[0].test || indent(l.text) <= first || strings.HasPrefix(strings.TrimSpace(l.text), "--- ") {
			break
		}
		if n == maxContinuation {
			b.WriteString("\n\t…")
			break
		}
		b.WriteString("\n\t" + strings.TrimSpace(l.text))
		n++
	}
	return b.String()
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
const minRunTimeout = 10 * time.Second

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
// run of all the tests.
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

// test2json returns the path of the go command's test2json, built once.
func (c *Checker) test2json(ctx context.Context) (string, error) {
	c.mu.Lock()
	p := c.t2j
	c.mu.Unlock()
	if p != "" {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	res := c.goCmd(ctx, "tool", "-n", "test2json")
	if res.err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("go tool -n test2json: %s", firstNonEmpty(trimOutput(res.stderr), fmt.Sprint(res.err)))
	}
	p = strings.TrimSpace(string(res.stdout))
	c.mu.Lock()
	c.t2j = p
	c.mu.Unlock()
	return p, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
