package sandbox

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The process tree is read from /proc: each thread's children file where
// the kernel has one (CONFIG_PROC_CHILDREN), else the parent pid of every
// process. Orphans of the command are reparented to init (PID 1 of the
// namespace, or a subreaper in the fallback), so the descendants of init
// are every process of the sandbox.

var haveChildren = sync.OnceValue(func() bool {
	_, err := os.Stat("/proc/self/task/" + strconv.Itoa(syscall.Gettid()) + "/children")
	return err == nil
})

// descendants returns the processes below root, parents before children,
// mapped to their parents.
func descendants(root int) (pids []int, parent map[int]int) {
	parent = make(map[int]int)
	if haveChildren() {
		queue := []int{root}
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			for _, c := range children(p) {
				if _, seen := parent[c]; seen || c == root {
					continue
				}
				parent[c] = p
				pids = append(pids, c)
				queue = append(queue, c)
			}
		}
		return pids, parent
	}
	kids := make(map[int][]int)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, ok := ppid(pid); ok {
			kids[pp] = append(kids[pp], pid)
		}
	}
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range kids[p] {
			if _, seen := parent[c]; seen || c == root {
				continue
			}
			parent[c] = p
			pids = append(pids, c)
			queue = append(queue, c)
		}
	}
	return pids, parent
}

// children returns the children of every thread of process pid.
func children(pid int) []int {
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	tasks, _ := os.ReadDir(dir)
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(dir + t.Name() + "/children")
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// ppid returns the parent of process pid, from /proc/PID/stat.
func ppid(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(f[1])
	return pp, err == nil
}

// rss returns the resident size of process pid in bytes.
func rss(pid int) (int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}

// treeRSS returns the resident size summed over the descendants of root
// (root itself, the sandbox's init, left out).
func treeRSS(root int) (int64, bool) {
	if _, ok := rss(root); !ok {
		return 0, false
	}
	pids, _ := descendants(root)
	var sum int64
	for _, p := range pids {
		if n, ok := rss(p); ok {
			sum += n
		}
	}
	return sum, true
}

// killDescendants kills every process below root and waits, up to a few
// seconds, until none is left but zombies: a process killed while forking
// may leave a child, which the next pass finds. Each process is signalled
// through a pidfd opened while it is still known to be root's descendant,
// so a pid reused by an unrelated process is never signalled.
func killDescendants(root int) {
	for i := range 5000 {
		if i > 0 {
			time.Sleep(time.Millisecond)
		}
		pids, parent := descendants(root)
		alive := 0
		for _, p := range pids {
			proc, err := os.FindProcess(p) // a pidfd on Linux 5.3 and later
			if err != nil {
				continue
			}
			if pp, ok := ppid(p); ok && (pp == parent[p] || pp == root) && !zombie(p) {
				if proc.Signal(syscall.SIGKILL) == nil {
					alive++
				}
			}
			proc.Release()
		}
		if alive == 0 {
			return
		}
	}
}

// zombie reports whether process pid has exited and waits to be reaped.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] == 'Z' || b[i+2] == 'X'
}
