package constraints

import (
	"fmt"
	"time"
)

// TestsMode says when the tests check runs.
type TestsMode int

const (
	// TestsAuto runs the tests when the package has test files and every
	// earlier check is clean.
	TestsAuto TestsMode = iota
	// TestsOn always runs the tests (when every earlier check is clean).
	TestsOn
	// TestsOff never runs the tests.
	TestsOff
)

var testsModeNames = [...]string{TestsAuto: "auto", TestsOn: "on", TestsOff: "off"}

func (m TestsMode) String() string {
	if int(m) >= 0 && int(m) < len(testsModeNames) {
		return testsModeNames[m]
	}
	return fmt.Sprintf("TestsMode(%d)", int(m))
}

// ParseTestsMode parses "auto", "on" or "off", as given to -tests.
func ParseTestsMode(s string) (TestsMode, error) {
	for i, n := range testsModeNames {
		if n == s {
			return TestsMode(i), nil
		}
	}
	return 0, fmt.Errorf("invalid tests mode %q (want auto, on or off)", s)
}

// Options configures loading and checking. The zero value, and a nil
// *Options, are valid configurations.
type Options struct {
	Tests TestsMode
	// Timeout limits each run of a test binary (a hanging test is killed);
	// 0 means 60s. Once the tests have run, a run's limit is ten times the
	// slowest full run (at least 10s), at most Timeout.
	Timeout time.Duration
	// BuildTimeout limits each go command (list, build, test -c), which
	// never runs the package's code; 0 means 10 minutes.
	BuildTimeout time.Duration
	Env          []string // extra environment (KEY=value) for the go command and tests
	// TestMemory is the least resident memory a test binary may use
	// before it is killed (the limit is 4 times the largest finished run
	// if that is more); 0 means 2 GiB. Enforced where the system reports
	// process sizes (Linux).
	TestMemory int64
	// Overlay replaces files of other packages (absolute name → text): the
	// repaired text of packages this one imports, which the go command and
	// the export data of the imports must see instead of the disk.
	Overlay map[string]string
	// Writable lists paths outside the scratch space that the tests may
	// write (the tests of difgen itself use it); nil for none.
	Writable []string
	// Cache, if set, shares the listing of imports and their vet facts
	// between the checkers made with it (see Cache).
	Cache *Cache
	Logf  func(format string, args ...any)
}

const defaultTimeout = 60 * time.Second

func (o *Options) timeout() time.Duration {
	if o == nil || o.Timeout <= 0 {
		return defaultTimeout
	}
	return o.Timeout
}

const defaultBuildTimeout = 10 * time.Minute

func (o *Options) buildTimeout() time.Duration {
	if o == nil || o.BuildTimeout <= 0 {
		return defaultBuildTimeout
	}
	return o.BuildTimeout
}

func (o *Options) testMemory() int64 {
	if o == nil || o.TestMemory <= 0 {
		return 2 << 30
	}
	return o.TestMemory
}

func (o *Options) logf(format string, args ...any) {
	if o != nil && o.Logf != nil {
		o.Logf(format, args...)
	}
}

func (o *Options) clone() Options {
	if o == nil {
		return Options{}
	}
	return *o
}
