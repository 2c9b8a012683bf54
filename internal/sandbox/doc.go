// Package sandbox runs untrusted programs — the test binaries of candidate
// code that a model or a search wrote — isolated from the user's files,
// processes, secrets and network, with limits on the whole process tree.
//
// [Run] runs one command as a [Spec] describes and returns a [Result];
// [Env] builds its allow-listed environment; a [Tree] is a scratch copy of
// the module to run it in; [Isolation] says what this machine gives, for
// difgen's -v output.
//
// # Linux
//
// Run starts the current executable again (/proc/self/exe, as runc does)
// as the sandbox's init, in new PID, mount, network and IPC namespaces,
// inside a user namespace that maps the caller's uid and gid (root's
// identity for root). The package's init function recognises the re-exec
// before any main or TestMain runs, so every binary that imports the
// package — difgen, and the test binaries of the packages that import it —
// serves as init unchanged (package initialisation that runs before this
// package's must not exit or print). The parent-death signal kills init when the
// caller dies, even by SIGKILL, and the kernel then kills every process of
// its PID namespace. Init:
//
//   - makes all mounts private and everything read-only, recursively,
//     except Spec.Dir, Spec.Writable and the HOME and TMPDIR named in
//     Spec.Env, which are bound back writable (Spec.ReadOnly paths are
//     bound read-only even under those);
//   - mounts a fresh /proc, which shows the sandbox's processes alone, so
//     no process outside it — and no ancestor's /proc/PID/environ — can be
//     read; its system-wide files (/proc/sys, /proc/sysrq-trigger …) are
//     read-only or covered, as in Docker;
//   - covers /tmp, /var/tmp, /run, /var/run and /dev/shm with private,
//     empty tmpfs mounts (they hold the sockets of SSH agents, tmux, the
//     Docker daemon and D-Bus, which a read-only mount would not keep a
//     program from connecting to); the program itself, Spec paths and the
//     GOROOT, GOPATH, GOMODCACHE and PATH directories of Spec.Env that lie
//     there are bound back;
//   - replaces /dev with null, zero, full, random, urandom and tty;
//   - covers Spec.Hide paths (see [CredentialPaths]);
//   - brings up the loopback interface, the only one: tests may listen on
//     and dial 127.0.0.1 and ::1, and nothing else is reachable;
//   - starts the command in a user namespace of its own below init's, with
//     the caller's uid and gid and no capabilities over the sandbox's
//     mounts, network or processes, with no_new_privs, stdin from
//     /dev/null and its output forwarded;
//   - reaps every process, kills all that remain when the command exits,
//     and reports the command's exit status.
//
// The caller watches the tree: every 50 ms it sums the resident size of
// all of init's descendants (orphans reparent to init, so a setsid'd
// grandchild is counted) and kills init past Spec.MemLimit; it kills init
// at Spec.Timeout and when ctx is done. One sandboxed run of a trivial
// program costs about 6 ms more than a plain fork and exec (see
// BenchmarkRunOverhead).
//
// Where the namespaces cannot be had (a container that forbids them, a
// kernel built without them), Run falls back to an init without
// namespaces: it is a child subreaper, so setsid'd grandchildren stay in
// the tree and are killed when the command exits; it dies with the caller
// (parent-death signal) and kills the tree first; limits cover the whole
// tree as above. What the fallback lacks — the command sees and may read
// the environment of the user's other processes, writes wherever the user
// can, reaches the network, and survives difgen's SIGKILL if it kills
// init first — is listed by Isolation. Root without a user namespace gets
// the namespaces, but its command keeps root's capabilities and could undo
// the read-only mounts; Isolation says so too.
//
// # Other systems
//
// Elsewhere Run starts the command in a process group of its own (Unix)
// and kills the group at the timeout and when the command exits; a
// process that leaves the group, the user's files, processes and network
// are not guarded, and Spec.MemLimit is not enforced (there is no /proc to
// measure the tree). Windows kills the command alone. Isolation lists
// what is missing.
//
// # Environment
//
// [Env] is an allow-list, not a deny-list: PATH, the locale, TZ, the GO*
// variables of the toolchain and runtime, the cgo variables, HOME and
// TMPDIR set to the caller's scratch directories, GOTOOLCHAIN=local,
// GOPROXY=off, GOSUMDB=off, GOWORK=off and GOENV=off, plus the caller's
// extra entries; credentials in URL values are removed by redact.URLs.
package sandbox
