package history

import (
	"bytes"
	"encoding/binary"
	"errors"

	"github.com/go-git/go-git/v5/plumbing"
)

// cgraph reads git's commit-graph (a file or a chain of layers) straight
// from memory for the walks' inner loop. go-git's reader (kept as the
// fallback, see openCommitGraph) allocates and reads through io.SectionReader
// for every commit; walks that must visit most of a large history (the
// merge base of tracks with long-lived topic branches is often far down)
// spend most of their time there. Format: Documentation/gitformat-commit-graph.txt.
type cgraph struct {
	layers []cgLayer // base first
}

type cgLayer struct {
	base   uint32 // commits in the layers below
	count  uint32
	fanout []byte // 256 × 4
	oidl   []byte // count × 20
	cdat   []byte // count × 36
	edge   []byte // extra edges, may be empty
}

var errCGraph = errors.New("unsupported commit-graph")

const (
	cgParentNone  = 0x70000000
	cgParentExtra = 0x80000000
	cgParentMask  = 0x7fffffff
)

func parseCGLayer(data []byte, base uint32) (cgLayer, error) {
	l := cgLayer{base: base}
	if len(data) < 8 || string(data[:4]) != "CGPH" || data[4] != 1 || data[5] != 1 {
		return l, errCGraph // not SHA-1 version 1
	}
	chunks := int(data[6])
	if len(data) < 8+(chunks+1)*12 {
		return l, errCGraph
	}
	for i := 0; i < chunks; i++ {
		e := data[8+i*12:]
		id := string(e[:4])
		start := binary.BigEndian.Uint64(e[4:12])
		end := binary.BigEndian.Uint64(e[16:24])
		if start > end || end > uint64(len(data)) {
			return l, errCGraph
		}
		c := data[start:end]
		switch id {
		case "OIDF":
			l.fanout = c
		case "OIDL":
			l.oidl = c
		case "CDAT":
			l.cdat = c
		case "EDGE":
			l.edge = c
		}
	}
	if len(l.fanout) != 1024 {
		return l, errCGraph
	}
	l.count = binary.BigEndian.Uint32(l.fanout[1020:])
	if uint64(len(l.oidl)) != uint64(l.count)*20 || uint64(len(l.cdat)) != uint64(l.count)*36 {
		return l, errCGraph
	}
	return l, nil
}

// openCGraph reads gitDir's commit-graph; nil when there is none.
func openCGraph(gitDir string) (*cgraph, error) {
	layers, err := readCommitGraph(gitDir)
	if err != nil || layers == nil {
		return nil, err
	}
	return parseCGraph(layers)
}

// parseCGraph reads the layers of a commit-graph, base first.
func parseCGraph(layers [][]byte) (*cgraph, error) {
	g := &cgraph{}
	base := uint32(0)
	for _, data := range layers {
		l, err := parseCGLayer(data, base)
		if err != nil {
			return nil, err
		}
		g.layers = append(g.layers, l)
		base += l.count
	}
	return g, nil
}

// lookup finds a commit's global position.
func (g *cgraph) lookup(id plumbing.Hash) (uint32, bool) {
	for i := len(g.layers) - 1; i >= 0; i-- {
		l := &g.layers[i]
		lo := uint32(0)
		if id[0] > 0 {
			lo = binary.BigEndian.Uint32(l.fanout[4*(int(id[0])-1):])
		}
		hi := binary.BigEndian.Uint32(l.fanout[4*int(id[0]):])
		for lo < hi {
			mid := lo + (hi-lo)/2
			switch c := bytes.Compare(id[:], l.oidl[mid*20:mid*20+20]); {
			case c == 0:
				return l.base + mid, true
			case c < 0:
				hi = mid
			default:
				lo = mid + 1
			}
		}
	}
	return 0, false
}

func (g *cgraph) layer(pos uint32) (*cgLayer, uint32, bool) {
	for i := len(g.layers) - 1; i >= 0; i-- {
		l := &g.layers[i]
		if pos >= l.base {
			if pos-l.base >= l.count {
				return nil, 0, false
			}
			return l, pos - l.base, true
		}
	}
	return nil, 0, false
}

func (g *cgraph) hash(pos uint32) (plumbing.Hash, bool) {
	var h plumbing.Hash
	l, i, ok := g.layer(pos)
	if !ok {
		return h, false
	}
	copy(h[:], l.oidl[i*20:])
	return h, true
}

// node decodes the commit at pos.
func (g *cgraph) node(id plumbing.Hash, pos uint32) (*Node, bool) {
	l, i, ok := g.layer(pos)
	if !ok {
		return nil, false
	}
	d := l.cdat[i*36 : i*36+36]
	n := &Node{ID: id}
	copy(n.Tree[:], d[:20])
	p1 := binary.BigEndian.Uint32(d[20:])
	p2 := binary.BigEndian.Uint32(d[24:])
	gt := binary.BigEndian.Uint64(d[28:])
	n.Gen = gt >> 34
	n.When = int64(gt & (1<<34 - 1))
	add := func(p uint32) bool {
		h, ok := g.hash(p)
		n.Parents = append(n.Parents, h)
		return ok
	}
	if p1 != cgParentNone && !add(p1) {
		return nil, false
	}
	switch {
	case p2 == cgParentNone:
	case p2&cgParentExtra != 0:
		for k := p2 & cgParentMask; ; k++ {
			if uint64(k)*4+4 > uint64(len(l.edge)) {
				return nil, false
			}
			e := binary.BigEndian.Uint32(l.edge[k*4:])
			if !add(e & cgParentMask) {
				return nil, false
			}
			if e&cgParentExtra != 0 {
				break
			}
		}
	default:
		if !add(p2) {
			return nil, false
		}
	}
	return n, true
}

func (g *cgraph) total() uint32 {
	l := g.layers[len(g.layers)-1]
	return l.base + l.count
}

// key is the walk order of the commit at pos: generation, then commit time
// (the CDAT word, whose high bits are the generation).
func (g *cgraph) key(pos uint32) (uint64, bool) {
	l, i, ok := g.layer(pos)
	if !ok {
		return 0, false
	}
	return binary.BigEndian.Uint64(l.cdat[i*36+28:]), true
}

// parents appends the positions of pos's parents to buf.
func (g *cgraph) parents(pos uint32, buf []uint32) ([]uint32, bool) {
	l, i, ok := g.layer(pos)
	if !ok {
		return buf, false
	}
	d := l.cdat[i*36:]
	p1 := binary.BigEndian.Uint32(d[20:])
	p2 := binary.BigEndian.Uint32(d[24:])
	if p1 != cgParentNone {
		buf = append(buf, p1)
	}
	switch {
	case p2 == cgParentNone:
	case p2&cgParentExtra != 0:
		for k := p2 & cgParentMask; ; k++ {
			if uint64(k)*4+4 > uint64(len(l.edge)) {
				return buf, false
			}
			e := binary.BigEndian.Uint32(l.edge[k*4:])
			buf = append(buf, e&cgParentMask)
			if e&cgParentExtra != 0 {
				break
			}
		}
	default:
		buf = append(buf, p2)
	}
	return buf, true
}

type posEntry struct {
	key uint64
	pos uint32
}

type posHeap []posEntry

func (h posHeap) Len() int { return len(h) }
func (h posHeap) Less(i, j int) bool {
	if h[i].key != h[j].key {
		return h[i].key > h[j].key
	}
	return h[i].pos < h[j].pos
}
func (h posHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *posHeap) Push(x any)   { *h = append(*h, x.(posEntry)) }
func (h *posHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
