package rollout

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
)

// runGate runs one gate against t, its output going to logPath. The gate
// gets its data as environment variables, never in a shell string.
func runGate(ctx context.Context, g Gate, t provider.Target, logPath string) (int, error) {
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return -1, fmt.Errorf("gate %s log: %w", g.Name, err)
	}
	f, err := os.Create(logPath)
	if err != nil {
		return -1, fmt.Errorf("gate %s log: %w", g.Name, err)
	}
	defer f.Close()
	fmt.Fprintf(f, "# gate %s: env %s, slot %s, build %d, url %s, started %s\n", g.Name, t.Env, t.Slot, t.Build, t.URL, time.Now().UTC().Format(time.RFC3339))
	code, err := provider.Run(ctx, provider.RunOptions{
		Argv:    g.Argv,
		Timeout: g.Timeout,
		Stdout:  f,
		Env: []string{
			"SWITCHYARD_ENV=" + t.Env,
			"SWITCHYARD_SLOT=" + string(t.Slot),
			"SWITCHYARD_URL=" + t.URL,
			"SWITCHYARD_BUILD=" + strconv.Itoa(t.Build),
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
