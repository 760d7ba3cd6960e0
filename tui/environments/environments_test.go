package environments

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/theme"
)

func TestPane(t *testing.T) {
	m := New(theme.New(false, false), theme.DefaultKeyMap())
	m.SetSize(80, 7)
	m.SetEnvironments([]model.Environment{
		{Name: "staging", Track: "prod",
			Blue:  model.Slot{Color: model.Blue, Build: 41, State: model.SlotLive, Health: model.HealthHealthy, Weight: 90},
			Green: model.Slot{Color: model.Green, Build: 42, State: model.SlotDeployed, Health: model.HealthDegraded, Weight: 10, Nodes: 100, NodesOnBuild: 10}},
		{Name: "production\x1b]0;x\x07", Track: "prod"},
	}, "")
	m.SetRollout("staging", Rollout{State: model.RolloutWave, Build: 42, Wave: 0, Waves: 4})
	v := ansi.Strip(m.View())
	for _, want := range []string{"staging (prod)", "rollout #42 wave 1/4", "#41", "live", "90%", "healthy", "degraded", "10/100", "[#.........]", "production^[]0;x^G"} {
		if !strings.Contains(v, want) {
			t.Errorf("pane lacks %q:\n%s", want, v)
		}
	}
	lines := strings.Split(v, "\n")
	if len(lines) != 7 {
		t.Errorf("pane has %d lines; want 7", len(lines))
	}
	m.ClickLine(4)
	if m.Selected() != "production\x1b]0;x\x07" {
		t.Errorf("click on the second environment selected %q", m.Selected())
	}
}

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0"}, {950, "950"}, {1000, "1k"}, {1200, "1.2k"}, {99871, "99k"}, {100000, "100k"}, {2500000, "2.5M"}} {
		if got := count(tc.n); got != tc.want {
			t.Errorf("count(%d) = %q; want %q", tc.n, got, tc.want)
		}
	}
}

// TestNarrowSlotFits: in a pane too narrow for full node counts, a slot's
// line still ends with its adoption, shortened.
func TestNarrowSlotFits(t *testing.T) {
	m := New(theme.New(false, false), theme.DefaultKeyMap())
	m.SetSize(44, 3)
	m.SetEnvironments([]model.Environment{{Name: "production", Track: "prod",
		Blue: model.Slot{Color: model.Blue, Build: 4, State: model.SlotLive, Health: model.HealthHealthy, Weight: 100, Nodes: 1000, NodesOnBuild: 1000}}}, "")
	line := strings.Split(ansi.Strip(m.View()), "\n")[1]
	if !strings.HasSuffix(strings.TrimRight(line, " "), "healthy   1k/1k") {
		t.Errorf("narrow slot line %q; want it to end with the short adoption", line)
	}
}
