package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/switchyard/switchyard/engine/procgroup"
)

// ErrTimeout: a command ran past its timeout and its process group was
// killed (procgroup.ErrTimeout).
var ErrTimeout = procgroup.ErrTimeout

// RunOptions is one command run.
type RunOptions struct {
	Argv    []string
	Env     []string // extra KEY=VALUE pairs, added to the process's own
	Dir     string
	Timeout time.Duration // 0: none beyond ctx
	// Stdout receives the command's standard output and error, line by
	// line; nil discards them.
	Stdout io.Writer
}

// Run runs an argument list (never a shell string) in its own process group
// (engine/procgroup) and returns its exit code. On timeout or cancellation
// the whole group is killed, so a hook that forks children cannot outlive
// it; the error then wraps ErrTimeout or ctx's error. A command that cannot
// be started is an error with exit code -1.
func Run(ctx context.Context, o RunOptions) (int, error) {
	if len(o.Argv) == 0 {
		return -1, errors.New("run: empty command")
	}
	c := procgroup.Cmd{Argv: o.Argv, Dir: o.Dir, Env: append(os.Environ(), o.Env...), Timeout: o.Timeout, Grace: time.Second}
	if w := o.Stdout; w != nil {
		c.Output = func(line string) { _, _ = io.WriteString(w, line+"\n") }
	}
	code, err := procgroup.Run(ctx, c)
	if err != nil {
		return code, fmt.Errorf("run %w", err)
	}
	return code, nil
}
