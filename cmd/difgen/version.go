package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/difgen/difgen/model/local"
)

var cmdVersion = &command{
	Name:      "version",
	UsageLine: "version",
	Short:     "print difgen's version",
	Long:      helpText("Version"),
	Run: func(ctx context.Context, e *env, args []string) error {
		fmt.Fprintf(e.stdout, "difgen %s %s %s/%s\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		fmt.Fprintf(e.stdout, "model: format v%d", local.FormatVersion)
		path, err := local.ModelPath(modelOptions())
		if err != nil {
			fmt.Fprintf(e.stdout, "; %v\n", err)
			return nil
		}
		m, err := local.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(e.stdout, ", %s: not built yet (the first fix or fill builds it from GOROOT/src)\n", path)
		case err != nil:
			fmt.Fprintf(e.stdout, ", %s: %v\n", path, err)
		default:
			in := m.Info()
			fmt.Fprintf(e.stdout, ", %s: trained on %s (%d files, %d tokens", path, strings.Join(in.Corpus, ", "), in.Files, in.Tokens)
			if in.Holdout {
				fmt.Fprint(e.stdout, ", held-out packages left out")
			}
			fmt.Fprintln(e.stdout, ")")
		}
		return nil
	},
}

// buildVersion returns the module version of the binary, or for a build
// from a checkout its VCS revision (with "+dirty" for local changes).
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, when string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "(devel)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	if when != "" {
		rev += " " + when
	}
	return "(devel) " + rev
}
