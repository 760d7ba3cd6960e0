package rollout

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/switchyard/switchyard/engine/config"
	"github.com/switchyard/switchyard/engine/rollout/health"
	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/engine/rollout/sim"
	"github.com/switchyard/switchyard/engine/rollout/traffic"
	"github.com/switchyard/switchyard/model"
)

// ErrNoEnvironment: the environment is not configured.
var ErrNoEnvironment = errors.New("no such environment")

// ErrNoBinRepo: the bin traffic driver was asked for without a bin repo.
var ErrNoBinRepo = errors.New("the bin traffic driver needs the bin repo")

// Deps are what an environment's providers need from outside the package.
type Deps struct {
	// Bin moves the bin repo's symlink; nil makes the bin driver fail
	// with ErrNoBinRepo.
	Bin traffic.Pointer
	// LiveBuild is the build live when nothing is recorded (sim fleets
	// start on it).
	LiveBuild int
}

// Setup is one environment's resolved configuration with its providers.
// Close releases what the providers hold (the sim fleet's servers).
type Setup struct {
	Env   Env
	Fleet *sim.Fleet // the demo fleet, for sim environments
	Close func()
}

// NewSetup builds the providers of the named environment from cfg. State
// files of drivers that keep them (sim) live in store.Dir.
func NewSetup(cfg *config.Config, name string, store *Store, deps Deps) (*Setup, error) {
	ce, ok := cfg.Deploy.Environment(name)
	if !ok {
		var names []string
		for _, e := range cfg.Deploy.Environments {
			names = append(names, e.Name)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%q: %w (no [[deploy.environment]] is configured)", name, ErrNoEnvironment)
		}
		return nil, fmt.Errorf("%q: %w (configured: %s)", name, ErrNoEnvironment, strings.Join(names, ", "))
	}
	d := cfg.Deploy
	env := Env{
		Name: ce.Name, Track: ce.Track,
		Warmup:         d.Warmup.Std(),
		WarmupChecks:   max(d.Analysis.Count, 1),
		WarmupInterval: d.Analysis.Interval.Std(),
	}
	for _, w := range d.WavesFor(name) {
		a := d.AnalysisOf(w)
		env.Waves = append(env.Waves, Wave{Weight: w.Weight, Approval: w.Approval, Interval: a.Interval.Std(),
			Count: a.Count, FailureLimit: a.FailureLimit, InconcLimit: a.InconclusiveLimit})
	}
	for _, g := range d.Gates {
		if len(ce.Gates) > 0 && !contains(ce.Gates, g.Name) {
			continue
		}
		env.Gates = append(env.Gates, Gate{Name: g.Name, Argv: g.Command, Timeout: g.Timeout.Std()})
	}
	s := &Setup{Close: func() {}}
	t := ce.Traffic
	switch t.Driver {
	case "sim":
		live, liveBuild := model.Blue, deps.LiveBuild
		if st, err := store.Load(name); err == nil {
			live, liveBuild = st.LiveSlot(), st.LiveBuild()
		}
		f, err := sim.NewFleet(sim.Options{Nodes: t.Nodes, Live: live, LiveBuild: liveBuild,
			StatePath: filepath.Join(store.Dir, name+".sim.json"), PullWindow: t.Pull.Std()})
		if err != nil {
			return nil, err
		}
		s.Fleet, s.Close = f, f.Close
		env.Traffic, env.Slots, env.Adopter = f, f, f
		env.URL = f.URL
	case "nginx":
		env.Traffic = &traffic.Nginx{File: resolve(cfg, t.File), Upstream: t.Upstream, Blue: t.Blue, Green: t.Green,
			Test: t.Test, Reload: t.Reload, Timeout: t.Timeout.Std()}
		env.URL = func(c model.Color) string {
			if c == model.Green {
				return "http://" + t.Green
			}
			return "http://" + t.Blue
		}
	case "command":
		c := &traffic.Command{Env: name, Argv: t.Command, Timeout: t.Timeout.Std(), Dir: cfg.Root}
		env.Traffic, env.Slots = c, c
	case "bin":
		if deps.Bin == nil {
			return nil, fmt.Errorf("environment %s: %w (configure [bin])", name, ErrNoBinRepo)
		}
		env.Traffic = &traffic.Bin{Track: ce.Track, Bin: deps.Bin, Builds: func() (int, int) {
			st, err := store.Load(name)
			if err != nil {
				return deps.LiveBuild, 0
			}
			if st.Target == model.Green {
				return st.From, st.Build
			}
			return st.Build, st.From
		}}
	default:
		return nil, fmt.Errorf("environment %s: unknown traffic driver %q", name, t.Driver)
	}
	if ce.URL != "" {
		tmpl := ce.URL
		env.URL = func(c model.Color) string { return strings.ReplaceAll(tmpl, "{slot}", string(c)) }
	}
	h := ce.Health
	switch h.Provider {
	case "sim":
		env.Health = &sim.Health{Fleet: s.Fleet, Timeout: h.Timeout.Std()}
	case "http":
		env.Health = &health.HTTP{URLs: h.URLs, Timeout: h.Timeout.Std(), HealthyThreshold: h.HealthyThreshold, UnhealthyThreshold: h.UnhealthyThreshold}
	case "prometheus":
		p := &health.Prometheus{Server: h.Prometheus, Query: h.Query, Max: h.Max, Min: h.Min, AdoptionQuery: h.Adoption, Timeout: h.Timeout.Std(), Env: name}
		env.Health = p
		if h.Adoption != "" && env.Adopter == nil {
			env.Adopter = p
		}
	case "command":
		env.Health = &health.Command{Argv: h.Command, Timeout: h.Timeout.Std(), Dir: cfg.Root}
	}
	s.Env = env
	return s, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func resolve(cfg *config.Config, p string) string {
	if p == "" || filepath.IsAbs(p) || cfg.Root == "" {
		return p
	}
	return filepath.Join(cfg.Root, p)
}

var _ provider.Traffic = (*sim.Fleet)(nil)
