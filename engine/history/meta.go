package history

import (
	"fmt"
	"io"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// The commit cache keeps the raw bytes of commit objects by id so that a
// warm run shows commits without opening the packs (go-git builds a large
// in-memory index of a pack on its first read, which costs more than all
// the rest of a warm run). Records are variable-sized:
//
//	magic "SYC1" | payload length (4) | commit id (20) | raw commit | crc32 (4)
//
// the checksum covering id and raw commit; appended with one O_APPEND write
// per batch and read back with damaged records skipped, like the patch-id
// cache. A decoded commit's hash is recomputed from its bytes, so a record
// filed under the wrong id cannot pass.
const metaMagic = "SYC1"

type metaCache struct {
	path    string
	mu      sync.Mutex
	loaded  bool
	entries map[plumbing.Hash][]byte
	pending []byte
}

func openMetaCache(path string) *metaCache {
	return &metaCache{path: path, entries: map[plumbing.Hash][]byte{}}
}

func (c *metaCache) load() {
	scanRecords(readOnce(c.path, &c.loaded), metaMagic, func(p []byte) bool {
		if len(p) < 20 {
			return false
		}
		var id plumbing.Hash
		copy(id[:], p[:20])
		c.entries[id] = p[20:]
		return true
	})
}

func (c *metaCache) get(id plumbing.Hash) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	return c.entries[id]
}

func (c *metaCache) put(id plumbing.Hash, raw []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[id] = raw
	if c.path == "" {
		return
	}
	c.pending = appendRecord(c.pending, metaMagic, id[:], raw)
}

func (c *metaCache) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := flushRecords(c.path, &c.pending); err != nil {
		return fmt.Errorf("commit cache: %w", err)
	}
	return nil
}

// rawCommit reads a commit object's bytes.
func rawCommit(s storer.EncodedObjectStorer, id plumbing.Hash) ([]byte, error) {
	o, err := s.EncodedObject(plumbing.CommitObject, id)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w: %v (run git fsck)", id, ErrCorrupt, err)
	}
	r, err := o.Reader()
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w: %v (run git fsck)", id, ErrCorrupt, err)
	}
	defer r.Close()
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w: %v (run git fsck)", id, ErrCorrupt, err)
	}
	return raw, nil
}

// decodeCommit makes a commit from its bytes, bound to s for the commit's
// own methods (Tree, Parents); it fails when the bytes do not hash to id.
func decodeCommit(s storer.EncodedObjectStorer, id plumbing.Hash, raw []byte) (*object.Commit, error) {
	o := &plumbing.MemoryObject{}
	o.SetType(plumbing.CommitObject)
	if _, err := o.Write(raw); err != nil {
		return nil, err
	}
	if o.Hash() != id {
		return nil, fmt.Errorf("commit %s: %w: content hashes to %s", id, ErrCorrupt, o.Hash())
	}
	c, err := object.DecodeCommit(s, o)
	if err != nil {
		return nil, fmt.Errorf("decode commit %s: %w: %v", id, ErrCorrupt, err)
	}
	return c, nil
}

// sharedStorer is the object store commits handed to callers are bound
// to: opened on first use and serialised by a mutex, so those commits'
// methods are safe from any goroutine.
type sharedStorer struct {
	open OpenFunc
	mu   sync.Mutex
	s    storer.EncodedObjectStorer
}

func (l *sharedStorer) get() (storer.EncodedObjectStorer, error) {
	if l.s == nil {
		s, err := l.open()
		if err != nil {
			return nil, err
		}
		l.s = s
	}
	return l.s, nil
}

func (l *sharedStorer) NewEncodedObject() plumbing.EncodedObject { return &plumbing.MemoryObject{} }

func (l *sharedStorer) SetEncodedObject(o plumbing.EncodedObject) (plumbing.Hash, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, err := l.get()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(o)
}

func (l *sharedStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, err := l.get()
	if err != nil {
		return nil, err
	}
	return s.EncodedObject(t, h)
}

func (l *sharedStorer) IterEncodedObjects(t plumbing.ObjectType) (storer.EncodedObjectIter, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, err := l.get()
	if err != nil {
		return nil, err
	}
	return s.IterEncodedObjects(t)
}

func (l *sharedStorer) HasEncodedObject(h plumbing.Hash) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.HasEncodedObject(h)
}

func (l *sharedStorer) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, err := l.get()
	if err != nil {
		return 0, err
	}
	return s.EncodedObjectSize(h)
}

func (l *sharedStorer) AddAlternate(remote string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.AddAlternate(remote)
}
