package traffic

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

// script is a traffic script that keeps the green weight in a file and
// logs every action with its variables.
const script = `
state="$STATE_DIR/green"
echo "$SWITCHYARD_ACTION env=$SWITCHYARD_ENV slot=$SWITCHYARD_SLOT build=$SWITCHYARD_BUILD blue=$SWITCHYARD_BLUE_WEIGHT green=$SWITCHYARD_GREEN_WEIGHT" >> "$STATE_DIR/log"
case "$SWITCHYARD_ACTION" in
set) echo "$SWITCHYARD_GREEN_WEIGHT" > "$state" ;;
status) [ -f "$state" ] && echo "green weight:" && cat "$state" ;;
deploy|stop) ;;
*) exit 9 ;;
esac
`

func TestCommandDriver(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("STATE_DIR", dir)
	sh := filepath.Join(dir, "traffic.sh")
	if err := os.WriteFile(sh, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := &Command{Env: "staging", Argv: []string{"sh", sh}, Timeout: 5 * time.Second}
	if _, err := c.Actual(ctx); !errors.Is(err, provider.ErrUnknown) {
		t.Errorf("Actual before any set = %v; want ErrUnknown", err)
	}
	for _, g := range []int{10, 50, 100} {
		if err := c.Set(ctx, provider.SplitFor(model.Green, g, 6, 7)); err != nil {
			t.Fatalf("Set(%d) = %v", g, err)
		}
		a, err := c.Actual(ctx)
		if err != nil || a.Green != g || a.Blue != 100-g {
			t.Errorf("Actual after Set(%d) = %+v, %v", g, a, err)
		}
	}
	if err := c.Deploy(ctx, model.Green, 7); err != nil {
		t.Errorf("Deploy = %v", err)
	}
	if err := c.Stop(ctx, model.Blue); err != nil {
		t.Errorf("Stop = %v", err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "log"))
	for _, want := range []string{"set env=staging slot= build= blue=90 green=10", "deploy env=staging slot=green build=7", "stop env=staging slot=blue build=0"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("script log lacks %q:\n%s", want, log)
		}
	}
	hang := &Command{Env: "staging", Argv: []string{"sleep", "30"}, Timeout: 100 * time.Millisecond}
	if err := hang.Set(ctx, provider.SplitFor(model.Green, 10, 6, 7)); !errors.Is(err, provider.ErrTimeout) {
		t.Errorf("Set with a hanging script = %v; want ErrTimeout", err)
	}
	failing := &Command{Env: "staging", Argv: []string{"sh", "-c", "echo no route; exit 3"}}
	if err := failing.Set(ctx, provider.SplitFor(model.Green, 10, 6, 7)); err == nil || !strings.Contains(err.Error(), "exit status 3: no route") {
		t.Errorf("Set with a failing script = %v", err)
	}
}
