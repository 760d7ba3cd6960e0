//go:build linux

package procgroup

import (
	"errors"
	"os/exec"

	"golang.org/x/sys/unix"
)

// waitExited blocks until the command's process has exited, leaving it
// unreaped: a zombie keeps its pid, and so its process group id, reserved
// until reap.
func waitExited(cmd *exec.Cmd) error {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// reap collects the exited process's status.
func reap(cmd *exec.Cmd, _ error) error { return cmd.Wait() }
