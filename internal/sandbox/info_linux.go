package sandbox

func isolation() Info { return probed().info }

// linuxInfo describes variant v, the best that worked, after the failures
// of better ones (missing).
func linuxInfo(v variant, missing []string) Info {
	info := Info{Namespaces: v.ns, UserNamespace: v.userns, Missing: missing}
	common := []string{
		"time and memory limits apply to the whole process tree (resident memory summed, polled every 50 ms)",
		"the command runs with no_new_privs and stdin from /dev/null",
	}
	if v.ns {
		info.Have = append(info.Have,
			"PID namespace: the command sees only its own processes, through a fresh /proc; when it exits, or difgen dies, the kernel kills them all",
			"mount namespace: all is read-only but the working directory, HOME, TMPDIR and Spec.Writable; /tmp, /var/tmp, /run and /dev/shm are private and empty; /dev holds only null, zero, full, random, urandom and tty",
			"network namespace: loopback only",
			"IPC namespace: no System V IPC or POSIX message queues shared with the machine",
		)
		if v.userns {
			info.Have = append(info.Have, "user namespace: the command runs with the caller's uid and gid and cannot undo the read-only mounts")
		} else {
			info.Missing = append(info.Missing, "user namespace: the command keeps root's capabilities and could undo the read-only mounts")
		}
		info.Have = append(info.Have, common...)
		return info
	}
	info.Have = append(info.Have,
		"an init of its own (a child subreaper) holds every process the command starts, setsid or not, and kills them all when the command exits",
		"init dies with difgen (parent-death signal) and kills the tree first, unless the command has killed init",
	)
	info.Have = append(info.Have, common...)
	info.Missing = append(info.Missing,
		"PID namespace: the command sees the user's other processes and can read their environment in /proc/PID/environ and, where ptrace is allowed, their memory",
		"mount namespace: the command can write wherever the user can, the user's module and HOME included",
		"network namespace: the command can reach the network",
	)
	return info
}
