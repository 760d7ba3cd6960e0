package engine

import (
	"context"
	"time"

	"github.com/switchyard/switchyard/model"
)

// TrackHead is one track and its head commit.
type TrackHead struct {
	Track  string       `json:"track"`
	Branch string       `json:"branch"`
	Remote string       `json:"remote,omitempty"`
	Ref    string       `json:"ref"`
	Head   model.Commit `json:"head"`
}

// KindCounts counts commits by kind.
type KindCounts struct {
	Hotfix  int `json:"hotfix"`
	Bugfix  int `json:"bugfix"`
	Regular int `json:"regular"`
}

func (k *KindCounts) add(kind model.Kind) {
	switch kind {
	case model.Hotfix:
		k.Hotfix++
	case model.Bugfix:
		k.Bugfix++
	default:
		k.Regular++
	}
}

// PairStatus is what waits between two adjacent tracks, and how far they
// have drifted apart.
type PairStatus struct {
	From     string     `json:"from"`
	To       string     `json:"to"`
	Pending  int        `json:"pending"`
	ByKind   KindCounts `json:"pending_by_kind"`
	Carried  int        `json:"carried"`
	OnlyInTo int        `json:"only_in_to"`
	// OldestPending is the author date of the oldest pending commit.
	OldestPending *time.Time  `json:"oldest_pending,omitempty"`
	Drift         model.Drift `json:"-"`
}

// Status is the state of the whole flow.
type Status struct {
	Flow   []string               `json:"flow"`
	Heads  []TrackHead            `json:"heads"`
	Pairs  []PairStatus           `json:"pairs"`
	Trains []model.TrainCandidate `json:"trains"`
}

// Status reads every track's head, compares each adjacent pair and computes
// each downstream track's train candidate.
func (e *Engine) Status(ctx context.Context) (*Status, error) {
	st := &Status{Heads: []TrackHead{}, Pairs: []PairStatus{}, Trains: []model.TrainCandidate{}}
	for _, t := range e.flow {
		st.Flow = append(st.Flow, t.Name)
		c, err := e.Head(ctx, t.Name)
		if err != nil {
			return nil, err
		}
		st.Heads = append(st.Heads, TrackHead{Track: t.Name, Branch: t.Branch, Remote: t.Remote, Ref: t.Ref(), Head: c})
	}
	for _, p := range e.flow.Pairs() {
		pend, err := e.Pending(ctx, p.From.Name, p.To.Name)
		if err != nil {
			return nil, err
		}
		ps := PairStatus{From: p.From.Name, To: p.To.Name, Pending: len(pend.Pending), Carried: len(pend.Carried), OnlyInTo: len(pend.OnlyInTo)}
		for _, c := range pend.Pending {
			ps.ByKind.add(c.Kind)
			if ps.OldestPending == nil || c.Date.Before(*ps.OldestPending) {
				d := c.Date
				ps.OldestPending = &d
			}
		}
		ps.Drift = model.Drift{From: ps.From, To: ps.To, OnlyInFrom: ps.Pending, OnlyInTo: ps.OnlyInTo, Carried: ps.Carried}
		if ps.OldestPending != nil {
			ps.Drift.OldestBehind = *ps.OldestPending
		}
		st.Pairs = append(st.Pairs, ps)
		tc, err := e.Train(ctx, p.To.Name)
		if err != nil {
			return nil, err
		}
		st.Trains = append(st.Trains, *tc)
	}
	return st, nil
}
