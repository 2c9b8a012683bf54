// Command prog misbehaves in the ways the sandbox's tests check: it reads
// other processes' environments, writes outside its directory, leaves
// processes behind, allocates without end, hangs and dials out.
//
//	prog env                  print every environment it can read
//	prog write NAME DIR...    write the file NAME in ., $HOME, $TMPDIR, /tmp and each DIR
//	prog setsid TOKEN         start "sleep TOKEN" in a session of its own, then exit
//	prog tree TOKEN           start "sleep TOKEN" with setsid, then sleep TOKEN itself
//	prog sleep TOKEN          sleep forever
//	prog alloc BYTES [child]  touch BYTES of memory (in a child process with "child")
//	prog net                  listen and dial on loopback, then dial out
//	prog id                   print uid, gid and effective capabilities
//	prog remount DIR          try to make the mount at DIR writable again
//	prog cat FILE             print FILE
//	prog openw FILE           open FILE for writing, write nothing
//	prog ls DIR               print the names in DIR
//	prog spew N               write N bytes to stdout and to stderr
//	prog exit N               exit with status N
//	prog killself             die of SIGKILL
//	prog fds                  print the open file descriptors above 2
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: prog mode [args]")
	}
	arg := func(i int) string {
		if len(os.Args) <= i+1 {
			fail("missing argument")
		}
		return os.Args[i+1]
	}
	switch os.Args[1] {
	case "env":
		env()
	case "write":
		write(arg(1), os.Args[3:])
	case "setsid", "tree":
		cmd := exec.Command(os.Args[0], "sleep", arg(1))
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			fail(err.Error())
		}
		fmt.Println("started", cmd.Process.Pid)
		if os.Args[1] == "tree" {
			sleep()
		}
	case "sleep", "hang":
		sleep()
	case "alloc":
		n, err := strconv.ParseInt(arg(1), 10, 64)
		if err != nil {
			fail(err.Error())
		}
		if len(os.Args) > 3 && os.Args[3] == "child" {
			cmd := exec.Command(os.Args[0], "alloc", arg(1))
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			fmt.Println("child:", cmd.Run())
			return
		}
		alloc(n)
	case "net":
		netcheck()
	case "id":
		fmt.Println("uid", os.Getuid(), "gid", os.Getgid())
		sid, _, _ := syscall.RawSyscall(syscall.SYS_GETSID, 0, 0, 0)
		fmt.Println("session of its parent:", int(sid) == os.Getppid())
		fmt.Println("session keyring", sessionKeyring())
		status, _ := os.ReadFile("/proc/self/status")
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "CapEff:") || strings.HasPrefix(l, "NoNewPrivs:") {
				fmt.Println(strings.Join(strings.Fields(l), " "))
			}
		}
	case "remount":
		err := syscall.Mount("", arg(1), "", syscall.MS_REMOUNT|syscall.MS_BIND, "")
		fmt.Println("remount:", err)
		err = syscall.Unmount(arg(1), syscall.MNT_DETACH)
		fmt.Println("unmount:", err)
		err = os.WriteFile(filepath.Join(arg(1), "remounted.txt"), []byte("x"), 0o644)
		fmt.Println("write:", err)
	case "cat":
		b, err := os.ReadFile(arg(1))
		fmt.Printf("%d bytes %q %v\n", len(b), b, err)
	case "openw":
		f, err := os.OpenFile(arg(1), os.O_WRONLY, 0)
		if err == nil {
			f.Close()
		}
		fmt.Println("openw:", err)
	case "ls":
		ents, err := os.ReadDir(arg(1))
		for _, e := range ents {
			fmt.Println(e.Name())
		}
		fmt.Println("err:", err)
	case "spew":
		n, _ := strconv.Atoi(arg(1))
		b := []byte(strings.Repeat("x", n))
		os.Stdout.Write(b)
		os.Stderr.Write(b)
	case "exit":
		n, _ := strconv.Atoi(arg(1))
		os.Exit(n)
	case "killself":
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		sleep()
	case "fds":
		var st syscall.Stat_t
		for fd := 3; fd < 1024; fd++ {
			if syscall.Fstat(fd, &st) == nil {
				l, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
				fmt.Println("open:", fd, l)
			}
		}
		fmt.Println("done")
	case "true":
	default:
		fail("unknown mode " + os.Args[1])
	}
}

// sessionKeyring returns the serial number of the session keyring, or -1.
func sessionKeyring() int {
	const getKeyringID, sessionKeyring = 0, -3
	key := sessionKeyring
	id, _, e := syscall.RawSyscall(syscall.SYS_KEYCTL, getKeyringID, uintptr(key), 1)
	if e != 0 {
		return -1
	}
	return int(id)
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "prog:", msg)
	os.Exit(2)
}

func sleep() {
	for {
		time.Sleep(time.Hour)
	}
}

// env prints its own environment and every /proc/*/environ and cmdline it
// can read, its parent's first.
func env() {
	for _, kv := range os.Environ() {
		fmt.Println("self:", kv)
	}
	dump := func(pid string) {
		for _, f := range []string{"environ", "cmdline"} {
			b, err := os.ReadFile("/proc/" + pid + "/" + f)
			if err != nil {
				continue
			}
			for _, kv := range strings.Split(string(b), "\x00") {
				if kv != "" {
					fmt.Printf("%s %s: %s\n", pid, f, kv)
				}
			}
		}
	}
	dump(strconv.Itoa(os.Getppid()))
	ents, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err == nil {
			n++
			dump(e.Name())
		}
	}
	fmt.Println("processes:", n)
}

// write tries to write the file name in each place and prints what
// happened.
func write(name string, dirs []string) {
	for _, d := range append([]string{".", os.Getenv("HOME"), os.Getenv("TMPDIR"), "/tmp"}, dirs...) {
		name := filepath.Join(d, name)
		err := os.WriteFile(name, []byte("written by prog\n"), 0o644)
		fmt.Printf("write %s: %v\n", name, err)
	}
}

// alloc touches n bytes, one page at a time, then sleeps.
func alloc(n int64) {
	var chunks [][]byte
	const chunk = 64 << 20
	for done := int64(0); done < n; done += chunk {
		b := make([]byte, chunk)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		chunks = append(chunks, b)
	}
	fmt.Println("allocated", len(chunks)*chunk)
	sleep()
}

func netcheck() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		return
	}
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.WriteString(c, "hello\n")
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		fmt.Println("loopback dial:", err)
		return
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	fmt.Printf("loopback: %q %v\n", line, err)
	for _, addr := range []string{"1.1.1.1:80", "[2606:4700:4700::1111]:80"} {
		c, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err == nil {
			c.Close()
			fmt.Println("external", addr, "connected")
		} else {
			fmt.Println("external", addr, "error:", err)
		}
	}
}
