package gitstate

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// Entry is one index entry.
type Entry struct {
	Path  string
	Mode  filemode.FileMode
	Hash  plumbing.Hash
	Stage int // 0 merged, 1 base, 2 ours, 3 theirs
	// Stat is the cached file metadata; zero makes git look at the file.
	Stat Stat
	// SkipWorktree and IntentToAdd are kept as read.
	SkipWorktree, IntentToAdd bool
}

// Stat is the file metadata the index caches.
type Stat struct {
	CTime, MTime       time.Time
	Dev, Ino, UID, GID uint32
	Size               uint32
}

// Index is the entries of an index file, sorted by path then stage.
type Index struct {
	Entries []Entry
}

// IndexPath is the index file of the repo.
func (r *Repo) IndexPath() string { return filepath.Join(r.GitDir, "index") }

// ReadIndex reads the index; an absent index is empty.
func (r *Repo) ReadIndex() (*Index, error) {
	f, err := os.Open(r.IndexPath())
	if errors.Is(err, fs.ErrNotExist) {
		return &Index{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	defer f.Close()
	var idx index.Index
	if err := index.NewDecoder(f).Decode(&idx); err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	out := &Index{Entries: make([]Entry, 0, len(idx.Entries))}
	for _, e := range idx.Entries {
		out.Entries = append(out.Entries, Entry{
			Path: e.Name, Mode: e.Mode, Hash: e.Hash, Stage: int(e.Stage),
			Stat: Stat{CTime: e.CreatedAt, MTime: e.ModifiedAt, Dev: e.Dev, Ino: e.Inode,
				UID: e.UID, GID: e.GID, Size: e.Size},
			SkipWorktree: e.SkipWorktree, IntentToAdd: e.IntentToAdd,
		})
	}
	out.Sort()
	return out, nil
}

// Sort orders entries as git requires: by path bytes, then stage.
func (x *Index) Sort() {
	sort.SliceStable(x.Entries, func(i, j int) bool {
		a, b := x.Entries[i], x.Entries[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Stage < b.Stage
	})
}

// Stages returns the entries for path (stage 0, or stages 1–3).
func (x *Index) Stages(path string) []Entry {
	i := sort.Search(len(x.Entries), func(i int) bool { return x.Entries[i].Path >= path })
	var out []Entry
	for ; i < len(x.Entries) && x.Entries[i].Path == path; i++ {
		out = append(out, x.Entries[i])
	}
	return out
}

// Set replaces every entry of path with the given ones (none removes it).
func (x *Index) Set(path string, entries ...Entry) {
	kept := x.Entries[:0:0]
	for _, e := range x.Entries {
		if e.Path != path {
			kept = append(kept, e)
		}
	}
	x.Entries = append(kept, entries...)
	x.Sort()
}

// Unmerged lists the paths that have stages 1–3.
func (x *Index) Unmerged() []string {
	var out []string
	for _, e := range x.Entries {
		if e.Stage > 0 && (len(out) == 0 || out[len(out)-1] != e.Path) {
			out = append(out, e.Path)
		}
	}
	return out
}

// WriteIndex writes x as the repo's index under index.lock. Extensions of
// the old index (the cached tree, untracked cache) are dropped, which git
// accepts and rebuilds.
func (r *Repo) WriteIndex(ctx context.Context, x *Index) error {
	data, err := x.Encode()
	if err != nil {
		return err
	}
	lock, err := Acquire(ctx, r.IndexPath())
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	defer lock.Rollback()
	if err := lock.Write(data); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	return lock.Commit()
}

// Encode returns the index file bytes: version 2 (3 when an entry needs
// extended flags), entries sorted by path then stage, SHA-1 trailer.
func (x *Index) Encode() ([]byte, error) {
	x.Sort()
	version := uint32(2)
	for i, e := range x.Entries {
		if e.SkipWorktree || e.IntentToAdd {
			version = 3
		}
		if e.Path == "" || strings.HasPrefix(e.Path, "/") || strings.Contains(e.Path, "\x00") {
			return nil, fmt.Errorf("write index: bad path %q", e.Path)
		}
		if e.Stage < 0 || e.Stage > 3 {
			return nil, fmt.Errorf("write index: %s: bad stage %d", e.Path, e.Stage)
		}
		if i > 0 && x.Entries[i-1].Path == e.Path && (x.Entries[i-1].Stage == e.Stage || x.Entries[i-1].Stage == 0 || e.Stage == 0) {
			return nil, fmt.Errorf("write index: %s: stage 0 mixed with conflict stages", e.Path)
		}
	}
	var buf bytes.Buffer
	buf.WriteString("DIRC")
	binary.Write(&buf, binary.BigEndian, version)
	binary.Write(&buf, binary.BigEndian, uint32(len(x.Entries)))
	for _, e := range x.Entries {
		start := buf.Len()
		st := e.Stat
		for _, t := range []time.Time{st.CTime, st.MTime} {
			var s, ns uint32
			if !t.IsZero() {
				s, ns = uint32(t.Unix()), uint32(t.Nanosecond())
			}
			binary.Write(&buf, binary.BigEndian, s)
			binary.Write(&buf, binary.BigEndian, ns)
		}
		for _, v := range []uint32{st.Dev, st.Ino, uint32(e.Mode), st.UID, st.GID, st.Size} {
			binary.Write(&buf, binary.BigEndian, v)
		}
		buf.Write(e.Hash[:])
		n := len(e.Path)
		if n > 0xfff {
			n = 0xfff
		}
		flags := uint16(e.Stage)<<12 | uint16(n)
		extended := e.SkipWorktree || e.IntentToAdd
		if extended {
			flags |= 0x4000
		}
		binary.Write(&buf, binary.BigEndian, flags)
		if extended {
			var ext uint16
			if e.SkipWorktree {
				ext |= 0x4000
			}
			if e.IntentToAdd {
				ext |= 0x2000
			}
			binary.Write(&buf, binary.BigEndian, ext)
		}
		buf.WriteString(e.Path)
		pad := 8 - (buf.Len()-start)%8
		buf.Write(make([]byte, pad))
	}
	sum := sha1.Sum(buf.Bytes())
	buf.Write(sum[:])
	return buf.Bytes(), nil
}
