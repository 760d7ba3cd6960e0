package rollout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/switchyard/switchyard/engine/procgroup"
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
	code, err := procgroup.Run(ctx, procgroup.Cmd{
		Argv: g.Argv,
		Env: append(os.Environ(),
			"SWITCHYARD_ENV="+t.Env,
			"SWITCHYARD_SLOT="+string(t.Slot),
			"SWITCHYARD_URL="+t.URL,
			"SWITCHYARD_BUILD="+strconv.Itoa(t.Build),
			gateRunVar+"="+mark,
		),
		Timeout: max(g.Timeout, 0), // none, as for zero
		Grace:   gateGrace,
		Stdout:  f,
		Started: func(pgid int) error {
			if err := started(pgid); err != nil {
				return fmt.Errorf("gate %s: %w", g.Name, err)
			}
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(f, "# %v\n", err)
	} else {
		fmt.Fprintf(f, "# exit status %d\n", code)
	}
	_ = f.Sync()
	return code, err
}

// endGroup ends what is left of an earlier gate run: the process group
// pgid, if it still exists and is that run's (one of its processes carries
// the run's mark in its environment, see procgroup.HasEnv), gets SIGTERM, then SIGKILL after gateGrace. It reports whether a group was
// found and returns once it is gone (or after a few seconds more).
func endGroup(pgid int, mark string) bool {
	if pgid <= 1 || mark == "" {
		return false
	}
	// Where the group cannot be looked into, a group that still exists
	// under the recorded id is taken to be the gate run's.
	if ok, err := procgroup.HasEnv(pgid, gateRunVar+"="+mark); !ok && !errors.Is(err, procgroup.ErrUnsupported) {
		return false
	}
	return procgroup.KillGroup(pgid, gateGrace) == nil
}
