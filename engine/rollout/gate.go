package rollout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
)

// gateGrace is how long a gate's process group has between SIGTERM and
// SIGKILL when it is stopped.
const gateGrace = time.Second

// gateRunVar names the environment variable that marks every process of one
// gate run, so that a later controller can tell the run's process group
// from an unrelated one that reused its id.
const gateRunVar = "SWITCHYARD_GATE_RUN"

// runGate runs one gate against t, its output going to logPath, in a
// process group of its own. started is called with the group's id and the
// run's mark once the gate has started, before the gate is waited for: the
// controller records them, so that a controller resuming after a crash can
// end a gate that outlived its cockpit. When started fails the gate is
// stopped. On timeout or cancellation the whole group gets SIGTERM, then
// SIGKILL; whatever the gate leaves running in its group when it exits is
// killed too. The gate gets its data as environment variables, never in a
// shell string.
func runGate(ctx context.Context, g Gate, t provider.Target, logPath, mark string, started func(pgid int) error) (int, error) {
	if len(g.Argv) == 0 {
		return -1, fmt.Errorf("gate %s: empty command", g.Name)
	}
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return -1, fmt.Errorf("gate %s log: %w", g.Name, err)
	}
	f, err := os.Create(logPath)
	if err != nil {
		return -1, fmt.Errorf("gate %s log: %w", g.Name, err)
	}
	defer f.Close()
	fmt.Fprintf(f, "# gate %s: env %s, slot %s, build %d, url %s, started %s\n", g.Name, t.Env, t.Slot, t.Build, t.URL, time.Now().UTC().Format(time.RFC3339))
	code, err := runGroup(ctx, g, f, append(os.Environ(),
		"SWITCHYARD_ENV="+t.Env,
		"SWITCHYARD_SLOT="+string(t.Slot),
		"SWITCHYARD_URL="+t.URL,
		"SWITCHYARD_BUILD="+strconv.Itoa(t.Build),
		gateRunVar+"="+mark,
	), started)
	if err != nil {
		fmt.Fprintf(f, "# %v\n", err)
	} else {
		fmt.Fprintf(f, "# exit status %d\n", code)
	}
	_ = f.Sync()
	return code, err
}

func runGroup(ctx context.Context, g Gate, out *os.File, env []string, started func(int) error) (int, error) {
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	cmd := exec.Command(g.Argv[0], g.Argv[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return -1, fmt.Errorf("run %s: %w", g.Argv[0], err)
	}
	pgid := cmd.Process.Pid
	exited := make(chan struct{})
	var werr error
	go func() {
		defer close(exited)
		werr = waitExited(cmd)
	}()
	var stopped error
	if err := started(pgid); err != nil {
		stopped = fmt.Errorf("gate %s: %w", g.Name, err)
	}
	var timer <-chan time.Time
	if g.Timeout > 0 {
		tm := time.NewTimer(g.Timeout)
		defer tm.Stop()
		timer = tm.C
	}
	if stopped == nil {
		select {
		case <-exited:
		case <-timer:
			stopped = fmt.Errorf("%s: %w after %s", g.Argv[0], provider.ErrTimeout, g.Timeout)
		case <-ctx.Done():
			stopped = fmt.Errorf("%s: %w", g.Argv[0], ctx.Err())
		}
	}
	if stopped != nil {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(gateGrace):
		}
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
	}
	// The leader has exited but is not reaped yet (on Linux), so pgid still
	// names this group: end whatever the gate left behind.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	werr = reap(cmd, werr)
	if stopped != nil {
		return -1, stopped
	}
	if werr == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1, fmt.Errorf("%s: killed by signal %s", g.Argv[0], ws.Signal())
		}
		return ee.ExitCode(), nil
	}
	return -1, fmt.Errorf("run %s: %w", g.Argv[0], werr)
}

// endGroup ends what is left of an earlier gate run: the process group
// pgid, if it still exists and is that run's (see groupIsRun), gets
// SIGTERM, then SIGKILL after gateGrace. It reports whether a group was
// found and returns once it is gone (or after a few seconds more).
func endGroup(pgid int, mark string) bool {
	if pgid <= 1 || syscall.Kill(-pgid, 0) != nil || !groupIsRun(pgid, mark) {
		return false
	}
	gone := func(d time.Duration) bool {
		deadline := time.Now().Add(d)
		for {
			if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
				return true
			}
			if time.Now().After(deadline) {
				return false
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	if !gone(gateGrace) {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		gone(5 * time.Second)
	}
	return true
}
