package history

import (
	"container/heap"
	"context"

	"github.com/go-git/go-git/v5/plumbing"
)

// Walk lists commits reachable from tips, children before parents (newest
// generation first, then newest commit time), at most limit of them, and
// returns the frontier to continue from: passing it back as tips gives the
// next page. It reads only the commits it lists plus the frontier, never the
// whole history. With exact generations (a commit-graph) no commit is listed
// twice across pages, because every commit reachable from the frontier is
// older than every commit already listed.
func (g *Graph) Walk(ctx context.Context, tips []plumbing.Hash, limit int) (out []*Node, frontier []plumbing.Hash, err error) {
	seen := map[plumbing.Hash]bool{}
	var q nodeHeap
	for _, t := range tips {
		if seen[t] {
			continue
		}
		seen[t] = true
		n, err := g.Node(t)
		if err != nil {
			return nil, nil, err
		}
		heap.Push(&q, n)
	}
	for q.Len() > 0 && len(out) < limit {
		if len(out)%256 == 255 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		n := heap.Pop(&q).(*Node)
		out = append(out, n)
		for _, p := range n.Parents {
			if seen[p] {
				continue
			}
			seen[p] = true
			pn, err := g.Node(p)
			if err != nil {
				return nil, nil, err
			}
			heap.Push(&q, pn)
		}
	}
	for q.Len() > 0 {
		frontier = append(frontier, heap.Pop(&q).(*Node).ID)
	}
	return out, frontier, nil
}

// Since lists the commits reachable from tips committed at or after since
// (Unix seconds), newest first. It stops at the first commits older than
// since on every path.
func (g *Graph) Since(ctx context.Context, tips []plumbing.Hash, since int64) ([]*Node, error) {
	seen := map[plumbing.Hash]bool{}
	var q nodeHeap
	push := func(id plumbing.Hash) error {
		if seen[id] {
			return nil
		}
		seen[id] = true
		n, err := g.Node(id)
		if err != nil {
			return err
		}
		if n.When >= since {
			heap.Push(&q, n)
		}
		return nil
	}
	for _, t := range tips {
		if err := push(t); err != nil {
			return nil, err
		}
	}
	var out []*Node
	for q.Len() > 0 {
		if len(out)%256 == 255 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		n := heap.Pop(&q).(*Node)
		out = append(out, n)
		for _, p := range n.Parents {
			if err := push(p); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// FirstParents lists the first-parent chain from tip, newest first, until
// stop returns true for a node (that node included) or the chain ends.
func (g *Graph) FirstParents(ctx context.Context, tip plumbing.Hash, stop func(*Node) bool) ([]*Node, error) {
	var out []*Node
	id := tip
	for {
		if len(out)%256 == 255 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		n, err := g.Node(id)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if stop(n) || len(n.Parents) == 0 {
			return out, nil
		}
		id = n.Parents[0]
	}
}
