package history

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// TopoWalk lists the commits reachable from a set of tips in git's
// topological order — the order git log --graph (--topo-order) shows:
// children before parents, and each line of descent kept together, the
// second parent's side of a merge before the first parent's.
//
// It is git's incremental algorithm (revision.c, "topo_walk"): a commit is
// listed once every child it has among the listed history is listed, and
// its in-degree is known once every commit of a higher generation has been
// explored. With a commit-graph the generation is the topological level, so
// a page costs the commits down to the lowest generation it reaches, never
// the whole history, and walks graph positions with flat arrays (no
// allocation per commit). Commits the commit-graph does not cover (made
// since it was written) are all explored at once, as git does.
//
// Without a commit-graph the commit date stands in for the generation, as
// git's walks did before generation numbers: exact unless a commit is dated
// before one of its parents (clock skew), where a parent can be listed
// before that child (never twice, and nothing is missed). git itself then
// reads the whole history before listing anything.
//
// A TopoWalk is for one goroutine at a time.
type TopoWalk struct {
	g      *Graph
	cg     *cgraph // nil without the direct reader
	total  uint32  // handles below total are graph positions
	useGen bool    // generations are exact; else commit dates

	indeg []int32 // 1 + children not yet listed; 0: not reached
	state []uint8 // walkQueued, walkStacked
	extra []*Node // handles total+i: commits outside the graph
	byID  map[plumbing.Hash]uint32

	explore handleHeap // the in-degree walk, highest generation first
	minKey  uint64
	stack   []uint32 // commits ready to list, the next one last
	listed  int
	buf     []uint32 // parents in the in-degree walk
	lbuf    []uint32 // parents of the commit being listed
}

const (
	walkQueued  = 1 // reached by the in-degree walk
	walkStacked = 2 // put on the stack to be listed (never twice)
)

// Topo starts a topological walk from tips.
func (g *Graph) Topo(ctx context.Context, tips []plumbing.Hash) (*TopoWalk, error) {
	w := &TopoWalk{g: g, cg: g.cg, useGen: g.HasCommitGraph(), byID: map[plumbing.Hash]uint32{}}
	if w.cg != nil {
		w.total = w.cg.total()
		w.indeg = make([]int32, w.total)
		w.state = make([]uint8, w.total)
	}
	type tip struct {
		h    uint32
		when int64
	}
	var ts []tip
	w.minKey = genInfinity
	for _, id := range tips {
		h, err := w.handle(id)
		if err != nil {
			return nil, err
		}
		if w.state[h]&walkQueued != 0 {
			continue
		}
		w.state[h] |= walkQueued
		w.indeg[h] = 1
		w.explore.push(w.key(h), h)
		w.minKey = min(w.minKey, w.key(h))
		ts = append(ts, tip{h, w.when(h)})
	}
	if err := w.exploreTo(ctx, w.minKey); err != nil {
		return nil, err
	}
	// git sorts the tips newest first (stable) and lists the first one
	// first.
	slices.SortStableFunc(ts, func(a, b tip) int {
		switch {
		case a.when > b.when:
			return -1
		case a.when < b.when:
			return 1
		}
		return 0
	})
	for i := len(ts) - 1; i >= 0; i-- {
		if h := ts[i].h; w.indeg[h] == 1 {
			w.state[h] |= walkStacked
			w.stack = append(w.stack, h)
		}
	}
	return w, nil
}

// Listed is how many commits the walk has listed so far.
func (w *TopoWalk) Listed() int { return w.listed }

// Done reports whether every commit has been listed.
func (w *TopoWalk) Done() bool { return len(w.stack) == 0 }

// Next lists up to limit more commits.
func (w *TopoWalk) Next(ctx context.Context, limit int) ([]plumbing.Hash, error) {
	out := make([]plumbing.Hash, 0, min(limit, 1024))
	err := w.advance(ctx, limit, func(h uint32) error {
		id, err := w.id(h)
		out = append(out, id)
		return err
	})
	return out, err
}

// Skip passes over n commits without listing them.
func (w *TopoWalk) Skip(ctx context.Context, n int) error {
	return w.advance(ctx, n, func(uint32) error { return nil })
}

func (w *TopoWalk) advance(ctx context.Context, n int, emit func(uint32) error) error {
	for i := 0; i < n && len(w.stack) > 0; i++ {
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		h := w.stack[len(w.stack)-1]
		w.stack = w.stack[:len(w.stack)-1]
		w.listed++
		if err := emit(h); err != nil {
			return err
		}
		ps, err := w.parents(h, w.lbuf[:0])
		if err != nil {
			return err
		}
		w.lbuf = ps
		for _, p := range ps {
			if k := w.key(p); k < w.minKey {
				w.minKey = k
				if err := w.exploreTo(ctx, k); err != nil {
					return err
				}
			}
			w.indeg[p]--
			if w.indeg[p] == 1 && w.state[p]&walkStacked == 0 {
				w.state[p] |= walkStacked
				w.stack = append(w.stack, p)
			}
		}
	}
	return nil
}

// exploreTo counts the in-degree of every commit whose children all have
// at least generation k.
func (w *TopoWalk) exploreTo(ctx context.Context, k uint64) error {
	for steps := 1; w.explore.len() > 0 && w.explore.top().key >= k; steps++ {
		if steps%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		h := w.explore.pop().h
		ps, err := w.parents(h, w.buf[:0])
		if err != nil {
			return err
		}
		w.buf = ps
		for _, p := range ps {
			if w.indeg[p] == 0 {
				w.indeg[p] = 2
			} else {
				w.indeg[p]++
			}
			if w.state[p]&walkQueued == 0 {
				w.state[p] |= walkQueued
				w.explore.push(w.key(p), p)
			}
		}
	}
	return nil
}

// handle maps a commit to its graph position, or to a slot after them.
func (w *TopoWalk) handle(id plumbing.Hash) (uint32, error) {
	if w.cg != nil {
		if pos, ok := w.cg.lookup(id); ok {
			return pos, nil
		}
	}
	if h, ok := w.byID[id]; ok {
		return h, nil
	}
	n, err := w.g.Node(id)
	if err != nil {
		return 0, err
	}
	h := w.total + uint32(len(w.extra))
	w.extra = append(w.extra, n)
	w.byID[id] = h
	w.indeg = append(w.indeg, 0)
	w.state = append(w.state, 0)
	return h, nil
}

func (w *TopoWalk) key(h uint32) uint64 {
	if h < w.total {
		k, _ := w.cg.key(h)
		return k >> 34
	}
	n := w.extra[h-w.total]
	if w.useGen {
		return n.Gen
	}
	return uint64(max(n.When, 0))
}

func (w *TopoWalk) when(h uint32) int64 {
	if h < w.total {
		k, _ := w.cg.key(h)
		return int64(k & (1<<34 - 1))
	}
	return w.extra[h-w.total].When
}

func (w *TopoWalk) id(h uint32) (plumbing.Hash, error) {
	if h < w.total {
		id, ok := w.cg.hash(h)
		if !ok {
			return id, fmt.Errorf("commit-graph: bad position %d: %w", h, ErrCorrupt)
		}
		return id, nil
	}
	return w.extra[h-w.total].ID, nil
}

// parents appends h's parents' handles to buf.
func (w *TopoWalk) parents(h uint32, buf []uint32) ([]uint32, error) {
	if h < w.total {
		if len(w.g.shallow) > 0 {
			if id, _ := w.cg.hash(h); w.g.shallow[id] {
				return nil, nil
			}
		}
		buf, ok := w.cg.parents(h, buf)
		if !ok {
			return nil, fmt.Errorf("commit-graph: bad parents: %w", ErrCorrupt)
		}
		for _, p := range buf {
			if p >= w.total {
				return nil, fmt.Errorf("commit-graph: bad parent position: %w", ErrCorrupt)
			}
		}
		return buf, nil
	}
	// A node's parents are empty at a shallow boundary.
	for _, p := range w.extra[h-w.total].Parents {
		ph, err := w.handle(p)
		if err != nil {
			return nil, err
		}
		buf = append(buf, ph)
	}
	return buf, nil
}

// handleHeap is a max-heap of handles by key, without boxing.
type handleHeap []handleEntry

type handleEntry struct {
	key uint64
	h   uint32
}

func (q handleHeap) len() int         { return len(q) }
func (q handleHeap) top() handleEntry { return q[0] }
func (q handleHeap) less(i, j int) bool {
	return q[i].key > q[j].key || q[i].key == q[j].key && q[i].h < q[j].h
}

func (q *handleHeap) push(key uint64, h uint32) {
	*q = append(*q, handleEntry{key, h})
	s := *q
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (q *handleHeap) pop() handleEntry {
	s := *q
	e := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s.less(l, m) {
			m = l
		}
		if r < len(s) && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*q = s
	return e
}

// parkedWalks keeps a few paused walks, so that the next page of a log
// continues where the last one stopped instead of walking again.
type parkedWalks struct {
	mu    sync.Mutex
	keys  []string
	walks map[string]*TopoWalk
}

const maxParked = 8

// Park keeps w for a later Resume(key); the oldest parked walk is dropped
// when there are too many.
func (g *Graph) Park(key string, w *TopoWalk) {
	p := &g.parked
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.walks == nil {
		p.walks = map[string]*TopoWalk{}
	}
	if _, ok := p.walks[key]; !ok {
		p.keys = append(p.keys, key)
	}
	p.walks[key] = w
	for len(p.keys) > maxParked {
		delete(p.walks, p.keys[0])
		p.keys = p.keys[1:]
	}
}

// Resume takes back the walk parked under key; nil when there is none.
func (g *Graph) Resume(key string) *TopoWalk {
	p := &g.parked
	p.mu.Lock()
	defer p.mu.Unlock()
	w, ok := p.walks[key]
	if !ok {
		return nil
	}
	delete(p.walks, key)
	p.keys = slices.DeleteFunc(p.keys, func(k string) bool { return k == key })
	return w
}
