package rollout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

// Wave is one configured wave with its analysis resolved.
type Wave struct {
	Weight       int
	Approval     bool
	Interval     time.Duration
	Count        int
	FailureLimit int
	InconcLimit  int
}

// Gate is one configured gate.
type Gate struct {
	Name    string
	Argv    []string
	Timeout time.Duration
}

// Env is one environment with its providers, as the controller needs it.
type Env struct {
	Name  string
	Track string
	Waves []Wave
	// Warmup is waited after the target starts; then the target's health
	// is checked up to WarmupChecks times, WarmupInterval apart, and must
	// pass once.
	Warmup         time.Duration
	WarmupChecks   int
	WarmupInterval time.Duration
	Gates          []Gate
	Traffic        provider.Traffic
	Slots          provider.Slots   // nil: the driver does not run slots
	Health         provider.Health  // nil: no health checks (every wave passes)
	Adopter        provider.Adopter // nil: no adoption report
	// URL gives a slot's base URL for gates; nil or "" when unknown.
	URL func(model.Color) string
}

// Entry is one journal entry: a transition or an operator action.
type Entry struct {
	Env    string
	Build  int
	From   model.RolloutState
	To     model.RolloutState
	Text   string
	Actor  string
	Status *Status
}

// Controller drives one environment's rollout step by step. Run may be
// called again after it returns (or in another process after a crash): it
// resumes from the recorded state.
type Controller struct {
	Env   Env
	Store *Store
	// Journal records each transition and operator action before it is
	// reported; an error stops the machine (nothing is done unrecorded).
	Journal func(ctx context.Context, e Entry) error
	// Publish receives a copy of the status after every saved step.
	Publish func(st *Status)
	// Notify is called when a person is needed: a failed gate, an abort,
	// an approval or an inconclusive analysis.
	Notify func(ctx context.Context, st *Status)
	// PostOnly makes Promote, Approve and Abort only leave the request, for
	// a controller running elsewhere (or started next) to apply.
	PostOnly bool
	// Poll is how often waits look for operators' requests; default 100ms.
	Poll time.Duration
	Now  func() time.Time
}

// StartOptions start a rollout.
type StartOptions struct {
	Build int
	// Live is the build live now, as the bin repo says; used when no
	// earlier rollout is recorded.
	Live int
	// AllowBackwards lets a build not newer than the live one through, when
	// Confirm repeats the environment's name.
	AllowBackwards bool
	Confirm        string
	Actor          string
}

func (c *Controller) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Start records a new rollout of opts.Build in state deploying. It refuses a
// build not newer than the live one (model.ErrBackwards) unless overridden
// and confirmed, and a start while another rollout is in flight
// (ErrInFlight). Run drives it.
func (c *Controller) Start(ctx context.Context, opts StartOptions) (*Status, error) {
	env := c.Env.Name
	if opts.Build <= 0 {
		return nil, fmt.Errorf("start rollout on %s: build %d is not a build number", env, opts.Build)
	}
	if len(c.Env.Waves) == 0 {
		return nil, fmt.Errorf("start rollout on %s: no waves configured", env)
	}
	unlock, err := c.Store.LockWait(env, time.Second)
	if err != nil {
		return nil, fmt.Errorf("start rollout on %s: %w", env, err)
	}
	defer unlock()
	live, liveSlot := opts.Live, model.Blue
	prev, err := c.Store.Load(env)
	switch {
	case err == nil:
		if prev.InFlight() || prev.State == model.RolloutFailed {
			return nil, fmt.Errorf("start rollout of build %d on %s: %w (build %d, %s); abort it first", opts.Build, env, ErrInFlight, prev.Build, prev.State)
		}
		if prev.LiveBuild() > 0 {
			live = prev.LiveBuild()
		}
		liveSlot = prev.LiveSlot()
	case errors.Is(err, ErrNoRollout):
	default:
		return nil, err
	}
	var override *Override
	if err := model.CheckForward(live, opts.Build); err != nil {
		if !opts.AllowBackwards {
			return nil, fmt.Errorf("start rollout on %s: %w (an override needs --allow-backwards and --confirm %s)", env, err, env)
		}
		if opts.Confirm != env {
			return nil, fmt.Errorf("start rollout of build %d on %s: %w (type %q to confirm)", opts.Build, env, ErrConfirm, env)
		}
		override = &Override{By: opts.Actor, Confirm: opts.Confirm, Live: live, Time: c.now()}
	}
	st := &Status{
		Env: env, Track: c.Env.Track, State: model.RolloutIdle,
		Build: opts.Build, From: live, Live: liveSlot, Target: provider.Other(liveSlot),
		Wave: -1, Override: override, Started: c.now(),
	}
	for _, w := range c.Env.Waves {
		st.Waves = append(st.Waves, WaveStatus{Weight: w.Weight, Approval: w.Approval, Interval: w.Interval,
			Count: w.Count, FailureLimit: w.FailureLimit, InconcLimit: w.InconcLimit})
	}
	for _, g := range c.Env.Gates {
		st.Gates = append(st.Gates, GateResult{Name: g.Name, State: GatePending, Log: c.Store.LogPath(env, opts.Build, g.Name)})
	}
	// Requests left for an earlier rollout (posted while nothing could
	// apply them) must not act on this one.
	if stale := c.Store.Take(env); len(stale) > 0 {
		st.History = append(st.History, Transition{Time: c.now(), To: model.RolloutIdle,
			Text: fmt.Sprintf("%d request(s) left from an earlier rollout discarded", len(stale))})
	}
	text := fmt.Sprintf("rollout of build %d started (live build %d on %s, target %s)", opts.Build, live, liveSlot, st.Target)
	if override != nil {
		text = fmt.Sprintf("BACKWARDS rollout of build %d over live build %d, confirmed by %s typing %q", opts.Build, live, actor(opts.Actor), opts.Confirm)
	}
	if err := c.move(ctx, st, model.RolloutDeploying, text, opts.Actor); err != nil {
		return nil, err
	}
	return st.Clone(), nil
}

func actor(a string) string {
	if a == "" {
		return "an operator"
	}
	return a
}

// move records a transition: journal first, then the state file, then the
// event. The state only changes if all of that succeeded.
func (c *Controller) move(ctx context.Context, st *Status, to model.RolloutState, text, who string) error {
	from := st.State
	st.State = to
	st.Updated = c.now()
	st.History = append(st.History, Transition{Time: st.Updated, From: from, To: to, Text: text, Actor: who})
	if to.Terminal() && st.Ended.IsZero() {
		st.Ended = st.Updated
	}
	if c.Journal != nil {
		if err := c.Journal(ctx, Entry{Env: st.Env, Build: st.Build, From: from, To: to, Text: text, Actor: who, Status: st.Clone()}); err != nil {
			st.State = from
			st.History = st.History[:len(st.History)-1]
			return fmt.Errorf("journal %s rollout step: %w", st.Env, err)
		}
	}
	return c.save(st)
}

// save persists st and publishes it, without a transition.
func (c *Controller) save(st *Status) error {
	st.Updated = c.now()
	if err := c.Store.Save(st); err != nil {
		return err
	}
	if c.Publish != nil {
		cp := st.Clone()
		cp.Running = true
		c.Publish(cp)
	}
	return nil
}

// Run drives the recorded rollout until it needs a person (approval,
// inconclusive analysis, traffic drift) or ends, and returns its status.
// It holds the environment's lock meanwhile (ErrBusy if another controller
// does). Cancelling ctx stops it between steps with the state recorded, as
// a crash would; a later Run resumes it.
func (c *Controller) Run(ctx context.Context) (*Status, error) {
	unlock, err := c.Store.Lock(c.Env.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := c.Store.Load(c.Env.Name)
	if err != nil {
		return nil, err
	}
	st.Running = false
	if err := c.reconcile(ctx, st); err != nil {
		return st, err
	}
	for {
		if err := c.handleRequests(ctx, st); err != nil {
			return st.Clone(), err
		}
		if st.State.Terminal() || st.State == model.RolloutPaused {
			return st.Clone(), nil
		}
		if err := ctx.Err(); err != nil {
			return st.Clone(), err
		}
		if err := c.step(ctx, st); err != nil {
			return st.Clone(), err
		}
	}
}

// reconcile compares the split in force with the recorded one (see the
// package doc for the rule).
func (c *Controller) reconcile(ctx context.Context, st *Status) error {
	if !st.InFlight() && st.State != model.RolloutPaused {
		return nil
	}
	actual, err := c.Env.Traffic.Actual(ctx)
	if err != nil {
		st.ActualKnown = false
		if errors.Is(err, provider.ErrUnknown) {
			return c.save(st)
		}
		return fmt.Errorf("reconcile %s: %w", st.Env, err)
	}
	st.Actual, st.ActualKnown = actual.Weight(st.Target), true
	switch st.State {
	case model.RolloutAborting, model.RolloutCutover, model.RolloutRetiring:
		return c.save(st) // these steps set the traffic themselves
	case model.RolloutPaused:
		if st.Waiting == WaitDrift || st.Actual == st.Desired {
			return c.save(st)
		}
	default:
		if st.Actual == st.Desired {
			return c.save(st)
		}
	}
	if st.State != model.RolloutPaused {
		st.Resume = st.State
	}
	st.Waiting = WaitDrift
	st.Reason = fmt.Sprintf("traffic drift: recorded %d%% on %s, the driver reports %d%%; promote re-applies %d%%, abort returns to %s", st.Desired, st.Target, st.Actual, st.Desired, st.Live)
	if err := c.move(ctx, st, model.RolloutPaused, st.Reason, ""); err != nil {
		return err
	}
	c.notify(ctx, st)
	return nil
}

func (c *Controller) notify(ctx context.Context, st *Status) {
	if c.Notify != nil {
		c.Notify(ctx, st.Clone())
	}
}

// handleRequests applies operators' requests in the order they came.
func (c *Controller) handleRequests(ctx context.Context, st *Status) error {
	for _, r := range c.Store.Take(st.Env) {
		if err := c.apply(ctx, st, r); err != nil {
			return err
		}
	}
	return nil
}

func (c *Controller) apply(ctx context.Context, st *Status, r Request) error {
	who := r.Actor
	switch r.Kind {
	case ReqAbort:
		if st.State.Terminal() && st.State != model.RolloutFailed || st.State == model.RolloutAborting {
			return nil
		}
		if st.State == model.RolloutRetiring {
			return c.note(ctx, st, fmt.Sprintf("abort by %s ignored: build %d is already live", actor(who), st.Build), who)
		}
		st.Reason = "aborted by " + actor(who)
		if r.Reason != "" {
			st.Reason += ": " + r.Reason
		}
		st.Waiting = ""
		return c.move(ctx, st, model.RolloutAborting, st.Reason, who)
	case ReqApprove:
		w := st.CurrentWave()
		if st.State != model.RolloutPaused || st.Waiting != WaitApproval || w == nil {
			return c.note(ctx, st, "approve ignored: no wave awaits approval", who)
		}
		w.Approved = true
		st.Waiting, st.Reason = "", ""
		return c.move(ctx, st, model.RolloutWave, fmt.Sprintf("wave %d (%d%%) approved by %s", st.Wave+1, w.Weight, actor(who)), who)
	case ReqPromote:
		w := st.CurrentWave()
		switch {
		case st.State == model.RolloutPaused && st.Waiting == WaitDrift:
			if err := c.setTraffic(ctx, st, st.Desired); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return c.fail(ctx, st, fmt.Sprintf("re-apply %d%% on %s after drift: %v", st.Desired, st.Target, err))
			}
			if w != nil && w.Applied {
				w.Measurements, w.Verdict = nil, ""
			}
			to := st.Resume
			if to == "" || to == model.RolloutPaused {
				to = model.RolloutWave
			}
			st.Waiting, st.Reason, st.Resume = "", "", ""
			return c.move(ctx, st, to, fmt.Sprintf("promoted by %s after drift: %d%% re-applied on %s", actor(who), st.Desired, st.Target), who)
		case st.State == model.RolloutPaused && st.Waiting == WaitInconclusive && w != nil,
			st.State == model.RolloutWave && w != nil && w.Applied:
			w.Verdict = "promoted"
			st.Waiting, st.Reason = "", ""
			return c.nextWave(ctx, st, fmt.Sprintf("wave %d (%d%%) promoted by %s", st.Wave+1, w.Weight, actor(who)), who)
		default:
			return c.note(ctx, st, "promote ignored: nothing to promote in state "+string(st.State), who)
		}
	}
	return nil
}

// note records an operator action that changed nothing.
func (c *Controller) note(ctx context.Context, st *Status, text, who string) error {
	return c.move(ctx, st, st.State, text, who)
}

// step does one unit of work of the current state.
func (c *Controller) step(ctx context.Context, st *Status) error {
	switch st.State {
	case model.RolloutIdle, model.RolloutDeploying:
		return c.deploy(ctx, st)
	case model.RolloutWarming:
		return c.warm(ctx, st)
	case model.RolloutGating:
		return c.gate(ctx, st)
	case model.RolloutWave:
		return c.wave(ctx, st)
	case model.RolloutCutover:
		return c.cutover(ctx, st)
	case model.RolloutRetiring:
		return c.retire(ctx, st)
	case model.RolloutAborting:
		return c.abort(ctx, st)
	}
	return fmt.Errorf("rollout of %s: unknown state %q", st.Env, st.State)
}

// fail aborts the rollout for reason.
func (c *Controller) fail(ctx context.Context, st *Status, reason string) error {
	st.Reason = reason
	st.Waiting = ""
	return c.move(ctx, st, model.RolloutAborting, reason, "")
}

func (c *Controller) deploy(ctx context.Context, st *Status) error {
	if c.Env.Slots != nil {
		if err := c.Env.Slots.Deploy(ctx, st.Target, st.Build); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return c.fail(ctx, st, fmt.Sprintf("deploy build %d to %s: %v", st.Build, st.Target, err))
		}
	}
	return c.move(ctx, st, model.RolloutWarming, fmt.Sprintf("build %d deployed to %s; warming up for %s", st.Build, st.Target, c.Env.Warmup), "")
}

// sleep waits d or until a request arrives or ctx ends; it reports whether
// the full time passed.
func (c *Controller) sleep(ctx context.Context, st *Status, d time.Duration) bool {
	poll := c.Poll
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	deadline := time.Now().Add(d)
	for {
		if c.Store.pending(st.Env) {
			return false
		}
		left := time.Until(deadline)
		if left <= 0 {
			return true
		}
		t := time.NewTimer(min(left, poll))
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

func (c *Controller) target(st *Status) provider.Target {
	t := provider.Target{Env: st.Env, Slot: st.Target, Build: st.Build}
	if c.Env.URL != nil {
		t.URL = c.Env.URL(st.Target)
	}
	return t
}

func (c *Controller) warm(ctx context.Context, st *Status) error {
	if len(st.Warmup) == 0 && !c.sleep(ctx, st, c.Env.Warmup) {
		return nil // a request or cancellation: the loop looks at it
	}
	if c.Env.Health == nil {
		return c.move(ctx, st, model.RolloutGating, "warm-up done (no health provider)", "")
	}
	checks := max(c.Env.WarmupChecks, 1)
	if len(st.Warmup) > 0 && !c.sleep(ctx, st, c.Env.WarmupInterval) {
		return nil
	}
	r := c.Env.Health.Check(ctx, c.target(st))
	if ctx.Err() != nil {
		return ctx.Err()
	}
	st.Warmup = append(st.Warmup, r)
	if r.Verdict == provider.Pass {
		return c.move(ctx, st, model.RolloutGating, fmt.Sprintf("%s healthy after warm-up: %s", st.Target, r.Detail), "")
	}
	if len(st.Warmup) >= checks {
		return c.fail(ctx, st, fmt.Sprintf("%s not healthy after warm-up (%d checks): %s", st.Target, len(st.Warmup), r.Detail))
	}
	return c.save(st)
}

func (c *Controller) gate(ctx context.Context, st *Status) error {
	for i := range st.Gates {
		g := &st.Gates[i]
		if g.State == GatePassed {
			continue
		}
		var spec Gate
		for _, cg := range c.Env.Gates {
			if cg.Name == g.Name {
				spec = cg
			}
		}
		if len(spec.Argv) == 0 {
			return c.fail(ctx, st, fmt.Sprintf("gate %q is no longer configured", g.Name))
		}
		if g.State == GateRunning {
			// The controller stopped (a crash, a kill) while the gate ran;
			// the gate may still be running, orphaned: end it first.
			text := fmt.Sprintf("gate %q was interrupted when the last controller stopped; it runs again", g.Name)
			if endGroup(g.PGID, g.Run) {
				text = fmt.Sprintf("gate %q was interrupted when the last controller stopped and was still running (process group %d): stopped; it runs again", g.Name, g.PGID)
			}
			g.PGID = 0
			if err := c.note(ctx, st, text, ""); err != nil {
				return err
			}
		}
		g.State, g.Started, g.Ended, g.Detail = GateRunning, c.now(), time.Time{}, ""
		g.Run = fmt.Sprintf("%s/%d/%s/%d", st.Env, st.Build, g.Name, g.Started.UnixNano())
		code, err := runGate(ctx, spec, c.target(st), g.Log, g.Run, func(pgid int) error {
			g.PGID = pgid
			return c.save(st)
		})
		g.PGID = 0
		if ctx.Err() != nil {
			// Cancelled, not failed: the gate runs again on resume.
			g.State = GatePending
			_ = c.save(st)
			return ctx.Err()
		}
		g.ExitCode, g.Ended = code, c.now()
		if err != nil || code != 0 {
			g.State = GateFailed
			g.Detail = fmt.Sprintf("exit status %d", code)
			if err != nil {
				g.Detail = err.Error()
			}
			return c.fail(ctx, st, fmt.Sprintf("gate %q failed: %s (log: %s)", g.Name, g.Detail, g.Log))
		}
		g.State = GatePassed
		if err := c.move(ctx, st, model.RolloutGating, fmt.Sprintf("gate %q passed", g.Name), ""); err != nil {
			return err
		}
	}
	st.Wave = 0
	return c.move(ctx, st, model.RolloutWave, "gates passed; traffic waves start", "")
}

func (c *Controller) setTraffic(ctx context.Context, st *Status, targetPct int) error {
	blue, green := st.From, st.Build
	if st.Target == model.Blue {
		blue, green = st.Build, st.From
	}
	s := provider.SplitFor(st.Target, targetPct, blue, green)
	if err := c.Env.Traffic.Set(ctx, s); err != nil {
		return err
	}
	st.Desired = targetPct
	c.observe(ctx, st)
	return nil
}

// observe reads back the actual split and the fleet's adoption.
func (c *Controller) observe(ctx context.Context, st *Status) {
	if a, err := c.Env.Traffic.Actual(ctx); err == nil {
		st.Actual, st.ActualKnown = a.Weight(st.Target), true
	} else {
		st.ActualKnown = false
	}
	if c.Env.Adopter != nil {
		if f, err := c.Env.Adopter.Adoption(ctx); err == nil {
			st.Fleet, st.FleetTime = &f, c.now()
		}
	}
}

func (c *Controller) wave(ctx context.Context, st *Status) error {
	w := st.CurrentWave()
	if w == nil {
		return c.move(ctx, st, model.RolloutCutover, "all waves passed", "")
	}
	if w.Approval && !w.Approved {
		st.Waiting = WaitApproval
		st.Reason = fmt.Sprintf("wave %d (%d%%) awaits approval", st.Wave+1, w.Weight)
		if err := c.move(ctx, st, model.RolloutPaused, st.Reason, ""); err != nil {
			return err
		}
		c.notify(ctx, st)
		return nil
	}
	if !w.Applied {
		if err := c.setTraffic(ctx, st, w.Weight); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return c.fail(ctx, st, fmt.Sprintf("wave %d: set %d%% on %s: %v", st.Wave+1, w.Weight, st.Target, err))
		}
		w.Applied = true
		return c.move(ctx, st, model.RolloutWave, fmt.Sprintf("wave %d: %d%% of traffic on %s (driver reports %s)", st.Wave+1, w.Weight, st.Target, actualText(st)), "")
	}
	if len(w.Measurements) >= w.Count {
		w.Verdict = string(provider.Pass)
		return c.nextWave(ctx, st, fmt.Sprintf("wave %d (%d%%) passed analysis", st.Wave+1, w.Weight), "")
	}
	if !c.sleep(ctx, st, w.Interval) {
		return nil
	}
	c.observe(ctx, st)
	var r provider.Result
	switch {
	case st.ActualKnown && st.Actual != st.Desired:
		st.Waiting, st.Resume = WaitDrift, model.RolloutWave
		st.Reason = fmt.Sprintf("traffic drift during wave %d: asked %d%% on %s, the driver reports %d%%; promote re-applies, abort returns to %s", st.Wave+1, st.Desired, st.Target, st.Actual, st.Live)
		if err := c.move(ctx, st, model.RolloutPaused, st.Reason, ""); err != nil {
			return err
		}
		c.notify(ctx, st)
		return nil
	case c.Env.Health == nil:
		r = provider.Result{Time: c.now(), Verdict: provider.Pass, Detail: "no health provider"}
	default:
		r = c.Env.Health.Check(ctx, c.target(st))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	w.Measurements = append(w.Measurements, r)
	_, fails, inconc := w.Tally()
	switch {
	case fails > w.FailureLimit:
		w.Verdict = string(provider.Fail)
		return c.fail(ctx, st, fmt.Sprintf("wave %d (%d%%) failed analysis: %d failed measurements (limit %d): %s", st.Wave+1, w.Weight, fails, w.FailureLimit, r.Detail))
	case inconc > w.InconcLimit:
		w.Verdict = string(provider.Inconclusive)
		st.Waiting = WaitInconclusive
		st.Reason = fmt.Sprintf("wave %d (%d%%) inconclusive: %d inconclusive measurements (limit %d): %s; promote or abort", st.Wave+1, w.Weight, inconc, w.InconcLimit, r.Detail)
		if err := c.move(ctx, st, model.RolloutPaused, st.Reason, ""); err != nil {
			return err
		}
		c.notify(ctx, st)
		return nil
	}
	return c.save(st)
}

func actualText(st *Status) string {
	if !st.ActualKnown {
		return "unknown"
	}
	return fmt.Sprintf("%d%%", st.Actual)
}

func (c *Controller) nextWave(ctx context.Context, st *Status, text, who string) error {
	st.Wave++
	if st.Wave >= len(st.Waves) {
		st.Wave = len(st.Waves) - 1
		return c.move(ctx, st, model.RolloutCutover, text+"; cutting over", who)
	}
	return c.move(ctx, st, model.RolloutWave, text, who)
}

func (c *Controller) cutover(ctx context.Context, st *Status) error {
	if !st.ActualKnown || st.Actual != 100 || st.Desired != 100 {
		if err := c.setTraffic(ctx, st, 100); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return c.fail(ctx, st, fmt.Sprintf("cut-over to %s: %v", st.Target, err))
		}
	}
	return c.move(ctx, st, model.RolloutRetiring, fmt.Sprintf("build %d on %s is live; retiring %s (build %d)", st.Build, st.Target, st.Live, st.From), "")
}

func (c *Controller) retire(ctx context.Context, st *Status) error {
	if c.Env.Slots != nil {
		if err := c.Env.Slots.Stop(ctx, st.Live); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// The new build serves; an old slot that would not stop is
			// reported, not a reason to undo the rollout.
			st.Reason = fmt.Sprintf("old %s slot not stopped: %v", st.Live, err)
		}
	}
	return c.move(ctx, st, model.RolloutDone, fmt.Sprintf("done: build %d live on %s", st.Build, st.Target), "")
}

// abort puts all traffic back on the live slot and stops the target. When
// the traffic cannot be restored the rollout ends "failed" with the reason;
// abort may be asked again.
func (c *Controller) abort(ctx context.Context, st *Status) error {
	if err := c.setTraffic(ctx, st, 0); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		st.Reason = fmt.Sprintf("%s; then the abort could not put traffic back on %s: %v", st.Reason, st.Live, err)
		if err := c.move(ctx, st, model.RolloutFailed, st.Reason, ""); err != nil {
			return err
		}
		c.notify(ctx, st)
		return nil
	}
	if c.Env.Slots != nil {
		if err := c.Env.Slots.Stop(ctx, st.Target); err != nil && ctx.Err() == nil {
			st.Reason = fmt.Sprintf("%s; %s not stopped: %v", st.Reason, st.Target, err)
		}
	}
	text := st.Reason
	if !strings.HasPrefix(text, "aborted") {
		text = "aborted: " + text
	}
	if err := c.move(ctx, st, model.RolloutAborted, fmt.Sprintf("%s; %s (build %d) serves 100%%", text, st.Live, st.From), ""); err != nil {
		return err
	}
	c.notify(ctx, st)
	return nil
}

// Abort asks the controller driving env to abort; when none runs, it
// drives the abort itself. It returns the resulting status.
func (c *Controller) Abort(ctx context.Context, actorName, reason string) (*Status, error) {
	return c.request(ctx, Request{Kind: ReqAbort, Actor: actorName, Reason: reason})
}

// Approve grants the approval of the wave that awaits one.
func (c *Controller) Approve(ctx context.Context, actorName string) (*Status, error) {
	st, err := c.Store.Load(c.Env.Name)
	if err != nil {
		return nil, err
	}
	if st.State != model.RolloutPaused || st.Waiting != WaitApproval {
		return st, fmt.Errorf("approve on %s: %w (state %s%s)", c.Env.Name, ErrNotWaiting, st.State, waitingText(st))
	}
	return c.request(ctx, Request{Kind: ReqApprove, Actor: actorName})
}

// Promote moves a paused rollout on (inconclusive analysis, drift) or ends
// the current wave's analysis early and moves to the next wave.
func (c *Controller) Promote(ctx context.Context, actorName string) (*Status, error) {
	st, err := c.Store.Load(c.Env.Name)
	if err != nil {
		return nil, err
	}
	ok := st.State == model.RolloutPaused && (st.Waiting == WaitInconclusive || st.Waiting == WaitDrift) ||
		st.State == model.RolloutWave && st.CurrentWave() != nil && st.CurrentWave().Applied
	if !ok {
		if st.Waiting == WaitApproval {
			return st, fmt.Errorf("promote on %s: %w: wave %d awaits approval (approve it)", c.Env.Name, ErrNotWaiting, st.Wave+1)
		}
		return st, fmt.Errorf("promote on %s: %w (state %s%s)", c.Env.Name, ErrNotWaiting, st.State, waitingText(st))
	}
	return c.request(ctx, Request{Kind: ReqPromote, Actor: actorName})
}

func waitingText(st *Status) string {
	if st.Waiting == "" {
		return ""
	}
	return ", waiting for " + st.Waiting
}

// request posts r; when no controller runs, it drives the machine itself
// until it needs a person or ends. With a controller running elsewhere it
// returns the recorded status at once.
func (c *Controller) request(ctx context.Context, r Request) (*Status, error) {
	if _, err := c.Store.Load(c.Env.Name); err != nil {
		return nil, err
	}
	if r.Time.IsZero() {
		r.Time = c.now()
	}
	if err := c.Store.Post(c.Env.Name, r); err != nil {
		return nil, err
	}
	if c.PostOnly {
		return c.Store.Load(c.Env.Name)
	}
	st, err := c.Run(ctx)
	if errors.Is(err, ErrBusy) {
		return c.Store.Load(c.Env.Name)
	}
	return st, err
}

// Status reads the recorded rollout.
func (c *Controller) Status(ctx context.Context) (*Status, error) {
	return c.Store.Load(c.Env.Name)
}
