package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Tool versions the baselines are measured with.
const (
	GoplsVersion     = "v0.23.0"
	GoimportsVersion = "v0.52.0"
)

// InstallTool returns the path of the command pkg@version installed in
// dir (for example <user cache>/difgen/tools), running 'go install' with
// GOBIN=dir when it is not there yet. The error says why it could not.
func InstallTool(ctx context.Context, dir, pkg, version string) (string, error) {
	exe := filepath.Join(dir, filepath.Base(pkg))
	stamp := exe + ".version"
	if v, err := os.ReadFile(stamp); err == nil && strings.TrimSpace(string(v)) == version {
		if _, err := os.Stat(exe); err == nil {
			return exe, nil
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	env := append(onlineEnv(), "GOBIN="+dir, "GOFLAGS=-buildvcs=false")
	r := runCmd(ctx, dir, env, 10*time.Minute, "go", "install", pkg+"@"+version)
	if r.Code != 0 {
		msg := firstLines(r.Err, 3)
		if r.TimedOut {
			msg = "timed out"
		} else if r.StartErr != nil {
			msg = r.StartErr.Error()
		}
		return "", &toolError{pkg + "@" + version, msg}
	}
	if err := os.WriteFile(stamp, []byte(version+"\n"), 0o644); err != nil {
		return "", err
	}
	return exe, nil
}

type toolError struct{ tool, msg string }

func (e *toolError) Error() string { return "go install " + e.tool + ": " + e.msg }
