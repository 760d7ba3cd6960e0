package history

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	cgv2 "github.com/go-git/go-git/v5/plumbing/format/commitgraph/v2"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Sentinel errors callers branch on.
var (
	// ErrShallow: the history of a shallow clone ends before the walk could
	// decide (for example before the merge base of two tracks).
	ErrShallow = errors.New("shallow clone: history ends before the merge base")
	// ErrCorrupt: a commit the walk needs is missing or unreadable.
	ErrCorrupt = errors.New("missing or corrupt object")
)

// genInfinity is the generation of a commit the commit-graph does not cover:
// newer than anything it covers, as git and go-git define it.
const genInfinity = math.MaxUint64

// Node is a commit as the walks see it: parents, generation and commit time.
type Node struct {
	ID      plumbing.Hash
	Parents []plumbing.Hash
	// Gen is the topological level from the commit-graph, or genInfinity
	// for commits it does not cover.
	Gen  uint64
	When int64 // committer time, Unix seconds
	// Tree is the commit's root tree.
	Tree plumbing.Hash
}

// Graph reads commit nodes from the commit-graph when the repository has
// one and from the object store otherwise, and caches them. It is safe for
// concurrent use.
type Graph struct {
	open    OpenFunc
	s       storer.EncodedObjectStorer // opened on first need
	mu      sync.Mutex                 // guards s, idx reads and nodes
	idx     cgv2.Index                 // nil without a commit-graph
	cg      *cgraph                    // the same, read directly; nil when unsupported
	nodes   map[plumbing.Hash]*Node
	shallow map[plumbing.Hash]bool
	parked  parkedWalks
}

// NewGraph opens the commit-graph of gitDir (a single file or a chain) when
// there is one, reading it into memory so walks cost no system calls, and
// the list of shallow commits. The object store is opened only when a
// commit the commit-graph lacks is needed.
func NewGraph(open OpenFunc, gitDir string) (*Graph, error) {
	g := &Graph{open: open, nodes: map[plumbing.Hash]*Node{}, shallow: map[plumbing.Hash]bool{}}
	if gitDir == "" {
		return g, nil
	}
	layers, err := readCommitGraph(gitDir)
	if err == nil && layers != nil {
		g.idx, err = openCommitGraph(layers)
	}
	if err != nil {
		return nil, fmt.Errorf("read commit-graph of %s: %w (remove it or run git commit-graph write --reachable)", gitDir, err)
	}
	if g.idx != nil {
		// The direct reader is only an accelerator: any format it does
		// not know leaves go-git's reader in charge.
		if cg, err := parseCGraph(layers); err == nil {
			g.cg = cg
		}
	}
	if data, err := os.ReadFile(filepath.Join(commonDir(gitDir), "shallow")); err == nil {
		for _, line := range strings.Fields(string(data)) {
			g.shallow[plumbing.NewHash(line)] = true
		}
	}
	return g, nil
}

// HasCommitGraph reports whether walks use a commit-graph.
func (g *Graph) HasCommitGraph() bool { return g.idx != nil }

type memFile struct{ *bytes.Reader }

func (memFile) Close() error { return nil }

// readCommitGraph reads the commit-graph's files into memory, base layer
// first: the single file, or the layers of a chain; nil when there is none.
func readCommitGraph(gitDir string) ([][]byte, error) {
	info := filepath.Join(commonDir(gitDir), "objects", "info")
	data, err := os.ReadFile(filepath.Join(info, "commit-graph"))
	if err == nil {
		return [][]byte{data}, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	chain, err := os.ReadFile(filepath.Join(info, "commit-graphs", "commit-graph-chain"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var layers [][]byte
	for _, h := range strings.Fields(string(chain)) {
		data, err := os.ReadFile(filepath.Join(info, "commit-graphs", "graph-"+h+".graph"))
		if err != nil {
			return nil, err
		}
		layers = append(layers, data)
	}
	if layers == nil {
		return nil, nil
	}
	return layers, nil
}

// openCommitGraph opens go-git's reader over the layers readCommitGraph
// read.
func openCommitGraph(layers [][]byte) (cgv2.Index, error) {
	var idx cgv2.Index
	for _, data := range layers {
		var err error
		if idx, err = cgv2.OpenFileIndexWithParent(memFile{bytes.NewReader(data)}, idx); err != nil {
			return nil, err
		}
	}
	return idx, nil
}

// Node returns the node of commit id.
func (g *Graph) Node(id plumbing.Hash) (*Node, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.nodeLocked(id)
}

func (g *Graph) nodeLocked(id plumbing.Hash) (*Node, error) {
	if n, ok := g.nodes[id]; ok {
		return n, nil
	}
	var n *Node
	if g.cg != nil {
		if pos, ok := g.cg.lookup(id); ok {
			if n, ok = g.cg.node(id, pos); !ok {
				return nil, fmt.Errorf("commit-graph entry of %s: %w", id, ErrCorrupt)
			}
		}
	} else if g.idx != nil {
		if i, err := g.idx.GetIndexByHash(id); err == nil {
			d, err := g.idx.GetCommitDataByIndex(i)
			if err != nil {
				return nil, fmt.Errorf("commit-graph entry of %s: %w: %v", id, ErrCorrupt, err)
			}
			n = &Node{ID: id, Parents: d.ParentHashes, Gen: d.Generation, When: d.When.Unix(), Tree: d.TreeHash}
		}
	}
	if n == nil {
		if g.s == nil {
			s, err := g.open()
			if err != nil {
				return nil, err
			}
			g.s = s
		}
		c, err := object.GetCommit(g.s, id)
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w: %v (run git fsck)", id, ErrCorrupt, err)
		}
		n = &Node{ID: id, Parents: c.ParentHashes, Gen: genInfinity, When: c.Committer.When.Unix(), Tree: c.TreeHash}
	}
	if g.shallow[id] {
		n.Parents = nil
	}
	g.nodes[id] = n
	return n, nil
}

// IsShallow reports whether id is a boundary commit of a shallow clone.
func (g *Graph) IsShallow(id plumbing.Hash) bool { return g.shallow[id] }

// nodeHeap orders nodes newest first: higher generation, then later
// commit time, then id for a stable order.
type nodeHeap []*Node

func (h nodeHeap) Len() int { return len(h) }
func (h nodeHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if a.Gen != b.Gen {
		return a.Gen > b.Gen
	}
	if a.When != b.When {
		return a.When > b.When
	}
	return bytes.Compare(a.ID[:], b.ID[:]) < 0
}
func (h nodeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)   { *h = append(*h, x.(*Node)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}

// Split walks back from a and b together and returns the commits reachable
// from a but not b (a's side of "b..a") and those reachable from b but not
// a, newest first in walk order. It stops as soon as every commit still to
// visit is reachable from both, so its cost is the size of the two sides,
// not of the history.
//
// With a commit-graph the walk goes by generation number and is exact. For
// commits the commit-graph does not cover it goes by commit date, as git did
// before generation numbers: a commit dated before one of its ancestors
// (clock skew) can then be misjudged, as it could be by git.
func (g *Graph) Split(ctx context.Context, a, b plumbing.Hash) (onlyA, onlyB []*Node, err error) {
	const fa, fb, both = 1, 2, 3
	flags := map[plumbing.Hash]uint8{}
	queued := map[plumbing.Hash]bool{}
	var q nodeHeap
	nonStale := 0
	mark := func(id plumbing.Hash, f uint8) error {
		old := flags[id]
		nf := old | f
		if nf == old {
			return nil
		}
		flags[id] = nf
		if queued[id] {
			if nf == both && old != both {
				nonStale--
			}
			return nil
		}
		n, err := g.Node(id)
		if err != nil {
			return err
		}
		queued[id] = true
		heap.Push(&q, n)
		if nf != both {
			nonStale++
		}
		return nil
	}
	if err := mark(a, fa); err != nil {
		return nil, nil, err
	}
	if err := mark(b, fb); err != nil {
		return nil, nil, err
	}
	visited := map[plumbing.Hash]*Node{}
	steps := 0
	for q.Len() > 0 && nonStale > 0 {
		if g.cg != nil && q[0].Gen != genInfinity {
			// Everything left is in the commit-graph, whose ancestors
			// are too: finish over positions, without maps.
			a, b, err := g.splitGraph(ctx, q, flags, shallowCheck(g))
			if err != nil {
				return nil, nil, err
			}
			onlyA, onlyB = append(onlyA, a...), append(onlyB, b...)
			break
		}
		if steps++; steps%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		n := heap.Pop(&q).(*Node)
		delete(queued, n.ID)
		f := flags[n.ID]
		if f != both {
			nonStale--
		}
		visited[n.ID] = n
		if f != both && g.shallow[n.ID] {
			return nil, nil, fmt.Errorf("%w at %s (run git fetch --unshallow)", ErrShallow, n.ID)
		}
		for _, p := range n.Parents {
			if err := mark(p, f); err != nil {
				return nil, nil, err
			}
		}
	}
	for id, n := range visited {
		switch flags[id] {
		case fa:
			onlyA = append(onlyA, n)
		case fb:
			onlyB = append(onlyB, n)
		}
	}
	sortNewestFirst(onlyA)
	sortNewestFirst(onlyB)
	return onlyA, onlyB, nil
}

func shallowCheck(g *Graph) func(plumbing.Hash) bool {
	if len(g.shallow) == 0 {
		return nil
	}
	return func(id plumbing.Hash) bool { return g.shallow[id] }
}

// splitGraph finishes Split over commit-graph positions: q holds the
// commits still to visit (all in the graph) and flags their marks so far.
func (g *Graph) splitGraph(ctx context.Context, q nodeHeap, flags map[plumbing.Hash]uint8, shallow func(plumbing.Hash) bool) (onlyA, onlyB []*Node, err error) {
	const fa, fb, both, queued = 1, 2, 3, 4
	cg := g.cg
	marks := make([]uint8, cg.total())
	var h posHeap
	nonStale := 0
	for _, n := range q {
		pos, ok := cg.lookup(n.ID)
		if !ok {
			return nil, nil, fmt.Errorf("commit-graph lacks %s: %w", n.ID, ErrCorrupt)
		}
		key, _ := cg.key(pos)
		f := flags[n.ID]
		if marks[pos]&queued != 0 {
			continue
		}
		marks[pos] = f | queued
		h = append(h, posEntry{key, pos})
		if f != both {
			nonStale++
		}
	}
	heap.Init(&h)
	var visited []uint32
	var buf []uint32
	for steps := 1; h.Len() > 0 && nonStale > 0; steps++ {
		if steps%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		e := heap.Pop(&h).(posEntry)
		f := marks[e.pos] & both
		marks[e.pos] &^= queued
		if f != both {
			nonStale--
			visited = append(visited, e.pos)
			if shallow != nil {
				if id, _ := cg.hash(e.pos); shallow(id) {
					return nil, nil, fmt.Errorf("%w at %s (run git fetch --unshallow)", ErrShallow, id)
				}
			}
		}
		var ok bool
		if buf, ok = cg.parents(e.pos, buf[:0]); !ok {
			return nil, nil, fmt.Errorf("commit-graph: bad parents: %w", ErrCorrupt)
		}
		for _, p := range buf {
			if p >= uint32(len(marks)) {
				return nil, nil, fmt.Errorf("commit-graph: bad parent position: %w", ErrCorrupt)
			}
			old := marks[p]
			nf := old&both | f
			if nf == old&both {
				continue
			}
			marks[p] = old | f
			if old&queued != 0 {
				if nf == both {
					nonStale--
				}
				continue
			}
			key, _ := cg.key(p)
			marks[p] |= queued
			heap.Push(&h, posEntry{key, p})
			if nf != both {
				nonStale++
			}
		}
	}
	for _, pos := range visited {
		f := marks[pos] & both
		if f == both {
			continue
		}
		id, _ := cg.hash(pos)
		n, err := g.Node(id)
		if err != nil {
			return nil, nil, err
		}
		if f == fa {
			onlyA = append(onlyA, n)
		} else {
			onlyB = append(onlyB, n)
		}
	}
	return onlyA, onlyB, nil
}

func sortNewestFirst(ns []*Node) {
	sort.Sort(nodeHeap(ns))
}

// IsAncestor reports whether a is reachable from b (a commit is its own
// ancestor).
func (g *Graph) IsAncestor(ctx context.Context, a, b plumbing.Hash) (bool, error) {
	if a == b {
		return true, nil
	}
	onlyA, _, err := g.Split(ctx, a, b)
	if err != nil {
		return false, err
	}
	return len(onlyA) == 0, nil
}
