//go:build !linux

package rollout

import "os/exec"

// waitExited waits for the command; elsewhere than Linux it is reaped by
// then, and its group is ended just after.
func waitExited(cmd *exec.Cmd) error { return cmd.Wait() }

// reap returns the status waitExited collected.
func reap(_ *exec.Cmd, err error) error { return err }

// groupIsRun cannot look inside other processes here: a group that still
// exists under the recorded id is taken to be the gate run's.
func groupIsRun(pgid int, mark string) bool { return mark != "" }
