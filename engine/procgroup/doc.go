// Package procgroup runs a command in a process group of its own, so that a
// timeout or a cancellation ends the command and everything it started:
// children, grandchildren, a shell's background jobs.
//
// Builds, rollout gates and command providers run through it:
//
//	code, err := procgroup.Run(ctx, procgroup.Cmd{
//		Argv:    []string{"sh", "build.sh"},
//		Dir:     checkout,
//		Env:     append(os.Environ(), "SWITCHYARD_BUILD=42"),
//		Timeout: 30 * time.Minute,
//		Output:  func(line string) { log.Println(line) },
//	})
//	switch {
//	case errors.Is(err, procgroup.ErrTimeout): // the whole group was killed
//	case err != nil:                          // did not start, or ctx ended
//	case code != 0:                           // ran and failed
//	}
//
// # Ending a group
//
// On timeout or when ctx ends, the group is sent SIGTERM, then SIGKILL after
// Cmd.Grace. When the command exits on its own, whatever it left running in
// its group is killed too: a build or a gate must not leave processes behind
// (a daemon meant to outlive it must detach with setsid). The group is ended
// before the command's own process is reaped, so its id cannot have been
// reused by then (on Linux; elsewhere it is ended just after).
//
// # Groups left behind
//
// A group outlives Run's process when that process dies first (a crash, a
// SIGKILL). To end it later, record its id where Cmd.Started hands it over,
// together with a mark unique to the run set in Cmd.Env; the next process
// checks the mark with HasEnv, so as not to end an unrelated group that was
// given the same id since, then ends the group with KillGroup.
//
// # Output
//
// Standard output and standard error go to one pipe, in the order written,
// and are handed to Cmd.Output one line at a time (without the newline; a
// line longer than MaxLine is split). Output is called from one goroutine,
// never concurrently, and Run returns only after the last line was delivered.
// With Cmd.Stdout set, the output goes there as it is instead.
package procgroup
