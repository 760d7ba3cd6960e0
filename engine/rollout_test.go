package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/engine/rollout"
	"github.com/switchyard/switchyard/engine/testrepo"
	"github.com/switchyard/switchyard/model"
)

// simConfig is a sim environment with quick waves; gate is the gate's argv.
func simConfig(gate string, approval bool) string {
	a := "false"
	if approval {
		a = "true"
	}
	return `
[deploy]
warmup = "1ms"
[[deploy.wave]]
weight = 10
[[deploy.wave]]
weight = 50
approval = ` + a + `
[[deploy.wave]]
weight = 100
[deploy.analysis]
interval = "2ms"
count = 2
[[deploy.gate]]
name = "acceptance"
command = ` + gate + `
timeout = "2s"
[[deploy.environment]]
name = "staging"
track = "prod"
[deploy.environment.traffic]
driver = "sim"
nodes = 2000
pull = "1ms"
[[deploy.environment]]
name = "production"
track = "prod"
[deploy.environment.traffic]
driver = "sim"
nodes = 100
pull = "1ms"
`
}

func openRolloutEngine(t testing.TB, config string) *Engine {
	t.Helper()
	t.Setenv("GIT_COMMITTER_NAME", "Rel Manager")
	t.Setenv("GIT_COMMITTER_EMAIL", "rel@example.com")
	r := testrepo.New(t)
	r.Commit("dev", "x", nil)
	r.Git("branch", "prod")
	if err := os.WriteFile(filepath.Join(r.Dir, "switchyard.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := Open(context.Background(), OpenOptions{Dir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.CloseRollouts)
	return e
}

func TestRolloutFacade(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		gate     string
		approval bool
		state    model.RolloutState
		journal  []string // actions journaled, in order
	}{
		{"done", `["sh", "-c", "test \"$SWITCHYARD_SLOT\" = green && test \"$SWITCHYARD_BUILD\" = 7 && test \"$SWITCHYARD_ENV\" = staging && test -n \"$SWITCHYARD_URL\""]`, false, model.RolloutDone,
			[]string{"deploying", "warming", "gating", "gating", "wave", "wave", "wave", "wave", "wave", "wave", "cutover", "retiring", "done"}},
		{"failed gate aborts", `["sh", "-c", "echo acceptance failed >&2; exit 1"]`, false, model.RolloutAborted,
			[]string{"deploying", "warming", "gating", "aborting", "aborted"}},
		{"approval pauses", `["true"]`, true, model.RolloutPaused,
			[]string{"deploying", "warming", "gating", "gating", "wave", "wave", "wave", "paused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := openRolloutEngine(t, simConfig(tt.gate, tt.approval))
			sctx, cancel := context.WithCancel(ctx)
			defer cancel()
			events := e.Subscribe(sctx)
			if _, err := e.StartRollout(ctx, "staging", StartOptions{Build: 7}); err != nil {
				t.Fatalf("StartRollout = %v", err)
			}
			st, err := e.RunRollout(ctx, "staging")
			if err != nil || st.State != tt.state {
				t.Fatalf("RunRollout = %v (%v, %s); want %s", st.State, err, st.Reason, tt.state)
			}
			entries, err := e.ReadJournal(ctx, journal.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, en := range entries {
				if en.Kind == "rollout" {
					got = append(got, en.Action)
					if en.Env != "staging" || en.Build != 7 || en.Actor != "Rel Manager <rel@example.com>" {
						t.Errorf("journal entry %+v; want env staging, build 7, the committer", en)
					}
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.journal, " ") {
				t.Errorf("journaled %v; want %v", got, tt.journal)
			}
			seen := 0
			for len(events) > 0 {
				ev := <-events
				if s, ok := ev.Data.(*rollout.Status); ok && ev.Source == "rollout" && ev.Kind == "state" && ev.Env == "staging" && s.Build == 7 {
					seen++
				}
			}
			if seen == 0 {
				t.Errorf("no rollout state event published")
			}
			envs, err := e.Environments(ctx)
			if err != nil || len(envs) != 2 {
				t.Fatalf("Environments = %v, %v", envs, err)
			}
			stg, prod := envs[0], envs[1]
			if prod.Blue.Build != 0 || prod.Green.Weight != 0 {
				t.Errorf("production touched: %+v", prod)
			}
			switch tt.state {
			case model.RolloutDone:
				if stg.Green.Build != 7 || stg.Green.State != model.SlotLive || stg.Green.Weight != 100 || stg.Green.NodesOnBuild != 2000 || stg.Green.Health != model.HealthHealthy {
					t.Errorf("staging green = %+v; want build 7 live, 100%%, 2000 nodes, healthy", stg.Green)
				}
				if stg.Blue.State != model.SlotRetired {
					t.Errorf("staging blue = %+v; want retired", stg.Blue)
				}
			case model.RolloutAborted:
				if stg.Green.State != model.SlotStopped || stg.Blue.Weight != 100 || stg.Green.Weight != 0 {
					t.Errorf("staging = %+v; want green stopped, blue 100%%", stg)
				}
				if !strings.Contains(st.Reason, `gate "acceptance" failed`) {
					t.Errorf("reason = %q", st.Reason)
				}
				log, _ := os.ReadFile(st.Gates[0].Log)
				if !strings.Contains(string(log), "acceptance failed") {
					t.Errorf("gate log %s = %q; want the gate's output", st.Gates[0].Log, log)
				}
			case model.RolloutPaused:
				if stg.Green.Weight != 10 || stg.Green.NodesOnBuild != 200 {
					t.Errorf("staging green = %+v; want 10%% and 200 of 2000 nodes", stg.Green)
				}
			}
		})
	}
}

func TestRolloutBackground(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := openRolloutEngine(t, simConfig(`["true"]`, true))
	if _, err := e.StartRollout(ctx, "staging", StartOptions{Build: 7}); err != nil {
		t.Fatal(err)
	}
	events := e.Subscribe(ctx)
	e.ResumeRollouts(ctx)
	waitState(t, events, model.RolloutPaused)
	if _, err := e.Promote(ctx, "staging", RolloutAction{}); !errors.Is(err, rollout.ErrNotWaiting) {
		t.Errorf("Promote on an approval wait = %v; want ErrNotWaiting", err)
	}
	if _, err := e.Approve(ctx, "staging", RolloutAction{Actor: "ann"}); err != nil {
		t.Fatalf("Approve = %v", err)
	}
	st := waitState(t, events, model.RolloutDone)
	if !st.Waves[1].Approved {
		t.Errorf("wave 2 not recorded as approved")
	}
	if _, err := e.StartRollout(ctx, "staging", StartOptions{Build: 6}); !errors.Is(err, model.ErrBackwards) {
		t.Errorf("StartRollout(6) after 7 went live = %v; want ErrBackwards", err)
	}
	if _, err := e.StartRollout(ctx, "staging", StartOptions{Build: 6, AllowBackwards: true, Confirm: "staging"}); err != nil {
		t.Errorf("confirmed backwards StartRollout = %v", err)
	}
	entries, _ := e.ReadJournal(ctx, journal.Filter{})
	if last := entries[len(entries)-1]; last.Action != "override-backwards" {
		t.Errorf("last journal entry %+v; want the override", last)
	}
}

func waitState(t *testing.T, events <-chan model.Event, want model.RolloutState) *rollout.Status {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev := <-events:
			if st, ok := ev.Data.(*rollout.Status); ok && st.State == want {
				return st
			}
			if ev.Kind == "error" {
				t.Fatalf("rollout error event: %s", ev.Text)
			}
		case <-timeout:
			t.Fatalf("no %s event within 30s", want)
		}
	}
}
