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
