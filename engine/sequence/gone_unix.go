//go:build unix

package sequence

import "syscall"

// canCheckPids says whether processGone can tell.
const canCheckPids = true

// processGone reports that no process has this pid.
func processGone(pid int) bool { return syscall.Kill(pid, 0) == syscall.ESRCH }
