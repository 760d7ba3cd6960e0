package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchyard/switchyard/engine/binrepo"
	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/model"
)

// ErrNoBinRepo: the config has no [bin] table.
var ErrNoBinRepo = errors.New("no bin repo configured")

// BinRepo opens the configured bin repo. Each track's builds live on the
// bin branch named after the track.
func (e *Engine) BinRepo(ctx context.Context) (*binrepo.Repo, error) {
	path := e.cfg.BinPath()
	if path == "" {
		return nil, fmt.Errorf("%w (add a [bin] table with path and name to switchyard.toml)", ErrNoBinRepo)
	}
	return binrepo.Open(ctx, path, e.cfg.Bin.Name)
}

// Builds lists the builds of track in the bin repo, oldest first; none when
// the track has no bin branch yet. Without a bin repo it returns
// ErrNoBinRepo.
func (e *Engine) Builds(ctx context.Context, track string) ([]model.Build, error) {
	t, err := e.track(track)
	if err != nil {
		return nil, err
	}
	bin, err := e.BinRepo(ctx)
	if err != nil {
		return nil, err
	}
	return bin.Builds(ctx, t.Name)
}

// LiveBuild is the build the symlink of track's bin branch points at
// (binrepo.ErrNoLive when there is none yet).
func (e *Engine) LiveBuild(ctx context.Context, track string) (model.Build, error) {
	t, err := e.track(track)
	if err != nil {
		return model.Build{}, err
	}
	bin, err := e.BinRepo(ctx)
	if err != nil {
		return model.Build{}, err
	}
	return bin.Live(ctx, t.Name)
}

// PointBuild moves the symlink of track's bin branch (first fast-forwarded
// to [bin] remote's, as for Release) to build, in a commit of its own, if
// it names expect now (0: no check) — the bin traffic driver's switch, and
// the only way a build released into a track rolled out by that driver
// becomes live. The move is journaled (kind "bin", action "pointed") and
// pushed to [bin] remote with a lease when one is set; a failed push leaves
// the local move in place and returns an error wrapping ErrPush. Pointing at
// the build already live does nothing.
func (e *Engine) PointBuild(ctx context.Context, track string, build, expect int) error {
	t, err := e.track(track)
	if err != nil {
		return err
	}
	bin, err := e.BinRepo(ctx)
	if err != nil {
		return err
	}
	if err := e.syncBin(ctx, bin, t.Name); err != nil {
		return err
	}
	head, err := bin.Head(ctx, t.Name)
	if err != nil {
		return err
	}
	cur, err := bin.LiveNumber(ctx, t.Name)
	if err != nil && !errors.Is(err, binrepo.ErrNoLive) {
		return err
	}
	if expect != 0 && cur != expect {
		return fmt.Errorf("%w: the %s symlink of %s names build %d, expected %d", binrepo.ErrRefMoved, bin.Name(), t.Name, cur, expect)
	}
	if cur == build {
		return nil
	}
	sig, err := e.committer()
	if err != nil {
		return fmt.Errorf("bin point: %w", err)
	}
	h, err := bin.Point(ctx, binrepo.PointOptions{Branch: t.Name, Number: build, Expect: head, Signature: sig})
	if err != nil {
		return err
	}
	entry := journal.Entry{Kind: "bin", Action: "pointed", Track: t.Name, Build: build,
		Message: fmt.Sprintf("%s → %s on %s", bin.Name(), model.BuildFolder(bin.Name(), build), t.Name),
		Detail:  map[string]any{"from_build": cur, "bin_commit": h.String(), "bin_parent": head.String()}}
	// The branch has moved: that is recorded even if the caller gives up now.
	if err := e.Record(context.WithoutCancel(ctx), entry); err != nil {
		return err
	}
	if remote := e.cfg.Bin.Remote; remote != "" {
		if err := bin.Push(ctx, remote, t.Name, head, h); err != nil {
			err = fmt.Errorf("%w: %w", ErrPush, err)
			_ = e.Record(context.WithoutCancel(ctx), journal.Entry{Kind: "bin", Action: "push-failed", Track: t.Name, Build: build, Message: err.Error(), Detail: map[string]any{"remote": remote, "bin_commit": h.String()}})
			return err
		}
		return e.Record(ctx, journal.Entry{Kind: "bin", Action: "pushed", Track: t.Name, Build: build, Message: fmt.Sprintf("%s pushed to %s", bin.Name(), remote), Detail: map[string]any{"remote": remote, "bin_commit": h.String()}})
	}
	return nil
}
