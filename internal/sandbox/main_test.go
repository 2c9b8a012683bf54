package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// progPath is testdata/prog, built once by TestMain into a directory that
// any user may read (the unprivileged test runs it as nobody).
var progPath string

func TestMain(m *testing.M) {
	if h := os.Getenv("SANDBOX_TEST_HELPER"); h != "" {
		os.Exit(helper(h))
	}
	dir, err := os.MkdirTemp("", "sandbox-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if err := os.Chmod(dir, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		progPath = filepath.Join(dir, "prog")
		build := exec.Command("go", "build", "-o", progPath, "./testdata/prog")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building testdata/prog: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// helperSpec is what a helper process runs, passed in SANDBOX_TEST_SPEC.
type helperSpec struct {
	Prog     string
	Args     []string
	Fallback bool
	Control  bool // also run the program plainly, with the helper's environment
}

// helper is the test binary run as a child of a test, with the
// environment the test gives it: it runs one program in the sandbox and
// prints its output, then "RESULT" and the Result as JSON.
func helper(mode string) int {
	if os.Getenv("SANDBOX_TEST_NONS") == "1" {
		// Started in a user namespace of its own: forbid mount
		// namespaces below it, as a container may.
		if err := os.WriteFile("/proc/sys/user/max_mnt_namespaces", []byte("0"), 0); err != nil {
			fmt.Println("SKIP", err)
			return 0
		}
	}
	var hs helperSpec
	if err := json.Unmarshal([]byte(os.Getenv("SANDBOX_TEST_SPEC")), &hs); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	scratch, err := os.MkdirTemp("", "sandbox-helper-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	defer os.RemoveAll(scratch)
	var out bytes.Buffer
	res := Run(context.Background(), &Spec{
		Path:     hs.Prog,
		Args:     hs.Args,
		Dir:      scratch,
		Env:      Env(scratch, scratch, nil),
		Timeout:  2 * time.Minute,
		Stdout:   &out,
		Stderr:   &out,
		fallback: hs.Fallback,
	})
	os.Stdout.Write(out.Bytes())
	if hs.Control {
		// The same program outside the sandbox: what the test must
		// not find in the sandbox's output is there to find.
		cmd := exec.Command(hs.Prog, hs.Args...)
		b, err := cmd.CombinedOutput()
		fmt.Printf("CONTROL %v\n%s", err, b)
	}
	type printed struct {
		Result
		Err  string
		Info Info
	}
	p := printed{Result: res, Info: Isolation()}
	if res.Err != nil {
		p.Err = res.Err.Error()
	}
	b, _ := json.Marshal(p)
	fmt.Printf("RESULT %s\n", b)
	return 0
}
