package engine

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/switchyard/switchyard/engine/gitstate"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
)

// TrainOptions says which train to run.
type TrainOptions struct {
	// Track is the downstream track the train moves.
	Track string
	// Expect, when set, is the candidate the operator confirmed: the run
	// refuses if the track's head or target changed since.
	Expect *model.TrainCandidate
	// Push pushes the moved track to its remote with a lease.
	Push bool
}

// TrainRun is what RunTrain did.
type TrainRun struct {
	Candidate *model.TrainCandidate `json:"candidate"`
	// How is "up-to-date", "fast-forward" or "rebase".
	How string `json:"how"`
	// Outcome is the sequence's outcome (nil when up to date).
	Outcome *sequence.Outcome `json:"outcome,omitempty"`
}

// RunTrain runs the weekly train on a downstream track: it fast-forwards
// the track to its train candidate's target by compare-and-swap, or, when
// the track has diverged (a hotfix was carried into it), rebases the
// track's own commits — those not in the target by patch-id — onto the
// target through the sequencer; a conflict stops with a session as for a
// carry (Outcome.Session). A completed train can be taken back with
// UndoRelease.
func (e *Engine) RunTrain(ctx context.Context, opts TrainOptions) (*TrainRun, error) {
	t, err := e.track(opts.Track)
	if err != nil {
		return nil, err
	}
	cand, err := e.Train(ctx, t.Name)
	if err != nil {
		return nil, err
	}
	run := &TrainRun{Candidate: cand}
	if opts.Expect != nil && opts.Expect.Target != cand.Target {
		return nil, fmt.Errorf("train %s: the target changed from %s to %s since it was shown: %w", t.Name,
			model.ShortID(opts.Expect.Target), model.ShortID(cand.Target), ErrRefMoved)
	}
	if cand.Target == "" {
		return nil, fmt.Errorf("train %s: no commit of %s is a full cycle (%s) old yet", t.Name, cand.Upstream, e.cfg.Cycle.Std())
	}
	if cand.UpToDate {
		run.How = "up-to-date"
		return run, nil
	}
	g := gitstate.Open(e.gitDir)
	head, err := g.ReadRef(t.LocalRef())
	if err != nil {
		return nil, err
	}
	if head.IsZero() {
		return nil, fmt.Errorf("train %s: %w: %s", t.Name, ErrBranchNotFound, t.LocalRef())
	}
	target := plumbing.NewHash(cand.Target)
	plan := sequence.Plan{Op: sequence.OpTrain, Track: t.Name, Ref: t.LocalRef(), Onto: target, Expect: head,
		Trailer: false, Push: opts.Push}
	run.How = "fast-forward"
	h, err := e.History()
	if err != nil {
		return nil, err
	}
	ff, err := h.Graph().IsAncestor(ctx, head, target)
	if err != nil {
		return nil, fmt.Errorf("train %s: %w", t.Name, err)
	}
	if !ff {
		run.How = "rebase"
		cmp, err := h.Compare(ctx, target, head)
		if err != nil {
			return nil, fmt.Errorf("train %s: %w", t.Name, err)
		}
		if cmp.MergesTo > 0 {
			return nil, fmt.Errorf("train %s: the track has %d merge commit(s) of its own; rebase it by hand", t.Name, cmp.MergesTo)
		}
		for _, c := range cmp.OnlyInTo {
			plan.Commits = append(plan.Commits, c.Hash)
		}
	}
	if opts.Push {
		if plan.PushRemote, plan.Lease, err = e.lease(t.LocalRef(), t.Remote); err != nil {
			return nil, err
		}
	}
	out, err := e.sequencer().Start(ctx, plan)
	if err != nil {
		return nil, fmt.Errorf("train %s: %w", t.Name, err)
	}
	e.publish("train", t.Name, out)
	run.Outcome, err = e.afterRun(ctx, out)
	return run, err
}
