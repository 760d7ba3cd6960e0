package engine

// Rollouts, for the front ends.
//
// The cockpit calls ResumeRollouts(ctx) once with its long-lived context:
// every environment whose recorded rollout is in flight gets a background
// controller (a restarted cockpit picks up where the last one stopped,
// after reconciling the traffic in force with the record). Progress
// arrives on Subscribe as model.Event{Source: "rollout", Kind: "state",
// Env: name, Text: the last transition, Data: *rollout.Status}; a
// controller that stops on an error sends Kind "error".
//
// Screens read Environments(ctx) (both slots of every environment: builds,
// states, weights in force, nodes on each build, health probed now) and
// RolloutStatus(ctx, env) (state, waves with their measurements, desired
// against actual weight and adoption, gates with their log paths, what a
// pause waits for, the history). Actions: StartRollout then
// RunRolloutBackground, and Promote, Approve, AbortRollout with
// RolloutAction{Wait: false} — they return at once and the background
// controller carries them out. The CLI passes Wait: true to drive the
// machine in the call. A backwards rollout needs AllowBackwards and
// Confirm equal to the environment's name (ask the person to type it).
// Call CloseRollouts when the engine is done with (it stops the sim
// fleets' loopback servers).

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"

	"github.com/switchyard/switchyard/engine/rollout"
	"github.com/switchyard/switchyard/model"
)

// ErrNoBuild: no build was given and none can be found.
var ErrNoBuild = errors.New("no build to roll out")

// rolloutHub keeps each environment's providers for the engine's life, so
// a sim fleet and an http provider's thresholds survive between calls, and
// tracks the controllers this engine runs in the background.
type rolloutHub struct {
	mu      sync.Mutex
	setups  map[string]*rollout.Setup
	running map[string]bool
}

// StartOptions start a rollout.
type StartOptions struct {
	// Build is the build to roll out; 0: the newest build of the
	// environment's track.
	Build int
	// AllowBackwards lets a build not newer than the live one through,
	// when Confirm repeats the environment's name. Journaled.
	AllowBackwards bool
	Confirm        string
	// Actor names who asked (default: the OS user).
	Actor string
}

// RolloutAction is an operator's promote, approve or abort.
type RolloutAction struct {
	Actor  string
	Reason string // for abort
	// Wait drives the machine in this call until it needs a person or
	// ends (the CLI). Without it, when no controller runs, one is started
	// in the background for ctx's life and the call returns at once (the
	// cockpit: pass its long-lived context).
	Wait bool
}

// RolloutDir is where rollout state, locks, requests and gate logs live.
func (e *Engine) RolloutDir() string { return filepath.Join(e.gitDir, "switchyard", "rollouts") }

func (e *Engine) rolloutStore() *rollout.Store { return &rollout.Store{Dir: e.RolloutDir()} }

func (e *Engine) rolloutSetup(ctx context.Context, env string) (*rollout.Setup, error) {
	h := &e.rollouts
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.setups[env]; ok {
		return s, nil
	}
	s, err := rollout.NewSetup(e.cfg, env, e.rolloutStore(), e.rolloutDeps(ctx, env))
	if err != nil {
		return nil, err
	}
	if h.setups == nil {
		h.setups = map[string]*rollout.Setup{}
	}
	h.setups[env] = s
	return s, nil
}

// CloseRollouts stops what the rollout providers hold (the sim fleets'
// loopback servers).
func (e *Engine) CloseRollouts() {
	h := &e.rollouts
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.setups {
		s.Close()
	}
	h.setups = nil
}

func (e *Engine) controller(ctx context.Context, env string) (*rollout.Controller, error) {
	s, err := e.rolloutSetup(ctx, env)
	if err != nil {
		return nil, err
	}
	return &rollout.Controller{
		Env:     s.Env,
		Store:   e.rolloutStore(),
		Journal: e.journalRollout,
		Notify:  e.notifyRollout,
		Publish: func(st *rollout.Status) {
			ev := model.Event{Time: time.Now(), Source: "rollout", Kind: "state", Env: st.Env, Data: st}
			if n := len(st.History); n > 0 {
				ev.Text = st.History[n-1].Text
			}
			e.events.Publish(ev)
		},
	}, nil
}

func (e *Engine) actorName(a string) string {
	if a != "" {
		return a
	}
	return e.Actor()
}

// StartRollout records a new rollout of a build on env (the forward-only
// rule applies) and returns its status; RunRollout or RunRolloutBackground
// drives it.
func (e *Engine) StartRollout(ctx context.Context, env string, opts StartOptions) (*rollout.Status, error) {
	c, err := e.controller(ctx, env)
	if err != nil {
		return nil, err
	}
	if opts.Build == 0 {
		if opts.Build, err = e.newestBuild(ctx, env); err != nil {
			return nil, err
		}
	}
	return c.Start(ctx, rollout.StartOptions{Build: opts.Build, Live: e.liveBuildOf(ctx, env), AllowBackwards: opts.AllowBackwards,
		Confirm: opts.Confirm, Actor: e.actorName(opts.Actor)})
}

// RunRollout drives env's recorded rollout (resuming it after a restart)
// until it needs a person or ends. ErrBusy when another controller drives
// it.
func (e *Engine) RunRollout(ctx context.Context, env string) (*rollout.Status, error) {
	c, err := e.controller(ctx, env)
	if err != nil {
		return nil, err
	}
	return c.Run(ctx)
}

// RunRolloutBackground drives env's rollout in a goroutine for ctx's life;
// progress arrives as events (Source "rollout", Kind "state", Data
// *rollout.Status). It does nothing when this engine already runs it or
// another process does.
func (e *Engine) RunRolloutBackground(ctx context.Context, env string) {
	h := &e.rollouts
	h.mu.Lock()
	if h.running[env] {
		h.mu.Unlock()
		return
	}
	if h.running == nil {
		h.running = map[string]bool{}
	}
	h.running[env] = true
	h.mu.Unlock()
	go func() {
		defer func() {
			h.mu.Lock()
			delete(h.running, env)
			h.mu.Unlock()
		}()
		_, err := e.RunRollout(ctx, env)
		if err != nil && !errors.Is(err, rollout.ErrBusy) && ctx.Err() == nil {
			e.events.Publish(model.Event{Time: time.Now(), Source: "rollout", Kind: "error", Env: env, Text: err.Error()})
		}
	}()
}

// ResumeRollouts starts a background controller for every environment
// whose recorded rollout is in flight (the cockpit calls it on start).
func (e *Engine) ResumeRollouts(ctx context.Context) {
	store := e.rolloutStore()
	for _, ce := range e.cfg.Deploy.Environments {
		st, err := store.Load(ce.Name)
		if err == nil && st.InFlight() && !st.Running {
			e.RunRolloutBackground(ctx, ce.Name)
		}
	}
}

// RolloutStatus reads env's recorded rollout (rollout.ErrNoRollout when
// there is none).
func (e *Engine) RolloutStatus(ctx context.Context, env string) (*rollout.Status, error) {
	if _, ok := e.cfg.Deploy.Environment(env); !ok {
		_, err := rollout.NewSetup(e.cfg, env, e.rolloutStore(), rollout.Deps{})
		return nil, err
	}
	return e.rolloutStore().Load(env)
}

// Promote moves env's paused rollout on, or ends the current wave's
// analysis early.
func (e *Engine) Promote(ctx context.Context, env string, a RolloutAction) (*rollout.Status, error) {
	return e.act(ctx, env, a, func(c *rollout.Controller, ctx context.Context) (*rollout.Status, error) {
		return c.Promote(ctx, e.actorName(a.Actor))
	})
}

// Approve grants the approval env's rollout waits for.
func (e *Engine) Approve(ctx context.Context, env string, a RolloutAction) (*rollout.Status, error) {
	return e.act(ctx, env, a, func(c *rollout.Controller, ctx context.Context) (*rollout.Status, error) {
		return c.Approve(ctx, e.actorName(a.Actor))
	})
}

// AbortRollout stops env's rollout: all traffic back on the live slot, the
// new slot stopped, state "aborted".
func (e *Engine) AbortRollout(ctx context.Context, env string, a RolloutAction) (*rollout.Status, error) {
	return e.act(ctx, env, a, func(c *rollout.Controller, ctx context.Context) (*rollout.Status, error) {
		return c.Abort(ctx, e.actorName(a.Actor), a.Reason)
	})
}

// act runs an operator action: with Wait, in this call; else the request is
// posted and a background controller is started when none runs.
func (e *Engine) act(ctx context.Context, env string, a RolloutAction, do func(*rollout.Controller, context.Context) (*rollout.Status, error)) (*rollout.Status, error) {
	c, err := e.controller(ctx, env)
	if err != nil {
		return nil, err
	}
	if a.Wait {
		return do(c, ctx)
	}
	c.PostOnly = true
	st, err := do(c, ctx)
	if err != nil {
		return st, err
	}
	e.RunRolloutBackground(ctx, env)
	if cur, lerr := e.rolloutStore().Load(env); lerr == nil {
		return cur, nil
	}
	return st, nil
}
