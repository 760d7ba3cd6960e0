package history

import (
	"container/heap"
	"context"

	"github.com/go-git/go-git/v5/plumbing"
)

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
