package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/difgen/difgen/internal/tempdir"
)

// The sandbox's init is the current executable started again with argv[0]
// initArg0 and the single environment entry initEnv; the package's init
// function recognises it (see init_linux.go). noopArg0 is the program the
// probe runs inside the sandbox.
const (
	initArg0 = "difgen-sandbox-init"
	noopArg0 = "difgen-sandbox-noop"
	initEnv  = "DIFGEN_SANDBOX_INIT=1"
)

// pollInterval is how often the tree's memory is measured.
const pollInterval = 50 * time.Millisecond

// initConfig is what the parent sends init on file descriptor 3, as JSON.
type initConfig struct {
	NS       bool     // set up the namespaces' mounts and network
	NestUser bool     // start the command in a user namespace of its own
	UID, GID int      // the caller's ids, which the command gets back
	Root     bool     // the caller is root: identity id maps
	Path     string   // absolute program path
	Argv     []string // argv, argv[0] included
	Dir      string
	Env      []string
	Keep     []keepPath // bound into the sandbox, parents first
	Hide     []string
	TmpSize  int64 // size of each private tmpfs
	Legacy   bool  // remount(2) instead of mount_setattr(2)
}

// keepPath is a path visible in the sandbox with its own access.
type keepPath struct {
	Path     string
	Writable bool
}

// initStatus is what init reports on file descriptor 4, as JSON.
type initStatus struct {
	Setup  string // why setting up the sandbox failed
	Start  string // why the command could not be started
	Exited bool
	Code   int
	Signal string
	MaxRSS int64 // largest resident size of one reaped process, bytes
}

// variant is one way of starting init.
type variant struct {
	ns     bool // pid, mount, network and IPC namespaces
	userns bool // in a user namespace of its own
}

// probeResult is what the probe found about this machine, once per
// process.
type probeResult struct {
	best    variant
	info    Info
	initErr error // even the fallback's init cannot start
}

var probed = sync.OnceValue(probe)

// probe starts the sandbox in each variant, best first, with a command
// that exits at once, and keeps the first that works.
func probe() probeResult {
	var missing []string
	tries := []variant{{ns: true, userns: true}}
	if os.Geteuid() == 0 {
		tries = append(tries, variant{ns: true})
	}
	for _, v := range tries {
		err := probeVariant(v)
		if err == nil {
			return probeResult{best: v, info: linuxInfo(v, missing)}
		}
		what := "user, PID, mount and network namespaces"
		if !v.userns {
			what = "PID, mount and network namespaces without a user namespace"
		}
		missing = append(missing, fmt.Sprintf("%s: %s", what, strings.TrimPrefix(err.Error(), "sandbox: ")))
	}
	r := probeResult{info: linuxInfo(variant{}, missing)}
	if err := probeVariant(variant{}); err != nil {
		// The executable cannot be started again as init (started
		// through the dynamic loader, say): Run cannot work at all.
		r.initErr = fmt.Errorf("sandbox: the current executable cannot serve as the sandbox's init: %v", err)
		r.info.Have = nil
		r.info.Missing = append(r.info.Missing, r.initErr.Error())
	}
	return r
}

func probeVariant(v variant) error {
	dir, err := tempdir.MkdirTemp("difgen-sandbox-probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	s := &Spec{Path: "/proc/self/exe", Dir: dir, Timeout: 20 * time.Second}
	p := &prepared{path: "/proc/self/exe", dir: dir, stdout: io.Discard}
	var stderr bytes.Buffer
	p.stderr = &boundedWriter{w: &stderr, room: 4096}
	cfg, err := config(s, p, v)
	if err != nil {
		return err
	}
	cfg.Argv = []string{noopArg0}
	cfg.Env = []string{initEnv}
	res := start(context.Background(), s, p, cfg, v)
	switch {
	case res.Err != nil:
		return res.Err
	case !res.Exited || res.ExitCode != 0:
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = fmt.Sprintf("probe command: %+v", res)
		}
		return errors.New(msg)
	}
	return nil
}

func run(ctx context.Context, s *Spec, p *prepared) Result {
	pr := probed()
	if pr.initErr != nil {
		return Result{ExitCode: -1, Err: pr.initErr}
	}
	v := pr.best
	if s.fallback {
		v = variant{}
	}
	cfg, err := config(s, p, v)
	if err != nil {
		return Result{ExitCode: -1, Err: err}
	}
	return start(ctx, s, p, cfg, v)
}

// config builds init's configuration for s.
func config(s *Spec, p *prepared, v variant) (*initConfig, error) {
	cfg := &initConfig{
		NS:       v.ns,
		NestUser: v.userns,
		UID:      os.Getuid(),
		GID:      os.Getgid(),
		Root:     os.Getuid() == 0,
		Path:     p.path,
		Argv:     append([]string{p.path}, s.Args...),
		Dir:      p.dir,
		Env:      s.Env,
		TmpSize:  256 << 20,
		Legacy:   s.legacyMounts,
	}
	if s.MemLimit > 0 {
		cfg.TmpSize = min(cfg.TmpSize, s.MemLimit)
	}
	if !v.ns {
		return cfg, nil
	}
	keep, err := keepPaths(s, p)
	if err != nil {
		return nil, err
	}
	cfg.Keep = keep
	for _, h := range s.Hide {
		if r, err := resolve(h); err == nil {
			cfg.Hide = append(cfg.Hide, r)
		}
	}
	slices.Sort(cfg.Hide)
	cfg.Hide = slices.Compact(cfg.Hide)
	return cfg, nil
}

// maskedDirs are covered by private tmpfs mounts in the sandbox: they hold
// the sockets of other programs (an SSH agent, tmux, the Docker daemon,
// the user's D-Bus) that a read-only mount would not keep the command from
// connecting to.
var maskedDirs = []string{"/tmp", "/var/tmp", "/run", "/var/run", "/dev/shm"}

// keepPaths lists the paths bound into the sandbox with their access,
// parents first, a read-only path after a writable one at the same depth.
func keepPaths(s *Spec, p *prepared) ([]keepPath, error) {
	byPath := make(map[string]bool) // path → writable
	add := func(path string, writable, must bool) error {
		r, err := resolve(path)
		if err != nil {
			if must {
				return fmt.Errorf("sandbox: %v", err)
			}
			return nil
		}
		if w, ok := byPath[r]; ok {
			writable = w && writable
		}
		byPath[r] = writable
		return nil
	}
	if err := add(p.dir, true, true); err != nil {
		return nil, err
	}
	for _, name := range []string{"HOME", "TMPDIR"} {
		if v := lookupEnv(s.Env, name); filepath.IsAbs(v) {
			if err := add(v, true, false); err != nil {
				return nil, err
			}
		}
	}
	for _, w := range s.Writable {
		if err := add(w, true, true); err != nil {
			return nil, err
		}
	}
	for _, r := range s.ReadOnly {
		if err := add(r, false, false); err != nil {
			return nil, err
		}
	}
	// What the command needs to start and to find the toolchain, where it
	// lies under a masked directory and nothing above keeps it.
	needed := []string{p.path}
	for _, name := range []string{"GOROOT", "GOPATH", "GOMODCACHE", "PATH"} {
		needed = append(needed, filepath.SplitList(lookupEnv(s.Env, name))...)
	}
	explicit := make([]string, 0, len(byPath))
	for k := range byPath {
		explicit = append(explicit, k)
	}
	for _, n := range needed {
		r, err := resolve(n)
		if err != nil || !underAny(r, maskedDirs) || underAny(r, explicit) {
			continue
		}
		byPath[r] = false
	}
	out := make([]keepPath, 0, len(byPath))
	for k, w := range byPath {
		out = append(out, keepPath{k, w})
	}
	slices.SortFunc(out, func(a, b keepPath) int {
		if d := depth(a.Path) - depth(b.Path); d != 0 {
			return d
		}
		if a.Writable != b.Writable {
			if a.Writable {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out, nil
}

// resolve returns the absolute path of an existing file with symbolic
// links resolved.
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

func depth(path string) int {
	if path == "/" {
		return 0
	}
	return strings.Count(path, "/")
}

// under reports whether path is dir or lies below it.
func under(path, dir string) bool {
	return path == dir || dir == "/" || strings.HasPrefix(path, dir+"/")
}

func underAny(path string, dirs []string) bool {
	for _, d := range dirs {
		if under(path, d) {
			return true
		}
	}
	return false
}

// start starts init in variant v, sends it cfg, watches the tree's time
// and memory, and collects the result.
func start(ctx context.Context, s *Spec, p *prepared, cfg *initConfig, v variant) Result {
	res := Result{ExitCode: -1}
	data, err := json.Marshal(cfg)
	if err != nil {
		res.Err = fmt.Errorf("sandbox: %v", err)
		return res
	}
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		res.Err = fmt.Errorf("sandbox: %v", err)
		return res
	}
	defer cfgW.Close()
	stR, stW, err := os.Pipe()
	if err != nil {
		cfgR.Close()
		res.Err = fmt.Errorf("sandbox: %v", err)
		return res
	}
	defer stR.Close()

	// A session of its own: no controlling terminal, so nothing in the
	// sandbox can open /dev/tty and push input into the user's shell
	// (TIOCSTI), and the terminal's signals reach difgen alone.
	attr := &syscall.SysProcAttr{Setsid: true}
	if v.ns {
		// Init dies with its parent, and the kernel then kills every
		// process of its PID namespace.
		attr.Pdeathsig = syscall.SIGKILL
		attr.Cloneflags = syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC
		if v.userns {
			attr.Cloneflags |= syscall.CLONE_NEWUSER
			attr.UidMappings, attr.GidMappings = outerMaps(cfg)
			attr.GidMappingsEnableSetgroups = cfg.Root
		}
	} else {
		// Init catches it and kills the whole tree before exiting.
		attr.Pdeathsig = syscall.SIGTERM
	}
	cmd := &exec.Cmd{
		Path:        "/proc/self/exe",
		Args:        []string{initArg0},
		Env:         []string{initEnv},
		Dir:         "/",
		Stdout:      p.stdout,
		Stderr:      p.stderr,
		ExtraFiles:  []*os.File{cfgR, stW},
		SysProcAttr: attr,
		WaitDelay:   2 * time.Second,
	}

	// The parent-death signal is sent when the thread that started init
	// exits, not the process (go.dev/issue/27505): keep this goroutine on
	// its thread, and no other goroutine on it, until init is gone.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	err = cmd.Start()
	cfgR.Close()
	stW.Close()
	if err != nil {
		res.Err = fmt.Errorf("sandbox: starting init: %v", err)
		return res
	}
	initPid := cmd.Process.Pid
	statusc := make(chan initStatus, 1)
	go func() {
		var st initStatus
		b, _ := io.ReadAll(stR)
		if len(bytes.TrimSpace(b)) > 0 {
			if err := json.Unmarshal(b, &st); err != nil {
				st.Setup = "bad status from init: " + err.Error()
			}
		} else {
			st.Code = -2 // no status: init was killed or crashed
		}
		statusc <- st
	}()
	if _, err := cfgW.Write(data); err != nil {
		// Init died before reading its configuration; Wait says why.
		_ = cmd.Process.Kill()
	}
	cfgW.Close()

	// Watch the tree until init has exited.
	var (
		mu     sync.Mutex
		reason string // "timeout", "memory", "ctx": why the tree was killed
		peak   int64
	)
	kill := func(why string) {
		mu.Lock()
		defer mu.Unlock()
		if reason != "" {
			return
		}
		reason = why
		if !v.ns {
			// Kill the descendants before init: once init is gone
			// its orphans would escape to the system's init.
			killDescendants(initPid)
		}
		_ = cmd.Process.Kill()
	}
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		var timeout <-chan time.Time
		if s.Timeout > 0 {
			t := time.NewTimer(s.Timeout)
			defer t.Stop()
			timeout = t.C
		}
		tick := time.NewTicker(pollInterval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				kill("ctx")
				return
			case <-timeout:
				kill("timeout")
				return
			case <-tick.C:
			}
			rss, ok := treeRSS(initPid)
			if !ok {
				continue
			}
			mu.Lock()
			peak = max(peak, rss)
			mu.Unlock()
			if s.MemLimit > 0 && rss > s.MemLimit {
				kill("memory")
				return
			}
		}
	}()
	waitErr := cmd.Wait()
	close(done)
	<-watched
	st := <-statusc

	mu.Lock()
	defer mu.Unlock()
	res.PeakRSS = max(peak, st.MaxRSS)
	res.Truncated = p.truncated()
	switch {
	case reason == "ctx":
		res.Err = ctx.Err()
	case reason == "timeout":
		res.TimedOut = true
	case reason == "memory":
		res.OverMemory = true
	case st.Setup != "":
		res.Err = fmt.Errorf("sandbox: setting up: %s", st.Setup)
	case st.Start != "":
		res.Err = fmt.Errorf("sandbox: %s", st.Start)
	case st.Exited:
		res.Exited, res.ExitCode = true, st.Code
	case st.Signal != "":
		res.Signal = st.Signal
	default:
		res.Err = fmt.Errorf("sandbox: init ended without a status: %v", waitErr)
	}
	return res
}

// outerMaps returns the id maps of init's user namespace: the identity
// for root; otherwise the caller's ids alone, as 0, so that init holds the
// capabilities it needs to set up the sandbox.
func outerMaps(cfg *initConfig) (uids, gids []syscall.SysProcIDMap) {
	if cfg.Root {
		return identityMap(), identityMap()
	}
	return []syscall.SysProcIDMap{{ContainerID: 0, HostID: cfg.UID, Size: 1}},
		[]syscall.SysProcIDMap{{ContainerID: 0, HostID: cfg.GID, Size: 1}}
}

// nestedMaps returns the id maps of the command's user namespace, nested
// in init's: the command gets the caller's own ids back (so a test sees
// the uid it would see outside), and with a uid other than 0 inside it
// starts with no capabilities.
func nestedMaps(cfg *initConfig) (uids, gids []syscall.SysProcIDMap) {
	if cfg.Root {
		return identityMap(), identityMap()
	}
	return []syscall.SysProcIDMap{{ContainerID: cfg.UID, HostID: 0, Size: 1}},
		[]syscall.SysProcIDMap{{ContainerID: cfg.GID, HostID: 0, Size: 1}}
}

func identityMap() []syscall.SysProcIDMap {
	// All 2³² - 1 ids (2³¹ - 1 where int has 32 bits).
	return []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: min(math.MaxInt, 1<<32-1)}}
}
