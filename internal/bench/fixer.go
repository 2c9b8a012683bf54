package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A Fixer repairs a case's module in place.
type Fixer struct {
	Name string
	// Unavailable says why the fixer cannot run; its results stay empty
	// and the report says why.
	Unavailable string
	// Holes reports whether the fixer attempts hole cases; other
	// fixers are not scored on them.
	Holes bool
	// Run repairs the module in dir. It must stop when ctx ends.
	Run func(ctx context.Context, dir string, c *Case) FixStats
}

// FixStats is what a fixer reports about one run.
type FixStats struct {
	ModelCalls int        // model calls, when the fixer reports them
	Generators []string   // what proposed each change, when the fixer reports it
	Split      *TimeSplit // where its time went, when the fixer reports it
	Err        string     // why it failed to run, not why code stays broken
}

// A TimeSplit says where a fixer's time went, in seconds: difgen's
// checks by category (types: syntax and go/types; tests: building and
// running them) and its denoiser, as its -json reports them.
type TimeSplit struct {
	Types float64 `json:"types"`
	Vet   float64 `json:"vet"`
	Build float64 `json:"build"`
	Tests float64 `json:"tests"`
	Model float64 `json:"model"`
}

func (t *TimeSplit) add(u TimeSplit) {
	t.Types += u.Types
	t.Vet += u.Vet
	t.Build += u.Build
	t.Tests += u.Tests
	t.Model += u.Model
}

// DifgenFixer runs 'difgen fix -w -json' (or 'difgen fill' on hole
// cases) with extra flags (e.g. -model) before the package pattern, and
// env (KEY=value) added to its environment.
func DifgenFixer(exe string, env []string, extra ...string) *Fixer {
	return &Fixer{
		Name:  "difgen",
		Holes: true,
		Run: func(ctx context.Context, dir string, c *Case) FixStats {
			verb := "fix"
			if c.Fill {
				verb = "fill"
			}
			argv := append([]string{exe, verb, "-w", "-json"}, extra...)
			r := runCmd(ctx, dir, append(fixerEnv(), env...), 0, append(argv, pattern(c.Pkg))...)
			st := FixStats{ModelCalls: modelCalls(r.Out), Generators: changeSources(r.Out), Split: timeSplit(r.Out)}
			switch {
			case r.StartErr != nil:
				st.Err = r.StartErr.Error()
			case r.TimedOut:
				st.Err = "killed at timeout"
			case r.Code != 0 && r.Code != 1:
				st.Err = fmt.Sprintf("exit %d: %s", r.Code, firstLines(r.Err, 2))
			}
			return st
		},
	}
}

// CommandFixer runs argv followed by the package pattern in the case's
// module.
func CommandFixer(name string, holes bool, argv ...string) *Fixer {
	return &Fixer{
		Name:  name,
		Holes: holes,
		Run: func(ctx context.Context, dir string, c *Case) FixStats {
			r := runCmd(ctx, dir, fixerEnv(), 0, append(argv, pattern(c.Pkg))...)
			return cmdStats(r)
		},
	}
}

// GoimportsFixer runs 'goimports -w' on the package's non-test files.
func GoimportsFixer(goimports string) *Fixer {
	return &Fixer{
		Name: "goimports",
		Run: func(ctx context.Context, dir string, c *Case) FixStats {
			files := goFiles(dir, c.Pkg)
			if len(files) == 0 {
				return FixStats{Err: "no Go files"}
			}
			return cmdStats(runCmd(ctx, dir, fixerEnv(), 0, append([]string{goimports, "-w"}, files...)...))
		},
	}
}

// GoplsTitles matches the titles of gopls quick fixes for compile errors
// that the gopls fixer applies: fill in return values, := to =, delete
// return values, remove an unused variable, create a missing variable or
// function, add or delete an import. "Declare missing method" is left
// out: on a standard-library type it writes into GOROOT.
var GoplsTitles = `^(Fill in return values|Change ':=' to '='|Delete return values|Remove variable |Create (variable|function) |Add import: |Delete import: )`

var checkLine = regexp.MustCompile(`^(.+\.go):(\d+):(\d+)(?:-[0-9:]+)?: `)

// GoplsFixer runs goimports, then applies gopls quick fixes one at a
// time ('gopls codeaction -kind=quickfix -title=RE -exec -w file:l:c'
// at the positions 'gopls check' reports) until none changes anything,
// then goimports again.
func GoplsFixer(gopls, goimports string) *Fixer {
	return &Fixer{
		Name: "gopls",
		Run: func(ctx context.Context, dir string, c *Case) FixStats {
			files := goFiles(dir, c.Pkg)
			if len(files) == 0 {
				return FixStats{Err: "no Go files"}
			}
			env := fixerEnv()
			if st := cmdStats(runCmd(ctx, dir, env, 0, append([]string{goimports, "-w"}, files...)...)); st.Err != "" {
				return st
			}
			calls := 0
			for round := 0; round < 6 && calls < 12 && ctx.Err() == nil; round++ {
				chk := runCmd(ctx, dir, env, 0, append([]string{gopls, "check"}, files...)...)
				var positions []string
				seen := map[string]bool{}
				for _, line := range strings.Split(chk.Out+chk.Err, "\n") {
					m := checkLine.FindStringSubmatch(line)
					if m == nil {
						continue
					}
					p := m[1] + ":" + m[2] + ":" + m[3]
					if !seen[p] {
						seen[p] = true
						positions = append(positions, p)
					}
				}
				changed := false
				for _, p := range positions {
					if calls >= 12 || ctx.Err() != nil {
						break
					}
					before := snapshot(dir, files)
					calls++
					runCmd(ctx, dir, env, 0, gopls, "codeaction", "-kind=quickfix", "-title="+GoplsTitles, "-exec", "-w", p)
					if snapshot(dir, files) != before {
						changed = true
						break // positions after this one may have moved
					}
				}
				if !changed {
					break
				}
			}
			if ctx.Err() != nil {
				return FixStats{Err: "killed at timeout"}
			}
			return cmdStats(runCmd(ctx, dir, env, 0, append([]string{goimports, "-w"}, files...)...))
		},
	}
}

func cmdStats(r cmdResult) FixStats {
	switch {
	case r.StartErr != nil:
		return FixStats{Err: r.StartErr.Error()}
	case r.TimedOut:
		return FixStats{Err: "killed at timeout"}
	case r.Code != 0:
		return FixStats{Err: fmt.Sprintf("exit %d: %s", r.Code, firstLines(r.Err+r.Out, 2))}
	}
	return FixStats{}
}

// fixerEnv is the environment of fixers: offline module mode, with the
// caller's model credentials kept.
func fixerEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOFLAGS", "GOPROXY", "GOWORK", "GOTOOLCHAIN":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
}

func pattern(pkg string) string {
	if pkg == "" || pkg == "." {
		return "."
	}
	return "./" + strings.TrimPrefix(pkg, "./")
}

// goFiles lists the package's non-test .go files, relative to dir.
func goFiles(dir, pkg string) []string {
	ents, _ := os.ReadDir(filepath.Join(dir, pkg))
	var out []string
	for _, e := range ents {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			out = append(out, filepath.Join(pkg, n))
		}
	}
	sort.Strings(out)
	return out
}

func snapshot(dir string, files []string) string {
	var b strings.Builder
	for _, f := range files {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		b.WriteString(strconv.Itoa(len(data)))
		b.Write(data)
	}
	return b.String()
}

// modelCalls finds model call counts in difgen's -json output: the sum
// of every number under a key like "model_calls" or "ModelCalls".
// changeSources returns the sources of the changes in the -json output
// of difgen fix or fill: the generator that proposed each.
func changeSources(out string) []string {
	var srcs []string
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var v struct {
			Packages []struct {
				Changes []struct {
					Source string `json:"source"`
				} `json:"changes"`
			} `json:"packages"`
		}
		if dec.Decode(&v) != nil {
			return srcs
		}
		for _, p := range v.Packages {
			for _, c := range p.Changes {
				srcs = append(srcs, c.Source)
			}
		}
	}
}

// timeSplit returns the sum of the time splits of the packages of
// difgen's -json output, or nil when it reports none (a run killed at its
// time limit prints nothing).
func timeSplit(out string) *TimeSplit {
	var sum *TimeSplit
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var v struct {
			Packages []struct {
				Seconds *TimeSplit `json:"seconds"`
			} `json:"packages"`
		}
		if dec.Decode(&v) != nil {
			return sum
		}
		for _, p := range v.Packages {
			if p.Seconds != nil {
				if sum == nil {
					sum = &TimeSplit{}
				}
				sum.add(*p.Seconds)
			}
		}
	}
}

func modelCalls(out string) int {
	total := 0
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var v any
		if dec.Decode(&v) != nil {
			return total
		}
		var walk func(any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					key := strings.ToLower(strings.ReplaceAll(k, "_", ""))
					if n, ok := x.(float64); ok && (key == "modelcalls" || key == "calls") {
						total += int(n)
						continue
					}
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(v)
	}
}
