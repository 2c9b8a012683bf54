package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/difgen/difgen/internal/tempdir"
	"rsc.io/script"
	"rsc.io/script/scripttest"
)

// difgenBin is the difgen binary the script tests run, built by TestMain.
var difgenBin string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	sess, err := tempdir.Start("")
	if err != nil {
		panic(err)
	}
	defer sess.Close()
	dir, err := tempdir.MkdirTemp("difgen-test-")
	if err != nil {
		panic(err)
	}
	difgenBin = filepath.Join(dir, "difgen")
	if out, err := exec.Command("go", "build", "-o", difgenBin, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	if err := setupTestModel(dir); err != nil {
		panic(err)
	}
	return m.Run()
}

// TestScripts runs the end-to-end CLI scripts in testdata/script: each is
// a txtar archive whose comment is a script (rsc.io/script) run in a
// directory holding its files.
func TestScripts(t *testing.T) {
	engine := &script.Engine{
		Cmds:  scripttest.DefaultCmds(),
		Conds: scripttest.DefaultConds(),
	}
	engine.Cmds["difgen"] = script.Program(difgenBin, interrupt, 5*time.Second)
	engine.Cmds["go"] = script.Program("go", interrupt, 5*time.Second)
	engine.Cmds["chmod"] = script.Program("chmod", interrupt, time.Second)
	engine.Cmds["ls"] = script.Program("ls", interrupt, time.Second)
	var env []string
	for _, k := range []string{"HOME", "PATH", "GOROOT", "GOPATH", "GOCACHE", "GOMODCACHE", "GOFLAGS", "DIFGEN_MODEL", "XDG_CACHE_HOME"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, "GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off")
	scripttest.Test(t, context.Background(), engine, env, "testdata/script/*.txt")
}

func interrupt(cmd *exec.Cmd) error { return cmd.Process.Signal(os.Interrupt) }
