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

// binPointer moves a track's symlink in the bin repo for the bin driver.
type binPointer struct{ e *Engine }

func (b binPointer) Current(ctx context.Context, track string) (int, error) {
	repo, err := b.e.BinRepo(ctx)
	if err != nil {
		return 0, err
	}
	live, err := repo.Live(ctx, track)
	if errors.Is(err, binrepo.ErrNoLive) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return live.Number, nil
}

func (b binPointer) Point(ctx context.Context, track string, build, expect int) error {
	repo, err := b.e.BinRepo(ctx)
	if err != nil {
		return err
	}
	head, err := repo.Head(ctx, track)
	if err != nil {
		return err
	}
	cur, err := b.Current(ctx, track)
	if err != nil {
		return err
	}
	if expect != 0 && cur != expect {
		return fmt.Errorf("%w: the %s symlink names build %d, expected %d", binrepo.ErrRefMoved, track, cur, expect)
	}
	sig, err := b.e.committer()
	if err != nil {
		return fmt.Errorf("bin point: %w", err)
	}
	_, err = repo.Point(ctx, binrepo.PointOptions{Branch: track, Number: build, Expect: head, Signature: sig,
		Message: fmt.Sprintf("%s → %s (rollout)\n", repo.Name(), model.BuildFolder(repo.Name(), build))})
	return err
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

// liveBuildOf is the build live on env before any rollout is recorded
// there (a recorded rollout knows better). With the bin driver it is the
// build the bin branch's symlink names — what the nodes pull. A sim
// fleet starts on the track's build before the newest, as if that had been
// rolled out earlier, so the demo has something to move from. Other
// drivers do not say: 0, unknown.
func (e *Engine) liveBuildOf(ctx context.Context, env string) int {
	ce, ok := e.cfg.Deploy.Environment(env)
	if !ok || e.cfg.BinPath() == "" {
		return 0
	}
	switch ce.Traffic.Driver {
	case "bin":
		if b, err := e.LiveBuild(ctx, ce.Track); err == nil {
			return b.Number
		}
	case "sim":
		if builds, err := e.Builds(ctx, ce.Track); err == nil && len(builds) >= 2 {
			return builds[len(builds)-2].Number
		}
	}
	return 0
}
