package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/switchyard/switchyard/engine/binrepo"
	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/engine/notify"
	"github.com/switchyard/switchyard/engine/rollout"
	"github.com/switchyard/switchyard/model"
)

// journalRollout records one rollout transition or operator action.
func (e *Engine) journalRollout(ctx context.Context, en rollout.Entry) error {
	action := string(en.To)
	detail := map[string]any{"from": string(en.From), "to": string(en.To)}
	if st := en.Status; st != nil {
		detail["from_build"] = st.From
		detail["target"] = string(st.Target)
		detail["wave"] = st.Wave + 1
		detail["desired"] = st.Desired
		if st.ActualKnown {
			detail["actual"] = st.Actual
		}
		if st.Waiting != "" {
			detail["waiting"] = st.Waiting
		}
		if st.Override != nil && en.From == model.RolloutIdle {
			action = "override-backwards"
			detail["override"] = st.Override
		}
	}
	entry := journal.Entry{Kind: "rollout", Action: action, Env: en.Env, Build: en.Build, Message: en.Text, Detail: detail}
	if en.Actor != "" {
		entry.Actor = en.Actor
	}
	return e.Record(ctx, entry)
}

// notifyRollout calls a person when the rollout needs one; a failed
// delivery is journaled by Notify and does not stop the rollout.
func (e *Engine) notifyRollout(ctx context.Context, st *rollout.Status) {
	ev := notify.Event{Env: st.Env, Track: st.Track, Build: st.Build, Text: st.Env + ": " + st.Reason}
	switch {
	case st.State == model.RolloutPaused && st.Waiting == rollout.WaitApproval:
		ev.Kind = notify.KindApproval
	case st.State == model.RolloutAborted || st.State == model.RolloutFailed || st.State == model.RolloutPaused:
		ev.Kind = notify.KindAbort
		for _, g := range st.Gates {
			if g.State == rollout.GateFailed {
				ev.Kind = notify.KindGateFailed
				ev.Detail = map[string]any{"gate": g.Name, "log": g.Log}
			}
		}
		if st.State == model.RolloutPaused {
			ev.Kind = notify.KindApproval // a person decides: promote or abort
		}
	default:
		return
	}
	_ = e.Notify(context.WithoutCancel(ctx), ev)
}

// binPointer moves a track's symlink in the bin repo for the bin driver,
// through PointBuild: journaled and pushed to [bin] remote with a lease.
type binPointer struct{ e *Engine }

func (b binPointer) Current(ctx context.Context, track string) (int, error) {
	repo, err := b.e.BinRepo(ctx)
	if err != nil {
		return 0, err
	}
	n, err := repo.LiveNumber(ctx, track)
	if errors.Is(err, binrepo.ErrNoLive) {
		return 0, nil
	}
	return n, err
}

func (b binPointer) Point(ctx context.Context, track string, build, expect int) error {
	return b.e.PointBuild(ctx, track, build, expect)
}

// rolloutDeps gives an environment's providers what they need from the
// rest of the engine: the bin repo when one is configured and the build
// live before any rollout is recorded.
func (e *Engine) rolloutDeps(ctx context.Context, env string) rollout.Deps {
	var d rollout.Deps
	if e.cfg.BinPath() != "" {
		d.Bin = binPointer{e}
	}
	d.LiveBuild = e.liveBuildOf(ctx, env)
	return d
}

// newestBuild is the newest build of env's track in the bin repo.
func (e *Engine) newestBuild(ctx context.Context, env string) (int, error) {
	ce, ok := e.cfg.Deploy.Environment(env)
	if !ok {
		return 0, fmt.Errorf("%q: %w", env, rollout.ErrNoEnvironment)
	}
	builds, err := e.Builds(ctx, ce.Track)
	if err != nil {
		return 0, fmt.Errorf("rollout on %s: %w: pass --build N or configure [bin] (%v)", env, ErrNoBuild, strings.TrimSpace(err.Error()))
	}
	if len(builds) == 0 {
		return 0, fmt.Errorf("rollout on %s: %w: the %s bin branch has no builds (run 'switchyard release')", env, ErrNoBuild, ce.Track)
	}
	return builds[len(builds)-1].Number, nil
}

// LiveOn is the build live on env: its rollout record's, or before any
// rollout the build its track's bin symlink named when the environment was
// first looked at (recorded then, so later releases do not change it).
// 0 when unknown (no bin repo, no symlink yet).
func (e *Engine) LiveOn(ctx context.Context, env string) (int, error) {
	if _, ok := e.cfg.Deploy.Environment(env); !ok {
		_, err := rollout.NewSetup(e.cfg, env, e.rolloutStore(), rollout.Deps{})
		return 0, err
	}
	if st, err := e.rolloutStore().Load(env); err == nil && st.LiveBuild() > 0 {
		return st.LiveBuild(), nil
	}
	return e.seedLive(ctx, env)
}

// liveBuildOf is LiveOn without the error (0: unknown).
func (e *Engine) liveBuildOf(ctx context.Context, env string) int {
	n, _ := e.LiveOn(ctx, env)
	return n
}

// seedLive records, once, the build an environment with no rollout yet
// runs: the one its track's bin symlink names the first time the
// environment is looked at (or its track released), whatever its traffic
// driver. Persisted, so a later release that moves the symlink does not
// change what the environment is said to run; its first rollout does.
// Without a bin repo or a symlink nothing is recorded and the build is 0,
// unknown.
func (e *Engine) seedLive(ctx context.Context, env string) (int, error) {
	store := e.rolloutStore()
	if n, ok, err := store.Seeded(env); ok || err != nil {
		return n, err
	}
	ce, ok := e.cfg.Deploy.Environment(env)
	if !ok || e.cfg.BinPath() == "" {
		return 0, nil
	}
	repo, err := e.BinRepo(ctx)
	if err != nil {
		return 0, err
	}
	n, err := repo.LiveNumber(ctx, ce.Track)
	if errors.Is(err, binrepo.ErrNoLive) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return store.Seed(env, n)
}

// seedTrack seeds every environment of track that has no rollout recorded,
// before a release may move the track's symlink.
func (e *Engine) seedTrack(ctx context.Context, track string) error {
	store := e.rolloutStore()
	var errs []error
	for _, ce := range e.cfg.Deploy.Environments {
		if ce.Track != track {
			continue
		}
		if _, err := store.Load(ce.Name); err == nil {
			continue
		}
		if _, err := e.seedLive(ctx, ce.Name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
