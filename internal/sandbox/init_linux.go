package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
)

// init turns the process into the sandbox's init when Run started it so,
// before any main or TestMain runs: every binary that imports the package
// can serve as init, as runc re-executes itself.
func init() {
	if len(os.Args) != 1 || len(os.Environ()) != 1 || os.Environ()[0] != initEnv {
		return
	}
	switch os.Args[0] {
	case initArg0:
		os.Exit(initMain())
	case noopArg0:
		os.Exit(0)
	}
}

// initMain is the sandbox's init: it reads its configuration, sets up the
// namespaces (in the namespaced variant), starts the command, reaps every
// process, kills what is left when the command exits, and reports the
// command's status. It runs on the main thread, which package
// initialization keeps locked: no_new_privs and the session keyring it
// gives the command are per thread.
func initMain() int {
	runtime.LockOSThread()
	// Descriptors the caller inherited without close-on-exec (a shell's,
	// an editor's) would pass through init to the command: no descriptor
	// but 0, 1 and 2 reaches it.
	closeOnExecFrom(3)
	status := os.NewFile(4, "status")
	report := func(st initStatus) int {
		b, _ := json.Marshal(st)
		_, _ = status.Write(b)
		status.Close()
		return 0
	}
	// The command may signal init (it runs as the same user); only
	// SIGTERM means something: in the fallback it is the parent-death
	// signal. PID 1 of a namespace gets no signal it has no handler for
	// from inside the namespace, and SIGKILL only from outside.
	terms := make(chan os.Signal, 1)
	signal.Notify(terms, syscall.SIGTERM)
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGUSR1,
		syscall.SIGUSR2, syscall.SIGPIPE, syscall.SIGALRM, syscall.SIGTSTP,
		syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGXCPU, syscall.SIGXFSZ)

	var cfg initConfig
	f := os.NewFile(3, "config")
	err := json.NewDecoder(f).Decode(&cfg)
	f.Close()
	if err != nil {
		return report(initStatus{Setup: "reading configuration: " + err.Error()})
	}
	if !cfg.NS {
		// Orphans of the command become init's children, so setsid
		// cannot take a process out of the tree.
		if err := prctl(prSetChildSubreaper, 1); err != nil {
			return report(initStatus{Setup: "PR_SET_CHILD_SUBREAPER: " + err.Error()})
		}
	}
	if cfg.NS {
		if err := setupNamespaces(&cfg); err != nil {
			return report(initStatus{Setup: err.Error()})
		}
	}
	// Nothing in the sandbox may read init's memory or open its files.
	_ = prctl(prSetDumpable, 0)
	// A session keyring of its own (as runc joins one per container), so
	// the command cannot read keys kept in the caller's. Keyrings are
	// part of the thread's credentials, which the command inherits from
	// this one.
	_, _, _ = syscall.RawSyscall(syscall.SYS_KEYCTL, keyctlJoinSessionKeyring, 0, 0)
	if err := prctl(prSetNoNewPrivs, 1); err != nil {
		return report(initStatus{Setup: "PR_SET_NO_NEW_PRIVS: " + err.Error()})
	}

	null, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return report(initStatus{Setup: "opening /dev/null: " + err.Error()})
	}
	sys := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if cfg.NS && cfg.NestUser {
		// A user namespace of the command's own, below init's: the
		// command gets the caller's ids back, and whatever capabilities
		// it holds (a root caller's command holds all) are over its
		// user namespace alone, which owns no mount, network or PID
		// namespace: it cannot undo the mounts set up above.
		sys.Cloneflags = syscall.CLONE_NEWUSER
		sys.UidMappings, sys.GidMappings = nestedMaps(&cfg)
		sys.GidMappingsEnableSetgroups = cfg.Root
	}
	pid, err := syscall.ForkExec(cfg.Path, cfg.Argv, &syscall.ProcAttr{
		Dir:   cfg.Dir,
		Env:   cfg.Env,
		Files: []uintptr{uintptr(null), 1, 2},
		Sys:   sys,
	})
	syscall.Close(null)
	if err != nil {
		return report(initStatus{Start: fmt.Sprintf("exec %s: %v", cfg.Path, err)})
	}
	go func() {
		<-terms
		if !cfg.NS {
			killDescendants(os.Getpid())
			os.Exit(3)
		}
	}()

	st := initStatus{Code: -1}
	var ws syscall.WaitStatus
	var ru syscall.Rusage
	exited := false
	for {
		p, err := syscall.Wait4(-1, &ws, 0, &ru)
		if err == syscall.EINTR {
			continue
		}
		if err != nil { // ECHILD: every process is gone
			break
		}
		st.MaxRSS = max(st.MaxRSS, int64(ru.Maxrss)*1024)
		if p == pid && !exited {
			exited = true
			switch {
			case ws.Exited():
				st.Exited, st.Code = true, ws.ExitStatus()
			case ws.Signaled():
				st.Signal = ws.Signal().String()
			}
		}
		if exited {
			// Nothing outlives the command.
			if cfg.NS {
				_ = syscall.Kill(-1, syscall.SIGKILL)
			} else {
				killDescendants(os.Getpid())
			}
		}
	}
	return report(st)
}

const (
	keyctlJoinSessionKeyring = 1

	prSetDumpable       = 4
	prSetChildSubreaper = 36
	prSetNoNewPrivs     = 38
)

// closeOnExecFrom sets close-on-exec on every descriptor from fd up:
// close_range(2) with CLOSE_RANGE_CLOEXEC (Linux 5.11), else one by one
// from /proc/self/fd.
func closeOnExecFrom(fd int) {
	const sysCloseRange, closeRangeCloexec = 436, 1 << 2
	_, _, e := syscall.RawSyscall(sysCloseRange, uintptr(fd), ^uintptr(0), closeRangeCloexec)
	if e == 0 {
		return
	}
	ents, _ := os.ReadDir("/proc/self/fd")
	for _, ent := range ents {
		if n, err := strconv.Atoi(ent.Name()); err == nil && n >= fd {
			syscall.CloseOnExec(n)
		}
	}
}

func prctl(option, arg uintptr) error {
	_, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, option, arg, 0, 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
