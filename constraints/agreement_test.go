package constraints_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/constraints"
	"golang.org/x/tools/txtar"
)

// TestAgreement is a differential test: difgen's checks (types, vet and
// build, test files included as go vet includes them) on unmodified
// packages must report nothing that the go command (go vet -json and go
// build, one invocation each for all the packages) does not report on
// the same files. Findings the go command reports and difgen does not
// (misses) are listed and counted. The in-process vet, which screens
// canvases before go vet confirms, is compared too: on real packages it
// must report nothing go vet does not; on cmd/vet's testdata (packages
// written to trip the analyzers) its differences, from the version skew
// between x/tools' analyzers and the toolchain's, are listed.
//
// The packages are those listed below, whitespace-separated, after the
// line "Packages:": GOROOT packages (assembly, cgo, build tags, generated
// files, //go:embed), cmd/vet's testdata, and modules that difgen
// depends on, so they are in the module cache wherever difgen builds
// (github.com/sergi/go-diff is not: its tests need testify, which is not).
// cmd/vet/testdata/rangeloop and stdversion are not either: each has a
// go.mod of its own, so the go command sees a different package in the
// directory (module go 1.21, where difgen runs it) than by import path
// from another module (module cmd, go 1.26).
//
// Packages:
//
//	archive/tar archive/zip bufio bytes cmp compress/bzip2 compress/flate
//	compress/gzip compress/lzw compress/zlib container/heap container/list
//	container/ring context crypto crypto/aes crypto/cipher crypto/des
//	crypto/dsa crypto/ecdh crypto/ecdsa crypto/ed25519 crypto/elliptic
//	crypto/hkdf crypto/hmac crypto/md5 crypto/mlkem crypto/pbkdf2
//	crypto/rand crypto/rc4 crypto/rsa crypto/sha1 crypto/sha256
//	crypto/sha3 crypto/sha512 crypto/subtle crypto/tls crypto/x509
//	crypto/x509/pkix database/sql database/sql/driver debug/buildinfo
//	debug/dwarf debug/elf debug/gosym debug/macho debug/pe debug/plan9obj
//	embed encoding encoding/ascii85 encoding/asn1 encoding/base32
//	encoding/base64 encoding/binary encoding/csv encoding/gob
//	encoding/hex encoding/json encoding/pem encoding/xml errors expvar
//	flag fmt go/ast go/build go/build/constraint go/constant go/doc
//	go/doc/comment go/format go/importer go/parser go/printer go/scanner
//	go/token go/types go/version hash hash/adler32 hash/crc32 hash/crc64
//	hash/fnv hash/maphash html html/template image image/color
//	image/color/palette image/draw image/gif image/jpeg image/png
//	index/suffixarray io io/fs io/ioutil iter log log/slog log/syslog
//	maps math math/big math/bits math/cmplx math/rand math/rand/v2 mime
//	mime/multipart mime/quotedprintable net net/http net/http/cgi
//	net/http/cookiejar net/http/fcgi net/http/httptest
//	net/http/httptrace net/http/httputil net/http/pprof net/mail
//	net/netip net/rpc net/rpc/jsonrpc net/smtp net/textproto net/url os
//	os/exec os/signal os/user path path/filepath plugin reflect regexp
//	regexp/syntax runtime/cgo runtime/coverage runtime/debug
//	runtime/metrics runtime/pprof runtime/trace slices sort strconv
//	strings structs sync sync/atomic syscall testing testing/fstest
//	testing/iotest testing/quick testing/slogtest testing/synctest
//	text/scanner text/tabwriter text/template text/template/parse time
//	unicode unicode/utf16 unicode/utf8 unique unsafe weak
//	internal/abi internal/bytealg internal/chacha8rand internal/cpu
//	internal/reflectlite internal/runtime/atomic internal/runtime/sys
//	crypto/internal/fips140/aes crypto/internal/fips140/bigmod
//	crypto/internal/fips140/nistec crypto/internal/fips140/sha256
//	crypto/internal/fips140/subtle crypto/internal/sysrand/internal/seccomp
//
//	cmd/vet/testdata/appends cmd/vet/testdata/asm cmd/vet/testdata/assign
//	cmd/vet/testdata/atomic cmd/vet/testdata/bool cmd/vet/testdata/buildtag
//	cmd/vet/testdata/cgo cmd/vet/testdata/composite
//	cmd/vet/testdata/copylock cmd/vet/testdata/deadcode
//	cmd/vet/testdata/directive cmd/vet/testdata/hostport
//	cmd/vet/testdata/httpresponse cmd/vet/testdata/lostcancel
//	cmd/vet/testdata/method cmd/vet/testdata/nilfunc
//	cmd/vet/testdata/print cmd/vet/testdata/shift cmd/vet/testdata/slog
//	cmd/vet/testdata/structtag
//	cmd/vet/testdata/tagtest cmd/vet/testdata/testingpkg
//	cmd/vet/testdata/unmarshal cmd/vet/testdata/unsafeptr
//	cmd/vet/testdata/unused cmd/vet/testdata/waitgroup
//
//	golang.org/x/mod/modfile golang.org/x/mod/module golang.org/x/mod/semver
//	golang.org/x/mod/sumdb golang.org/x/mod/sumdb/dirhash
//	golang.org/x/mod/sumdb/note golang.org/x/mod/sumdb/storage
//	golang.org/x/mod/sumdb/tlog golang.org/x/mod/zip
//	golang.org/x/mod/internal/lazyregexp golang.org/x/mod/gosumcheck
//	golang.org/x/sync/errgroup golang.org/x/sync/semaphore
//	golang.org/x/sync/singleflight golang.org/x/sync/syncmap
//	github.com/sashabaranov/go-openai github.com/sashabaranov/go-openai/jsonschema
//	github.com/sashabaranov/go-openai/internal
//	github.com/sashabaranov/go-openai/internal/test/checks
//	rsc.io/script rsc.io/script/scripttest rsc.io/script/internal/diff
//	golang.org/x/tools/txtar golang.org/x/tools/cover golang.org/x/tools/imports
//	golang.org/x/tools/go/analysis golang.org/x/tools/go/analysis/analysistest
//	golang.org/x/tools/go/analysis/checker golang.org/x/tools/go/analysis/unitchecker
//	golang.org/x/tools/go/analysis/passes/appends
//	golang.org/x/tools/go/analysis/passes/asmdecl
//	golang.org/x/tools/go/analysis/passes/assign
//	golang.org/x/tools/go/analysis/passes/atomic
//	golang.org/x/tools/go/analysis/passes/bools
//	golang.org/x/tools/go/analysis/passes/buildtag
//	golang.org/x/tools/go/analysis/passes/cgocall
//	golang.org/x/tools/go/analysis/passes/composite
//	golang.org/x/tools/go/analysis/passes/copylock
//	golang.org/x/tools/go/analysis/passes/ctrlflow
//	golang.org/x/tools/go/analysis/passes/defers
//	golang.org/x/tools/go/analysis/passes/directive
//	golang.org/x/tools/go/analysis/passes/errorsas
//	golang.org/x/tools/go/analysis/passes/framepointer
//	golang.org/x/tools/go/analysis/passes/hostport
//	golang.org/x/tools/go/analysis/passes/httpresponse
//	golang.org/x/tools/go/analysis/passes/ifaceassert
//	golang.org/x/tools/go/analysis/passes/inspect
//	golang.org/x/tools/go/analysis/passes/loopclosure
//	golang.org/x/tools/go/analysis/passes/lostcancel
//	golang.org/x/tools/go/analysis/passes/nilfunc
//	golang.org/x/tools/go/analysis/passes/printf
//	golang.org/x/tools/go/analysis/passes/shift
//	golang.org/x/tools/go/analysis/passes/sigchanyzer
//	golang.org/x/tools/go/analysis/passes/slog
//	golang.org/x/tools/go/analysis/passes/stdmethods
//	golang.org/x/tools/go/analysis/passes/stdversion
//	golang.org/x/tools/go/analysis/passes/stringintconv
//	golang.org/x/tools/go/analysis/passes/structtag
//	golang.org/x/tools/go/analysis/passes/testinggoroutine
//	golang.org/x/tools/go/analysis/passes/tests
//	golang.org/x/tools/go/analysis/passes/timeformat
//	golang.org/x/tools/go/analysis/passes/unmarshal
//	golang.org/x/tools/go/analysis/passes/unreachable
//	golang.org/x/tools/go/analysis/passes/unsafeptr
//	golang.org/x/tools/go/analysis/passes/unusedresult
//	golang.org/x/tools/go/analysis/passes/waitgroup
//	golang.org/x/tools/go/ast/astutil golang.org/x/tools/go/ast/inspector
//	golang.org/x/tools/go/ast/edge golang.org/x/tools/go/buildutil
//	golang.org/x/tools/go/cfg golang.org/x/tools/go/gcexportdata
//	golang.org/x/tools/go/types/objectpath golang.org/x/tools/go/types/typeutil
//	golang.org/x/tools/internal/analysis/analyzerutil
//	golang.org/x/tools/internal/typesinternal golang.org/x/tools/internal/versions
func TestAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test over hundreds of packages: skipped with -short")
	}
	start := time.Now()
	ctx := context.Background()
	patterns := agreementPackages(t)
	if len(patterns) < 200 {
		t.Fatalf("%d packages listed, want at least 200", len(patterns))
	}
	cache := new(constraints.Cache)
	opts := &constraints.Options{Tests: constraints.TestsAuto, Cache: cache, Timeout: 5 * time.Minute}
	pkgs, err := constraints.Load(ctx, ".", patterns, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			t.Errorf("%s: load errors: %v", p.ImportPath, p.Errors)
		}
	}
	t.Logf("loaded %d packages in %v", len(pkgs), time.Since(start).Round(time.Millisecond))

	t0 := time.Now()
	// go vet turns unsafeptr off for GOROOT packages (as the go command
	// sees them: not testdata) when run without flags; -json is a flag,
	// so say it.
	list, err := exec.Command("go", append([]string{"list", "-f", "{{.Goroot}} {{.ImportPath}}"}, patterns...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var goroot, modules []string
	for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		isGoroot, path, _ := strings.Cut(line, " ")
		if isGoroot == "true" {
			goroot = append(goroot, path)
		} else {
			modules = append(modules, path)
		}
	}
	for _, p := range pkgs {
		if p.Goroot != slices.Contains(goroot, p.ImportPath) {
			t.Errorf("%s: Goroot = %v, the go command says %v", p.ImportPath, p.Goroot, !p.Goroot)
		}
	}
	vet := runGoVet(t, ".", "-unsafeptr=false", goroot)
	maps.Copy(vet, runGoVet(t, ".", "", modules))
	t.Logf("go vet -json: %d findings in %v", len(vet), time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	var buildable []string
	for _, p := range pkgs {
		if len(p.GoFiles) > 0 {
			buildable = append(buildable, p.ImportPath)
		}
	}
	build := runGoBuild(t, buildable)
	t.Logf("go build: %d findings in %v", len(build), time.Since(t0).Round(time.Millisecond))

	t0 = time.Now()
	if err := cache.Prefetch(ctx, pkgs, opts); err != nil {
		t.Fatal(err)
	}
	t.Logf("prefetched the imports in %v", time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	if err := cache.PrefetchVet(ctx, pkgs, opts); err != nil {
		t.Fatal(err)
	}
	t.Logf("prefetched go vet in %v", time.Since(t0).Round(time.Millisecond))

	var (
		reported = make(map[string]bool) // by difgen's checks
		falsePos []string
		inFalse  []string // in-process vet, on real packages
		inDiff   []string // in-process vet, on cmd/vet's testdata
		inMiss   []string
		slowest  time.Duration
		slowPkg  string
	)
	t0 = time.Now()
	for _, p := range pkgs {
		t1 := time.Now()
		chk, err := constraints.NewChecker(ctx, p, opts)
		if err != nil {
			t.Errorf("%s: %v", p.ImportPath, err)
			continue
		}
		cv, err := ast.LoadDir(p.Dir)
		if err != nil {
			t.Errorf("%s: %v", p.ImportPath, err)
			continue
		}
		r, err := chk.Check(ctx, cv, constraints.Build)
		if err != nil {
			t.Errorf("%s: %v", p.ImportPath, err)
			continue
		}
		for _, f := range r.Findings {
			k := f.String()
			reported[k] = true
			switch {
			case f.Category == constraints.Vet && vet[k] != "":
			case f.Category != constraints.Vet && build[k]:
			default:
				falsePos = append(falsePos, fmt.Sprintf("%s: %s [%s %s]", p.ImportPath, k, f.Category, f.Code))
			}
		}
		testdata := strings.HasPrefix(p.ImportPath, "cmd/vet/testdata/")
		if r.Reached >= constraints.Vet && len(p.CgoFiles) == 0 {
			inproc := constraints.VetInProcess(ctx, chk, cv)
			seen := make(map[string]bool)
			for _, f := range inproc {
				k := f.String()
				seen[k] = true
				if vet[k] == "" {
					d := fmt.Sprintf("%s: %s [%s]", p.ImportPath, k, f.Code)
					if testdata {
						inDiff = append(inDiff, d)
					} else {
						inFalse = append(inFalse, d)
					}
				}
			}
			for k, analyzer := range vet {
				if within(p.Dir, k) && !seen[k] {
					inMiss = append(inMiss, fmt.Sprintf("%s: %s [%s]", p.ImportPath, k, analyzer))
				}
			}
		}
		if d := time.Since(t1); d > slowest {
			slowest, slowPkg = d, p.ImportPath
		}
	}
	t.Logf("difgen checked %d packages in %v (slowest %s: %v)", len(pkgs), time.Since(t0).Round(time.Millisecond), slowPkg, slowest.Round(time.Millisecond))

	var misses []string
	for k, analyzer := range vet {
		if !reported[k] {
			misses = append(misses, fmt.Sprintf("%s [vet %s]", k, analyzer))
		}
	}
	for k := range build {
		if !reported[k] {
			misses = append(misses, k+" [build]")
		}
	}
	slices.Sort(misses)
	slices.Sort(inDiff)
	slices.Sort(inMiss)
	for _, m := range misses {
		t.Logf("miss: %s", m)
	}
	for _, d := range inDiff {
		t.Logf("in-process vet only (version skew, confirmed away by go vet): %s", d)
	}
	for _, d := range inMiss {
		t.Logf("in-process vet misses: %s", d)
	}
	t.Logf("%d packages: %d go command findings, %d reported by difgen, %d false positives, %d misses; in-process vet: %d false positives on real packages, %d differences on cmd/vet's testdata, %d misses; total %v",
		len(pkgs), len(vet)+len(build), len(reported), len(falsePos), len(misses), len(inFalse), len(inDiff), len(inMiss), time.Since(start).Round(time.Millisecond))
	for _, fp := range falsePos {
		t.Errorf("false positive (the go command does not report it): %s", fp)
	}
	for _, fp := range inFalse {
		t.Errorf("in-process vet reports what go vet does not, on a real package: %s", fp)
	}
}

// agreementPackages returns the packages listed in TestAgreement's doc
// comment.
func agreementPackages(t *testing.T) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "agreement_test.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Comments {
		text := c.Text()
		if _, list, ok := strings.Cut(text, "\nPackages:\n"); ok && strings.HasPrefix(text, "TestAgreement ") {
			return strings.Fields(list)
		}
	}
	t.Fatal("no package list in TestAgreement's doc comment")
	return nil
}

// within reports whether the finding k ("file:line:col: message") is in
// a file of dir.
func within(dir, k string) bool {
	file, _, _ := strings.Cut(k, ":")
	return filepath.Dir(file) == dir
}

// runGoVet runs go vet -json (and flag, if not "") on patterns in dir and
// returns its findings ("file:line:col: message") with their analyzers.
func runGoVet(t *testing.T, dir, flag string, patterns []string) map[string]string {
	t.Helper()
	out := make(map[string]string)
	if len(patterns) == 0 {
		return out
	}
	args := []string{"vet", "-json"}
	if flag != "" {
		args = append(args, flag)
	}
	cmd := exec.Command("go", append(args, patterns...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, stderr.Bytes())
	}
	dec := json.NewDecoder(&stdout)
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go vet -json: %v", err)
		}
		for id, analyzers := range tree {
			for name, raw := range analyzers {
				var diags []struct{ Posn, Message string }
				if err := json.Unmarshal(raw, &diags); err != nil {
					t.Errorf("go vet: %s: %s: %s", id, name, raw)
					continue
				}
				for _, d := range diags {
					out[d.Posn+": "+d.Message] = name
				}
			}
		}
	}
	return out
}

var buildLine = regexp.MustCompile(`^(\S[^:]*\.go):(\d+):(\d+): (.*)$`)

// runGoBuild runs go build on patterns and returns its findings.
func runGoBuild(t *testing.T, patterns []string) map[string]bool {
	t.Helper()
	cmd := exec.Command("go", append([]string{"build", "-o", os.DevNull}, patterns...)...)
	out, err := cmd.CombinedOutput()
	found := make(map[string]bool)
	for _, line := range strings.Split(string(out), "\n") {
		if m := buildLine.FindStringSubmatch(line); m != nil {
			name := m[1]
			if !filepath.IsAbs(name) {
				name, _ = filepath.Abs(name)
			}
			found[fmt.Sprintf("%s:%s:%s: %s", name, m[2], m[3], m[4])] = true
		}
	}
	if err != nil && len(found) == 0 {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return found
}

// TestAgreementSynthetic checks difgen against the go command on the
// module of testdata/agreement/module.txtar, which holds the cases that
// used to disagree: a Go file that is a symbolic link, assembly with an
// external test package, a file excluded by a build constraint, a
// generated file, //go:embed, and vet findings that need the facts of
// another package (a printf wrapper; a function that never returns).
// On each package difgen's findings, and the in-process vet's, must be
// those of go vet and go build; so must they on an edited canvas; and a
// dangling link must fail as the go command fails.
func TestAgreementSynthetic(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ar, err := txtar.ParseFile("testdata/agreement/module.txtar")
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, filesOf(ar))
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		if rest, ok := strings.CutPrefix(line, "symlink: "); ok {
			name, target, _ := strings.Cut(rest, " ")
			if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
				t.Skipf("cannot make symbolic links: %v", err)
			}
		}
	}

	vet := runGoVet(t, dir, "", []string{"./..."})
	build := runGoIn(t, dir, "build", "./...")
	if len(build) != 0 {
		t.Fatalf("go build ./... of the module fails: %v", build)
	}
	wantVet := []string{
		filepath.Join(dir, "gen/gen.go") + ":8:50: fmt.Sprintf format %d has arg n of wrong type string",
		filepath.Join(dir, "q/q.go") + ":11:23: example.com/agree/logx.Infof format %d has arg n of wrong type string",
	}
	if got := slices.Sorted(maps.Keys(vet)); !slices.Equal(got, wantVet) {
		t.Fatalf("go vet ./... reports\n\t%s\nwant (the module's premise)\n\t%s", strings.Join(got, "\n\t"), strings.Join(wantVet, "\n\t"))
	}

	opts := &constraints.Options{Tests: constraints.TestsAuto, Cache: new(constraints.Cache), Logf: t.Logf}
	pkgs, err := constraints.Load(ctx, dir, []string{"./..."}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 4 {
		t.Fatalf("Load: %d packages, want 4", len(pkgs))
	}
	for _, p := range pkgs {
		chk, err := constraints.NewChecker(ctx, p, opts)
		if err != nil {
			t.Fatal(err)
		}
		cv, err := ast.LoadDir(p.Dir)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for k := range vet {
			if within(p.Dir, k) {
				want = append(want, k)
			}
		}
		slices.Sort(want)
		r, err := chk.Check(ctx, cv, constraints.Build)
		if err != nil {
			t.Fatal(err)
		}
		if got := findingStrings(r.Findings); !slices.Equal(got, want) {
			t.Errorf("%s: difgen reports\n\t%s\ngo vet and go build\n\t%s", p.ImportPath, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
		}
		if len(want) == 0 && r.Reached != constraints.Build {
			t.Errorf("%s: reached %s, want build", p.ImportPath, r.Reached)
		}
		if got := findingStrings(constraints.VetInProcess(ctx, chk, cv)); !slices.Equal(got, want) {
			t.Errorf("%s: the in-process vet reports\n\t%s\ngo vet\n\t%s", p.ImportPath, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
		}

		// An edit after the last line moves no finding: the checks of
		// the edited canvas (in-process vet, confirmed by go vet
		// -overlay) must report the same.
		var edited []*ast.File
		for _, f := range cv.Files() {
			if !strings.HasSuffix(f.Name, "_test.go") && filepath.Base(f.Name) != "add_amd64.go" {
				f = ast.NewFile(f.Name, f.Text+"\n// edited\n")
			}
			edited = append(edited, f)
		}
		r, err = chk.Check(ctx, ast.NewCanvas(cv.Dir, edited...), constraints.Build)
		if err != nil {
			t.Fatal(err)
		}
		if got := findingStrings(r.Findings); !slices.Equal(got, want) {
			t.Errorf("%s, edited: difgen reports\n\t%s\nwant\n\t%s", p.ImportPath, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
		}
	}

	// A dangling link: the go command fails to open it, and so does
	// difgen, with the same message.
	dangling := filepath.Join(dir, "p", "c.go")
	if err := os.Symlink("nowhere.go", dangling); err != nil {
		t.Fatal(err)
	}
	msg := "open " + dangling + ": no such file or directory"
	if out := runGoIn(t, dir, "build", "./p"); !slices.ContainsFunc(out, func(s string) bool { return strings.Contains(s, msg) }) {
		t.Fatalf("go build with a dangling link: %q, want %q", out, msg)
	}
	if _, err := ast.LoadDir(filepath.Join(dir, "p")); err == nil || err.Error() != msg {
		t.Errorf("ast.LoadDir with a dangling link: %v, want %q", err, msg)
	}
	pkgs, err = constraints.Load(ctx, filepath.Join(dir, "p"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if errs := pkgs[0].Errors; !slices.ContainsFunc(errs, func(f constraints.Finding) bool { return f.Message == msg }) {
		t.Errorf("Load with a dangling link: errors %v, want %q", errs, msg)
	}
}

func filesOf(ar *txtar.Archive) map[string]string {
	m := make(map[string]string)
	for _, f := range ar.Files {
		m[f.Name] = string(f.Data)
	}
	return m
}

func findingStrings(fs []constraints.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.String())
	}
	slices.Sort(out)
	return out
}

// runGoIn runs the go command in dir and returns its output lines, none
// if it succeeds.
func runGoIn(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestVetCalibration checks what a checker does when go vet reports what
// the in-process vet misses, as the toolchain's printf reports a Println
// argument list that ends in a newline and x/tools' newer one no longer
// does: the finding is reported on the package as on disk (go vet's
// verdict), and also on an edited canvas, where the checker, knowing its
// in-process vet blind here, runs go vet instead of trusting it.
func TestVetCalibration(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod": "module example.com/c\n\ngo 1.26\n",
		"c.go":   "package c\n\nimport \"fmt\"\n\nfunc Hello() {\n\tfmt.Println(\"hello\\n\")\n}\n",
	})
	want := runGoVet(t, dir, "", []string{"."})
	pkg := loadOne(t, dir, nil)
	chk, err := constraints.NewChecker(ctx, pkg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := pkg.Canvas()
	if err != nil {
		t.Fatal(err)
	}
	inproc := findingStrings(constraints.VetInProcess(ctx, chk, cv))
	if len(want) == 0 || slices.Equal(inproc, slices.Sorted(maps.Keys(want))) {
		t.Skipf("no version skew to test: go vet reports %q, the in-process vet %q", slices.Sorted(maps.Keys(want)), inproc)
	}
	for i, text := range []string{"", "\n// edited\n"} {
		name := filepath.Join(dir, "c.go")
		canvas := ast.NewCanvas(dir, ast.NewFile(name, cv.File(name).Text+text))
		r, err := chk.Check(ctx, canvas, constraints.Build)
		if err != nil {
			t.Fatal(err)
		}
		if got := findingStrings(r.Findings); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
			t.Errorf("check %d (edited: %v): difgen reports %q, go vet %q", i, text != "", got, slices.Sorted(maps.Keys(want)))
		}
	}
}
