package history

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/switchyard/switchyard/engine/atomicfile"
)

// The split cache remembers, for a pair of tips, which commits each has
// that the other lacks — immutable facts about two commit ids — so a warm
// run between unchanged tracks does not walk the graph at all. Records:
//
//	magic "SYS1" | payload length (4) | a (20) | b (20) | count a (4) | count b (4) | ids… | crc32 (4)
//
// appended like the other caches. The file is dropped and started again
// when it outgrows splitCacheMax, since old tips are rarely asked again.
const (
	splitMagic    = "SYS1"
	splitCacheMax = 32 << 20
)

type splitKey struct{ a, b plumbing.Hash }

type splitCache struct {
	path    string
	mu      sync.Mutex
	loaded  bool
	entries map[splitKey][2][]plumbing.Hash
}

func openSplitCache(path string) *splitCache {
	return &splitCache{path: path, entries: map[splitKey][2][]plumbing.Hash{}}
}

func (c *splitCache) load() {
	scanRecords(readOnce(c.path, &c.loaded), splitMagic, func(p []byte) bool {
		if len(p) < 48 {
			return false
		}
		var k splitKey
		copy(k.a[:], p[:20])
		copy(k.b[:], p[20:40])
		na, nb := int(binary.BigEndian.Uint32(p[40:])), int(binary.BigEndian.Uint32(p[44:]))
		if 48+(na+nb)*20 != len(p) {
			return false
		}
		var v [2][]plumbing.Hash
		off := 48
		for side, cnt := range []int{na, nb} {
			v[side] = make([]plumbing.Hash, cnt)
			for i := range v[side] {
				copy(v[side][i][:], p[off:off+20])
				off += 20
			}
		}
		c.entries[k] = v
		return true
	})
}

func (c *splitCache) get(a, b plumbing.Hash) ([2][]plumbing.Hash, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	v, ok := c.entries[splitKey{a, b}]
	return v, ok
}

func (c *splitCache) put(a, b plumbing.Hash, onlyA, onlyB []*Node) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var v [2][]plumbing.Hash
	p := make([]byte, 48, 48+(len(onlyA)+len(onlyB))*20)
	copy(p[:20], a[:])
	copy(p[20:40], b[:])
	binary.BigEndian.PutUint32(p[40:], uint32(len(onlyA)))
	binary.BigEndian.PutUint32(p[44:], uint32(len(onlyB)))
	for side, ns := range [][]*Node{onlyA, onlyB} {
		for _, n := range ns {
			p = append(p, n.ID[:]...)
			v[side] = append(v[side], n.ID)
		}
	}
	c.entries[splitKey{a, b}] = v
	if c.path == "" {
		return nil
	}
	rec := appendRecord(make([]byte, 0, 8+len(p)+4), splitMagic, p)
	if st, err := os.Stat(c.path); err == nil && st.Size() > splitCacheMax {
		// Start again: write the new record to a fresh file, then
		// rename it over the old one.
		if err := atomicfile.Write(c.path, rec, 0o644); err != nil {
			return fmt.Errorf("split cache: %w", err)
		}
		return nil
	}
	if err := appendFile(c.path, rec); err != nil {
		return fmt.Errorf("split cache: %w", err)
	}
	return nil
}

// split is Graph.Split through the split cache.
func (h *History) split(ctx context.Context, a, b plumbing.Hash) (onlyA, onlyB []*Node, err error) {
	if v, ok := h.splits.get(a, b); ok {
		nodes := func(ids []plumbing.Hash) ([]*Node, error) {
			out := make([]*Node, 0, len(ids))
			for _, id := range ids {
				n, err := h.graph.Node(id)
				if err != nil {
					return nil, err
				}
				out = append(out, n)
			}
			return out, nil
		}
		if onlyA, err = nodes(v[0]); err != nil {
			return nil, nil, err
		}
		if onlyB, err = nodes(v[1]); err != nil {
			return nil, nil, err
		}
		return onlyA, onlyB, nil
	}
	onlyA, onlyB, err = h.graph.Split(ctx, a, b)
	if err != nil {
		return nil, nil, err
	}
	return onlyA, onlyB, h.splits.put(a, b, onlyA, onlyB)
}
