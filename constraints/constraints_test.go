package constraints_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"golang.org/x/tools/txtar"
)

// scenario is a txtar archive of testdata/ extracted into a module.
type scenario struct {
	name    string
	dir     string
	params  map[string][]string // from the archive comment: "key: value" lines
	archive *txtar.Archive
}

func loadScenario(t *testing.T, file string) *scenario {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		name := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sc := &scenario{name: strings.TrimSuffix(filepath.Base(file), ".txtar"), dir: dir, params: make(map[string][]string), archive: ar}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok && !strings.Contains(k, " ") {
			sc.params[k] = append(sc.params[k], v)
		}
	}
	return sc
}

func (sc *scenario) param(key string) string {
	if v := sc.params[key]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

func loadOne(t testing.TB, dir string, opts *constraints.Options) *constraints.Package {
	t.Helper()
	pkgs, err := constraints.Load(context.Background(), dir, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 {
		t.Fatalf("Load: got %d packages, want 1", len(pkgs))
	}
	return pkgs[0]
}

var wantRE = regexp.MustCompile(`^(\S+):(\d+):(\d+): (\w+)(/soft)?( \w+)?: (.*)$`)

// TestScenarios checks each testdata/*.txtar module: the archive comment
// holds the check level, the options, the expected findings
// ("want: file:line:col: category[/soft] [code]: message regexp"), and
// the expected outcome.
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scenarios in testdata")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			sc := loadScenario(t, file)
			for _, kv := range sc.params["setenv"] {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			if len(sc.params["setenv"]) == 0 {
				t.Parallel()
			}
			runScenario(t, sc)
		})
	}
}

func runScenario(t *testing.T, sc *scenario) {
	ctx := context.Background()
	opts := &constraints.Options{Logf: t.Logf}
	if v := sc.param("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		opts.Timeout = d
	}
	if v := sc.param("tests"); v != "" {
		m, err := constraints.ParseTestsMode(v)
		if err != nil {
			t.Fatal(err)
		}
		opts.Tests = m
	}
	child := ""
	if sc.param("child") != "" {
		// The test starts "sleep CHILD_SLEEP"; a unique argument finds it
		// in /proc whatever PID namespace it ran in.
		child = fmt.Sprintf("600.%d", time.Now().UnixNano()%1e9)
		opts.Env = append(opts.Env, "CHILD_SLEEP="+child)
	}
	if sc.param("flakefile") != "" {
		// The first run creates the file (O_EXCL) and fails; the rerun passes.
		dir := t.TempDir()
		opts.Env = append(opts.Env, "FLAKE_FILE="+filepath.Join(dir, "flake"))
		opts.Writable = append(opts.Writable, dir)
	}
	upTo := constraints.Tests
	if v := sc.param("upto"); v != "" {
		upTo = parseCategory(t, v)
	}
	before := hashTree(t, sc.dir)
	pkg := loadOne(t, sc.dir, opts)
	if !pkg.Writable {
		t.Errorf("package in a main module is not writable")
	}
	chk, err := constraints.NewChecker(ctx, pkg, opts)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := pkg.Canvas()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r, err := chk.Check(ctx, cv, upTo)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	for _, f := range r.Findings {
		t.Logf("finding: %s [%s %s soft=%v span=%d-%d]", f, f.Category, f.Code, f.Soft, f.Start, f.End)
	}

	wants := sc.params["want"]
	matched := make([]bool, len(r.Findings))
	for _, w := range wants {
		m := wantRE.FindStringSubmatch(w)
		if m == nil {
			t.Fatalf("malformed want line %q", w)
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		cat := parseCategory(t, m[4])
		msg := regexp.MustCompile("^(?:" + m[7] + ")$")
		found := false
		for i, f := range r.Findings {
			if matched[i] || filepath.Base(f.File) != m[1] || f.Line != line || f.Col != col || f.Category != cat || !msg.MatchString(f.Message) {
				continue
			}
			if (m[5] != "") != f.Soft {
				t.Errorf("%s: soft = %v, want %v", f, f.Soft, m[5] != "")
			}
			if code := strings.TrimSpace(m[6]); code != "" && string(f.Code) != code {
				t.Errorf("%s: code = %q, want %q", f, f.Code, code)
			}
			if f.End < f.Start || f.End > len(cv.File(f.File).Text) {
				t.Errorf("%s: bad span [%d,%d)", f, f.Start, f.End)
			}
			matched[i], found = true, true
			break
		}
		if !found {
			t.Errorf("no finding matches %q", w)
		}
	}
	for i, f := range r.Findings {
		if !matched[i] {
			t.Errorf("unexpected finding %s (%s)", f, f.Category)
		}
	}
	// "fixed: text": a finding's suggested fix, applied, puts text in
	// its file.
	if v := sc.param("fixed"); v != "" {
		found := false
		for _, f := range r.Findings {
			for _, fx := range f.Fixes {
				file := cv.File(fx.Edits[0].File)
				var edits []ast.Edit
				for _, e := range fx.Edits {
					edits = append(edits, ast.Edit{Start: e.Start, End: e.End, New: e.New})
				}
				if out, err := ast.Apply(file.Text, edits); err == nil && strings.Contains(out, v) {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("no suggested fix of %v yields %q", r.Findings, v)
		}
	}
	if v := sc.param("reached"); v != "" && r.Reached != parseCategory(t, v) {
		t.Errorf("Reached = %s, want %s", r.Reached, v)
	}
	if v := sc.param("testsrun"); v != "" && strconv.Itoa(r.TestsRun) != v {
		t.Errorf("TestsRun = %d, want %s", r.TestsRun, v)
	}
	if v := sc.param("testsfailed"); v != "" && strconv.Itoa(r.TestsFailed) != v {
		t.Errorf("TestsFailed = %d, want %s", r.TestsFailed, v)
	}
	if child != "" {
		waitGone(t, "sleep\x00"+child+"\x00")
	}
	if v := sc.param("suspect"); v != "" {
		sus, err := chk.Suspects(ctx, cv)
		if err != nil {
			t.Fatal(err)
		}
		checkSuspect(t, sus, v)
	}
	if r.Reached >= constraints.Types && (r.Pkg == nil || r.Info == nil) {
		t.Errorf("Reached %s but Pkg or Info is nil", r.Reached)
	}
	if len(r.Files) != len(r.Names) {
		t.Errorf("%d Files but %d Names", len(r.Files), len(r.Names))
	}

	// A second check of the same canvas is answered from the cache.
	start2 := time.Now()
	r2, err := chk.Check(ctx, cv, upTo)
	if err != nil {
		t.Fatal(err)
	}
	if r2 != r {
		t.Errorf("re-check of the same canvas returned a different report")
	}
	t.Logf("check %v, cached re-check %v", elapsed, time.Since(start2))

	if after := hashTree(t, sc.dir); after != before {
		t.Errorf("checking wrote into the package tree")
	}
}

func checkSuspect(t *testing.T, sus []constraints.Suspect, want string) {
	t.Helper()
	name, lineStr, _ := strings.Cut(want, ":")
	line, _ := strconv.Atoi(lineStr)
	if len(sus) == 0 {
		t.Fatalf("no suspicious statements, want one covering %s", want)
	}
	for i, s := range sus[:min(len(sus), 5)] {
		t.Logf("suspect %d: %s:%d:%d [%d,%d) score %.3f", i, filepath.Base(s.File), s.Line, s.Col, s.Start, s.End, s.Score)
	}
	top := sus[0]
	if filepath.Base(top.File) != name {
		t.Errorf("top suspect in %s, want %s", top.File, name)
	}
	data, err := os.ReadFile(top.File)
	if err != nil {
		t.Fatal(err)
	}
	first := 1 + strings.Count(string(data[:top.Start]), "\n")
	last := 1 + strings.Count(string(data[:top.End]), "\n")
	if line < first || line > last || top.Line != first {
		t.Errorf("top suspect spans lines %d-%d (Line %d), want it to cover line %d", first, last, top.Line, line)
	}
	if top.Score != 1 {
		t.Errorf("top suspect score %v, want 1", top.Score)
	}
	for _, s := range sus {
		if s.Score > top.Score {
			t.Errorf("suspects not sorted by score")
		}
	}
}

func parseCategory(t *testing.T, s string) constraints.Category {
	t.Helper()
	for c := constraints.Syntax; c <= constraints.Tests; c++ {
		if c.String() == s {
			return c
		}
	}
	t.Fatalf("unknown category %q", s)
	return 0
}

// hashTree hashes the names, modes and contents of every file under dir.
func hashTree(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %v\n", path, info.Mode())
		if d.Type().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			h.Write(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}
