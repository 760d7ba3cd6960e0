// Package rollout is the blue/green rollout state machine of one
// environment, persisted so a restarted cockpit resumes it.
//
// # The machine
//
// A rollout deploys a build into the slot that is not live (the "green"
// slot in the rollout's words; physically the slots alternate, so nginx
// upstream addresses and the like stay fixed), warms it up and checks its
// health, runs the gates against it, then moves traffic in waves. Each wave
// sets the target weight, reads back the weight the driver actually has in
// force, and is analysed: Count measurements Interval apart; more failures
// than FailureLimit abort the rollout, more inconclusive results than
// InconclusiveLimit pause it for a person (promote continues, abort stops).
// A wave may require an approval before it moves traffic. After the last
// wave (100%) the target becomes live and the old slot is retired.
//
// Abort at any point before done: all traffic back on the live slot, the
// target stopped, the state "aborted" with the reason. Only the rollout's
// own environment is touched.
//
// # Persistence and resumption
//
// The state of each environment's last rollout is one JSON file,
// <dir>/<env>.json, written atomically (temporary file, fsync, rename) on
// every step, before the step is reported. A controller holds an exclusive
// lock (<env>.lock, flock) while it drives the machine; operators' requests
// (promote, approve, abort) are small files the running controller consumes,
// so a CLI command and a running cockpit can work on the same rollout.
//
// On start the controller reconciles: it asks the traffic driver for the
// split actually in force. When it equals what was recorded, the machine
// goes on where it stopped (a wave's measurements already taken are kept).
// When it differs, the actual split is recorded and the rollout pauses with
// Waiting = "drift" for a person: promote re-applies the recorded weight and
// restarts the wave's analysis, abort puts everything back on the live slot.
// An interrupted abort is simply finished. A driver that cannot tell its
// split (ErrUnknown) is recorded as unknown and the machine goes on.
//
// A gate runs in a process group of its own, whose id is recorded (with a
// mark set in the gate's environment) once it has started. A controller
// killed mid-gate leaves the gate running, orphaned; the next one finds the
// recorded group still alive, checks the mark, ends it (SIGTERM, then
// SIGKILL) and runs the gate again from the start.
//
// # Live build before the first rollout
//
// An environment with no rollout recorded runs the build Store.Seed
// recorded for it: the engine seeds it once, from its track's bin symlink,
// the first time the environment is looked at or its track is released.
//
// # Forward only
//
// A rollout to a build not newer than the live one is refused
// (model.ErrBackwards) unless AllowBackwards is set and Confirm repeats the
// environment's name; such an override is recorded in the state and the
// journal.
package rollout
