package history

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// go-git's filesystem storage is not safe for concurrent use, so each
// worker reads through its own; but each would decode every pack index and
// build its offset-to-id map again (on git/git, 150 ms and 60 MB apiece).
// The indexes are immutable once decoded and safe for concurrent reads, so
// they are loaded once per History and shared; each worker opens its own
// pack files over them. Objects the shared packs lack (loose objects,
// alternates, packs written since) and any read that fails are served by
// the worker's go-git storage, so a pack replaced by git gc costs speed,
// never correctness.

type sharedPack struct {
	name string // pack-<hash>.pack
	idx  *fastIndex
}

// fastIndex is a pack index whose offset-to-id lookup (needed for every
// offset delta) is a binary search over a sorted array of integers built on
// first use, instead of go-git's map of every object (several times slower
// to build on a large pack). Everything else is go-git's MemoryIndex; a pack
// too large for the packed keys (16M objects, 1 TiB) uses go-git's map.
type fastIndex struct {
	*idxfile.MemoryIndex
	once sync.Once
	ids  []plumbing.Hash // in index order
	keys []uint64        // offset<<24 | position in ids, sorted
	err  error
}

func (x *fastIndex) build() {
	idx := x.MemoryIndex
	n, err := idx.Count()
	if err != nil {
		x.err = err
		return
	}
	if n >= 1<<24 {
		x.err = fmt.Errorf("pack of %d objects: too large for the shared index", n)
		return
	}
	x.ids = make([]plumbing.Hash, 0, n)
	x.keys = make([]uint64, 0, n)
	i := uint32(0)
	for first, fan := range idx.Fanout {
		k := idx.FanoutMapping[first]
		for second := 0; i < fan; i, second = i+1, second+1 {
			var id plumbing.Hash
			copy(id[:], idx.Names[k][second*20:])
			var off uint64
			ofs := binary.BigEndian.Uint32(idx.Offset32[k][second*4:])
			if ofs&(1<<31) != 0 {
				o := 8 * uint64(ofs&^(1<<31))
				if o+8 > uint64(len(idx.Offset64)) {
					x.err = idxfile.ErrMalformedIdxFile
					return
				}
				off = binary.BigEndian.Uint64(idx.Offset64[o:])
			} else {
				off = uint64(ofs)
			}
			if off >= 1<<40 {
				x.err = fmt.Errorf("pack offset %d: too large for the shared index", off)
				return
			}
			x.keys = append(x.keys, off<<24|uint64(len(x.ids)))
			x.ids = append(x.ids, id)
		}
	}
	slices.Sort(x.keys)
}

// FindHash returns the id of the object at offset o.
func (x *fastIndex) FindHash(o int64) (plumbing.Hash, error) {
	x.once.Do(x.build)
	if x.err != nil {
		return x.MemoryIndex.FindHash(o)
	}
	want := uint64(o) << 24
	i, _ := slices.BinarySearch(x.keys, want)
	if i == len(x.keys) || x.keys[i]>>24 != uint64(o) {
		return plumbing.ZeroHash, plumbing.ErrObjectNotFound
	}
	return x.ids[x.keys[i]&(1<<24-1)], nil
}

type sharedPacks struct {
	dir   string // objects/pack
	once  sync.Once
	packs []sharedPack
}

func newSharedPacks(gitDir string) *sharedPacks {
	return &sharedPacks{dir: filepath.Join(commonDir(gitDir), "objects", "pack")}
}

// commonDir is where a git dir keeps what its worktrees share (objects,
// the commit-graph, the shallow list): itself, or for a linked worktree the
// folder its "commondir" file names.
func commonDir(gitDir string) string {
	data, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	common := strings.TrimSpace(string(data))
	if !filepath.IsAbs(common) {
		common = filepath.Join(gitDir, common)
	}
	return common
}

func (sp *sharedPacks) load() []sharedPack {
	sp.once.Do(func() {
		idxs, _ := filepath.Glob(filepath.Join(sp.dir, "pack-*.idx"))
		for _, p := range idxs {
			name := strings.TrimSuffix(filepath.Base(p), ".idx") + ".pack"
			if _, err := os.Stat(filepath.Join(sp.dir, name)); err != nil {
				continue
			}
			f, err := os.Open(p)
			if err != nil {
				continue
			}
			idx := idxfile.NewMemoryIndex()
			err = idxfile.NewDecoder(f).Decode(idx)
			f.Close()
			if err != nil {
				continue // go-git's own storage will report it
			}
			want := strings.TrimSuffix(strings.TrimPrefix(name, "pack-"), ".pack")
			if wantH := plumbing.NewHash(want); !bytes.Equal(idx.PackfileChecksum[:], wantH[:]) {
				continue
			}
			sp.packs = append(sp.packs, sharedPack{name: name, idx: &fastIndex{MemoryIndex: idx}})
		}
	})
	return sp.packs
}

// packStorer reads objects through the shared indexes, each with its own
// open pack files, and falls back to a go-git storage. Like that storage,
// it is for one goroutine at a time.
type packStorer struct {
	storer.EncodedObjectStorer // the fallback: loose objects, alternates, writes
	shared                     *sharedPacks
	fs                         billy.Filesystem
	files                      []*packfile.Packfile
}

func newPackStorer(shared *sharedPacks, fallback storer.EncodedObjectStorer) *packStorer {
	return &packStorer{EncodedObjectStorer: fallback, shared: shared, fs: osfs.New(shared.dir)}
}

func (p *packStorer) pack(i int, sp sharedPack) (*packfile.Packfile, error) {
	if p.files == nil {
		p.files = make([]*packfile.Packfile, len(p.shared.packs))
	}
	if p.files[i] == nil {
		f, err := p.fs.Open(sp.name)
		if err != nil {
			return nil, err
		}
		// No filesystem: objects come back in memory, not re-read lazily.
		p.files[i] = packfile.NewPackfileWithCache(sp.idx, nil, f, cache.NewObjectLRU(32*cache.MiByte), 0)
	}
	return p.files[i], nil
}

// EncodedObject reads an object from the shared packs, else from the
// fallback storage.
func (p *packStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	for i, sp := range p.shared.load() {
		if ok, _ := sp.idx.Contains(h); !ok {
			continue
		}
		pf, err := p.pack(i, sp)
		if err != nil {
			break
		}
		o, err := pf.Get(h)
		if err != nil {
			break
		}
		if t != plumbing.AnyObject && o.Type() != t {
			return nil, plumbing.ErrObjectNotFound
		}
		return o, nil
	}
	return p.EncodedObjectStorer.EncodedObject(t, h)
}
