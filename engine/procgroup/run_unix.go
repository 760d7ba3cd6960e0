//go:build unix

package procgroup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Run runs c in a new process group and waits for it.
//
// It returns the exit code and a nil error when the command ran to its end,
// whatever the code. It returns -1 and an error wrapping ErrTimeout when
// c.Timeout passed, wrapping ctx.Err() when ctx ended first — in both cases
// after the whole group was killed — and -1 with an error when the command
// could not start or was killed by a signal not sent by Run.
func Run(ctx context.Context, c Cmd) (int, error) {
	if err := c.Validate(); err != nil {
		return -1, err
	}
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	cmd.Stdin = c.Stdin
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var pr, pw *os.File
	if c.Stdout != nil {
		cmd.Stdout, cmd.Stderr = c.Stdout, c.Stdout
	} else {
		var err error
		if pr, pw, err = os.Pipe(); err != nil {
			return -1, fmt.Errorf("run %s: %w", c.Argv[0], err)
		}
		cmd.Stdout, cmd.Stderr = pw, pw
	}
	if err := cmd.Start(); err != nil {
		if pr != nil {
			pr.Close()
			pw.Close()
		}
		return -1, fmt.Errorf("run %s: %w", c.Argv[0], err)
	}
	pgid := cmd.Process.Pid

	lines := make(chan struct{})
	if pr != nil {
		// Only the group holds the write end now: the pipe ends when the
		// last process of the group is gone.
		pw.Close()
		go func() {
			defer close(lines)
			readLines(pr, c.Output)
		}()
	}

	// exited is closed once the leader has exited; on Linux it is not
	// reaped yet (see waitExited).
	exited := make(chan struct{})
	var werr error
	go func() {
		defer close(exited)
		werr = waitExited(cmd)
	}()

	var stopped error
	if c.Started != nil {
		stopped = c.Started(pgid)
	}

	var timer <-chan time.Time
	if c.Timeout > 0 {
		t := time.NewTimer(c.Timeout)
		defer t.Stop()
		timer = t.C
	}

	if stopped == nil {
		select {
		case <-exited:
		case <-timer:
			stopped = fmt.Errorf("%s: %w after %s", c.Argv[0], ErrTimeout, c.Timeout)
		case <-ctx.Done():
			stopped = fmt.Errorf("%s: %w", c.Argv[0], ctx.Err())
		}
	}
	if stopped != nil {
		if g := c.grace(); g > 0 {
			_ = syscall.Kill(-pgid, syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(g):
			}
		}
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		_ = cmd.Process.Kill() // in case the group could not be signalled
		<-exited
	}
	// The leader has exited but is not reaped yet, so pgid still names this
	// group: end whatever the command left behind.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	werr = reap(cmd, werr)
	// A process that left the group (setsid) may still hold the pipe; it
	// does not get to hold Run.
	if pr != nil {
		select {
		case <-lines:
		case <-time.After(time.Second):
			pr.Close()
			<-lines
		}
		pr.Close()
	}

	if stopped != nil {
		return -1, stopped
	}
	if werr == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1, fmt.Errorf("%s: killed by signal %s", c.Argv[0], ws.Signal())
		}
		return ee.ExitCode(), nil
	}
	return -1, fmt.Errorf("run %s: %w", c.Argv[0], werr)
}
