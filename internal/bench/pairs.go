package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/difgen/difgen/internal/tempdir"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// A Pair is a real broken→fixed pair: a release of a module that a
// change of its environment breaks (a dependency upgraded past an API
// change, or a newer go directive that turns on a vet check), and the
// later release in which upstream fixed it.
type Pair struct {
	Kind   string // what broke, e.g. "exp-slices-cmp"; a group of the report
	Module string
	Broken string // the version that breaks
	Fixed  string // the version that upstream fixed it in
	// The breaker: a dependency upgrade Dep@DepVersion, or a go directive
	// Go ("1.24").
	Dep, DepVersion string
	Go              string
	Pkg             string // package directory checked, relative to the module root; "" means "."
	Pos             string // file:line of the pair in its list
}

// Breaker is the breaker as the pairs file spells it: dep@version or
// go1.N.
func (p Pair) Breaker() string {
	if p.Go != "" {
		return "go" + p.Go
	}
	return p.Dep + "@" + p.DepVersion
}

func (p Pair) pkg() string {
	if p.Pkg == "" {
		return "."
	}
	return p.Pkg
}

// ID names the pair in results: module@broken, and the package when it
// is not the root.
func (p Pair) ID() string {
	id := p.Module + "@" + p.Broken
	if p.pkg() != "." {
		id += "/" + p.Pkg
	}
	return id
}

var (
	kindName = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	goLine   = regexp.MustCompile(`^go(1\.[0-9]+(\.[0-9]+)?)$`)
)

// ParsePairs parses a pairs list: one pair a line,
//
//	kind module@broken breaker fixed [pkgdir]
//
// where breaker is dep@version (a dependency upgraded to version) or
// go1.N (the go directive raised to 1.N), fixed is the module's version
// with upstream's fix, and pkgdir the package directory that breaks
// (default the module root). # starts a comment. Errors are
// name:line: message.
func ParsePairs(name, text string) ([]Pair, error) {
	var pairs []Pair
	seen := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for line := 1; sc.Scan(); line++ {
		s, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(s)
		if len(f) == 0 {
			continue
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...))
		}
		if len(f) < 4 || len(f) > 5 {
			return nil, bad("want kind module@broken breaker fixed [pkgdir], got %d fields", len(f))
		}
		p := Pair{Kind: f[0], Fixed: f[3], Pos: fmt.Sprintf("%s:%d", name, line)}
		if !kindName.MatchString(p.Kind) {
			return nil, bad("kind %q: want lower-case words joined by -", p.Kind)
		}
		var ok bool
		if p.Module, p.Broken, ok = strings.Cut(f[1], "@"); !ok {
			return nil, bad("%q: want module@version", f[1])
		}
		if err := module.Check(p.Module, p.Broken); err != nil {
			return nil, bad("%v", err)
		}
		if err := module.Check(p.Module, p.Fixed); err != nil {
			return nil, bad("fixed version: %v", err)
		}
		if semver.Compare(p.Fixed, p.Broken) <= 0 {
			return nil, bad("fixed version %s is not after %s", p.Fixed, p.Broken)
		}
		if m := goLine.FindStringSubmatch(f[2]); m != nil {
			p.Go = m[1]
		} else if p.Dep, p.DepVersion, ok = strings.Cut(f[2], "@"); !ok {
			return nil, bad("breaker %q: want dep@version or go1.N", f[2])
		} else if err := module.Check(p.Dep, p.DepVersion); err != nil {
			return nil, bad("breaker: %v", err)
		} else if p.Dep == p.Module {
			return nil, bad("breaker %s is the module itself", f[2])
		}
		if len(f) == 5 {
			p.Pkg = f[4]
			if clean := path.Clean(p.Pkg); clean != p.Pkg || path.IsAbs(p.Pkg) || p.Pkg == ".." || strings.HasPrefix(p.Pkg, "../") || strings.Contains(p.Pkg, "...") {
				return nil, bad("pkgdir %q: want a clean relative directory", p.Pkg)
			}
			if p.Pkg == "." {
				p.Pkg = ""
			}
		}
		key := p.ID() + " " + p.Breaker()
		if prev, dup := seen[key]; dup {
			return nil, bad("duplicate of line %d", prev)
		}
		seen[key] = line
		pairs = append(pairs, p)
	}
	return pairs, sc.Err()
}

// ReadPairs reads a pairs list from a file.
func ReadPairs(file string) ([]Pair, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return ParsePairs(file, string(data))
}

// A PairCheck is what checking a pair found.
type PairCheck struct {
	Pair Pair
	// Symptom is how the broken tree fails: the step (build, vet, test)
	// and its first error, file:line:col: message.
	Symptom string
	// RefLines counts the lines upstream's fix changed in the package's
	// Go files (tests included).
	RefLines int
	Err      error // the pair is not usable: why
}

// PreparePair fetches the broken and the fixed release of p through the
// module proxy into root, applies the breaker to both (the fixed release
// keeps a newer requirement or go directive of its own), downloads what
// building and testing the package needs, and checks the pair offline:
// the broken tree must fail to build, vet or pass its tests, and not for
// want of a module; the fixed tree must build, vet clean and pass. It
// returns the case (the broken tree, upstream's changed files as its
// reference) and the check.
func PreparePair(ctx context.Context, p Pair, root string, timeout time.Duration) (*Case, PairCheck) {
	chk := PairCheck{Pair: p}
	c, err := preparePair(ctx, p, root, timeout, &chk)
	chk.Err = err
	return c, chk
}

func preparePair(ctx context.Context, p Pair, root string, timeout time.Duration, chk *PairCheck) (*Case, error) {
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	base := filepath.Join(root, "pairs", filepath.FromSlash(p.ID())+"-"+strings.ReplaceAll(p.Breaker(), "/", "_"))
	trees := map[string]string{}
	for _, which := range []string{"broken", "fixed"} {
		version := p.Broken
		if which == "fixed" {
			version = p.Fixed
		}
		src, err := downloadModule(ctx, root, p.Module, version)
		if err != nil {
			return nil, err
		}
		dir := filepath.Join(base, which)
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		if err := copyTree(src, dir); err != nil {
			return nil, err
		}
		gomod := filepath.Join(dir, "go.mod")
		if _, err := os.Stat(gomod); os.IsNotExist(err) {
			if err := os.WriteFile(gomod, []byte("module "+p.Module+"\n\ngo 1.13\n"), 0o644); err != nil {
				return nil, err
			}
		}
		if err := dropLocalReplaces(ctx, dir); err != nil {
			return nil, fmt.Errorf("%s@%s: %v", p.Module, version, err)
		}
		if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p.pkg()))); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("%s@%s has no directory %s", p.Module, version, p.pkg())
		}
		if err := applyBreaker(ctx, p, dir, which == "fixed"); err != nil {
			return nil, fmt.Errorf("%s@%s: %v", p.Module, version, err)
		}
		// Download what the package and its tests import; errors show in
		// the offline check.
		goRun(ctx, dir, onlineEnv(), "go", "list", "-e", "-deps", "-test", pattern(p.pkg()))
		trees[which] = dir
	}
	step, msg := checkTree(ctx, trees["fixed"], p.pkg(), timeout)
	if step != "" {
		return nil, fmt.Errorf("fixed release %s fails with %s: %s: %s", p.Fixed, p.Breaker(), step, msg)
	}
	step, msg = checkTree(ctx, trees["broken"], p.pkg(), timeout)
	switch {
	case step == "":
		return nil, fmt.Errorf("broken release %s passes with %s", p.Broken, p.Breaker())
	case strings.Contains(msg, "GOPROXY=off") || strings.Contains(msg, "missing go.sum entry") || strings.Contains(msg, "module lookup disabled"):
		return nil, fmt.Errorf("broken release %s: a module is missing offline: %s", p.Broken, msg)
	}
	chk.Symptom = step + ": " + msg

	broken, fixed := readGoDir(trees["broken"], p.pkg()), readGoDir(trees["fixed"], p.pkg())
	want := map[string]string{}
	for name, text := range fixed {
		if broken[name] != text {
			want[name] = text
		}
	}
	for name, text := range broken {
		chk.RefLines += linesChanged(text, fixed[name])
	}
	for name, text := range fixed {
		if _, ok := broken[name]; !ok {
			chk.RefLines += linesChanged("", text)
		}
	}
	return &Case{
		ID:        "pairs/" + p.ID(),
		Suite:     "pairs",
		Family:    Family(p.Kind),
		Source:    p.ID(),
		Note:      fmt.Sprintf("%s: with %s, %s (fixed in %s)", p.Pos, p.Breaker(), chk.Symptom, p.Fixed),
		Base:      trees["broken"],
		Pkg:       p.pkg(),
		Want:      want,
		RefLines:  chk.RefLines,
		Check:     CheckTest,
		TestEdits: true,
	}, nil
}

// downloadModule fetches path@version through the module proxy and
// returns its directory in the module cache (read-only).
func downloadModule(ctx context.Context, dir, path, version string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out, err := goRun(ctx, dir, onlineEnv(), "go", "mod", "download", "-json", path+"@"+version)
	var info struct{ Dir, Error string }
	json.Unmarshal([]byte(out), &info)
	if info.Error != "" {
		return "", fmt.Errorf("%s@%s: %s", path, version, info.Error)
	}
	if err != nil || info.Dir == "" {
		return "", fmt.Errorf("%s@%s: go mod download: %v", path, version, err)
	}
	return info.Dir, nil
}

// dropLocalReplaces deletes the replace directives of the module at dir
// that point into its repository (../other): they mean nothing outside
// it, and the go command ignores them when the module is a dependency.
func dropLocalReplaces(ctx context.Context, dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	mf, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return err
	}
	argv := []string{"go", "mod", "edit"}
	for _, r := range mf.Replace {
		if modfile.IsDirectoryPath(r.New.Path) {
			old := r.Old.Path
			if r.Old.Version != "" {
				old += "@" + r.Old.Version
			}
			argv = append(argv, "-dropreplace="+old)
		}
	}
	if len(argv) == 3 {
		return nil
	}
	_, err = goRun(ctx, dir, goEnv(), argv...)
	return err
}

// applyBreaker upgrades p's dependency in the module at dir, or raises
// its go directive. With keepNewer (the fixed release), a requirement or
// directive already at least as new is kept.
func applyBreaker(ctx context.Context, p Pair, dir string, keepNewer bool) error {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	mf, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return err
	}
	if p.Go != "" {
		if keepNewer && mf.Go != nil && semver.Compare("v"+mf.Go.Version, "v"+p.Go) >= 0 {
			return nil
		}
		_, err := goRun(ctx, dir, goEnv(), "go", "mod", "edit", "-go="+p.Go)
		return err
	}
	if keepNewer {
		for _, r := range mf.Require {
			if r.Mod.Path == p.Dep && semver.Compare(r.Mod.Version, p.DepVersion) >= 0 {
				return nil
			}
		}
	}
	_, err = goRun(ctx, dir, onlineEnv(), "go", "get", p.Dep+"@"+p.DepVersion)
	return err
}

// checkTree builds, vets and tests the package pkg of the module at dir
// offline and returns the first step that fails with its first error
// line, or "" when all pass.
func checkTree(ctx context.Context, dir, pkg string, timeout time.Duration) (step, msg string) {
	pat := pattern(pkg)
	for _, argv := range [][]string{
		{"go", "build", "-o", os.DevNull, pat},
		{"go", "vet", pat},
		{"go", "test", "-count=1", "-timeout=" + timeout.String(), pat},
	} {
		r := runCmd(ctx, dir, goEnv(), timeout+30*time.Second, argv...)
		switch {
		case r.TimedOut:
			return argv[1], "timed out"
		case r.StartErr != nil:
			return argv[1], r.StartErr.Error()
		case r.Code != 0:
			return argv[1], firstError(r.Err + r.Out)
		}
	}
	return "", ""
}

var errorLine = regexp.MustCompile(`^\S+\.go:\d+(:\d+)?: `)

// firstError returns the first file:line: message line of go command
// output, or its first line that is not a "#" header.
func firstError(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		if errorLine.MatchString(strings.TrimSpace(l)) {
			return strings.TrimPrefix(strings.TrimSpace(l), "./")
		}
	}
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return "failed"
}

// readGoDir reads the .go files directly in the package directory pkg of
// the module at dir, by slash path relative to the module root.
func readGoDir(dir, pkg string) map[string]string {
	files := map[string]string{}
	ents, _ := os.ReadDir(filepath.Join(dir, filepath.FromSlash(pkg)))
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(pkg), e.Name()))
		if err == nil {
			files[path.Join(pkg, e.Name())] = string(data)
		}
	}
	return files
}

// CheckPairs prepares and checks every pair (see [PreparePair]), jobs at
// a time, in work ("" means a temporary directory, removed after).
func CheckPairs(ctx context.Context, pairs []Pair, jobs int, timeout time.Duration, work string) ([]PairCheck, error) {
	if work == "" {
		tmp, err := tempdir.MkdirTemp("difgen-pairs-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	}
	checks := make([]PairCheck, len(pairs))
	parallel(len(pairs), jobs, func(i int) {
		_, checks[i] = PreparePair(ctx, pairs[i], work, timeout)
	})
	return checks, ctx.Err()
}

// WritePairChecks writes checks as a Markdown table: each pair, how its
// broken release fails, and how many lines upstream's fix changed.
func WritePairChecks(w io.Writer, checks []PairCheck) error {
	var b strings.Builder
	b.WriteString("| kind | module@broken | breaker | fixed | package | broken fails at | upstream lines | check |\n")
	b.WriteString("|---|---|---|---|---|---|---:|---|\n")
	for _, c := range checks {
		p := c.Pair
		verdict := "ok"
		if c.Err != nil {
			verdict = "FAIL: " + c.Err.Error()
		}
		fmt.Fprintf(&b, "| %s | %s@%s | %s | %s | %s | %s | %d | %s |\n", p.Kind, p.Module, p.Broken, p.Breaker(), p.Fixed, p.pkg(),
			strings.ReplaceAll(c.Symptom, "|", `\|`), c.RefLines, strings.ReplaceAll(verdict, "|", `\|`))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
