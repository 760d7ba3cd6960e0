package engine

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/switchyard/switchyard/engine/history"
	"github.com/switchyard/switchyard/model"
)

// pair resolves two distinct tracks to their heads.
func (e *Engine) pair(ctx context.Context, from, to string) (model.Track, model.Track, plumbing.Hash, plumbing.Hash, error) {
	var zero plumbing.Hash
	if from == to {
		return model.Track{}, model.Track{}, zero, zero, fmt.Errorf("%w: %q (give two different tracks, e.g. --from dev --to prod)", ErrSameTrack, from)
	}
	ft, err := e.track(from)
	if err != nil {
		return ft, ft, zero, zero, err
	}
	tt, err := e.track(to)
	if err != nil {
		return ft, tt, zero, zero, err
	}
	fh, err := e.headID(ctx, ft)
	if err != nil {
		return ft, tt, zero, zero, err
	}
	th, err := e.headID(ctx, tt)
	if err != nil {
		return ft, tt, zero, zero, err
	}
	return ft, tt, fh, th, nil
}

// Pending compares two tracks: the non-merge commits of from not yet on to
// (oldest first), those carried under another id (by patch-id as git cherry
// decides, or by a cherry-pick trailer), and the non-merge commits only on
// to.
func (e *Engine) Pending(ctx context.Context, from, to string) (*model.Pending, error) {
	_, _, fh, th, err := e.pair(ctx, from, to)
	if err != nil {
		return nil, err
	}
	res, err := e.compare(ctx, fh, th)
	if err != nil {
		return nil, fmt.Errorf("pending %s → %s: %w", from, to, err)
	}
	p := &model.Pending{From: from, To: to, Pending: []model.Commit{}, Carried: []model.Carried{}, OnlyInTo: []model.Commit{}}
	for _, c := range res.Pending {
		p.Pending = append(p.Pending, e.commit(c))
	}
	for _, c := range res.Carried {
		p.Carried = append(p.Carried, model.Carried{Commit: c.From.Hash.String(), As: c.To.Hash.String(), How: model.CarryHow(c.How)})
	}
	for _, c := range res.OnlyInTo {
		p.OnlyInTo = append(p.OnlyInTo, e.commit(c))
	}
	return p, nil
}

func (e *Engine) compare(ctx context.Context, from, to plumbing.Hash) (*history.Cherry, error) {
	h, err := e.History()
	if err != nil {
		return nil, err
	}
	return h.Compare(ctx, from, to)
}

// Train computes the train candidate of a downstream track: the newest
// commit on its upstream's first-parent line at least one cycle old
// (committer date), plus the contiguous fix commits (bugfix, or hotfix)
// right after it; whether the track can fast-forward to that target or has
// diverged and needs a rebase; and the commits the train would bring that
// the track does not already carry.
func (e *Engine) Train(ctx context.Context, track string) (*model.TrainCandidate, error) {
	up, ok := e.flow.Upstream(track)
	if !ok {
		if _, err := e.track(track); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("train: track %s has no upstream track (trains move downstream tracks)", track)
	}
	_, _, uh, th, err := e.pair(ctx, up.Name, track)
	if err != nil {
		return nil, err
	}
	h, err := e.History()
	if err != nil {
		return nil, err
	}
	cutoff := e.now().Add(-e.cfg.Cycle.Std()).Unix()
	chain, err := h.Graph().FirstParents(ctx, uh, func(n *history.Node) bool { return n.When <= cutoff })
	if err != nil {
		return nil, fmt.Errorf("train %s: %w", track, err)
	}
	tc := &model.TrainCandidate{Track: track, Upstream: up.Name, Bugfixes: []model.Commit{}, Brings: []model.Commit{}}
	last := chain[len(chain)-1]
	if last.When > cutoff {
		return tc, nil // nothing on the upstream is old enough yet
	}
	base, err := h.Commit(last.ID)
	if err != nil {
		return nil, err
	}
	bc := e.commit(base)
	tc.Base = &bc
	target := last.ID
	for i := len(chain) - 2; i >= 0; i-- {
		c, err := h.Commit(chain[i].ID)
		if err != nil {
			return nil, err
		}
		if len(c.ParentHashes) > 1 || e.kinds.Kind(c.Message) == model.Regular {
			break
		}
		tc.Bugfixes = append(tc.Bugfixes, e.commit(c))
		target = c.Hash
	}
	tc.Target = target.String()
	defer h.Flush()
	onlyTarget, onlyTrack, err := h.Graph().Split(ctx, target, th)
	if err != nil {
		return nil, fmt.Errorf("train %s: %w", track, err)
	}
	tc.UpToDate = len(onlyTarget) == 0
	tc.FastForward = !tc.UpToDate && len(onlyTrack) == 0
	tc.Diverged = !tc.UpToDate && len(onlyTrack) > 0
	if !tc.UpToDate {
		res, err := h.Compare(ctx, target, th)
		if err != nil {
			return nil, fmt.Errorf("train %s: %w", track, err)
		}
		for _, c := range res.Pending {
			tc.Brings = append(tc.Brings, e.commit(c))
		}
	}
	return tc, nil
}
