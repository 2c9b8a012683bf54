package bench

import (
	"context"
	"encoding/json"
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// A GenCase is one run of the gen benchmark: a Markdown spec that
// 'difgen gen' turns into a module, and the tests that score it.
type GenCase struct {
	ID     string // suite/source
	Suite  string // "exercism" or "humanevalx"
	Source string // the exercise or task
	Spec   string // the spec's text
	// Before holds files put in the output directory before gen runs
	// (a go.sum the spec's go.mod needs).
	Before map[string]string
	// Tests are the suite's own test files (path → text), written over
	// whatever gen left before scoring.
	Tests map[string]string
}

// exampleFences matches the opening fence of a go block.
var exampleFences = regexp.MustCompile("(?m)^([ \t]*(?:```+|~~~+)[ \t]*)(?:go|golang)\\b")

// ReadExercismGen reads Exercism records (name, instructions,
// solution_files, test_files, files) into gen cases. The spec is the
// exercise's instructions, then its go.mod, its stub and its tests as
// code blocks (every Go file at the exercise's root: the stubs, any
// other file it gives, every test file). A stub function whose body is
// one panic or one return of
// literals, nil or parameters (comments aside) is given without its
// body, so that gen makes it a hole: that is how Exercism writes a
// function to implement. Nothing else of the stub changes. The go
// blocks of the instructions are illustrations for people (a signature
// without its body, a fragment): they become text blocks, prose.
func ReadExercismGen(path string) ([]*GenCase, []error, error) {
	recs, errs, err := readJSONL(path, "Exercism", "name", "instructions")
	if err != nil {
		return nil, nil, err
	}
	var cases []*GenCase
	for _, r := range recs {
		name := r.str("name")
		files, _ := r.fields["files"].(map[string]any)
		get := func(p string) (string, bool) {
			s, ok := files[p].(string)
			return s, ok
		}
		list := func(k string) []string {
			var out []string
			xs, _ := r.fields[k].([]any)
			for _, x := range xs {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
		gomod, ok := get("go.mod")
		if !ok {
			errs = append(errs, fmt.Errorf("%s:%d: %s: no go.mod", path, r.line, name))
			continue
		}
		var sb strings.Builder
		sb.WriteString(strings.TrimSpace(exampleFences.ReplaceAllString(r.str("instructions"), "${1}text")))
		sb.WriteString("\n\n## Code\n\n")
		writeBlock(&sb, "go.mod", "", gomod)
		// The exercise's Go files: its stubs (bodies stripped), the
		// other files it gives (verbatim), and every test file (the
		// record's test_files may leave out a cases_test.go).
		stubs := list("solution_files")
		var names []string
		for p := range files {
			if strings.HasSuffix(p, ".go") && !strings.Contains(p, "/") && !strings.HasPrefix(p, ".") {
				names = append(names, p)
			}
		}
		slices.Sort(names)
		for _, f := range stubs {
			if _, ok := get(f); !ok {
				errs = append(errs, fmt.Errorf("%s:%d: %s: no solution file %s", path, r.line, name, f))
			}
		}
		for _, f := range names {
			if text, _ := get(f); !strings.HasSuffix(f, "_test.go") {
				if slices.Contains(stubs, f) {
					text = stripStubBodies(text)
				}
				writeBlock(&sb, "go", f, text)
			}
		}
		tests := map[string]string{}
		sb.WriteString("## Tests\n\n")
		for _, f := range names {
			if text, _ := get(f); strings.HasSuffix(f, "_test.go") {
				tests[f] = text
				writeBlock(&sb, "go", f, text)
			}
		}
		if len(tests) == 0 {
			errs = append(errs, fmt.Errorf("%s:%d: %s: no test file", path, r.line, name))
			continue
		}
		cases = append(cases, &GenCase{ID: "exercism/" + name, Suite: "exercism", Source: name, Spec: sb.String(), Tests: tests})
	}
	return cases, errs, nil
}

// ReadHumanEvalXGen reads HumanEval-X records (task_id, prompt, test,
// test_setup) into gen cases: the spec's code is the prompt (imports,
// doc comment, signature) with the function left without a body, and
// its tests are the record's. mod is the module whose go.mod and go.sum
// the tests (testify) need.
func ReadHumanEvalXGen(path string, mod ModuleFiles) ([]*GenCase, []error, error) {
	recs, errs, err := readJSONL(path, "HumanEval-X", "task_id", "prompt", "test", "test_setup")
	if err != nil {
		return nil, nil, err
	}
	gomod := mod.GoMod
	if gomod == "" {
		gomod = "module example.com/suite\n\ngo 1.22\n"
	}
	var cases []*GenCase
	for _, r := range recs {
		id := r.str("task_id")
		prompt := strings.TrimRight(r.str("prompt"), " \t\n")
		prompt = strings.TrimSuffix(prompt, "{")
		code := "package solution\n\n" + prompt + "\n"
		test := humanEvalTest(r)
		var sb strings.Builder
		fmt.Fprintf(&sb, "# %s\n\n", id)
		writeBlock(&sb, "go.mod", "", gomod)
		writeBlock(&sb, "go", "solution.go", code)
		writeBlock(&sb, "go", "solution_test.go", test)
		c := &GenCase{ID: "humanevalx/" + id, Suite: "humanevalx", Source: id, Spec: sb.String(), Tests: map[string]string{"solution_test.go": test}}
		if mod.GoSum != "" {
			c.Before = map[string]string{"go.sum": mod.GoSum}
		}
		cases = append(cases, c)
	}
	return cases, errs, nil
}

// writeBlock writes a fenced block of lang, named file when file is not
// "", with a fence longer than any run of backquotes in text.
func writeBlock(sb *strings.Builder, lang, file, text string) {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	fmt.Fprintf(sb, "%s%s\n", fence, lang)
	if file != "" && !strings.HasPrefix(strings.TrimSpace(text), "// file:") {
		fmt.Fprintf(sb, "// file: %s\n", file)
	}
	sb.WriteString(strings.TrimRight(text, "\n"))
	fmt.Fprintf(sb, "\n%s\n\n", fence)
}

// stripStubBodies removes the bodies of src's stub functions: a body of
// one statement (comments aside) that panics, or returns only literals,
// nil, zero composite literals or the function's parameters. src that
// does not parse is returned as it is.
func stripStubBodies(src string) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "stub.go", src, parser.ParseComments)
	if err != nil {
		return src
	}
	tf := fset.File(f.Pos())
	type cut struct{ start, end int }
	var cuts []cut
	for _, d := range f.Decls {
		fd, ok := d.(*goast.FuncDecl)
		if !ok || fd.Body == nil || len(fd.Body.List) != 1 || !isStub(fd) {
			continue
		}
		// From the end of the signature through the closing brace.
		cuts = append(cuts, cut{tf.Offset(fd.Type.End()), tf.Offset(fd.Body.Rbrace) + 1})
	}
	for i := len(cuts) - 1; i >= 0; i-- {
		src = src[:cuts[i].start] + src[cuts[i].end:]
	}
	return src
}

func isStub(fd *goast.FuncDecl) bool {
	params := map[string]bool{}
	for _, fl := range fd.Type.Params.List {
		for _, n := range fl.Names {
			params[n.Name] = true
		}
	}
	if fd.Recv != nil {
		for _, n := range fd.Recv.List[0].Names {
			params[n.Name] = true
		}
	}
	simple := func(x goast.Expr) bool {
		switch x := x.(type) {
		case *goast.BasicLit:
			return true
		case *goast.Ident:
			return x.Name == "nil" || x.Name == "true" || x.Name == "false" || params[x.Name]
		case *goast.CompositeLit:
			return len(x.Elts) == 0
		case *goast.UnaryExpr:
			_, lit := x.X.(*goast.BasicLit)
			return lit
		}
		return false
	}
	switch s := fd.Body.List[0].(type) {
	case *goast.ExprStmt:
		call, ok := s.X.(*goast.CallExpr)
		if !ok {
			return false
		}
		id, ok := call.Fun.(*goast.Ident)
		return ok && id.Name == "panic"
	case *goast.ReturnStmt:
		for _, r := range s.Results {
			if !simple(r) {
				return false
			}
		}
		return true
	}
	return false
}

// SpecRunOptions configures RunGen.
type SpecRunOptions struct {
	Difgen  string        // the difgen binary
	Model   string        // -model for gen; "" means local
	Budget  string        // -budget for gen; "" means gen's default
	Timeout time.Duration // per case: gen and then the scoring go test; 0 means 5 minutes
	Jobs    int           // cases at once; 0 means 1
	WorkDir string        // where the cases run; required
	Env     []string      // added to gen's environment
	Logf    func(format string, args ...any)
}

// A GenResult is the outcome of one gen case.
type GenResult struct {
	Case      *GenCase      `json:"-"`
	ID        string        `json:"id"`
	Suite     string        `json:"suite"`
	Pass      bool          `json:"pass"`     // the suite's tests pass on what gen wrote
	GenExit   int           `json:"gen_exit"` // gen's exit status (0: it claims success)
	Funcs     int           `json:"funcs"`    // holes of the spec's functions
	Filled    int           `json:"filled"`   // of which gen filled
	Calls     int           `json:"calls"`    // model calls
	Prompt    int           `json:"prompt_tokens"`
	Output    int           `json:"completion_tokens"`
	Wall      time.Duration `json:"wall_ns"`
	TimedOut  bool          `json:"timed_out,omitempty"`
	SpecError string        `json:"spec_error,omitempty"` // gen rejected the spec or wrote nothing
}

// RunGen runs 'difgen gen -json' on each case in a directory of its own
// under opts.WorkDir and scores what it wrote with the suite's own
// tests, written over the generated test files first.
func RunGen(ctx context.Context, cases []*GenCase, opts SpecRunOptions) []GenResult {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Minute
	}
	if opts.Jobs <= 0 {
		opts.Jobs = 1
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	results := make([]GenResult, len(cases))
	var wg sync.WaitGroup
	sem := make(chan struct{}, opts.Jobs)
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				results[i] = GenResult{Case: c, ID: c.ID, Suite: c.Suite, SpecError: "not run: interrupted"}
				return
			}
			results[i] = runGenCase(ctx, c, opts, i)
			r := results[i]
			logf("%s: pass %v, gen exit %d, %d/%d filled, %d calls, %.1fs %s", c.ID, r.Pass, r.GenExit, r.Filled, r.Funcs, r.Calls, r.Wall.Seconds(), r.SpecError)
		}()
	}
	wg.Wait()
	return results
}

func runGenCase(ctx context.Context, c *GenCase, opts SpecRunOptions, i int) GenResult {
	res := GenResult{Case: c, ID: c.ID, Suite: c.Suite, GenExit: -1}
	dir := filepath.Join(opts.WorkDir, fmt.Sprintf("%03d-%s", i, sanitize(c.Source)))
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		res.SpecError = err.Error()
		return res
	}
	if err := os.WriteFile(filepath.Join(dir, "spec.md"), []byte(c.Spec), 0o644); err != nil {
		res.SpecError = err.Error()
		return res
	}
	for name, text := range c.Before {
		if err := os.WriteFile(filepath.Join(out, name), []byte(text), 0o644); err != nil {
			res.SpecError = err.Error()
			return res
		}
	}
	argv := []string{opts.Difgen, "gen", "-json", "-o", "out"}
	if opts.Model != "" {
		argv = append(argv, "-model", opts.Model)
	}
	if opts.Budget != "" {
		argv = append(argv, "-budget", opts.Budget)
	}
	argv = append(argv, "spec.md")
	start := time.Now()
	r := runCmd(ctx, dir, append(fixerEnv(), opts.Env...), opts.Timeout, argv...)
	res.Wall = time.Since(start)
	res.GenExit, res.TimedOut = r.Code, r.TimedOut
	var js struct {
		Funcs, Filled int
		Usage         struct {
			Calls            int `json:"calls"`
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
		}
	}
	if err := json.Unmarshal([]byte(r.Out), &js); err != nil {
		res.SpecError = firstLines(r.Err, 2)
		if res.SpecError == "" {
			res.SpecError = "no -json output"
		}
		if r.TimedOut {
			res.SpecError = "killed at timeout"
		}
	}
	res.Funcs, res.Filled = js.Funcs, js.Filled
	res.Calls, res.Prompt, res.Output = js.Usage.Calls, js.Usage.PromptTokens, js.Usage.CompletionTokens
	if _, err := os.Stat(filepath.Join(out, "go.mod")); err != nil {
		return res // nothing to score
	}
	for name, text := range c.Tests {
		if err := os.WriteFile(filepath.Join(out, filepath.FromSlash(name)), []byte(text), 0o644); err != nil {
			return res
		}
	}
	t := runCmd(ctx, out, goEnv(), opts.Timeout, "go", "test", "-count=1", "./...")
	res.Pass = t.Code == 0
	return res
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == '\\' {
			return '_'
		}
		return r
	}, s)
}

// A GenSummary sums up the results of one suite.
type GenSummary struct {
	Suite                           string
	Cases, Pass, Clean, SpecErrors  int
	Funcs, Filled                   int
	Calls, PromptTokens, CompTokens int
	Wall                            time.Duration // total
	TimedOut                        int
}

// SummarizeGen sums results by suite, then for all.
func SummarizeGen(results []GenResult) []GenSummary {
	by := map[string]*GenSummary{}
	all := &GenSummary{Suite: "all"}
	for _, r := range results {
		s := by[r.Suite]
		if s == nil {
			s = &GenSummary{Suite: r.Suite}
			by[r.Suite] = s
		}
		for _, x := range []*GenSummary{s, all} {
			x.Cases++
			x.Pass += b2i(r.Pass)
			x.Clean += b2i(r.GenExit == 0)
			x.SpecErrors += b2i(r.SpecError != "" || r.Funcs == 0)
			x.Funcs += r.Funcs
			x.Filled += r.Filled
			x.Calls += r.Calls
			x.PromptTokens += r.Prompt
			x.CompTokens += r.Output
			x.Wall += r.Wall
			x.TimedOut += b2i(r.TimedOut)
		}
	}
	var out []GenSummary
	for _, k := range slices.Sorted(maps.Keys(by)) {
		out = append(out, *by[k])
	}
	if len(by) > 1 {
		out = append(out, *all)
	}
	return out
}

// WriteGenMarkdown writes the summary table of results for model, and
// the cases that passed.
func WriteGenMarkdown(w io.Writer, model string, results []GenResult) error {
	fmt.Fprintf(w, "| suite | model | cases | tests pass | gen exit 0 | functions filled | spec not usable | model calls | tokens (prompt+completion) | wall s (mean) | timed out |\n")
	fmt.Fprintf(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range SummarizeGen(results) {
		mean := 0.0
		if s.Cases > 0 {
			mean = s.Wall.Seconds() / float64(s.Cases)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d (%s) | %d | %d of %d | %d | %d | %d+%d | %.1f | %d |\n",
			s.Suite, model, s.Cases, s.Pass, pct(s.Pass, s.Cases), s.Clean, s.Filled, s.Funcs, s.SpecErrors,
			s.Calls, s.PromptTokens, s.CompTokens, mean, s.TimedOut)
	}
	var passed []string
	for _, r := range results {
		if r.Pass {
			passed = append(passed, r.ID)
		}
	}
	sort.Strings(passed)
	if len(passed) > 0 {
		fmt.Fprintf(w, "\nPassed: %s\n", strings.Join(passed, ", "))
	}
	return nil
}
