package engine

import (
	"io"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// sharedStore makes the source repo's go-git storage safe for the engine's
// concurrent callers (the cockpit runs dry-run picks in the background while
// a carry or a fetch runs). go-git's filesystem storage fills its map of
// pack indexes lazily and adds to it when a fetch writes a pack, unguarded.
// So the map is filled once when the repository is opened, object reads
// share a read lock, and the one writer — a fetched pack being indexed when
// its writer closes — takes the write lock. The map is filled on the first
// object access rather than at open (decoding every pack index costs tens of
// milliseconds on a large repository, and many commands never need it).
type sharedStore struct {
	*filesystem.Storage
	mu   *sync.RWMutex
	once *sync.Once
}

func newSharedStore(s *filesystem.Storage) sharedStore {
	return sharedStore{Storage: s, mu: &sync.RWMutex{}, once: &sync.Once{}}
}

// rlock fills the pack index map once, exclusively, then takes the read lock.
func (s sharedStore) rlock() {
	s.once.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		_ = s.Storage.HasEncodedObject(plumbing.ZeroHash)
	})
	s.mu.RLock()
}

func (s sharedStore) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	s.rlock()
	defer s.mu.RUnlock()
	return s.Storage.EncodedObject(t, h)
}

func (s sharedStore) HasEncodedObject(h plumbing.Hash) error {
	s.rlock()
	defer s.mu.RUnlock()
	return s.Storage.HasEncodedObject(h)
}

func (s sharedStore) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	s.rlock()
	defer s.mu.RUnlock()
	return s.Storage.EncodedObjectSize(h)
}

func (s sharedStore) IterEncodedObjects(t plumbing.ObjectType) (storer.EncodedObjectIter, error) {
	s.rlock()
	defer s.mu.RUnlock()
	return s.Storage.IterEncodedObjects(t)
}

func (s sharedStore) HashesWithPrefix(prefix []byte) ([]plumbing.Hash, error) {
	s.rlock()
	defer s.mu.RUnlock()
	return s.Storage.HashesWithPrefix(prefix)
}

func (s sharedStore) DeltaObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	s.rlock()
	defer s.mu.RUnlock()
	return s.Storage.DeltaObject(t, h)
}

// PackfileWriter hands out a writer whose Close, which indexes the new
// pack, excludes every reader.
func (s sharedStore) PackfileWriter() (io.WriteCloser, error) {
	s.rlock()
	s.mu.RUnlock()
	w, err := s.Storage.PackfileWriter()
	if err != nil {
		return nil, err
	}
	return &exclusiveCloser{WriteCloser: w, mu: s.mu}, nil
}

type exclusiveCloser struct {
	io.WriteCloser
	mu *sync.RWMutex
}

func (c *exclusiveCloser) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.WriteCloser.Close()
}
