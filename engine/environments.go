package engine

import (
	"context"
	"errors"
	"sync"

	"github.com/switchyard/switchyard/engine/rollout"
	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

// Environments returns every configured environment with its two slots, in
// promotion order. Builds and states come from the rollout record (before
// any, blue runs the build LiveOn says); weights
// are what the traffic driver reports (the record's when it cannot tell);
// nodes per build come from the adoption provider where there is one;
// health is one check per running slot, made now, in parallel.
func (e *Engine) Environments(ctx context.Context) ([]model.Environment, error) {
	store := e.rolloutStore()
	out := make([]model.Environment, len(e.cfg.Deploy.Environments))
	var wg sync.WaitGroup
	errs := make([]error, len(out))
	for i, ce := range e.cfg.Deploy.Environments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = e.environment(ctx, store, ce.Name, ce.Track)
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func (e *Engine) environment(ctx context.Context, store *rollout.Store, name, track string) (model.Environment, error) {
	env := model.Environment{Name: name, Track: track,
		Blue:  model.Slot{Color: model.Blue, State: model.SlotEmpty, Health: model.HealthUnknown},
		Green: model.Slot{Color: model.Green, State: model.SlotEmpty, Health: model.HealthUnknown}}
	slot := func(c model.Color) *model.Slot {
		if c == model.Green {
			return &env.Green
		}
		return &env.Blue
	}
	st, err := store.Load(name)
	if err != nil && !errors.Is(err, rollout.ErrNoRollout) {
		return env, err
	}
	s, err := e.rolloutSetup(ctx, name)
	if err != nil {
		return env, err
	}
	live := model.Blue
	if st != nil {
		live = st.LiveSlot()
		l := slot(live)
		l.Build, l.State = st.LiveBuild(), model.SlotLive
		other := slot(provider.Other(live))
		switch {
		case st.State == model.RolloutDone:
			other.Build, other.State = st.From, model.SlotRetired
		case st.State == model.RolloutAborted:
			other.Build, other.State = st.Build, model.SlotStopped
		case st.InFlight() || st.State == model.RolloutPaused || st.State == model.RolloutFailed:
			other.Build, other.State = st.Build, model.SlotDeployed
		}
		l.Weight = 100
		if st.Desired > 0 {
			slot(st.Target).Weight, slot(provider.Other(st.Target)).Weight = st.Desired, 100-st.Desired
		}
	} else if n := e.liveBuildOf(ctx, name); n > 0 {
		// No rollout yet: blue runs the build seeded from the bin symlink.
		env.Blue.Build, env.Blue.State, env.Blue.Weight = n, model.SlotLive, 100
	}
	if a, err := s.Env.Traffic.Actual(ctx); err == nil {
		env.Blue.Weight, env.Green.Weight = a.Blue, a.Green
		for _, c := range []model.Color{model.Blue, model.Green} {
			if sl := slot(c); sl.Build == 0 && a.Build(c) > 0 {
				sl.Build, sl.State = a.Build(c), model.SlotDeployed
			}
		}
	}
	for _, c := range []model.Color{model.Blue, model.Green} {
		if sl := slot(c); sl.State == model.SlotDeployed && sl.Weight > 0 {
			sl.State = model.SlotLive
		}
	}
	if s.Env.Adopter != nil {
		if f, err := s.Env.Adopter.Adoption(ctx); err == nil {
			for _, c := range []model.Color{model.Blue, model.Green} {
				sl := slot(c)
				sl.Nodes = f.Nodes
				if sl.Build > 0 {
					sl.NodesOnBuild = f.On(sl.Build)
				}
			}
		}
	}
	if s.Env.Health != nil {
		var wg sync.WaitGroup
		for _, c := range []model.Color{model.Blue, model.Green} {
			sl := slot(c)
			if sl.Build == 0 || sl.State == model.SlotStopped || sl.State == model.SlotRetired {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := provider.Target{Env: name, Slot: c, Build: sl.Build}
				if s.Env.URL != nil {
					t.URL = s.Env.URL(c)
				}
				switch s.Env.Health.Check(ctx, t).Verdict {
				case provider.Pass:
					sl.Health = model.HealthHealthy
				case provider.Fail:
					sl.Health = model.HealthUnhealthy
				default:
					sl.Health = model.HealthDegraded
				}
			}()
		}
		wg.Wait()
	}
	return env, nil
}
