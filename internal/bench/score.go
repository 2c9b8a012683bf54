package bench

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/difgen/difgen/internal/tempdir"
)

// A Result is one fixer's score on one case.
type Result struct {
	Case   string `json:"case"`
	Suite  string `json:"suite"`
	Family Family `json:"family"`
	Source string `json:"source"`
	Fixer  string `json:"fixer"`
	// Skipped says why the fixer did not run (unavailable, or it does
	// not fill holes); such results count in no rate.
	Skipped string `json:"skipped,omitempty"`

	Builds    bool `json:"builds"`
	VetClean  bool `json:"vet_clean"`
	TestsPass bool `json:"tests_pass"` // for run cases: the program exits 0
	// Exact reports whether the changed files equal the original up to
	// gofmt; HasRef whether an original exists.
	Exact        bool `json:"exact"`
	HasRef       bool `json:"has_ref"`
	LinesChanged int  `json:"lines_changed"`
	// RefLines counts the lines the reference fix changed (upstream's,
	// for a real pair); 0 when none is known.
	RefLines int `json:"ref_lines,omitempty"`
	// Harm lists the fixer's edits that delete meaning (see [Harms]),
	// as file:line: reason.
	Harm        []string `json:"harm,omitempty"`
	WallSeconds float64  `json:"wall_s"` // the fixer's own time
	// Split is where the fixer's time went, when it says (difgen).
	Split      *TimeSplit `json:"seconds,omitempty"`
	ModelCalls int        `json:"model_calls"`
	// Generators are the generators (or other sources) of the changes
	// difgen made, when it reports them.
	Generators []string `json:"generators,omitempty"`
	TimedOut   bool     `json:"timed_out"`
	Err        string   `json:"error,omitempty"`
}

// ScoreOptions configures Score. The zero value works.
type ScoreOptions struct {
	Timeout time.Duration // for the fixer, and for each go command; 0 means 60s
	WorkDir string        // where scratch copies go; "" means the process's temporary directory (tempdir.MkdirTemp)
	Keep    bool          // keep the scratch copy
}

// Score runs fixer on a scratch copy of c and scores what it leaves:
// whether it builds, vets clean and passes its tests (or runs), whether
// it restores the original exactly, how many lines changed and how long
// the fixer took. A fixer that fails, crashes or hangs is killed at the
// timeout with its process group and scored, never fatal.
func Score(ctx context.Context, c *Case, fixer *Fixer, opt ScoreOptions) Result {
	res := Result{Case: c.ID, Suite: c.Suite, Family: c.Family, Source: c.Source, Fixer: fixer.Name, HasRef: c.Want != nil, RefLines: c.RefLines}
	switch {
	case fixer.Unavailable != "":
		res.Skipped = fixer.Unavailable
		return res
	case c.Fill && !fixer.Holes:
		res.Skipped = "does not fill holes"
		return res
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	var parent string
	var err error
	if opt.WorkDir != "" {
		parent, err = os.MkdirTemp(opt.WorkDir, "case-")
	} else {
		parent, err = tempdir.MkdirTemp("difgen-case-")
	}
	if err != nil {
		res.Err = err.Error()
		return res
	}
	if !opt.Keep {
		defer os.RemoveAll(parent)
	}
	dir := filepath.Join(parent, "m")
	if err := c.materialize(dir); err != nil {
		res.Err = err.Error()
		return res
	}
	before := readGo(dir)

	fctx, cancel := context.WithTimeout(ctx, timeout)
	start := time.Now()
	st := fixer.Run(fctx, dir, c)
	res.WallSeconds = time.Since(start).Seconds()
	res.TimedOut = errors.Is(fctx.Err(), context.DeadlineExceeded)
	cancel()
	res.ModelCalls, res.Generators, res.Split, res.Err = st.ModelCalls, st.Generators, st.Split, st.Err
	if ctx.Err() != nil {
		res.Err = "interrupted"
		return res
	}

	after := readGo(dir)
	tampered := ""
	for name, text := range before {
		if after[name] != text && (strings.HasSuffix(name, "_test.go") && !c.TestEdits || strings.Contains(name, "testdata/")) {
			tampered = "changed " + name
		}
	}
	res.Harm = Harms(before, after, c.Want)
	for name, text := range after {
		res.LinesChanged += linesChanged(before[name], text)
	}
	for _, k := range c.Keep {
		found := false
		for _, text := range after {
			if strings.Contains(squash(text), squash(k)) {
				found = true
			}
		}
		if !found {
			tampered = "changed the tests"
		}
	}
	if c.Want != nil {
		res.Exact = true
		for name, want := range c.Want {
			if normalize(after[name]) != normalize(want) {
				res.Exact = false
			}
		}
	}

	env := goEnv()
	pkg := pattern(c.Pkg)
	res.Builds = runCmd(ctx, dir, env, timeout, "go", "build", "-o", os.DevNull, pkg).Code == 0
	if res.Builds {
		res.VetClean = runCmd(ctx, dir, env, timeout, "go", "vet", pkg).Code == 0
		var r cmdResult
		if c.Check == CheckRun {
			r = runCmd(ctx, dir, env, timeout, "go", "run", pkg)
		} else {
			r = runCmd(ctx, dir, env, timeout, "go", "test", "-count=1", "-timeout="+timeout.String(), pkg)
		}
		res.TestsPass = r.Code == 0
	}
	if tampered != "" {
		res.TestsPass, res.Exact = false, false
		if res.Err == "" {
			res.Err = tampered
		}
	}
	return res
}

// Repaired reports whether the case builds, vets clean and passes its
// tests (or runs) after the fixer, with no harmful edit.
func (r Result) Repaired() bool {
	return r.Skipped == "" && r.Builds && r.VetClean && r.TestsPass && len(r.Harm) == 0
}

// readGo reads every .go file under dir, by slash path.
func readGo(dir string) map[string]string {
	files := map[string]string{}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			if data, err := os.ReadFile(path); err == nil {
				rel, _ := filepath.Rel(dir, path)
				files[filepath.ToSlash(rel)] = string(data)
			}
		}
		return nil
	})
	return files
}

// squash drops all white space, so that gofmt's spacing does not count
// as a change of the tests.
func squash(s string) string { return strings.Join(strings.Fields(s), "") }

// linesChanged counts the lines deleted plus the lines inserted between
// a and b (a line diff by longest common subsequence).
func linesChanged(a, b string) int {
	if a == b {
		return 0
	}
	x, y := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	for len(x) > 0 && len(y) > 0 && x[0] == y[0] {
		x, y = x[1:], y[1:]
	}
	for len(x) > 0 && len(y) > 0 && x[len(x)-1] == y[len(y)-1] {
		x, y = x[:len(x)-1], y[:len(y)-1]
	}
	if len(x)*len(y) > 4_000_000 {
		return len(x) + len(y)
	}
	prev, cur := make([]int, len(y)+1), make([]int, len(y)+1)
	for i := range x {
		for j := range y {
			if x[i] == y[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return len(x) + len(y) - 2*prev[len(y)]
}
