//go:build unix

package procgroup

import (
	"errors"
	"syscall"
	"time"
)

// KillGroup ends process group pgid, typically one a previous process
// started and recorded through Cmd.Started before it died: the group gets
// SIGTERM, then SIGKILL after grace (at once when grace is not positive).
// KillGroup returns once no process of the group is left, or five seconds
// after SIGKILL. It returns an error, and signals nothing, when pgid is not
// a group this process may signal: gone (syscall.ESRCH), another user's, or
// not above 1.
//
// A group id is reused once its processes are gone: check that the group
// is still the one recorded (see HasEnv) before ending it.
func KillGroup(pgid int, grace time.Duration) error {
	if pgid <= 1 {
		return syscall.ESRCH
	}
	if err := syscall.Kill(-pgid, 0); err != nil {
		return err
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
	if grace > 0 {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		if gone(grace) {
			return nil
		}
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	gone(5 * time.Second)
	return nil
}
