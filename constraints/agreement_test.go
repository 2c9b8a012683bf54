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
	var goroot, modules []string
	for _, p := range pkgs {
		if p.Goroot {
			goroot = append(goroot, p.ImportPath)
		} else {
			modules = append(modules, p.ImportPath)
		}
	}
	// go vet turns unsafeptr off in GOROOT when run without flags; -json
	// is a flag, so say it.
	vet := runGoVet(t, "-unsafeptr=false", goroot)
	maps.Copy(vet, runGoVet(t, "", modules))
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

// runGoVet runs go vet -json (and flag, if not "") on patterns and
// returns its findings ("file:line:col: message") with their analyzers.
func runGoVet(t *testing.T, flag string, patterns []string) map[string]string {
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
