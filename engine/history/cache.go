package history

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// The patch-id cache is one append-only file of fixed-size records:
//
//	magic "SYP2" | commit (20) | flags (1) | header id (20) | full id (20) | blobs key (20) | crc32 (4)
//
// flags: bit 0 the header id is set, bit 1 the full id, bit 2 the blobs
// key (see blobsKey). Records of another format (magic "SYP1") are skipped
// like damaged ones, so an older cache is recomputed, never misread. A record
// is written with a single O_APPEND write, so runs that append at the same
// time do not interleave; a record torn by a crash fails its checksum and
// the reader skips to the next magic. Later records of a commit complete
// earlier ones. Nothing is ever rewritten, so a reader never sees a
// half-written file replaced under it.
const (
	cacheMagic   = "SYP2"
	cacheRecSize = 4 + 20 + 1 + 20 + 20 + 20 + 4
	flagHeader   = 1
	flagFull     = 2
	flagBlobs    = 4
)

type cacheEntry struct {
	header, full, blobs          PatchID
	hasHeader, hasFull, hasBlobs bool
}

// Cache holds patch-ids by commit id, in memory and on disk.
type Cache struct {
	path    string
	mu      sync.Mutex
	entries map[plumbing.Hash]cacheEntry
	pending []byte // records not yet written
	loaded  bool
}

// OpenCache makes a cache backed by path (created on first Flush); an empty
// path keeps it in memory only.
func OpenCache(path string) *Cache {
	return &Cache{path: path, entries: map[plumbing.Hash]cacheEntry{}}
}

// load reads the file once; damaged records are skipped.
func (c *Cache) load() error {
	if c.loaded || c.path == "" {
		c.loaded = true
		return nil
	}
	c.loaded = true
	data, err := os.ReadFile(c.path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read patch-id cache: %w", err)
	}
	for len(data) >= cacheRecSize {
		if string(data[:4]) != cacheMagic || crc32.ChecksumIEEE(data[:cacheRecSize-4]) != binary.BigEndian.Uint32(data[cacheRecSize-4:cacheRecSize]) {
			i := bytes.Index(data[1:], []byte(cacheMagic))
			if i < 0 {
				break
			}
			data = data[1+i:]
			continue
		}
		var id plumbing.Hash
		copy(id[:], data[4:24])
		flags := data[24]
		e := c.entries[id]
		if flags&flagHeader != 0 {
			copy(e.header[:], data[25:45])
			e.hasHeader = true
		}
		if flags&flagFull != 0 {
			copy(e.full[:], data[45:65])
			e.hasFull = true
		}
		if flags&flagBlobs != 0 {
			copy(e.blobs[:], data[65:85])
			e.hasBlobs = true
		}
		c.entries[id] = e
		data = data[cacheRecSize:]
	}
	return nil
}

func (c *Cache) get(id plumbing.Hash) (cacheEntry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.load(); err != nil {
		return cacheEntry{}, err
	}
	return c.entries[id], nil
}

func (c *Cache) put(id plumbing.Hash, e cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[id] = e
	var rec [cacheRecSize]byte
	copy(rec[:4], cacheMagic)
	copy(rec[4:24], id[:])
	if e.hasHeader {
		rec[24] |= flagHeader
		copy(rec[25:45], e.header[:])
	}
	if e.hasFull {
		rec[24] |= flagFull
		copy(rec[45:65], e.full[:])
	}
	if e.hasBlobs {
		rec[24] |= flagBlobs
		copy(rec[65:85], e.blobs[:])
	}
	binary.BigEndian.PutUint32(rec[cacheRecSize-4:], crc32.ChecksumIEEE(rec[:cacheRecSize-4]))
	c.pending = append(c.pending, rec[:]...)
}

// Flush appends the records computed since the last Flush to the file.
func (c *Cache) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	// One write per batch of whole records; a batch larger than the
	// kernel writes at once is still whole records, each checked on read.
	if err := flushRecords(c.path, &c.pending); err != nil {
		return fmt.Errorf("patch-id cache: %w", err)
	}
	return nil
}
