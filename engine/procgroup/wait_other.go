//go:build unix && !linux

package procgroup

import "os/exec"

// waitExited waits for and reaps the command's process. Without a portable
// waitid(WNOWAIT), the group is ended just after the leader is reaped, which
// leaves a tiny window in which its id could be reused.
func waitExited(cmd *exec.Cmd) error { return cmd.Wait() }

// reap returns the status waitExited already collected.
func reap(_ *exec.Cmd, err error) error { return err }
