package engine

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/switchyard/switchyard/engine/history"
	"github.com/switchyard/switchyard/model"
)

// LeadTimes follows each fix (hotfix or bugfix, non-merge, authored since
// the given time) from the track it was committed on to every other track
// of the flow: when (if) it got there — as the same commit (fast-forward or
// merge; dated by the fix's own committer date, since refs keep no history
// of their moves outside the reflog), or as a copy found by patch-id or
// trailer (dated by the copy's committer date).
//
// A fix and its copies are one fix. The original is the one no other names
// in a cherry-pick trailer while it names none of them, else the earliest
// committed, else the one on the most upstream track: a hotfix committed on
// dev and carried to prod is dev's, with an arrival on prod; one committed
// on prod and carried back is prod's, with an arrival on dev. A commit on
// several tracks under its own id was committed on the most upstream of
// those whose first-parent line it is on (a prod hotfix merged back into
// dev stays prod's), else on the most upstream that has it.
//
// Fixes are listed by track in flow order, oldest first within a track.
func (e *Engine) LeadTimes(ctx context.Context, since time.Time) ([]model.LeadTime, error) {
	h, err := e.History()
	if err != nil {
		return nil, err
	}
	g := h.Graph()
	n := len(e.flow)
	heads := make([]plumbing.Hash, n)
	for i, t := range e.flow {
		if heads[i], err = e.headID(ctx, t); err != nil {
			return nil, err
		}
	}
	cut := since.Unix()
	// What each track has (since the cut), and on its first-parent line.
	has := make([]map[plumbing.Hash]bool, n)
	firstParent := make([]map[plumbing.Hash]bool, n)
	recent := make([][]*history.Node, n)
	for i, t := range e.flow {
		nodes, err := g.Since(ctx, []plumbing.Hash{heads[i]}, cut)
		if err != nil {
			return nil, fmt.Errorf("lead times of %s: %w", t.Name, err)
		}
		recent[i] = nodes
		has[i] = make(map[plumbing.Hash]bool, len(nodes))
		for _, nd := range nodes {
			has[i][nd.ID] = true
		}
		chain, err := g.FirstParents(ctx, heads[i], func(nd *history.Node) bool { return nd.When < cut })
		if err != nil {
			return nil, fmt.Errorf("lead times of %s: %w", t.Name, err)
		}
		firstParent[i] = make(map[plumbing.Hash]bool, len(chain))
		for _, nd := range chain {
			firstParent[i][nd.ID] = true
		}
	}
	on := func(id plumbing.Hash, j int) (bool, error) {
		if has[j][id] {
			return true, nil
		}
		nd, err := g.Node(id)
		if err != nil || nd.When >= cut {
			return false, err // Since saw everything this recent
		}
		return g.IsAncestor(ctx, id, heads[j])
	}

	// The fixes, each commit once.
	commits := map[plumbing.Hash]*object.Commit{}
	var fixes []plumbing.Hash
	for i := range e.flow {
		for k := len(recent[i]) - 1; k >= 0; k-- {
			nd := recent[i][k]
			if _, done := commits[nd.ID]; done || len(nd.Parents) > 1 {
				continue
			}
			c, err := h.Commit(nd.ID)
			if err != nil {
				return nil, err
			}
			commits[nd.ID] = c
			if e.kinds.Kind(c.Message) == model.Regular || c.Author.When.Before(since) {
				continue
			}
			fixes = append(fixes, nd.ID)
		}
	}

	// Copies: for each pair of tracks, the commits of one side carried to
	// the other under another id. A class is a fix and its copies.
	class := newUnion()
	how := map[[2]plumbing.Hash]history.How{}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			res, err := h.Compare(ctx, heads[i], heads[j])
			if err != nil {
				return nil, fmt.Errorf("lead times %s ↔ %s: %w", e.flow[i].Name, e.flow[j].Name, err)
			}
			for _, c := range res.Carried {
				a, b := c.From.Hash, c.To.Hash
				commits[a], commits[b] = c.From, c.To
				class.join(a, b)
				how[[2]plumbing.Hash{a, b}] = c.How
				how[[2]plumbing.Hash{b, a}] = c.How
			}
		}
	}
	members := map[plumbing.Hash][]plumbing.Hash{}
	for id := range class.parent {
		r := class.find(id)
		members[r] = append(members[r], id)
	}

	// track is where a commit was committed: the most upstream track
	// whose first-parent line has it, else the most upstream that has it.
	track := func(id plumbing.Hash) (int, error) {
		for j := range e.flow {
			if firstParent[j][id] {
				return j, nil
			}
		}
		for j := range e.flow {
			if ok, err := on(id, j); err != nil || ok {
				return j, err
			}
		}
		return -1, nil
	}

	type fix struct {
		lt    model.LeadTime
		track int
		order int
	}
	var out []fix
	done := map[plumbing.Hash]bool{}
	pos := make(map[plumbing.Hash]int, len(fixes))
	for i, id := range fixes {
		pos[id] = i
	}
	for _, id := range fixes {
		group := []plumbing.Hash{id}
		if ms, ok := members[class.find(id)]; ok {
			group = ms
		}
		if done[group[0]] {
			continue
		}
		for _, m := range group {
			done[m] = true
		}
		orig, err := original(group, commits, track)
		if err != nil {
			return nil, err
		}
		oc := commits[orig]
		if orig != id && (e.kinds.Kind(oc.Message) == model.Regular || oc.Author.When.Before(since)) {
			// The original of this copy is older than the window or not
			// a fix: the copy stands for it.
			orig, oc = id, commits[id]
		}
		ti, err := track(orig)
		if err != nil {
			return nil, err
		}
		if ti < 0 {
			continue
		}
		order, ok := pos[orig]
		if !ok {
			order = pos[id]
		}
		f := fix{lt: model.LeadTime{Commit: e.commit(oc), Track: e.flow[ti].Name, Arrivals: []model.Arrival{}}, track: ti, order: order}
		for j, other := range e.flow {
			if j == ti {
				continue
			}
			if ok, err := on(orig, j); err != nil {
				return nil, err
			} else if ok {
				f.lt.Arrivals = append(f.lt.Arrivals, model.Arrival{Track: other.Name, At: oc.Committer.When, As: orig.String(), How: "same"})
				continue
			}
			// The earliest committed copy on that track.
			var best *object.Commit
			for _, m := range group {
				if m == orig {
					continue
				}
				if ok, err := on(m, j); err != nil {
					return nil, err
				} else if ok && (best == nil || commits[m].Committer.When.Before(best.Committer.When)) {
					best = commits[m]
				}
			}
			if best != nil {
				hw, ok := how[[2]plumbing.Hash{orig, best.Hash}]
				if !ok {
					hw = copyHow(best, group, how)
				}
				f.lt.Arrivals = append(f.lt.Arrivals, model.Arrival{Track: other.Name, At: best.Committer.When, As: best.Hash.String(), How: string(hw)})
			}
		}
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b fix) int {
		if a.track != b.track {
			return a.track - b.track
		}
		return a.order - b.order
	})
	lts := make([]model.LeadTime, len(out))
	for i, f := range out {
		lts[i] = f.lt
	}
	return lts, h.Flush()
}

// original picks a class's original: one that names none of the others in
// a cherry-pick trailer and is named by one, else the earliest committed,
// else the one on the most upstream track, else the smallest id.
func original(group []plumbing.Hash, commits map[plumbing.Hash]*object.Commit, track func(plumbing.Hash) (int, error)) (plumbing.Hash, error) {
	if len(group) == 1 {
		return group[0], nil
	}
	in := map[plumbing.Hash]bool{}
	for _, m := range group {
		in[m] = true
	}
	names := map[plumbing.Hash]bool{} // names another member
	for _, m := range group {
		for _, src := range history.PickedFrom(commits[m].Message) {
			if in[src] && src != m {
				names[m] = true
			}
		}
	}
	type cand struct {
		id    plumbing.Hash
		names bool
		when  time.Time
		track int
	}
	cs := make([]cand, 0, len(group))
	for _, m := range group {
		t, err := track(m)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if t < 0 {
			t = len(group) + 1<<20
		}
		cs = append(cs, cand{m, names[m], commits[m].Committer.When, t})
	}
	best := slices.MinFunc(cs, func(a, b cand) int {
		switch {
		case a.names != b.names:
			if a.names {
				return 1
			}
			return -1
		case !a.when.Equal(b.when):
			return a.when.Compare(b.when)
		case a.track != b.track:
			return a.track - b.track
		}
		return bytes.Compare(a.id[:], b.id[:])
	})
	return best.id, nil
}

// copyHow is how a copy was found when it was matched to another copy
// rather than to the original: by trailer if any of its links is one.
func copyHow(c *object.Commit, group []plumbing.Hash, how map[[2]plumbing.Hash]history.How) history.How {
	hw := history.HowPatchID
	for _, m := range group {
		if x, ok := how[[2]plumbing.Hash{c.Hash, m}]; ok {
			if x == history.HowTrailer {
				return x
			}
			hw = x
		}
	}
	return hw
}

// union is a disjoint-set of commit ids.
type union struct {
	parent map[plumbing.Hash]plumbing.Hash
}

func newUnion() *union { return &union{parent: map[plumbing.Hash]plumbing.Hash{}} }

func (u *union) find(id plumbing.Hash) plumbing.Hash {
	p, ok := u.parent[id]
	if !ok {
		return id
	}
	if p == id {
		return id
	}
	r := u.find(p)
	u.parent[id] = r
	return r
}

func (u *union) join(a, b plumbing.Hash) {
	for _, x := range []plumbing.Hash{a, b} {
		if _, ok := u.parent[x]; !ok {
			u.parent[x] = x
		}
	}
	if ra, rb := u.find(a), u.find(b); ra != rb {
		u.parent[ra] = rb
	}
}
