package history

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestCacheSurvivesTornRecordsAndConcurrentRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "switchyard", "patch-ids")
	id := func(i int) plumbing.Hash { var h plumbing.Hash; h[0], h[1] = byte(i), byte(i>>8); return h }
	entry := func(i int) cacheEntry {
		var e cacheEntry
		e.header[0] = byte(i)
		e.hasHeader, e.hasFull, e.hasBlobs = true, i%2 == 0, i%3 != 0
		if e.hasFull {
			e.full[0] = byte(i + 1)
		}
		if e.hasBlobs {
			e.blobs[0] = byte(i + 2)
		}
		return e
	}
	// two runs appending at once
	var wg sync.WaitGroup
	for run := 0; run < 2; run++ {
		wg.Add(1)
		go func(run int) {
			defer wg.Done()
			c := OpenCache(path)
			for i := run * 100; i < run*100+100; i++ {
				c.put(id(i), entry(i))
				if i%10 == 9 {
					if err := c.Flush(); err != nil {
						t.Error(err)
					}
				}
			}
		}(run)
	}
	wg.Wait()
	// a crash in the middle of a record, then more records
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte(cacheMagic + "torn record"))
	f.Close()
	c := OpenCache(path)
	c.put(id(500), entry(500))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	c = OpenCache(path)
	for _, i := range append(rangeN(200), 500) {
		got, err := c.get(id(i))
		if err != nil {
			t.Fatal(err)
		}
		if got != entry(i) {
			t.Errorf("cache entry %d = %+v; want %+v", i, got, entry(i))
		}
	}
	if got, _ := c.get(id(300)); got.hasHeader || got.hasFull {
		t.Errorf("cache entry never written = %+v; want none", got)
	}
}

func rangeN(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestCommitCacheSkipsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "commits")
	c := openMetaCache(path)
	a, b := plumbing.NewHash("1111111111111111111111111111111111111111"), plumbing.NewHash("2222222222222222222222222222222222222222")
	c.put(a, []byte("tree x\n\nfirst\n"))
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte(metaMagic + "\x00\x00\x01\x00half"))
	f.Close()
	c = openMetaCache(path)
	c.put(b, []byte("tree y\n\nsecond\n"))
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	c = openMetaCache(path)
	if got := string(c.get(a)); got != "tree x\n\nfirst\n" {
		t.Errorf("commit a = %q", got)
	}
	if got := string(c.get(b)); got != "tree y\n\nsecond\n" {
		t.Errorf("commit b = %q", got)
	}
	// bytes that do not hash to the id are refused
	if _, err := decodeCommit(nil, a, c.get(a)); err == nil {
		t.Errorf("decodeCommit of bytes filed under the wrong id succeeded")
	}
}

func TestSplitCacheSkipsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "splits")
	h := func(b byte) plumbing.Hash { var x plumbing.Hash; x[0] = b; return x }
	c := openSplitCache(path)
	if err := c.put(h(1), h(2), []*Node{{ID: h(3)}, {ID: h(4)}}, nil); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte(splitMagic + "\x00\x00\x00\x40torn"))
	f.Close()
	if err := openSplitCache(path).put(h(5), h(6), nil, []*Node{{ID: h(7)}}); err != nil {
		t.Fatal(err)
	}
	c = openSplitCache(path)
	if v, ok := c.get(h(1), h(2)); !ok || len(v[0]) != 2 || v[0][1] != h(4) || len(v[1]) != 0 {
		t.Errorf("split (1, 2) = %v, %v", v, ok)
	}
	if v, ok := c.get(h(5), h(6)); !ok || len(v[0]) != 0 || len(v[1]) != 1 || v[1][0] != h(7) {
		t.Errorf("split (5, 6) = %v, %v", v, ok)
	}
	if _, ok := c.get(h(2), h(1)); ok {
		t.Errorf("split (2, 1) found; it was never stored")
	}
}
