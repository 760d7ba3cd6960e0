package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchyard/switchyard/engine/binrepo"
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
