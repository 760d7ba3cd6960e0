package sequence

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// fileEdit sets a path to a blob, or removes it when Hash is zero.
type fileEdit struct {
	Mode filemode.FileMode
	Hash plumbing.Hash
}

// editTree writes the tree root with edits applied (path → entry) and
// returns its id. Folders left empty disappear; a file replaces a folder
// of the same name and the reverse.
func editTree(s storer.EncodedObjectStorer, root plumbing.Hash, edits map[string]fileEdit) (plumbing.Hash, error) {
	if len(edits) == 0 {
		return root, nil
	}
	var entries []object.TreeEntry
	if !root.IsZero() {
		t, err := object.GetTree(s, root)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("read tree %s: %w", root, err)
		}
		entries = append(entries, t.Entries...)
	}
	here := map[string]fileEdit{}
	below := map[string]map[string]fileEdit{}
	for p, e := range edits {
		if first, rest, ok := strings.Cut(p, "/"); ok {
			if below[first] == nil {
				below[first] = map[string]fileEdit{}
			}
			below[first][rest] = e
		} else {
			here[p] = e
		}
	}
	byName := map[string]object.TreeEntry{}
	for _, e := range entries {
		byName[e.Name] = e
	}
	for name, sub := range below {
		var subRoot plumbing.Hash
		if e, ok := byName[name]; ok && e.Mode == filemode.Dir {
			subRoot = e.Hash
		}
		if _, ok := here[name]; ok && !here[name].Hash.IsZero() {
			continue // a file replaces the folder
		}
		h, err := editTree(s, subRoot, sub)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if h.IsZero() {
			delete(byName, name)
		} else {
			byName[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
		}
	}
	for name, e := range here {
		if e.Hash.IsZero() {
			if cur, ok := byName[name]; ok && cur.Mode != filemode.Dir {
				delete(byName, name)
			}
			continue
		}
		byName[name] = object.TreeEntry{Name: name, Mode: e.Mode, Hash: e.Hash}
	}
	if len(byName) == 0 {
		return plumbing.ZeroHash, nil
	}
	out := make([]object.TreeEntry, 0, len(byName))
	for _, e := range byName {
		out = append(out, e)
	}
	// git orders entries by name, a folder's name compared with a
	// trailing slash.
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return writeTree(s, out)
}

func writeTree(s storer.EncodedObjectStorer, entries []object.TreeEntry) (plumbing.Hash, error) {
	t := &object.Tree{Entries: entries}
	o := s.NewEncodedObject()
	if err := t.Encode(o); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write tree: %w", err)
	}
	h, err := s.SetEncodedObject(o)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write tree: %w", err)
	}
	return h, nil
}

// emptyTree is git's empty tree id.
var emptyTree = plumbing.NewHash("4b825dc642cb6eb9a060e54bf8d69288fbee4904")
