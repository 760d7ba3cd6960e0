package history

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Objects are read straight from the pack files. go-git's filesystem
// storage is not safe for concurrent use, decodes every pack index into
// maps (on git/git, 150 ms and 60 MB per worker), resolves each offset
// delta through an offset-to-id map of the whole pack, and hashes every
// object it reads. Here each pack's .idx file is read once per History and
// searched in place; each worker reads objects at their offsets with
// ReadAt over pack files shared by all and resolves deltas by offset; the
// objects built are kept in a cache shared by the workers, since commits
// next to each other share delta bases. Objects the packs
// lack are read from loose object files; objects found in neither
// (alternates, packs written since) and any read that fails are served by
// the worker's go-git storage, so a pack replaced by
// git gc costs speed, never correctness.

var errPackFormat = errors.New("unsupported pack data")

// packIndex is a version 2 pack index, searched in place in its file's
// bytes (mapped into memory where the system allows).
type packIndex struct {
	fanout [256]uint32
	names  []byte // sorted ids, 20 bytes each
	off32  []byte // 4 bytes each; high bit set: index into off64
	off64  []byte
}

func readPackIndex(path string, packID []byte) (*packIndex, error) {
	data, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	const head = 8 + 256*4
	if len(data) < head+40 || string(data[:4]) != "\xfftOc" || binary.BigEndian.Uint32(data[4:8]) != 2 {
		return nil, fmt.Errorf("%s: %w", path, errPackFormat)
	}
	x := &packIndex{}
	for i := range x.fanout {
		x.fanout[i] = binary.BigEndian.Uint32(data[8+4*i:])
	}
	n := int(x.fanout[255])
	end := len(data) - 40
	if head+n*28 > end || !bytes.Equal(data[end:end+20], packID) {
		return nil, fmt.Errorf("%s: %w", path, errPackFormat)
	}
	x.names = data[head : head+n*20]
	x.off32 = data[head+n*24 : head+n*28]
	x.off64 = data[head+n*28 : end]
	return x, nil
}

// find returns the offset of an object in the pack.
func (x *packIndex) find(id plumbing.Hash) (int64, bool) {
	lo := 0
	if id[0] > 0 {
		lo = int(x.fanout[id[0]-1])
	}
	hi := int(x.fanout[id[0]])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(x.names[m*20:m*20+20], id[:]); {
		case c == 0:
			o := binary.BigEndian.Uint32(x.off32[m*4:])
			if o&(1<<31) == 0 {
				return int64(o), true
			}
			k := 8 * int(o&^(1<<31))
			if k+8 > len(x.off64) {
				return 0, false
			}
			return int64(binary.BigEndian.Uint64(x.off64[k:])), true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return 0, false
}

type sharedPack struct {
	idx  *packIndex
	file *os.File // read with ReadAt only, which is safe for concurrent use
	size int64
}

type sharedPacks struct {
	dir   string // objects/pack
	once  sync.Once
	packs []sharedPack
	bases baseCache
}

func newSharedPacks(gitDir string) *sharedPacks {
	return &sharedPacks{dir: filepath.Join(commonDir(gitDir), "objects", "pack"), bases: baseCache{max: 48 << 20}}
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

// load opens the packs once. The files stay open for the life of the
// process, as go-git's storage keeps its own.
func (sp *sharedPacks) load() []sharedPack {
	sp.once.Do(func() {
		idxs, _ := filepath.Glob(filepath.Join(sp.dir, "pack-*.idx"))
		for _, p := range idxs {
			base := strings.TrimSuffix(p, ".idx")
			want := plumbing.NewHash(strings.TrimPrefix(filepath.Base(base), "pack-"))
			idx, err := readPackIndex(p, want[:])
			if err != nil {
				continue // go-git's own storage will read or report it
			}
			f, err := os.Open(base + ".pack")
			if err != nil {
				continue
			}
			st, err := f.Stat()
			if err != nil {
				f.Close()
				continue
			}
			sp.packs = append(sp.packs, sharedPack{idx: idx, file: f, size: st.Size()})
		}
	})
	return sp.packs
}

// packStorer reads objects from the shared packs and falls back to a
// go-git storage. Like that storage, it is for one goroutine at a time.
type packStorer struct {
	storer.EncodedObjectStorer // the fallback: loose objects, alternates, writes
	shared                     *sharedPacks
	brs                        [3]*bufio.Reader // 1, 8 and 64 KiB buffers
	br                         *bufio.Reader    // the one in use
	zr                         io.ReadCloser
}

func newPackStorer(shared *sharedPacks, fallback storer.EncodedObjectStorer) *packStorer {
	return &packStorer{EncodedObjectStorer: fallback, shared: shared}
}

// EncodedObject reads an object from the shared packs, else from the
// fallback storage.
func (p *packStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if ot, data, ok := p.read(h); ok {
		if t != plumbing.AnyObject && ot != t {
			return nil, plumbing.ErrObjectNotFound
		}
		return &packedObject{id: h, t: ot, data: data}, nil
	}
	return p.EncodedObjectStorer.EncodedObject(t, h)
}

// read returns an object's type and content when a shared pack has it and
// it reads cleanly (and is not too big to hold in memory).
func (p *packStorer) read(h plumbing.Hash) (plumbing.ObjectType, []byte, bool) {
	packs := p.shared.load()
	for i := range packs {
		off, ok := packs[i].idx.find(h)
		if !ok {
			continue
		}
		t, data, err := p.readAt(i, off, 0)
		return t, data, err == nil
	}
	t, data, err := p.readLoose(h)
	return t, data, err == nil
}

// readLoose reads a loose object: a zlib stream of "<type> <size>\0" and
// the content. Loose objects are kept in the shared cache too: the commits
// made since the last repack (picks, typically) follow one another, so one
// commit's tree and blobs are the next one's parent's.
func (p *packStorer) readLoose(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	k := baseKey{pack: -1, id: h}
	if t, data, ok := p.shared.bases.get(k); ok {
		return t, data, nil
	}
	t, data, err := p.inflateLoose(h)
	if err == nil {
		p.shared.bases.put(k, t, data)
	}
	return t, data, err
}

func (p *packStorer) inflateLoose(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	hex := h.String()
	f, err := os.Open(filepath.Join(filepath.Dir(p.shared.dir), hex[:2], hex[2:]))
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil {
		p.useReader(f, st.Size())
	} else {
		p.useReader(f, 64<<10)
	}
	if err := p.resetZlib(); err != nil {
		return 0, nil, err
	}
	var hdr [32]byte
	n, err := io.ReadFull(p.zr, hdr[:])
	if err != nil && err != io.ErrUnexpectedEOF {
		return 0, nil, err
	}
	sp := bytes.IndexByte(hdr[:n], ' ')
	nul := bytes.IndexByte(hdr[:n], 0)
	if sp < 0 || nul < sp {
		return 0, nil, errPackFormat
	}
	t, err := plumbing.ParseObjectType(string(hdr[:sp]))
	if err != nil {
		return 0, nil, err
	}
	size, err := strconv.ParseInt(string(hdr[sp+1:nul]), 10, 64)
	if err != nil || size < 0 || size > bigFileThreshold {
		return 0, nil, errPackFormat
	}
	data := make([]byte, size)
	k := copy(data, hdr[nul+1:n])
	if int64(k) < size {
		if _, err := io.ReadFull(p.zr, data[k:]); err != nil {
			return 0, nil, err
		}
	}
	return t, data, nil
}

// useReader reads r next through a buffer sized for about n bytes: each
// fill of the buffer is one read from the file, and a small object's
// should not copy much more than the object.
func (p *packStorer) useReader(r io.Reader, n int64) {
	k := 0
	switch {
	case n > 6<<10:
		k = 2
	case n > 768:
		k = 1
	}
	if p.brs[k] == nil {
		p.brs[k] = bufio.NewReaderSize(r, 1<<(10+3*k))
	} else {
		p.brs[k].Reset(r)
	}
	p.br = p.brs[k]
}

func (p *packStorer) resetZlib() error {
	if p.zr == nil {
		var err error
		p.zr, err = zlib.NewReader(p.br)
		return err
	}
	return p.zr.(zlib.Resetter).Reset(p.br, nil)
}

// maxDeltaDepth bounds delta chains (git writes at most 4095).
const maxDeltaDepth = 10000

// readAt reads the object at an offset of pack i, resolving deltas.
func (p *packStorer) readAt(i int, off int64, depth int) (plumbing.ObjectType, []byte, error) {
	if t, data, ok := p.shared.bases.get(baseKey{pack: i, off: off}); ok {
		return t, data, nil
	}
	if depth > maxDeltaDepth {
		return 0, nil, errPackFormat
	}
	pk := &p.shared.packs[i]
	var hdr [64]byte
	n, err := pk.file.ReadAt(hdr[:], off)
	if n == 0 {
		if err == nil {
			err = errPackFormat
		}
		return 0, nil, err
	}
	b := hdr[:n]
	c := b[0]
	t := plumbing.ObjectType(c >> 4 & 7)
	size := int64(c & 15)
	k := 1
	for shift := 4; c&0x80 != 0; shift += 7 {
		if k >= len(b) || shift > 56 {
			return 0, nil, errPackFormat
		}
		c = b[k]
		k++
		size |= int64(c&0x7f) << shift
	}
	if size > bigFileThreshold {
		return 0, nil, errPackFormat // left to the fallback, which streams
	}
	var t2 plumbing.ObjectType
	var base []byte
	switch t {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
		data, err := p.inflate(pk, off+int64(k), size)
		if err != nil {
			return 0, nil, err
		}
		p.shared.bases.put(baseKey{pack: i, off: off}, t, data)
		return t, data, nil
	case plumbing.OFSDeltaObject:
		if k >= len(b) {
			return 0, nil, errPackFormat
		}
		c = b[k]
		k++
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if k >= len(b) || rel > 1<<48 {
				return 0, nil, errPackFormat
			}
			c = b[k]
			k++
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		if rel <= 0 || rel > off {
			return 0, nil, errPackFormat
		}
		if t2, base, err = p.readAt(i, off-rel, depth+1); err != nil {
			return 0, nil, err
		}
	case plumbing.REFDeltaObject:
		if k+20 > len(b) {
			return 0, nil, errPackFormat
		}
		var id plumbing.Hash
		copy(id[:], b[k:k+20])
		k += 20
		boff, ok := pk.idx.find(id)
		if !ok {
			return 0, nil, errPackFormat // a thin pack: left to the fallback
		}
		if t2, base, err = p.readAt(i, boff, depth+1); err != nil {
			return 0, nil, err
		}
	default:
		return 0, nil, errPackFormat
	}
	delta, err := p.inflate(pk, off+int64(k), size)
	if err != nil {
		return 0, nil, err
	}
	data, err := applyDelta(base, delta)
	if err != nil {
		return 0, nil, err
	}
	p.shared.bases.put(baseKey{pack: i, off: off}, t2, data)
	return t2, data, nil
}

// inflate reads size bytes of the zlib stream at off.
func (p *packStorer) inflate(pk *sharedPack, off, size int64) ([]byte, error) {
	p.useReader(io.NewSectionReader(pk.file, off, pk.size-off), size)
	if err := p.resetZlib(); err != nil {
		return nil, err
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(p.zr, data); err != nil {
		return nil, err
	}
	return data, nil
}

// applyDelta builds an object from its base and a git delta: the base's
// size, the result's size, then copy (from the base) and insert (literal)
// instructions.
func applyDelta(base, delta []byte) ([]byte, error) {
	varint := func() (int, bool) {
		v, shift := 0, 0
		for len(delta) > 0 && shift < 63 {
			c := delta[0]
			delta = delta[1:]
			v |= int(c&0x7f) << shift
			shift += 7
			if c&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	srcSize, ok1 := varint()
	dstSize, ok2 := varint()
	if !ok1 || !ok2 || srcSize != len(base) || dstSize > bigFileThreshold {
		return nil, errPackFormat
	}
	out := make([]byte, 0, dstSize)
	for len(delta) > 0 {
		c := delta[0]
		delta = delta[1:]
		switch {
		case c&0x80 != 0:
			var off, n int
			for bit := 0; bit < 7; bit++ {
				if c&(1<<bit) == 0 {
					continue
				}
				if len(delta) == 0 {
					return nil, errPackFormat
				}
				if bit < 4 {
					off |= int(delta[0]) << (8 * bit)
				} else {
					n |= int(delta[0]) << (8 * (bit - 4))
				}
				delta = delta[1:]
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > len(base) || len(out)+n > dstSize {
				return nil, errPackFormat
			}
			out = append(out, base[off:off+n]...)
		case c != 0:
			n := int(c)
			if n > len(delta) || len(out)+n > dstSize {
				return nil, errPackFormat
			}
			out = append(out, delta[:n]...)
			delta = delta[n:]
		default:
			return nil, errPackFormat
		}
	}
	if len(out) != dstSize {
		return nil, errPackFormat
	}
	return out, nil
}

// baseCache keeps recently built objects by pack offset, up to max bytes,
// evicting the oldest first; it is safe for concurrent use. Objects are
// never modified once built, so they are handed out without copying.
type baseCache struct {
	mu        sync.Mutex
	max, used int
	m         map[baseKey]baseEntry
	order     []baseKey
}

// baseKey names a packed object by pack and offset, a loose one by id
// (pack -1).
type baseKey struct {
	pack int
	off  int64
	id   plumbing.Hash
}

type baseEntry struct {
	t    plumbing.ObjectType
	data []byte
}

func (c *baseCache) get(k baseKey) (plumbing.ObjectType, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	return e.t, e.data, ok
}

func (c *baseCache) put(k baseKey, t plumbing.ObjectType, data []byte) {
	if len(data) > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[baseKey]baseEntry{}
	}
	if _, ok := c.m[k]; ok {
		return
	}
	for c.used+len(data) > c.max && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.used -= len(c.m[old].data)
		delete(c.m, old)
	}
	c.m[k] = baseEntry{t, data}
	c.order = append(c.order, k)
	c.used += len(data)
}

// packedObject is an object read from a pack, its id known.
type packedObject struct {
	id   plumbing.Hash
	t    plumbing.ObjectType
	data []byte
}

func (o *packedObject) Hash() plumbing.Hash           { return o.id }
func (o *packedObject) Type() plumbing.ObjectType     { return o.t }
func (o *packedObject) SetType(t plumbing.ObjectType) { o.t = t }
func (o *packedObject) Size() int64                   { return int64(len(o.data)) }
func (o *packedObject) SetSize(int64)                 {}
func (o *packedObject) Reader() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(o.data)), nil
}
func (o *packedObject) Writer() (io.WriteCloser, error) {
	return nil, errors.New("packed objects are read-only")
}
