package rollouts

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/demo"
	"github.com/switchyard/switchyard/engine/rollout"
	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/internal/golden"
	"github.com/switchyard/switchyard/tui/internal/screentest"
	"github.com/switchyard/switchyard/tui/theme"
)

func TestMain(m *testing.M) {
	// Times on screen are local; fix the zone so goldens do not depend on
	// the machine.
	time.Local = time.UTC
	os.Exit(m.Run())
}

var anchor = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

type sandbox struct {
	e  *engine.Engine
	sb *demo.Sandbox
}

func openDemo(t *testing.T) sandbox {
	t.Helper()
	ctx := context.Background()
	sb, err := demo.Build(ctx, demo.Options{Dir: t.TempDir(), Anchor: anchor})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(ctx, engine.OpenOptions{Dir: sb.Src, Now: func() time.Time { return anchor }, PatchIDCache: "-"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.CloseRollouts)
	return sandbox{e, sb}
}

// run executes cmd and what it leads to, feeding messages back to the
// screen as the runtime would, answering confirmations yes. Ticks and the
// event subscription are left out: they wait.
func run(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	screentest.Run(t, cmd, func(msg tea.Msg) tea.Cmd {
		if req, ok := msg.(ConfirmRequest); ok {
			return req.Action
		}
		return m.Update(msg)
	})
}

func newScreen(e Engine, d *engine.Engine, w, h int) *Model {
	var m *Model
	if d != nil {
		m = New(e, &d.Config().Deploy, theme.New(true, false), theme.DefaultKeyMap())
	} else {
		m = New(e, nil, theme.New(true, false), theme.DefaultKeyMap())
	}
	m.SetSize(w, h)
	return m
}

// fixture is a deterministic set of environments and rollouts: one in a
// wave awaiting approval with the driver lagging, one aborted, one done.
func fixture() EnvironmentsMsg {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	meas := func(v ...provider.Verdict) []provider.Result {
		var out []provider.Result
		for i, x := range v {
			out = append(out, provider.Result{Time: at(30 + i*2), Verdict: x, Detail: "error rate 0.1%"})
		}
		return out
	}
	waves := func() []rollout.WaveStatus {
		return []rollout.WaveStatus{
			{Weight: 1, Count: 3, InconcLimit: 1, Applied: true, Measurements: meas(provider.Pass, provider.Pass, provider.Pass), Verdict: "pass"},
			{Weight: 10, Count: 3, InconcLimit: 1, Applied: true, Measurements: meas(provider.Pass, provider.Pass, provider.Pass), Verdict: "pass"},
			{Weight: 50, Count: 3, InconcLimit: 1, Approval: true},
			{Weight: 100, Count: 3, InconcLimit: 1},
		}
	}
	gates := []rollout.GateResult{{Name: "acceptance", State: rollout.GatePassed, Log: "/sandbox/src/.git/switchyard/rollouts/integration/acceptance.log", Started: at(5), Ended: at(7)}}
	integ := &rollout.Status{Env: "integration", Track: "dev", State: model.RolloutPaused, Build: 7, From: 6, Live: model.Blue, Target: model.Green,
		Wave: 2, Waves: waves(), Desired: 10, Actual: 8, ActualKnown: true, Waiting: rollout.WaitApproval,
		Fleet:   &provider.Fleet{Nodes: 1000, Builds: []provider.BuildCount{{Build: 6, Nodes: 903, Healthy: -1}, {Build: 7, Nodes: 97, Healthy: -1}}},
		Warmup:  []provider.Result{{Time: at(4), Verdict: provider.Pass}},
		Gates:   gates,
		Running: true, Started: t0, Updated: at(50),
		History: []rollout.Transition{
			{Time: t0, To: model.RolloutDeploying, Text: "rollout of build 7 over 6", Actor: "ada"},
			{Time: at(3), From: model.RolloutDeploying, To: model.RolloutWarming, Text: "green started"},
			{Time: at(5), From: model.RolloutWarming, To: model.RolloutGating, Text: "warm"},
			{Time: at(8), From: model.RolloutGating, To: model.RolloutWave, Text: "wave 1 (1%)"},
			{Time: at(50), From: model.RolloutWave, To: model.RolloutPaused, Text: "wave 3 (50%) awaits approval"},
		}}
	integ.Waves[2].Applied = false
	aborted := waves()
	aborted[1].Verdict, aborted[1].Measurements = "", meas(provider.Pass)
	stag := &rollout.Status{Env: "staging", Track: "prod", State: model.RolloutAborted, Build: 5, From: 4, Live: model.Blue, Target: model.Green,
		Wave: 1, Waves: aborted, Desired: 0, Actual: 0, ActualKnown: true, Reason: "aborted from the cockpit",
		Gates: gates, Started: t0, Ended: at(40),
		History: []rollout.Transition{{Time: at(40), From: model.RolloutWave, To: model.RolloutAborted, Text: "aborted: aborted from the cockpit; blue (build 4) serves 100%", Actor: "grace"}}}
	done := waves()
	done[2].Approved, done[2].Verdict, done[3].Verdict = true, "pass", "pass"
	prod := &rollout.Status{Env: "production", Track: "prod", State: model.RolloutDone, Build: 4, From: 3, Live: model.Blue, Target: model.Green,
		Wave: 3, Waves: done, Desired: 100, Actual: 100, ActualKnown: true, Started: t0, Ended: at(90)}
	envs := []model.Environment{
		{Name: "integration", Track: "dev",
			Blue:  model.Slot{Color: model.Blue, Build: 6, State: model.SlotLive, Health: model.HealthHealthy, Weight: 92, Nodes: 1000, NodesOnBuild: 903},
			Green: model.Slot{Color: model.Green, Build: 7, State: model.SlotLive, Health: model.HealthHealthy, Weight: 8, Nodes: 1000, NodesOnBuild: 97}},
		{Name: "staging", Track: "prod",
			Blue:  model.Slot{Color: model.Blue, Build: 4, State: model.SlotLive, Health: model.HealthHealthy, Weight: 100},
			Green: model.Slot{Color: model.Green, Build: 5, State: model.SlotStopped, Health: model.HealthUnknown}},
		{Name: "production", Track: "prod",
			Blue:  model.Slot{Color: model.Blue, Build: 3, State: model.SlotRetired, Health: model.HealthUnknown},
			Green: model.Slot{Color: model.Green, Build: 4, State: model.SlotLive, Health: model.HealthDegraded, Weight: 100}},
	}
	return EnvironmentsMsg{Seq: 1, Envs: envs, Statuses: map[string]*rollout.Status{"integration": integ, "staging": stag, "production": prod},
		Newest: map[string]model.Build{"dev": {Number: 7, Track: "dev", Time: t0.Add(-time.Hour)}, "prod": {Number: 5, Track: "prod", Time: t0.Add(-2 * time.Hour)}}}
}

func fed(w, h int) *Model {
	m := newScreen(refusing{}, nil, w, h)
	m.seq = 1
	m.Update(fixture())
	return m
}

func TestGoldenFixture(t *testing.T) {
	for _, sz := range []struct {
		name string
		w, h int
	}{{"160x45", 160, 45}, {"100x30", 100, 30}} {
		t.Run(sz.name, func(t *testing.T) {
			m := fed(sz.w, sz.h)
			for i, env := range []string{"integration", "staging", "production"} {
				if i > 0 {
					m.Update(screentest.Press("j"))
				}
				v := m.View()
				golden.FitsWithin(t, v, sz.w, sz.h)
				golden.Check(t, env+"-"+sz.name, v)
			}
		})
	}
}

// TestAbortedNeverInProgress: an aborted rollout says so and shows no wave
// as running.
func TestAbortedNeverInProgress(t *testing.T) {
	m := fed(160, 45)
	m.Update(screentest.Press("j"))
	v := m.View()
	if !strings.Contains(v, "ABORTED") {
		t.Errorf("aborted rollout not shown as aborted:\n%s", v)
	}
	if strings.Contains(v, "●") {
		t.Errorf("aborted rollout shows a running mark:\n%s", v)
	}
}

func TestDesiredAgainstActual(t *testing.T) {
	v := fed(160, 45).View()
	for _, want := range []string{"desired 10% · actual 8%", "meant 10% (100 of 1000) · reporting 9.7% (97 of 1000)", "want 10% got 8% ⚠"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestResize(t *testing.T) {
	m := fed(80, 24)
	m.Update(screentest.Press("enter")) // open a log panel too
	for w := 1; w <= 170; w += 11 {
		for h := 1; h <= 50; h += 6 {
			m.SetSize(w, h)
			golden.FitsWithin(t, m.View(), w, h)
		}
	}
}

func TestInert(t *testing.T) {
	msg := fixture()
	msg.Statuses["integration"].Reason = "bad \x1b[2J\x1b]52;c;aGk=\a"
	msg.Statuses["integration"].History[0].Actor = "\x1b[31mmallory"
	m := newScreen(nil, nil, 160, 45)
	m.seq = 1
	m.Update(msg)
	v := m.View()
	if strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\x1b]52") || strings.Contains(v, "\a") || strings.Contains(v, "\x1b[31m") {
		t.Errorf("escape sequences pass through:\n%q", v)
	}
}

// TestPromptOverride: a build older than the live one asks for the
// environment's name; a wrong name starts nothing.
func TestPromptOverride(t *testing.T) {
	m := fed(100, 30)
	m.Update(screentest.Press("j")) // staging: aborted, live build 4
	m.Update(screentest.Press("d"))
	if !m.InputActive() {
		t.Fatal("d did not open the deploy prompt")
	}
	if m.prompt.text != "5" {
		t.Errorf("suggested build %q; want 5 (the newest known on the track)", m.prompt.text)
	}
	m.Update(screentest.Press("backspace"))
	screentest.Type(m.Update, "3x")
	if m.prompt.text != "3" {
		t.Errorf("prompt text %q; want digits only", m.prompt.text)
	}
	if cmd := m.Update(screentest.Press("enter")); cmd != nil {
		t.Fatalf("a backwards build was sent on without the typed name")
	}
	if m.prompt == nil || !m.prompt.override {
		t.Fatal("no override prompt for a backwards build")
	}
	golden.Check(t, "override-100x30", m.View())
	screentest.Type(m.Update, "stagin")
	if cmd := m.Update(screentest.Press("enter")); cmd != nil {
		t.Error("a wrong name started something")
	}
	if m.InputActive() || !strings.Contains(m.note, "does not match") {
		t.Errorf("after a wrong name: input %v, note %q", m.InputActive(), m.note)
	}
}

// TestDeployAndAbort drives the demo's real engine: deploy a new dev build
// to integration from the screen (through the typed override when the
// engine counts it as live already), then abort it.
func TestDeployAndAbort(t *testing.T) {
	s := openDemo(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := newScreen(s.e, s.e, 100, 30)
	m.SetContext(ctx)
	run(t, m, m.Reload())
	if m.loadErr != nil {
		t.Fatalf("load: %v", m.loadErr)
	}
	if len(m.envs) != 3 {
		t.Fatalf("%d environments; want the demo's 3", len(m.envs))
	}
	// Cut a new build of integration's track, which d then offers.
	rel, err := s.e.Release(ctx, engine.ReleaseOptions{Track: m.envs[0].Track})
	if err != nil {
		t.Fatalf("release: %v", err)
	}
	run(t, m, m.Reload())
	newest := rel.Build.Number
	m.Update(screentest.Press("d"))
	if m.prompt == nil || m.prompt.text != strconv.Itoa(newest) {
		t.Fatalf("d offers %+v; want the new build %d", m.prompt, newest)
	}
	cmd := m.Update(screentest.Press("enter"))
	req, ok := cmd().(ConfirmRequest)
	if !ok {
		t.Fatal("deploy asked no confirmation")
	}
	if !strings.Contains(req.Prompt, "Deploy build") || !strings.Contains(strings.Join(req.Detail, "\n"), "acceptance") {
		t.Errorf("confirmation does not say what happens: %+v", req)
	}
	run(t, m, req.Action)
	if m.err != nil && errors.Is(m.err, model.ErrBackwards) {
		// The engine counts the bin branch's current build as live; the
		// screen must then ask for the typed override.
		if m.prompt == nil || !m.prompt.override || m.prompt.build != newest {
			t.Fatalf("refused as backwards (%v) but no override prompt: %+v", m.err, m.prompt)
		}
		screentest.Type(m.Update, "integration")
		run(t, m, m.Update(screentest.Press("enter")))
	}
	if m.err != nil {
		t.Fatalf("deploy: %v", m.err)
	}
	st := m.statuses["integration"]
	if st == nil || st.Build != newest {
		t.Fatalf("after deploy: status %+v; want a rollout of %d (note %q busy %q statuses %v)", st, newest, m.note, m.busy, m.statuses)
	}
	run(t, m, m.Update(screentest.Press("x")))
	if m.err != nil {
		t.Fatalf("abort: %v", m.err)
	}
	rs, err := s.e.RolloutStatus(ctx, "integration")
	if err != nil {
		t.Fatal(err)
	}
	// The background controller carries the abort out; wait for the record.
	for i := 0; i < 600 && rs.State != model.RolloutAborted; i++ {
		time.Sleep(50 * time.Millisecond)
		rs, _ = s.e.RolloutStatus(ctx, "integration")
	}
	if rs.State != model.RolloutAborted {
		t.Fatalf("rollout state %s after abort; want aborted", rs.State)
	}
	m.Update(StatusMsg{Env: "integration", Status: rs})
	if v := m.View(); !strings.Contains(v, "ABORTED") {
		t.Errorf("screen does not show the abort:\n%s", v)
	}
}

// refusing is an engine that refuses everything: for tests of the screen's
// own behaviour, where no call must succeed.
type refusing struct{}

var errRefused = errors.New("refused by the test engine")

func (refusing) Environments(context.Context) ([]model.Environment, error) { return nil, errRefused }
func (refusing) RolloutStatus(context.Context, string) (*rollout.Status, error) {
	return nil, errRefused
}
func (refusing) StartRollout(context.Context, string, engine.StartOptions) (*rollout.Status, error) {
	return nil, errRefused
}
func (refusing) RunRolloutBackground(context.Context, string) {}
func (refusing) Promote(context.Context, string, engine.RolloutAction) (*rollout.Status, error) {
	return nil, errRefused
}
func (refusing) Approve(context.Context, string, engine.RolloutAction) (*rollout.Status, error) {
	return nil, errRefused
}
func (refusing) AbortRollout(context.Context, string, engine.RolloutAction) (*rollout.Status, error) {
	return nil, errRefused
}
func (refusing) Subscribe(context.Context) <-chan model.Event { return nil }
func (refusing) Builds(context.Context, string) ([]model.Build, error) {
	return nil, errRefused
}

// The engine is what the root hands the screen.
var _ Engine = (*engine.Engine)(nil)

func TestEventUpdatesStatus(t *testing.T) {
	m := fed(160, 45)
	st := fixture().Statuses["integration"].Clone()
	st.State, st.Waiting, st.Reason = model.RolloutAborted, "", "gate failed"
	m.Update(eventMsg{ev: model.Event{Source: "rollout", Kind: "state", Env: "integration", Data: st}, ok: true})
	if !strings.Contains(m.note, "integration: rollout of build 7 aborted: gate failed") || !m.noteWarn {
		t.Errorf("the end of the rollout is not told: note %q", m.note)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "ABORTED") || !strings.Contains(v, "gate failed") {
		t.Errorf("the event's status is not shown:\n%s", v)
	}
	m.Update(eventMsg{ev: model.Event{Source: "rollout", Kind: "error", Env: "staging", Text: "controller stopped"}, ok: true})
	if m.err == nil || !strings.Contains(m.err.Error(), "controller stopped") {
		t.Errorf("error event not shown: %v", m.err)
	}
}

func TestGateLog(t *testing.T) {
	msg := fixture()
	logPath := t.TempDir() + "/acceptance.log"
	var lines []string
	for i := 1; i <= 40; i++ {
		lines = append(lines, "check "+strconv.Itoa(i)+" ok")
	}
	lines = append(lines, "evil \x1b]52;c;aGk=\a done")
	if err := os.WriteFile(logPath, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	msg.Statuses["integration"].Gates[0].Log = logPath
	m := newScreen(refusing{}, nil, 100, 30)
	m.seq = 1
	m.Update(msg)
	run(t, m, m.Update(screentest.Press("enter")))
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "Gate log · acceptance") || !strings.Contains(v, "check 40 ok") {
		t.Errorf("enter did not show the end of the gate log:\n%s", v)
	}
	if raw := m.View(); strings.Contains(raw, "\x1b]52") || strings.Contains(raw, "\a") {
		t.Errorf("log text not inert:\n%q", v)
	}
	golden.FitsWithin(t, m.View(), 100, 30)
	run(t, m, m.Update(screentest.Press("enter")))
	if m.logGate != 0 {
		t.Error("enter after the last gate did not close the log")
	}
}

func TestClick(t *testing.T) {
	m := fed(100, 30)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	for y, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " ▸"), "production") {
			m.Click(5, y)
			break
		}
	}
	if e := m.selected(); e == nil || e.Name != "production" {
		t.Errorf("click on the production row selected %v", e)
	}
}

// aborting records the aborts it is asked for and answers them done.
type aborting struct {
	refusing
	envs []string
}

func (a *aborting) AbortRollout(_ context.Context, env string, _ engine.RolloutAction) (*rollout.Status, error) {
	a.envs = append(a.envs, env)
	return &rollout.Status{Env: env, State: model.RolloutAborted}, nil
}

// TestAbortFailed: a rollout whose abort could not restore the traffic
// ends "failed"; aborting again is the way out, so x offers it (with a
// confirmation), while a finished rollout has nothing to abort.
func TestAbortFailed(t *testing.T) {
	tests := []struct {
		state model.RolloutState
		want  bool
	}{
		{model.RolloutFailed, true},
		{model.RolloutWave, true},
		{model.RolloutAborted, false},
		{model.RolloutDone, false},
	}
	for _, tt := range tests {
		eng := &aborting{}
		m := newScreen(eng, nil, 160, 45)
		m.seq = 1
		msg := fixture()
		st := msg.Statuses["integration"]
		st.State, st.Reason = tt.state, "traffic not restored: driver down"
		m.Update(msg)
		cmd := m.Update(screentest.Press("x"))
		var req ConfirmRequest
		if cmd != nil {
			req, _ = cmd().(ConfirmRequest)
		}
		if got := req.Action != nil; got != tt.want {
			t.Errorf("x on a %s rollout asked to confirm an abort = %v; want %v (note %q)", tt.state, got, tt.want, m.note)
			continue
		}
		if !tt.want {
			continue
		}
		if tt.state == model.RolloutFailed && !strings.Contains(strings.Join(req.Detail, "\n"), "driver down") {
			t.Errorf("the confirmation does not say why it failed: %+v", req)
		}
		run(t, m, req.Action)
		if len(eng.envs) != 1 || eng.envs[0] != "integration" {
			t.Errorf("confirmed abort of a %s rollout called AbortRollout for %v; want integration", tt.state, eng.envs)
		}
	}
}
