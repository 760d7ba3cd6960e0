package demo

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// file is one file of a snapshot: its content and mode (regular,
// executable or symlink, whose content is the target).
type file struct {
	data string
	mode filemode.FileMode
}

// files is a snapshot of a tree: slash-separated path → file.
type files map[string]file

func (fs files) clone() files {
	c := make(files, len(fs))
	for p, f := range fs {
		c[p] = f
	}
	return c
}

// apply makes one scenario edit.
func (fs files) apply(e edit) error {
	mode := filemode.Regular
	if e.Exec {
		mode = filemode.Executable
	}
	switch {
	case e.Write != nil:
		fs[e.Path] = file{data: *e.Write, mode: mode}
	case e.Delete:
		if _, ok := fs[e.Path]; !ok {
			return fmt.Errorf("delete %s: no such file", e.Path)
		}
		delete(fs, e.Path)
	default:
		f, ok := fs[e.Path]
		if !ok {
			return fmt.Errorf("replace in %s: no such file", e.Path)
		}
		if n := strings.Count(f.data, e.Replace); n != 1 {
			return fmt.Errorf("replace in %s: the text to replace is found %d times, want once: %q", e.Path, n, e.Replace)
		}
		f.data = strings.Replace(f.data, e.Replace, e.With, 1)
		if e.Exec {
			f.mode = mode
		}
		fs[e.Path] = f
	}
	return nil
}

// writeTree stores the snapshot's blobs and trees and returns the root
// tree's id.
func writeTree(s storer.EncodedObjectStorer, fs files) (plumbing.Hash, error) {
	root := &dir{}
	for p, f := range fs {
		root.add(strings.Split(p, "/"), f)
	}
	return root.write(s)
}

type dir struct {
	files map[string]file
	dirs  map[string]*dir
}

func (d *dir) add(parts []string, f file) {
	if len(parts) == 1 {
		if d.files == nil {
			d.files = map[string]file{}
		}
		d.files[parts[0]] = f
		return
	}
	if d.dirs == nil {
		d.dirs = map[string]*dir{}
	}
	sub := d.dirs[parts[0]]
	if sub == nil {
		sub = &dir{}
		d.dirs[parts[0]] = sub
	}
	sub.add(parts[1:], f)
}

func (d *dir) write(s storer.EncodedObjectStorer) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	for name, f := range d.files {
		h, err := writeBlob(s, f.data)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, object.TreeEntry{Name: name, Mode: f.mode, Hash: h})
	}
	for name, sub := range d.dirs {
		h, err := sub.write(s)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
	}
	// Git orders entries as if directory names ended with a slash.
	sort.Sort(object.TreeEntrySorter(entries))
	return store(s, &object.Tree{Entries: entries})
}

func writeBlob(s storer.EncodedObjectStorer, data string) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write([]byte(data)); err != nil {
		w.Close()
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

type encoder interface {
	Encode(plumbing.EncodedObject) error
}

func store(s storer.EncodedObjectStorer, o encoder) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

// dedup writes each object once per build: the scenario's snapshots share
// most of their blobs and trees, and a loose object costs a file.
type dedup struct {
	storer.EncodedObjectStorer
	seen map[plumbing.Hash]bool
}

func newDedup(s storer.EncodedObjectStorer) *dedup {
	return &dedup{EncodedObjectStorer: s, seen: map[plumbing.Hash]bool{}}
}

// SetEncodedObject stores o unless this build stored it already.
func (d *dedup) SetEncodedObject(o plumbing.EncodedObject) (plumbing.Hash, error) {
	if h := o.Hash(); d.seen[h] {
		return h, nil
	}
	h, err := d.EncodedObjectStorer.SetEncodedObject(o)
	if err == nil {
		d.seen[h] = true
	}
	return h, err
}
