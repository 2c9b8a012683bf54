package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/difgen/difgen/internal/redact"
)

// A command is one verb of difgen, in the style of cmd/go's base.Command.
type command struct {
	Name      string
	UsageLine string // e.g. "fix [flags] [packages]"
	Short     string // one line for the verb list
	Long      string // the help text
	// Flags declares the verb's flags on fs; Run runs it with the
	// remaining arguments.
	Run func(ctx context.Context, env *env, args []string) error
	// SetFlags registers the verb's flags.
	SetFlags func(fs *flag.FlagSet)
}

// env is what a verb may use of the process: its output streams and
// whether stderr is a terminal (for progress lines).
type env struct {
	stdout, stderr io.Writer
	terminal       bool
}

// commands is the verb table, in help order. Each verb lives in a file of
// its own.
var commands []*command

func init() {
	commands = []*command{cmdFix, cmdFill, cmdGen, cmdLSP, cmdMCP, cmdTrain, cmdBench, cmdVersion, cmdHelp}
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// exitError carries an exit status: 1 when findings remain, 2 for usage.
type exitError struct {
	code int
	msg  string // printed to stderr unless empty
}

func (e *exitError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// errFindings reports that findings remain (exit 1); they were printed.
var errFindings = &exitError{code: 1}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "difgen: "+redact.URLs(ee.msg))
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "difgen: "+redact.URLs(err.Error()))
	return 1
}

// run runs difgen with args (without the program name).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	e := &env{stdout: stdout, stderr: stderr, terminal: isTerminal(stderr)}
	if len(args) == 0 {
		printUsage(stderr)
		return &exitError{code: 2}
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" {
		name = "help"
	}
	c := lookup(name)
	if c == nil {
		return usageErrorf("unknown command %q; run 'difgen help' for the list", name)
	}
	fs := flag.NewFlagSet("difgen "+c.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: difgen %s\n", c.UsageLine)
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nRun 'difgen help %s' for details.\n", c.Name)
	}
	if c.SetFlags != nil {
		c.SetFlags(fs)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2}
	}
	return c.Run(ctx, e, fs.Args())
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "difgen writes and repairs Go code by masked diffusion.\n\nUsage:\n\n\tdifgen <command> [arguments]\n\nThe commands are:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-8s %s\n", c.Name, c.Short)
	}
	fmt.Fprintf(w, "\nUse \"difgen help <command>\" for more information about a command.\n")
}

func trimLong(s string) string { return strings.TrimSpace(s) + "\n" }

// doc is the source of doc.go, whose comment holds the help of every
// command.
//
//go:embed doc.go
var doc string

// helpText returns the section of doc.go's comment headed "# name": the
// help of a command.
func helpText(name string) string {
	_, body, ok := strings.Cut(doc, "\n# "+name+"\n")
	if !ok {
		return ""
	}
	if i := strings.Index(body, "\n# "); i >= 0 {
		body = body[:i]
	}
	body, _, _ = strings.Cut(body, "*/")
	return "\n" + strings.TrimSpace(body) + "\n"
}
