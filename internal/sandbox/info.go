package sandbox

import "strings"

// Info describes the isolation that [Run] gives on this machine.
type Info struct {
	// Namespaces reports whether commands run in PID, mount, network and
	// IPC namespaces of their own.
	Namespaces bool
	// UserNamespace reports whether those sit in a user namespace, so that
	// the command holds no capability over the sandbox's mounts.
	UserNamespace bool
	// Have lists the isolation in effect, one short sentence each.
	Have []string
	// Missing lists the isolation this machine does not give, each with
	// why and what it means.
	Missing []string
}

// Isolation reports the isolation that Run gives on this machine. On Linux
// the first call starts a sandbox to find out (a few milliseconds); the
// answer is kept for the life of the process.
func Isolation() Info { return isolation() }

// String formats i for difgen's -v output: one line per item.
func (i Info) String() string {
	var b strings.Builder
	for _, h := range i.Have {
		b.WriteString("sandbox: ")
		b.WriteString(h)
		b.WriteByte('\n')
	}
	for _, m := range i.Missing {
		b.WriteString("sandbox: missing: ")
		b.WriteString(m)
		b.WriteByte('\n')
	}
	return b.String()
}
