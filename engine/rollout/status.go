package rollout

import (
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

// What a paused rollout waits for.
const (
	WaitApproval     = "approval"     // a wave needs a person's approval
	WaitInconclusive = "inconclusive" // analysis could not decide
	WaitDrift        = "drift"        // the traffic in force differs from the recorded one
)

// Gate states.
const (
	GatePending = "pending"
	GateRunning = "running"
	GatePassed  = "passed"
	GateFailed  = "failed"
)

// Status is the persisted state of an environment's last rollout, and what
// the front ends show. Desired and actual are both kept: the weight a wave
// asks for against the weight the driver reports, and the share of nodes
// meant to run the build against the share that reports running it.
type Status struct {
	Env   string             `json:"env"`
	Track string             `json:"track,omitempty"`
	State model.RolloutState `json:"state"`
	// Build is the build rolled out; From the build live when it started.
	Build int `json:"build"`
	From  int `json:"from"`
	// Live is the slot serving before the rollout (after it is done: the
	// target); Target the slot the build is deployed into.
	Live   model.Color `json:"live"`
	Target model.Color `json:"target"`
	// Wave is the index of the current wave; -1 before traffic moves.
	Wave  int          `json:"wave"`
	Waves []WaveStatus `json:"waves"`
	// Desired is the target slot's weight asked for; Actual the one the
	// driver reports (ActualKnown false when it cannot tell).
	Desired     int  `json:"desired"`
	Actual      int  `json:"actual"`
	ActualKnown bool `json:"actual_known"`
	// Fleet is the last adoption report, where a provider gives one, and
	// FleetTime when it was taken (nodes keep moving after it).
	Fleet     *provider.Fleet `json:"fleet,omitempty"`
	FleetTime time.Time       `json:"fleet_time,omitzero"`
	// Warmup holds the health checks made after the warm-up.
	Warmup []provider.Result `json:"warmup,omitempty"`
	Gates  []GateResult      `json:"gates,omitempty"`
	// Waiting says what a paused rollout waits for (WaitApproval, ...).
	Waiting string `json:"waiting,omitempty"`
	// Reason says why the rollout paused, aborted or failed.
	Reason string `json:"reason,omitempty"`
	// Resume is the state a drift pause returns to when promoted.
	Resume   model.RolloutState `json:"resume,omitempty"`
	Override *Override          `json:"override,omitempty"`
	History  []Transition       `json:"history"`
	Started  time.Time          `json:"started"`
	Updated  time.Time          `json:"updated"`
	Ended    time.Time          `json:"ended,omitzero"`
	// Running is true while a controller holds the environment's lock. It
	// is filled in when the status is read, not stored.
	Running bool `json:"running"`
}

// WaveStatus is one wave and its analysis.
type WaveStatus struct {
	Weight       int               `json:"weight"`
	Approval     bool              `json:"approval,omitempty"`
	Approved     bool              `json:"approved,omitempty"`
	Interval     time.Duration     `json:"interval"`
	Count        int               `json:"count"`
	FailureLimit int               `json:"failure_limit"`
	InconcLimit  int               `json:"inconclusive_limit"`
	Applied      bool              `json:"applied,omitempty"` // its weight was set
	Measurements []provider.Result `json:"measurements,omitempty"`
	// Verdict is "" while running, then pass, fail, inconclusive or
	// "promoted" (a person moved on).
	Verdict string `json:"verdict,omitempty"`
}

// Tally counts a wave's measurements by verdict.
func (w WaveStatus) Tally() (pass, fail, inconclusive int) {
	for _, m := range w.Measurements {
		switch m.Verdict {
		case provider.Pass:
			pass++
		case provider.Fail:
			fail++
		default:
			inconclusive++
		}
	}
	return
}

// GateResult is one gate's run against the target slot.
type GateResult struct {
	Name     string    `json:"name"`
	State    string    `json:"state"`
	ExitCode int       `json:"exit_code"`
	Log      string    `json:"log,omitempty"` // path of the captured output
	Detail   string    `json:"detail,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	Ended    time.Time `json:"ended,omitzero"`
	// PGID is the process group of the gate's run while it runs, and Run
	// marks the run's processes (SWITCHYARD_GATE_RUN): recorded before the
	// gate is waited for, so that a controller resuming after a crash ends
	// a gate that outlived the one that started it before running it again.
	PGID int    `json:"pgid,omitempty"`
	Run  string `json:"run,omitempty"`
}

// Override records a backwards rollout a person confirmed.
type Override struct {
	By      string    `json:"by"`
	Confirm string    `json:"confirm"`
	Live    int       `json:"live"`
	Time    time.Time `json:"time"`
}

// Transition is one recorded step of the machine or one operator action.
type Transition struct {
	Time  time.Time          `json:"time"`
	From  model.RolloutState `json:"from,omitempty"`
	To    model.RolloutState `json:"to"`
	Text  string             `json:"text"`
	Actor string             `json:"actor,omitempty"` // who asked, for operator actions
}

// CurrentWave returns the current wave, or nil before traffic moves.
func (s *Status) CurrentWave() *WaveStatus {
	if s.Wave < 0 || s.Wave >= len(s.Waves) {
		return nil
	}
	return &s.Waves[s.Wave]
}

// LiveBuild is the build serving traffic as far as the record goes: the
// new build once the rollout is done (or cut over), else the old one.
func (s *Status) LiveBuild() int {
	switch s.State {
	case model.RolloutDone, model.RolloutRetiring:
		return s.Build
	}
	return s.From
}

// LiveSlot is the slot serving traffic as far as the record goes.
func (s *Status) LiveSlot() model.Color {
	switch s.State {
	case model.RolloutDone, model.RolloutRetiring:
		return s.Target
	}
	if s.Live == "" {
		return model.Blue
	}
	return s.Live
}

// InFlight reports whether the rollout has begun and not ended.
func (s *Status) InFlight() bool { return !s.State.Terminal() && s.State != model.RolloutIdle }

// Clone returns a deep copy, safe to hand to another goroutine.
func (s *Status) Clone() *Status {
	c := *s
	c.Waves = make([]WaveStatus, len(s.Waves))
	for i, w := range s.Waves {
		w.Measurements = append([]provider.Result(nil), w.Measurements...)
		c.Waves[i] = w
	}
	c.Warmup = append([]provider.Result(nil), s.Warmup...)
	c.Gates = append([]GateResult(nil), s.Gates...)
	c.History = append([]Transition(nil), s.History...)
	if s.Fleet != nil {
		f := *s.Fleet
		f.Builds = append([]provider.BuildCount(nil), s.Fleet.Builds...)
		c.Fleet = &f
	}
	if s.Override != nil {
		o := *s.Override
		c.Override = &o
	}
	return &c
}

// Adoption returns, in percent, the share of nodes meant to run the build
// (the desired weight) against the share that reports running it; ok is
// false without an adoption report.
func (s *Status) Adoption() (desired, actual float64, ok bool) {
	if s.Fleet == nil || s.Fleet.Nodes == 0 {
		return float64(s.Desired), 0, false
	}
	return float64(s.Desired), 100 * float64(s.Fleet.On(s.Build)) / float64(s.Fleet.Nodes), true
}
