package engine

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/switchyard/switchyard/engine/gitstate"
	"github.com/switchyard/switchyard/engine/history"
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
		own, merges, err := e.missing(ctx, h, head, target)
		if err != nil {
			return nil, fmt.Errorf("train %s: %w", t.Name, err)
		}
		if merges > 0 {
			return nil, fmt.Errorf("train %s: the track has %d merge commit(s) of its own; rebase it by hand", t.Name, merges)
		}
		plan.Commits = own
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

// missing lists the non-merge commits reachable from a but not from b
// whose change b lacks — by patch-id, as git cherry decides, or because a
// commit of b names it in a "(cherry picked from commit …)" line, or it
// names a commit of b — oldest first, and counts a's own merge commits.
func (e *Engine) missing(ctx context.Context, h *history.History, a, b plumbing.Hash) ([]plumbing.Hash, int, error) {
	onlyA, onlyB, err := h.Graph().Split(ctx, a, b)
	if err != nil {
		return nil, 0, err
	}
	have := map[history.PatchID]bool{}
	named := map[plumbing.Hash]bool{}
	for _, n := range onlyB {
		if len(n.Parents) > 1 {
			continue
		}
		named[n.ID] = true
		id, ok, err := h.PatchID(ctx, n.ID)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			have[id] = true
		}
		if c, err := object.GetCommit(e.repo.Storer, n.ID); err == nil {
			for _, p := range history.PickedFrom(c.Message) {
				named[p] = true
			}
		}
	}
	var out []plumbing.Hash
	merges := 0
	for i := len(onlyA) - 1; i >= 0; i-- {
		n := onlyA[i]
		if len(n.Parents) > 1 {
			merges++
			continue
		}
		if named[n.ID] {
			continue
		}
		c, err := object.GetCommit(e.repo.Storer, n.ID)
		if err != nil {
			return nil, 0, err
		}
		carried := false
		for _, p := range history.PickedFrom(c.Message) {
			if named[p] {
				carried = true
			}
		}
		if carried {
			continue
		}
		id, ok, err := h.PatchID(ctx, n.ID)
		if err != nil {
			return nil, 0, err
		}
		if ok && have[id] {
			continue
		}
		out = append(out, n.ID)
	}
	return out, merges, nil
}
