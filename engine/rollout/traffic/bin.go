package traffic

import (
	"context"
	"fmt"

	"github.com/switchyard/switchyard/engine/rollout/provider"
)

// Pointer moves the bin repo's symlink on a track's branch. Point makes the
// symlink name build, committing the change, if and only if it names
// expect now (compare-and-swap; 0: no check). Current returns the build the
// symlink names (0: none).
type Pointer interface {
	Point(ctx context.Context, track string, build, expect int) error
	Current(ctx context.Context, track string) (int, error)
}

// Bin switches every node at once by committing the symlink switch to the
// environment's bin branch; the nodes pull it. It cannot split traffic:
// only 0% and 100% are accepted, so environments using it roll out in one
// wave of 100% (adoption, read from Prometheus, shows the nodes following).
type Bin struct {
	Track string
	Bin   Pointer
	// Builds says which build each slot runs (from the rollout record).
	Builds func() (blue, green int)
}

// Set implements provider.Traffic.
func (b *Bin) Set(ctx context.Context, s provider.Split) error {
	if err := s.Validate(); err != nil {
		return err
	}
	var want int
	switch {
	case s.Green == 100:
		want = s.GreenBuild
	case s.Blue == 100:
		want = s.BlueBuild
	default:
		return fmt.Errorf("bin driver: %w: %d%%/%d%% (it moves every node at once; use one wave of 100%%)", provider.ErrUnsupported, s.Blue, s.Green)
	}
	cur, err := b.Bin.Current(ctx, b.Track)
	if err != nil {
		return fmt.Errorf("bin driver: %w", err)
	}
	if cur == want {
		return nil
	}
	if err := b.Bin.Point(ctx, b.Track, want, cur); err != nil {
		return fmt.Errorf("bin driver: point %s at build %d: %w", b.Track, want, err)
	}
	return nil
}

// Actual implements provider.Traffic: 100% on the slot whose build the
// symlink names, as Builds tells which build each slot runs. A symlink
// naming neither is reported as ErrUnknown.
func (b *Bin) Actual(ctx context.Context) (provider.Split, error) {
	cur, err := b.Bin.Current(ctx, b.Track)
	if err != nil {
		return provider.Split{}, fmt.Errorf("bin driver: %w: %v", provider.ErrUnknown, err)
	}
	var blue, green int
	if b.Builds != nil {
		blue, green = b.Builds()
	}
	switch {
	case cur == green && cur > 0:
		return provider.Split{Green: 100, BlueBuild: blue, GreenBuild: green}, nil
	case cur == blue:
		return provider.Split{Blue: 100, BlueBuild: blue, GreenBuild: green}, nil
	}
	return provider.Split{}, fmt.Errorf("bin driver: %w: the %s symlink names build %d, neither slot's (%d, %d)", provider.ErrUnknown, b.Track, cur, blue, green)
}
