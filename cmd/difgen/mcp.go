package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"github.com/difgen/difgen/refine"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var cmdMCP = &command{
	Name:      "mcp",
	UsageLine: "mcp [flags]",
	Short:     "run a Model Context Protocol server for coding agents",
	Long:      helpText("Mcp"),
	SetFlags:  func(fs *flag.FlagSet) { mcpFlags.registerSearch(fs) },
	Run: func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usageErrorf("mcp: unexpected arguments %q", args)
		}
		s, err := newSession(ctx, e, "mcp", &mcpFlags)
		if err != nil {
			return err
		}
		err = s.mcpServer().Run(ctx, &mcp.StdioTransport{})
		if ctx.Err() != nil || errors.Is(err, mcp.ErrConnectionClosed) {
			return nil
		}
		return err
	},
}

var mcpFlags repairFlags

// target is the package (and file) a tool call names.
type target struct {
	Path    string `json:"path,omitempty" jsonschema:"the package directory, or a .go file of the package (absolute, or relative to the server's working directory)"`
	Dir     string `json:"dir,omitempty" jsonschema:"the same as path"`
	Package string `json:"package,omitempty" jsonschema:"the same as path"`
	Tests   string `json:"tests,omitempty" jsonschema:"run the package's tests: auto (the default: when it has some and everything else is clean), on or off"`
}

type checkInput struct {
	target
	Baseline string `json:"baseline,omitempty" jsonschema:"a git revision (HEAD, main, a commit) whose findings count as pre-existing; without one every finding is new"`
}

type fixInput struct {
	target
	Write bool `json:"write,omitempty" jsonschema:"write the changed files (only when the package is better), as difgen fix -w does; default false: nothing is written"`
}

type fillInput struct {
	target
	Line   int  `json:"line,omitempty" jsonschema:"with a .go file as path: fill only the hole at this line (1-based)"`
	Column int  `json:"column,omitempty" jsonschema:"with line: the column of the hole (1-based, in bytes; default 1)"`
	Write  bool `json:"write,omitempty" jsonschema:"write the changed files (only when the package is better); default false: nothing is written"`
}

// mcpFinding is a finding as the tools report it.
type mcpFinding struct {
	Pos      string `json:"pos" jsonschema:"file:line:col, the file relative to the package directory"`
	Category string `json:"category" jsonschema:"syntax, types, vet, build or tests"`
	Message  string `json:"message"`
}

// verdict says how each check went on a package.
type verdict struct {
	Clean       bool   `json:"clean" jsonschema:"no findings remain (every check that ran passed)"`
	Syntax      string `json:"syntax" jsonschema:"pass, fail or not run"`
	Types       string `json:"types" jsonschema:"pass, fail or not run"`
	Vet         string `json:"vet" jsonschema:"pass, fail or not run"`
	Build       string `json:"build" jsonschema:"pass, fail or not run (go build -overlay)"`
	Tests       string `json:"tests" jsonschema:"pass, fail or not run (go test -overlay)"`
	TestsRun    int    `json:"tests_run"`
	TestsFailed int    `json:"tests_failed"`
}

type checkOutput struct {
	Package     string       `json:"package"`
	Dir         string       `json:"dir"`
	Verdict     verdict      `json:"verdict"`
	New         []mcpFinding `json:"new" jsonschema:"findings not present at the baseline (all findings without one)"`
	PreExisting []mcpFinding `json:"pre_existing" jsonschema:"findings the baseline has too"`
	Baseline    string       `json:"baseline,omitempty"`
}

type repairOutput struct {
	Package  string       `json:"package"`
	Dir      string       `json:"dir"`
	Changed  bool         `json:"changed" jsonschema:"the loop found a result better than the input; diff holds it"`
	Diff     string       `json:"diff" jsonschema:"unified diff of the result, empty when nothing changed"`
	Verdict  verdict      `json:"verdict" jsonschema:"the checks of the result (of the input when nothing changed)"`
	Before   []mcpFinding `json:"findings_before"`
	After    []mcpFinding `json:"findings_after"`
	Unfilled []string     `json:"unfilled,omitempty" jsonschema:"positions of holes left open"`
	Written  []string     `json:"written,omitempty" jsonschema:"files written (write: true)"`
	Stop     string       `json:"stop" jsonschema:"why the search stopped: clean, steps, calls, time, stuck"`
	Changes  []jsonChange `json:"changes,omitempty" jsonschema:"each change of the diff with why it was made: the findings it answers, the generator that proposed it and the checks after it"`
	Notes    []string     `json:"notes,omitempty" jsonschema:"caveats of the result: tests not run and why, instructions the local model cannot follow"`
	Steps    int          `json:"steps"`
	Calls    int          `json:"model_calls"`
}

func (s *session) mcpServer() *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "difgen", Version: buildVersion()}, &mcp.ServerOptions{
		Instructions: "difgen repairs and fills Go packages and checks them with the Go toolchain (go/types, vet, go build, go test). " +
			"Results are verified before they are returned; nothing is written unless a call says write: true.",
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name:        "difgen_check",
		Description: "Check a Go package: parse, type-check, vet, build and test it (awaited, through the files on disk) and return its findings, split into new and pre-existing against a baseline git revision.",
	}, s.toolCheck)
	mcp.AddTool(srv, &mcp.Tool{
		Name:        "difgen_fix",
		Description: "Repair a Go package with difgen's verified loop. Returns a unified diff and the build, vet and test verdict of the result; writes nothing unless write is true.",
	}, s.toolFix)
	mcp.AddTool(srv, &mcp.Tool{
		Name: "difgen_fill",
		Description: "Fill the holes of a Go file or package: __ (an expression or statement), __(\"instruction\"), or a function body of only panic(\"TODO\"). " +
			"Returns a unified diff and the verdict of the result; writes nothing unless write is true.",
	}, s.toolFill)
	return srv
}

// resolve returns the package directory and the file (or "") a target
// names, and the tests mode it asks for.
func (t *target) resolve() (dir, file string, tests *constraints.TestsMode, err error) {
	p := t.Path
	for _, alt := range []string{t.Dir, t.Package} {
		if p == "" {
			p = alt
		}
	}
	if p == "" {
		return "", "", nil, errors.New(`missing "path": name the package directory or a .go file of it`)
	}
	if t.Tests != "" {
		m, err := parseTests(t.Tests)
		if err != nil {
			return "", "", nil, err
		}
		tests = &m
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", "", nil, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", "", nil, fmt.Errorf("%s: no such file or directory (want a package directory or a .go file)", p)
	}
	if fi.IsDir() {
		return abs, "", tests, nil
	}
	if !strings.HasSuffix(abs, ".go") {
		return "", "", nil, fmt.Errorf("%s: not a package directory or a .go file", p)
	}
	return filepath.Dir(abs), abs, tests, nil
}

// progress returns a progress hook that sends MCP progress notifications
// when the client asked for them.
func (s *session) mcpProgress(ctx context.Context, req *mcp.CallToolRequest) func(string, refine.Event) {
	token := req.Params.GetProgressToken()
	if token == nil {
		return nil
	}
	return func(pkg string, ev refine.Event) {
		err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{
			ProgressToken: token,
			Progress:      float64(ev.Step),
			Total:         float64(s.b.steps),
			Message:       fmt.Sprintf("%s: step %d: %d holes, %d findings left, %d model calls", pkg, ev.Step, ev.Holes, ev.Findings, ev.Calls),
		})
		if err != nil {
			s.logf("mcp: progress: %v", err)
		}
	}
}

func (s *session) toolCheck(ctx context.Context, req *mcp.CallToolRequest, in checkInput) (*mcp.CallToolResult, checkOutput, error) {
	var out checkOutput
	dir, _, tests, err := in.resolve()
	if err != nil {
		return nil, out, err
	}
	mode := s.tests
	if tests != nil {
		mode = *tests
	}
	copts := &constraints.Options{Tests: mode, Timeout: s.fl.timeout, Logf: s.logf}
	pkgs, err := loadPackages(ctx, dir, []string{"."}, copts)
	if err != nil {
		return nil, out, err
	}
	pkg := pkgs[0]
	out.Package, out.Dir = pkg.ImportPath, pkg.Dir
	chk, err := constraints.NewChecker(ctx, pkg, copts)
	if err != nil {
		return nil, out, err
	}
	cv, err := ast.LoadDir(pkg.Dir)
	if err != nil {
		return nil, out, err
	}
	rep, err := chk.Check(ctx, cv, constraints.Tests)
	if err != nil {
		return nil, out, err
	}
	rel := relTo(pkg.Dir)
	out.Verdict = verdictOf(rep)
	out.New, out.PreExisting = mcpFindings(rel, rep.Findings), []mcpFinding{}
	if in.Baseline != "" {
		base, err := baselineCanvas(ctx, cv, in.Baseline)
		if err != nil {
			return nil, out, err
		}
		brep, err := chk.Check(ctx, base, constraints.Tests)
		if err != nil {
			return nil, out, err
		}
		out.Baseline = in.Baseline
		out.New, out.PreExisting = splitFindings(mcpFindings(rel, rep.Findings), mcpFindings(rel, brep.Findings))
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %s\n", out.Package, verdictLine(out.Verdict))
	if in.Baseline != "" {
		fmt.Fprintf(&sb, "%d new, %d pre-existing findings (baseline %s)\n", len(out.New), len(out.PreExisting), in.Baseline)
	}
	for _, f := range out.New {
		fmt.Fprintf(&sb, "%s: %s (%s)\n", f.Pos, f.Message, f.Category)
	}
	for _, f := range out.PreExisting {
		fmt.Fprintf(&sb, "%s: %s (%s, pre-existing)\n", f.Pos, f.Message, f.Category)
	}
	return textResult(sb.String()), out, nil
}

func (s *session) toolFix(ctx context.Context, req *mcp.CallToolRequest, in fixInput) (*mcp.CallToolResult, repairOutput, error) {
	dir, _, tests, err := in.resolve()
	if err != nil {
		return nil, repairOutput{}, err
	}
	return s.toolRepair(ctx, &repairRequest{dir: dir, tests: tests, progress: s.mcpProgress(ctx, req)}, in.Write)
}

func (s *session) toolFill(ctx context.Context, req *mcp.CallToolRequest, in fillInput) (*mcp.CallToolResult, repairOutput, error) {
	dir, file, tests, err := in.resolve()
	if err != nil {
		return nil, repairOutput{}, err
	}
	rq := &repairRequest{dir: dir, fill: true, tests: tests, progress: s.mcpProgress(ctx, req)}
	switch {
	case in.Line < 0 || in.Column < 0:
		return nil, repairOutput{}, errors.New("line and column must be positive")
	case in.Line > 0 && file == "":
		return nil, repairOutput{}, errors.New("line needs a .go file as path")
	case in.Line > 0:
		rq.pos = &position{file: file, line: in.Line, col: max(in.Column, 1), offset: -1}
	case file != "":
		rq.pos = &position{file: file, offset: -2}
	}
	res, out, err := s.toolRepair(ctx, rq, in.Write)
	if err == nil && !out.Changed && out.Stop == "" {
		if rq.pos != nil && rq.pos.offset == -1 {
			return nil, out, fmt.Errorf("%s: no hole at this position", rq.pos)
		}
		return nil, out, errors.New(`no holes (a hole is __, __("instruction"), or a body of only panic("TODO"))`)
	}
	return res, out, err
}

// toolRepair runs a fix or fill and reports it; with write it writes the
// result.
func (s *session) toolRepair(ctx context.Context, rq *repairRequest, write bool) (*mcp.CallToolResult, repairOutput, error) {
	out := repairOutput{Before: []mcpFinding{}, After: []mcpFinding{}}
	r, err := s.repair(ctx, rq)
	if err != nil {
		return nil, out, err
	}
	out.Package, out.Dir = r.pkg.ImportPath, r.pkg.Dir
	if r.res == nil {
		return textResult("nothing to do"), out, nil
	}
	rel := relTo(r.pkg.Dir)
	out.Changed = len(r.write) > 0
	out.Before = mcpFindings(rel, r.res.FindingsBefore)
	out.After = mcpFindings(rel, r.res.FindingsAfter)
	out.Stop, out.Steps, out.Calls = r.res.StopReason, r.res.Steps, r.res.Usage.Calls
	rep := r.res.ReportAfter
	if !out.Changed {
		rep = r.res.ReportBefore
		out.After = out.Before
	}
	out.Verdict = verdictOf(rep)
	for i, h := range r.res.Unfilled {
		out.Unfilled = append(out.Unfilled, holePos(rel, r.res.After, h)+": "+unfilledMessage(r.res, i))
	}
	sum := summarize(r, rel, rq.fill, isLocal(s.fl.model), s.tests)
	out.Changes, out.Notes = sum.Changes, sum.Notes
	var diff strings.Builder
	for _, name := range r.write {
		diff.WriteString(fileDiff(rel, r, name))
	}
	out.Diff = diff.String()
	if write && out.Changed {
		written, err := writeChanged(ctx, r, rel)
		for _, name := range written {
			out.Written = append(out.Written, rel(name))
		}
		if err != nil {
			return nil, out, err
		}
	}

	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %s\n", out.Package, verdictLine(out.Verdict))
	switch {
	case !out.Changed:
		fmt.Fprintf(&sb, "no change makes the package better; nothing changed (%d findings, stopped: %s)\n", len(out.Before), out.Stop)
	case len(out.Written) > 0:
		fmt.Fprintf(&sb, "findings: %d before, %d after; wrote %s\n", len(out.Before), len(out.After), strings.Join(out.Written, ", "))
	default:
		fmt.Fprintf(&sb, "findings: %d before, %d after; nothing written (call again with write: true to apply)\n", len(out.Before), len(out.After))
	}
	for _, f := range out.After {
		fmt.Fprintf(&sb, "%s: %s (%s)\n", f.Pos, f.Message, f.Category)
	}
	for _, h := range out.Unfilled {
		fmt.Fprintf(&sb, "%s\n", h)
	}
	for _, l := range sum.lines()[1:] {
		fmt.Fprintf(&sb, "%s\n", l)
	}
	if out.Diff != "" {
		sb.WriteString("\n" + out.Diff)
	}
	return textResult(sb.String()), out, nil
}

// writeChanged writes the files a repair changed, as fix -w does (all or
// nothing, through internal/filetx), and returns the names written. It is
// the one place the MCP server writes.
func writeChanged(ctx context.Context, r *pkgResult, rel func(string) string) ([]string, error) {
	w := writeResults(ctx, []*pkgResult{r}, rel, func(string, ...any) {})
	if !w.ok() {
		var why []string
		for _, nw := range w.notWritten {
			why = append(why, rel(nw.File)+": "+nw.Reason)
		}
		return w.written, fmt.Errorf("nothing written: %s", strings.Join(why, "; "))
	}
	return w.written, nil
}

func textResult(text string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}
}

func mcpFindings(rel func(string) string, fs []constraints.Finding) []mcpFinding {
	out := []mcpFinding{}
	for _, j := range jsonFindings(rel, fs) {
		out = append(out, mcpFinding(j))
	}
	return out
}

// splitFindings splits findings into those the baseline lacks and those it
// has, matching by file, category and message (positions move with edits),
// as often as the baseline has each.
func splitFindings(now, base []mcpFinding) (added, kept []mcpFinding) {
	key := func(f mcpFinding) string {
		file, _, _ := strings.Cut(f.Pos, ":")
		return file + "\x00" + f.Category + "\x00" + f.Message
	}
	count := map[string]int{}
	for _, f := range base {
		count[key(f)]++
	}
	added, kept = []mcpFinding{}, []mcpFinding{}
	for _, f := range now {
		if k := key(f); count[k] > 0 {
			count[k]--
			kept = append(kept, f)
		} else {
			added = append(added, f)
		}
	}
	return added, kept
}

// baselineCanvas returns cv with each file's text as of the git revision
// rev; files the revision lacks are left out.
func baselineCanvas(ctx context.Context, cv *ast.Canvas, rev string) (*ast.Canvas, error) {
	if strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("baseline %q: not a git revision", rev)
	}
	var files []*ast.File
	for _, f := range cv.Files() {
		cmd := exec.CommandContext(ctx, "git", "show", rev+":./"+filepath.Base(f.Name))
		cmd.Dir = cv.Dir
		var stderr strings.Builder
		cmd.Stderr = &stderr
		text, err := cmd.Output()
		if err != nil {
			msg := strings.TrimSpace(stderr.String())
			if strings.Contains(msg, "exists on disk, but not in") || strings.Contains(msg, "does not exist in") {
				continue // a file added since rev
			}
			return nil, fmt.Errorf("baseline %s: git show: %s", rev, msg)
		}
		files = append(files, ast.NewFile(f.Name, string(text)))
	}
	return ast.NewCanvas(cv.Dir, files...), nil
}

// verdictOf says how each check went in rep.
func verdictOf(rep *constraints.Report) verdict {
	v := verdict{Clean: rep != nil && len(rep.Findings) == 0}
	if rep == nil {
		return verdict{Syntax: "not run", Types: "not run", Vet: "not run", Build: "not run", Tests: "not run"}
	}
	status := func(c constraints.Category) string {
		for _, f := range rep.Findings {
			if f.Category == c {
				return "fail"
			}
		}
		if c <= rep.Reached {
			return "pass"
		}
		return "not run"
	}
	v.Syntax, v.Types, v.Vet, v.Build, v.Tests = status(constraints.Syntax), status(constraints.Types),
		status(constraints.Vet), status(constraints.Build), status(constraints.Tests)
	v.TestsRun, v.TestsFailed = rep.TestsRun, rep.TestsFailed
	return v
}

func verdictLine(v verdict) string {
	tests := v.Tests
	if v.TestsRun > 0 {
		tests = fmt.Sprintf("%s (%d run, %d failed)", v.Tests, v.TestsRun, v.TestsFailed)
	}
	return fmt.Sprintf("build %s, vet %s, tests %s (syntax %s, types %s)", v.Build, v.Vet, tests, v.Syntax, v.Types)
}
