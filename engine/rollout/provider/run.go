package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// ErrTimeout: a command ran past its timeout and its process group was
// killed.
var ErrTimeout = errors.New("timed out")

// RunOptions is one command run.
type RunOptions struct {
	Argv    []string
	Env     []string // extra KEY=VALUE pairs, added to the process's own
	Dir     string
	Timeout time.Duration // 0: none beyond ctx
	Stdout  io.Writer     // nil: discarded
	Stderr  io.Writer     // nil: same as Stdout
}

// Run runs an argument list (never a shell string) in its own process group
// and returns its exit code. On timeout or cancellation the whole group is
// killed, so a hook that forks children cannot outlive it; the error then
// wraps ErrTimeout or ctx's error. A command that cannot be started is an
// error with exit code -1.
func Run(ctx context.Context, o RunOptions) (int, error) {
	if len(o.Argv) == 0 {
		return -1, errors.New("run: empty command")
	}
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	cmd := exec.Command(o.Argv[0], o.Argv[1:]...)
	cmd.Dir = o.Dir
	cmd.Env = append(os.Environ(), o.Env...)
	cmd.Stdout = o.Stdout
	cmd.Stderr = o.Stderr
	if cmd.Stdout == nil {
		cmd.Stdout = io.Discard
	}
	if cmd.Stderr == nil {
		cmd.Stderr = cmd.Stdout
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Output pipes held open by grandchildren must not keep Wait blocked.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return -1, fmt.Errorf("run %s: %w", o.Argv[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			return 0, nil
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), nil
		}
		return -1, fmt.Errorf("run %s: %w", o.Argv[0], err)
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && o.Timeout > 0 {
			return -1, fmt.Errorf("run %s: %w after %s", o.Argv[0], ErrTimeout, o.Timeout)
		}
		return -1, fmt.Errorf("run %s: %w", o.Argv[0], ctx.Err())
	}
}
