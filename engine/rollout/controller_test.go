package rollout

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

// fakeTraffic keeps the split in memory, as a driver's source of truth.
type fakeTraffic struct {
	mu      sync.Mutex
	split   provider.Split
	setErr  error
	sets    []provider.Split
	stopped []model.Color
	deploys []int
}

func (f *fakeTraffic) Set(ctx context.Context, s provider.Split) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.setErr != nil {
		return f.setErr
	}
	f.split = s
	f.sets = append(f.sets, s)
	return nil
}

func (f *fakeTraffic) Actual(ctx context.Context) (provider.Split, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.split, nil
}

func (f *fakeTraffic) Deploy(ctx context.Context, c model.Color, build int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deploys = append(f.deploys, build)
	return nil
}

func (f *fakeTraffic) Stop(ctx context.Context, c model.Color) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopped = append(f.stopped, c)
	return nil
}

func (f *fakeTraffic) force(s provider.Split) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.split = s
}

// scripted answers verdicts in order, then repeats the last one.
type scripted struct {
	mu sync.Mutex
	v  []provider.Verdict
	n  int
}

func (s *scripted) Check(ctx context.Context, t provider.Target) provider.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.v[min(s.n, len(s.v)-1)]
	s.n++
	return provider.Result{Time: time.Now(), Verdict: v, Detail: "scripted " + string(v)}
}

func verdicts(vs ...provider.Verdict) *scripted { return &scripted{v: vs} }

const ms = time.Millisecond

func waves(weights ...int) []Wave {
	var out []Wave
	for _, w := range weights {
		out = append(out, Wave{Weight: w, Interval: ms, Count: 2})
	}
	return out
}

func newController(t *testing.T, h provider.Health, ws []Wave, gates []Gate) (*Controller, *fakeTraffic) {
	t.Helper()
	tr := &fakeTraffic{split: provider.Split{Blue: 100, BlueBuild: 6}}
	c := &Controller{
		Env: Env{Name: "staging", Track: "prod", Waves: ws, Warmup: ms, WarmupChecks: 2, WarmupInterval: ms,
			Gates: gates, Traffic: tr, Slots: tr, Health: h,
			URL: func(model.Color) string { return "http://127.0.0.1:1" }},
		Store: &Store{Dir: t.TempDir()},
		Poll:  ms,
	}
	return c, tr
}

func start(t *testing.T, c *Controller, build int) {
	t.Helper()
	if _, err := c.Start(context.Background(), StartOptions{Build: build, Live: 6}); err != nil {
		t.Fatalf("Start(%d) = %v", build, err)
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		health  provider.Health
		waves   []Wave
		gates   []Gate
		state   model.RolloutState
		waiting string
		green   int    // green weight in force at the end
		reason  string // in Reason
	}{
		{"all pass", verdicts(provider.Pass), waves(10, 50, 100), nil, model.RolloutDone, "", 100, ""},
		{"wave fails", verdicts(provider.Pass, provider.Pass, provider.Pass, provider.Fail), waves(10, 50, 100), nil, model.RolloutAborted, "", 0, "wave 2 (50%) failed analysis"},
		{"failure limit tolerates one", verdicts(provider.Pass, provider.Fail, provider.Pass), []Wave{{Weight: 100, Interval: ms, Count: 3, FailureLimit: 1}}, nil, model.RolloutDone, "", 100, ""},
		{"inconclusive pauses", verdicts(provider.Pass, provider.Inconclusive), waves(10, 100), nil, model.RolloutPaused, WaitInconclusive, 10, "inconclusive"},
		{"approval pauses", verdicts(provider.Pass), []Wave{{Weight: 10, Interval: ms, Count: 1}, {Weight: 100, Approval: true, Interval: ms, Count: 1}}, nil, model.RolloutPaused, WaitApproval, 10, "awaits approval"},
		{"unhealthy after warm-up", verdicts(provider.Fail), waves(100), nil, model.RolloutAborted, "", 0, "not healthy after warm-up (2 checks)"},
		{"gate fails", verdicts(provider.Pass), waves(100), []Gate{{Name: "acceptance", Argv: []string{"sh", "-c", "echo env=$SWITCHYARD_ENV slot=$SWITCHYARD_SLOT build=$SWITCHYARD_BUILD; exit 3"}}}, model.RolloutAborted, "", 0, `gate "acceptance" failed: exit status 3`},
		{"gate hangs", verdicts(provider.Pass), waves(100), []Gate{{Name: "load", Argv: []string{"sleep", "30"}, Timeout: 200 * ms}}, model.RolloutAborted, "", 0, "timed out"},
		{"gate passes", verdicts(provider.Pass), waves(100), []Gate{{Name: "ok", Argv: []string{"true"}}}, model.RolloutDone, "", 100, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, tr := newController(t, tt.health, tt.waves, tt.gates)
			start(t, c, 7)
			st, err := c.Run(context.Background())
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			if st.State != tt.state || st.Waiting != tt.waiting {
				t.Fatalf("Run: state %s waiting %q; want %s %q (reason %q)", st.State, st.Waiting, tt.state, tt.waiting, st.Reason)
			}
			if !strings.Contains(st.Reason, tt.reason) {
				t.Errorf("reason = %q; want it to contain %q", st.Reason, tt.reason)
			}
			if got := tr.split.Green; got != tt.green {
				t.Errorf("green weight in force = %d; want %d", got, tt.green)
			}
			if !st.ActualKnown || st.Actual != tt.green {
				t.Errorf("recorded actual = %d (known %v); want %d", st.Actual, st.ActualKnown, tt.green)
			}
			saved, err := c.Store.Load("staging")
			if err != nil || saved.State != st.State || len(saved.History) != len(st.History) {
				t.Errorf("saved state %v, %v; want the returned one", saved, err)
			}
			switch st.State {
			case model.RolloutDone:
				if st.LiveBuild() != 7 || st.LiveSlot() != model.Green || len(tr.stopped) != 1 || tr.stopped[0] != model.Blue {
					t.Errorf("done: live %d on %s, stopped %v; want 7 on green, blue stopped", st.LiveBuild(), st.LiveSlot(), tr.stopped)
				}
			case model.RolloutAborted:
				if st.LiveBuild() != 6 || len(tr.stopped) != 1 || tr.stopped[0] != model.Green {
					t.Errorf("aborted: live %d, stopped %v; want 6, green stopped", st.LiveBuild(), tr.stopped)
				}
			}
			if tt.gates != nil && strings.Contains(tt.name, "fails") {
				log, _ := os.ReadFile(st.Gates[0].Log)
				if !strings.Contains(string(log), "env=staging slot=green build=7") {
					t.Errorf("gate log = %q; want the environment variables echoed", log)
				}
			}
		})
	}
}

func TestOperatorActions(t *testing.T) {
	ctx := context.Background()
	t.Run("approve then done", func(t *testing.T) {
		c, _ := newController(t, verdicts(provider.Pass), []Wave{{Weight: 10, Interval: ms, Count: 1}, {Weight: 100, Approval: true, Interval: ms, Count: 1}}, nil)
		start(t, c, 7)
		if _, err := c.Promote(ctx, "ann"); !errors.Is(err, ErrNotWaiting) {
			t.Fatalf("Promote before anything ran = %v; want ErrNotWaiting", err)
		}
		if st, _ := c.Run(ctx); st.Waiting != WaitApproval {
			t.Fatalf("waiting = %q; want approval", st.Waiting)
		}
		if _, err := c.Promote(ctx, "ann"); !errors.Is(err, ErrNotWaiting) {
			t.Fatalf("Promote on approval = %v; want ErrNotWaiting", err)
		}
		st, err := c.Approve(ctx, "ann")
		if err != nil || st.State != model.RolloutDone {
			t.Fatalf("Approve = %v, %v; want done", st.State, err)
		}
		if !st.Waves[1].Approved || !hasActor(st, "ann") {
			t.Errorf("approval not recorded: %+v", st.History)
		}
	})
	t.Run("promote inconclusive", func(t *testing.T) {
		c, _ := newController(t, verdicts(provider.Pass, provider.Inconclusive, provider.Pass), waves(10, 100), nil)
		start(t, c, 7)
		if st, _ := c.Run(ctx); st.Waiting != WaitInconclusive {
			t.Fatalf("waiting = %q; want inconclusive", st.Waiting)
		}
		st, err := c.Promote(ctx, "bob")
		if err != nil || st.State != model.RolloutDone || st.Waves[0].Verdict != "promoted" {
			t.Fatalf("Promote = %v (%v), wave verdict %q; want done, promoted", st.State, err, st.Waves[0].Verdict)
		}
	})
	t.Run("abort paused", func(t *testing.T) {
		c, tr := newController(t, verdicts(provider.Pass, provider.Inconclusive), waves(10, 100), nil)
		start(t, c, 7)
		_, _ = c.Run(ctx)
		st, err := c.Abort(ctx, "cat", "looks wrong")
		if err != nil || st.State != model.RolloutAborted || tr.split.Blue != 100 {
			t.Fatalf("Abort = %v (%v), blue %d; want aborted with blue 100", st.State, err, tr.split.Blue)
		}
		if !strings.Contains(st.Reason, "aborted by cat: looks wrong") {
			t.Errorf("reason = %q", st.Reason)
		}
		// A new rollout may start after an abort, from the same live build;
		// a request left over from the old one does not act on it.
		if err := c.Store.Post("staging", Request{Kind: ReqAbort, Actor: "late"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Start(ctx, StartOptions{Build: 8}); err != nil {
			t.Errorf("Start after abort = %v", err)
		}
		st, err = c.Run(ctx)
		if err != nil || strings.Contains(st.Reason, "late") || st.From != 6 || !strings.Contains(st.History[0].Text, "1 request(s) left from an earlier rollout discarded") {
			t.Errorf("Run of the new rollout = %s (%v) %q, from %d, first step %q; want the stale request discarded, from 6", st.State, err, st.Reason, st.From, st.History[0].Text)
		}
	})
	t.Run("abort while another controller runs", func(t *testing.T) {
		c, tr := newController(t, verdicts(provider.Pass), []Wave{{Weight: 10, Interval: time.Hour, Count: 1}, {Weight: 100, Interval: ms, Count: 1}}, nil)
		start(t, c, 7)
		done := make(chan *Status)
		go func() { st, _ := c.Run(ctx); done <- st }()
		waitFor(t, func() bool { st, _ := c.Store.Load("staging"); return st.Desired == 10 && st.Running })
		other := &Controller{Env: c.Env, Store: &Store{Dir: c.Store.Dir}}
		// The request is left for the running controller, which may have
		// applied it already when Abort reads the status back.
		if _, err := other.Abort(ctx, "dan", ""); err != nil {
			t.Fatalf("Abort from another controller = %v", err)
		}
		st := <-done
		if st.State != model.RolloutAborted || tr.split.Green != 0 || !hasActor(st, "dan") {
			t.Fatalf("running controller ended %s with green %d; want aborted by dan, 0", st.State, tr.split.Green)
		}
	})
}

func hasActor(st *Status, who string) bool {
	for _, h := range st.History {
		if h.Actor == who {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(2 * ms)
	}
}

func TestForwardOnly(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		build   int
		allow   bool
		confirm string
		want    error
	}{
		{5, false, "", model.ErrBackwards},
		{6, false, "", model.ErrBackwards},
		{5, true, "", ErrConfirm},
		{5, true, "production", ErrConfirm},
		{5, true, "staging", nil},
		{7, false, "", nil},
	}
	for _, tt := range tests {
		c, _ := newController(t, verdicts(provider.Pass), waves(100), nil)
		st, err := c.Start(ctx, StartOptions{Build: tt.build, Live: 6, AllowBackwards: tt.allow, Confirm: tt.confirm, Actor: "eve"})
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("Start(build %d, allow %v, confirm %q) = %v; want %v", tt.build, tt.allow, tt.confirm, err, tt.want)
			continue
		}
		if err == nil && (st.Override != nil) != (tt.build <= 6) {
			t.Errorf("Start(build %d) override = %+v", tt.build, st.Override)
		}
		if err != nil {
			if _, lerr := c.Store.Load("staging"); !errors.Is(lerr, ErrNoRollout) {
				t.Errorf("refused Start(build %d) left a state: %v", tt.build, lerr)
			}
		}
	}
	c, _ := newController(t, verdicts(provider.Pass), waves(100), nil)
	start(t, c, 7)
	if _, err := c.Start(ctx, StartOptions{Build: 8}); !errors.Is(err, ErrInFlight) {
		t.Errorf("second Start = %v; want ErrInFlight", err)
	}
	if _, err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, StartOptions{Build: 7}); !errors.Is(err, model.ErrBackwards) {
		t.Errorf("Start of the live build after done = %v; want ErrBackwards", err)
	}
}

func TestResume(t *testing.T) {
	t.Run("killed mid-wave resumes with measurements kept", func(t *testing.T) {
		c, tr := newController(t, verdicts(provider.Pass), []Wave{{Weight: 10, Interval: 50 * ms, Count: 6}, {Weight: 100, Interval: ms, Count: 1}}, nil)
		start(t, c, 7)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			waitFor(t, func() bool {
				st, _ := c.Store.Load("staging")
				return st.CurrentWave() != nil && len(st.CurrentWave().Measurements) >= 2
			})
			cancel()
		}()
		st, err := c.Run(ctx)
		if !errors.Is(err, context.Canceled) || st.State != model.RolloutWave {
			t.Fatalf("cancelled Run = %v, %v; want context.Canceled in state wave", st.State, err)
		}
		kept := len(st.Waves[0].Measurements)
		// A new controller, as a restarted cockpit makes.
		c2 := &Controller{Env: c.Env, Store: &Store{Dir: c.Store.Dir}, Poll: ms}
		st, err = c2.Run(context.Background())
		if err != nil || st.State != model.RolloutDone {
			t.Fatalf("resumed Run = %v, %v; want done", st.State, err)
		}
		if got := len(st.Waves[0].Measurements); got != 6 || kept < 2 {
			t.Errorf("measurements = %d (kept %d at the kill); want 6 in all", got, kept)
		}
		if tr.split.Green != 100 {
			t.Errorf("green = %d; want 100", tr.split.Green)
		}
	})
	t.Run("drift pauses, promote re-applies", func(t *testing.T) {
		c, tr := newController(t, verdicts(provider.Pass), []Wave{{Weight: 10, Interval: ms, Count: 1}, {Weight: 100, Approval: true, Interval: ms, Count: 1}}, nil)
		start(t, c, 7)
		ctx := context.Background()
		if st, _ := c.Run(ctx); st.Waiting != WaitApproval {
			t.Fatalf("waiting %q; want approval", st.Waiting)
		}
		// Someone moved traffic by hand while the cockpit was closed.
		tr.force(provider.Split{Blue: 100, BlueBuild: 6, GreenBuild: 7})
		st, err := c.Run(ctx)
		if err != nil || st.Waiting != WaitDrift || st.Actual != 0 || st.Desired != 10 {
			t.Fatalf("Run after drift = %s %q actual %d desired %d (%v); want paused drift 0 vs 10", st.State, st.Waiting, st.Actual, st.Desired, err)
		}
		st, err = c.Promote(ctx, "fay")
		if err != nil || st.Waiting != WaitApproval || tr.split.Green != 10 {
			t.Fatalf("Promote after drift = %s %q green %d (%v); want the wave re-applied and approval awaited", st.State, st.Waiting, tr.split.Green, err)
		}
	})
	t.Run("killed mid-abort finishes the abort", func(t *testing.T) {
		c, tr := newController(t, verdicts(provider.Pass), waves(10, 100), nil)
		start(t, c, 7)
		st, _ := c.Store.Load("staging")
		st.State, st.Reason, st.Desired = model.RolloutAborting, "gate failed", 10
		tr.force(provider.Split{Blue: 90, Green: 10, BlueBuild: 6, GreenBuild: 7})
		if err := c.Store.Save(st); err != nil {
			t.Fatal(err)
		}
		st, err := c.Run(context.Background())
		if err != nil || st.State != model.RolloutAborted || tr.split.Blue != 100 {
			t.Fatalf("Run = %s (%v), blue %d; want aborted, blue 100", st.State, err, tr.split.Blue)
		}
	})
	t.Run("abort that cannot restore traffic ends failed, abort again recovers", func(t *testing.T) {
		c, tr := newController(t, verdicts(provider.Pass, provider.Fail), waves(10, 100), nil)
		start(t, c, 7)
		tr.mu.Lock()
		tr.setErr = errors.New("load balancer unreachable")
		tr.mu.Unlock()
		st, _ := c.Run(context.Background())
		if st.State != model.RolloutFailed || !strings.Contains(st.Reason, "load balancer unreachable") {
			t.Fatalf("state %s reason %q; want failed with the driver's error", st.State, st.Reason)
		}
		tr.mu.Lock()
		tr.setErr = nil
		tr.mu.Unlock()
		st, err := c.Abort(context.Background(), "gus", "")
		if err != nil || st.State != model.RolloutAborted || tr.split.Blue != 100 {
			t.Fatalf("second Abort = %s (%v); want aborted", st.State, err)
		}
	})
}

func TestGateInterrupted(t *testing.T) {
	c, _ := newController(t, verdicts(provider.Pass), waves(100), []Gate{{Name: "load", Argv: []string{"true"}}})
	start(t, c, 7)
	st, _ := c.Store.Load("staging")
	st.State, st.Gates[0].State = model.RolloutGating, GateRunning // as a kill mid-gate leaves it
	if err := c.Store.Save(st); err != nil {
		t.Fatal(err)
	}
	st, err := c.Run(context.Background())
	if err != nil || st.State != model.RolloutDone || st.Gates[0].State != GatePassed {
		t.Fatalf("Run = %s (%v), gate %s; want done, gate passed", st.State, err, st.Gates[0].State)
	}
	found := false
	for _, h := range st.History {
		found = found || strings.Contains(h.Text, `gate "load" was interrupted`)
	}
	if !found {
		t.Errorf("the interrupted gate is not in the history")
	}
}
