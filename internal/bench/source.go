package bench

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// StdPackages are standard-library packages whose files and tests
// import only public packages, so that a copy in a module of its own
// builds and passes its tests.
var StdPackages = []string{
	"container/list", "container/ring", "container/heap", "text/tabwriter", "html",
	"encoding/csv", "encoding/hex", "encoding/base32", "encoding/ascii85", "text/scanner",
	"encoding/pem", "mime/quotedprintable", "regexp/syntax", "image/color",
}

// Left out of StdPackages: go/token (its external tests pass a copied
// *token.FileSet to go/parser), and every package that imports internal/….

// QuickStdPackages are the packages of a quick run.
var QuickStdPackages = []string{"container/list", "encoding/hex", "text/tabwriter"}

//go:embed modules.txt
var defaultModules string

// A ModuleSpec names a module version and the package of it to corrupt.
type ModuleSpec struct {
	Path, Version string
	Pkg           string // relative to the module root; "" means the root
}

func (m ModuleSpec) String() string { return m.Path + "@" + m.Version }

// DefaultModules returns the modules listed in modules.txt.
func DefaultModules() []ModuleSpec {
	specs, err := ParseModuleList("modules.txt", defaultModules)
	if err != nil {
		panic(err) // the embedded list is tested
	}
	return specs
}

// ParseModuleList parses lines "module@version [pkgdir]"; # starts a
// comment.
func ParseModuleList(name, text string) ([]ModuleSpec, error) {
	var specs []ModuleSpec
	sc := bufio.NewScanner(strings.NewReader(text))
	for line := 1; sc.Scan(); line++ {
		s, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(s)
		if len(f) == 0 {
			continue
		}
		path, version, ok := strings.Cut(f[0], "@")
		if !ok || path == "" || version == "" || len(f) > 2 {
			return nil, fmt.Errorf("%s:%d: want module@version [pkgdir]", name, line)
		}
		spec := ModuleSpec{Path: path, Version: version}
		if len(f) == 2 {
			spec.Pkg = f[1]
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// PrepareStd copies the standard-library package pkgpath (its .go files
// and testdata) into a module example.com/std/<pkgpath> under root, with
// the test files importing the copy, and checks that it builds, vets
// and passes its tests.
func PrepareStd(ctx context.Context, pkgpath, root string) (*Source, error) {
	goroot, err := goRun(ctx, "", goEnv(), "go", "env", "GOROOT")
	if err != nil {
		return nil, fmt.Errorf("std %s: go env GOROOT: %v", pkgpath, err)
	}
	src := filepath.Join(strings.TrimSpace(goroot), "src", filepath.FromSlash(pkgpath))
	dir := filepath.Join(root, "std", filepath.FromSlash(pkgpath))
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return nil, fmt.Errorf("std %s: %v", pkgpath, err)
	}
	modpath := "example.com/std/" + pkgpath
	quoted := regexp.MustCompile(`"` + regexp.QuoteMeta(pkgpath) + `"`)
	for _, e := range ents {
		switch {
		case e.IsDir() && e.Name() == "testdata":
			if err := copyTree(filepath.Join(src, "testdata"), filepath.Join(dir, "testdata")); err != nil {
				return nil, err
			}
		case e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".go"):
			data, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				return nil, err
			}
			if strings.HasSuffix(e.Name(), "_test.go") {
				data = quoted.ReplaceAll(data, []byte(`"`+modpath+`"`))
			}
			if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
				return nil, err
			}
		}
	}
	gover := "1.22"
	if out, err := goRun(ctx, "", goEnv(), "go", "env", "GOVERSION"); err == nil {
		gover = strings.TrimPrefix(strings.TrimSpace(out), "go")
	}
	if i := strings.IndexFunc(gover, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i >= 0 {
		gover = gover[:i]
	}
	if parts := strings.Split(gover, "."); len(parts) > 2 {
		gover = parts[0] + "." + parts[1]
	}
	gomod := fmt.Sprintf("module %s\n\ngo %s\n", modpath, gover)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return nil, err
	}
	s := &Source{Name: "std/" + pkgpath, Dir: dir}
	return s, Verify(ctx, s, false)
}

// PrepareModule fetches m through the module proxy, copies it under
// root (adding a go.mod to a module without one), downloads what its
// tests need, and checks that it builds, vets and passes its tests.
func PrepareModule(ctx context.Context, m ModuleSpec, root string) (*Source, error) {
	modDir, err := downloadModule(ctx, root, m.Path, m.Version)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, "mod", filepath.FromSlash(m.Path)+"@"+m.Version)
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := copyTree(modDir, dir); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); os.IsNotExist(err) {
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+m.Path+"\n\ngo 1.13\n"), 0o644); err != nil {
			return nil, err
		}
	}
	s := &Source{Name: m.String(), Dir: dir, Pkg: m.Pkg}
	return s, Verify(ctx, s, true)
}

// Verify checks that src's package builds, vets clean and passes its
// tests; online lets the go command fetch missing dependencies.
func Verify(ctx context.Context, src *Source, online bool) error {
	env := goEnv()
	if online {
		env = onlineEnv()
	}
	pkg := pattern(src.pkg())
	for _, argv := range [][]string{
		{"go", "build", "-o", os.DevNull, pkg},
		{"go", "vet", pkg},
		{"go", "test", "-timeout=60s", pkg},
	} {
		if _, err := goRun(ctx, src.Dir, env, argv...); err != nil {
			return fmt.Errorf("%s: %s: %v", src.Name, strings.Join(argv[:2], " "), err)
		}
	}
	return nil
}

// goRun runs argv and returns its stdout, or an error holding its
// trimmed stderr.
func goRun(ctx context.Context, dir string, env []string, argv ...string) (string, error) {
	r := runCmd(ctx, dir, env, 2*time.Minute, argv...)
	switch {
	case r.StartErr != nil:
		return r.Out, r.StartErr
	case r.TimedOut:
		return r.Out, fmt.Errorf("timed out")
	case r.Code != 0:
		return r.Out, fmt.Errorf("%s", firstLines(r.Err+r.Out, 3))
	}
	return r.Out, nil
}
