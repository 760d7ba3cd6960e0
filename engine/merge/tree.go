package merge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// ErrNotTree is returned when a hash given as a tree names something else.
var ErrNotTree = errors.New("merge: not a tree")

// Entry is one version of a path: a blob (or symlink, or submodule) with
// its mode. A zero Hash means the path is absent in that version.
type Entry struct {
	Path string
	Mode filemode.FileMode
	Hash plumbing.Hash
}

// Absent reports whether the entry stands for a missing path.
func (e Entry) Absent() bool { return e.Hash.IsZero() }

func (e Entry) same(o Entry) bool {
	if e.Absent() || o.Absent() {
		return e.Absent() == o.Absent()
	}
	return e.Mode == o.Mode && e.Hash == o.Hash
}

// ConflictKind names the kind of a conflict. The strings are part of the
// JSON contract of the CLI.
type ConflictKind string

// Conflict kinds.
const (
	KindContent       ConflictKind = "content"
	KindAddAdd        ConflictKind = "add/add"
	KindModifyDelete  ConflictKind = "modify/delete"
	KindRename        ConflictKind = "rename"
	KindFileDirectory ConflictKind = "file/directory"
	KindMode          ConflictKind = "mode"
	KindSymlink       ConflictKind = "symlink"
	KindBinary        ConflictKind = "binary"
	// KindFileLocation marks a path the other side added (or renamed)
	// inside a directory this side renamed: the file was moved into the
	// new directory, and git asks for a check ("CONFLICT (file location)").
	KindFileLocation ConflictKind = "file location"
	// KindDirRenameSplit marks a directory the other side emptied into
	// several directories with no majority: paths added inside it stay.
	// It names a directory, has no index stages, and is listed in
	// Result.DirConflicts.
	KindDirRenameSplit ConflictKind = "directory rename split"
	// KindImplicitDirRename marks a path a directory rename would have
	// moved files to, but which was taken (or wanted by several): the
	// files stay. Listed in Result.DirConflicts, without index stages.
	KindImplicitDirRename ConflictKind = "implicit dir rename"
)

// Conflict is one conflicted path of a tree merge.
type Conflict struct {
	Path string
	Kind ConflictKind
	// Hunks is the number of conflict chunks of a content conflict, else 0.
	Hunks int
	// Base, Ours, Theirs are the index stages 1, 2 and 3 git records for
	// Path; an absent stage has a zero Hash. Each stage's Path is Path.
	Base, Ours, Theirs Entry
	// OrigPath is the path a renamed file came from, for rename conflicts
	// and for content conflicts of renamed files.
	OrigPath string
}

// Result is the outcome of a tree merge.
type Result struct {
	// Tree is the merged tree, written to the store. Conflicted text files
	// carry conflict markers, as git merge-tree --write-tree writes them.
	Tree plumbing.Hash
	// Conflicts lists the conflicted paths, sorted by path.
	Conflicts []Conflict
	// DirConflicts lists conflicts about directories that leave no index
	// stages (kinds "directory rename split" and "implicit dir rename"):
	// git reports the merge as
	// not clean, yet there is nothing to resolve in any file.
	DirConflicts []Conflict
}

// Clean reports whether the merge had no conflicts, as git reports it.
func (r *Result) Clean() bool { return len(r.Conflicts) == 0 && len(r.DirConflicts) == 0 }

const (
	sBase = iota
	sOurs
	sTheirs
)

// tri holds the three versions of a file path.
type tri struct {
	e     [3]Entry
	names [3]string // path of each version (differs after a rename)
	// renamed marks a record built from a rename; kind and orig describe
	// the rename conflict to report, if any.
	renameKind string
	orig       string
	// moved is set when a directory rename moved the path here.
	moved bool
	// markerSize overrides the conflict markers' length when not zero.
	markerSize int
	// hidden marks a record read only to look for renames, in a subtree
	// one side changed and git resolves without looking inside.
	hidden bool
}

// item is a settled entry of the result tree: a file, or a whole subtree
// (mode Dir) taken unchanged from one side.
type item struct {
	path string
	mode filemode.FileMode
	hash plumbing.Hash
}

// deferral is a subtree changed on one side only. Its result is that
// side's subtree, unless it holds a rename target of that side.
type deferral struct {
	path  string
	side  int
	trees [3]plumbing.Hash
}

type treeMerge struct {
	ctx    context.Context
	s      storer.EncodedObjectStorer
	opts   Options
	files  map[string]*tri
	items  []item
	defers []deferral
	expand [3]bool
	blobs  map[plumbing.Hash][]byte
	roots  [3]plumbing.Hash
	// removed lists subtrees one side deleted and the other left as in
	// the base (side is the deleting side); they are only read for
	// directory rename detection.
	removed []deferral
	// sameAdds lists subtrees both sides added alike; expandSame has
	// them walked.
	sameAdds   []deferral
	expandSame bool
	hiding     bool            // new records are hidden
	dirs       map[string]bool // "side\x00path" → the directory exists
	extra      []Conflict      // conflicts that are not about one file
}

// Trees merges three trees (hashes of tree objects; a zero hash is the
// empty tree) the way git's merge-ort does, and writes new blobs and trees
// into s. Only subtrees that differ are read.
func Trees(ctx context.Context, s storer.EncodedObjectStorer, base, ours, theirs plumbing.Hash, opts Options) (*Result, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	m := &treeMerge{ctx: ctx, s: s, opts: opts, files: map[string]*tri{}, blobs: map[plumbing.Hash][]byte{},
		roots: [3]plumbing.Hash{base, ours, theirs}, dirs: map[string]bool{}}
	if err := m.walkDir("", [3]plumbing.Hash{base, ours, theirs}); err != nil {
		return nil, err
	}
	if !opts.NoRenames {
		if err := m.renames(); err != nil {
			return nil, err
		}
	}
	for _, d := range m.defers {
		m.items = append(m.items, item{path: d.path, mode: filemode.Dir, hash: d.trees[d.side]})
	}
	for _, d := range m.sameAdds {
		m.items = append(m.items, item{path: d.path, mode: filemode.Dir, hash: d.trees[sOurs]})
	}
	conflicts, err := m.resolve()
	if err != nil {
		return nil, err
	}
	root, err := m.writeTree()
	if err != nil {
		return nil, err
	}
	sort.Slice(conflicts, func(i, j int) bool { return conflicts[i].Path < conflicts[j].Path })
	sort.Slice(m.extra, func(i, j int) bool { return m.extra[i].Path < m.extra[j].Path })
	return &Result{Tree: root, Conflicts: conflicts, DirConflicts: m.extra}, nil
}

func (m *treeMerge) readTree(h plumbing.Hash) (*object.Tree, error) {
	if h.IsZero() {
		return &object.Tree{}, nil
	}
	t, err := object.GetTree(m.s, h)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	return t, nil
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// walkDir handles one directory given the three versions' tree hashes.
func (m *treeMerge) walkDir(p string, d [3]plumbing.Hash) error {
	switch {
	case d[0] == d[1] && d[1] == d[2]:
		if !d[0].IsZero() {
			m.items = append(m.items, item{p, filemode.Dir, d[0]})
		}
		return nil
	case d[1] == d[2] && d[0].IsZero():
		if !m.expandSame {
			// Settled, unless its files count as renames for a
			// directory rename.
			m.sameAdds = append(m.sameAdds, deferral{p, sOurs, d})
			return nil
		}
	case d[1] == d[2]:
		// Both sides changed the directory alike; walk it anyway, since
		// files deleted on both sides may be sources of renames.
	case d[0] == d[1]:
		if !m.expand[sTheirs] {
			if !d[2].IsZero() {
				m.defers = append(m.defers, deferral{p, sTheirs, d})
			} else {
				m.removed = append(m.removed, deferral{p, sTheirs, d})
			}
			return nil
		}
	case d[0] == d[2]:
		if !m.expand[sOurs] {
			if !d[1].IsZero() {
				m.defers = append(m.defers, deferral{p, sOurs, d})
			} else {
				m.removed = append(m.removed, deferral{p, sOurs, d})
			}
			return nil
		}
	}
	if err := m.ctx.Err(); err != nil {
		return err
	}
	var trees [3]*object.Tree
	for i := range trees {
		t, err := m.readTree(d[i])
		if err != nil {
			return err
		}
		trees[i] = t
	}
	// Inside a subtree one side alone changed, git reads only the
	// directories that side removed.
	hidden := m.hiding && !(!d[sBase].IsZero() && (d[sOurs].IsZero() || d[sTheirs].IsZero()))
	type slot struct{ e [3]*object.TreeEntry }
	names := map[string]*slot{}
	var order []string
	for i, t := range trees {
		for k := range t.Entries {
			te := &t.Entries[k]
			sl := names[te.Name]
			if sl == nil {
				sl = &slot{}
				names[te.Name] = sl
				order = append(order, te.Name)
			}
			sl.e[i] = te
		}
	}
	for _, name := range order {
		sl := names[name]
		full := joinPath(p, name)
		var f [3]Entry
		var sub [3]plumbing.Hash
		hasFile, hasDir := false, false
		for i, te := range sl.e {
			if te == nil {
				continue
			}
			if te.Mode == filemode.Dir {
				sub[i] = te.Hash
				hasDir = true
			} else {
				f[i] = Entry{Path: full, Mode: te.Mode, Hash: te.Hash}
				hasFile = true
			}
		}
		if hasFile {
			if f[0].same(f[1]) && f[1].same(f[2]) {
				m.items = append(m.items, item{full, f[0].Mode, f[0].Hash})
			} else {
				m.files[full] = &tri{e: f, names: [3]string{full, full, full}, hidden: hidden}
			}
		}
		if hasDir {
			if err := m.walkDir(full, sub); err != nil {
				return err
			}
		}
	}
	return nil
}

// readRemoved reads the directories side removed whose path want accepts
// (all of them when want is nil), deferred until now; the others stay
// deferred, in their order.
func (m *treeMerge) readRemoved(side int, want func(path string) bool) error {
	var keep []deferral
	removed := m.removed
	m.removed = nil
	for _, d := range removed {
		if d.side != side || (want != nil && !want(d.path)) {
			keep = append(keep, d)
			continue
		}
		m.expand[side] = true
		err := m.walkDir(d.path, d.trees)
		m.expand[side] = false
		if err != nil {
			return err
		}
	}
	m.removed = append(keep, m.removed...)
	return nil
}

func (m *treeMerge) blob(h plumbing.Hash) ([]byte, error) {
	if b, ok := m.blobs[h]; ok {
		return b, nil
	}
	b, err := object.GetBlob(m.s, h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	r, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	m.blobs[h] = data
	return data, nil
}

func (m *treeMerge) writeBlob(data []byte) (plumbing.Hash, error) {
	h, err := WriteBlob(m.s, data)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	m.blobs[h] = data
	return h, nil
}

// WriteBlob stores data in s as a blob and returns its id.
func WriteBlob(s storer.EncodedObjectStorer, data []byte) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := s.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write blob: %w", err)
	}
	return h, nil
}

func isRegular(mode filemode.FileMode) bool {
	return mode == filemode.Regular || mode == filemode.Executable || mode == filemode.Deprecated
}

// fileKind groups modes the way merges care about: regular files (either
// mode bit), symlinks, submodules.
func fileKind(mode filemode.FileMode) int {
	switch {
	case isRegular(mode):
		return 1
	case mode == filemode.Symlink:
		return 2
	default:
		return 3
	}
}

// labels returns the marker labels for a content merge; when ours and
// theirs come from different paths (a rename on one side), each label
// names its path, as git does.
func (m *treeMerge) labels(t *tri) Options {
	o := m.opts
	if t.markerSize != 0 {
		o.MarkerSize = t.markerSize
	}
	if t.names[sOurs] != t.names[sTheirs] {
		o.BaseLabel = o.BaseLabel + ":" + t.names[0]
		o.OursLabel = o.OursLabel + ":" + t.names[1]
		o.TheirsLabel = o.TheirsLabel + ":" + t.names[2]
	}
	return o
}

// resolved is the outcome for one path before file/directory checks.
type resolved struct {
	path     string
	result   Entry // absent: nothing at path
	side     int   // side whose version the result is (for ~side names)
	conflict *Conflict
}

func (m *treeMerge) resolve() ([]Conflict, error) {
	paths := make([]string, 0, len(m.files))
	for p := range m.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []resolved
	for _, p := range paths {
		t := m.files[p]
		rs, err := m.resolveFile(p, t)
		if err != nil {
			return nil, err
		}
		if t.moved && len(rs) == 1 && rs[0].conflict == nil {
			rs[0].conflict = &Conflict{Kind: KindFileLocation, Base: t.e[sBase], Ours: t.e[sOurs], Theirs: t.e[sTheirs], OrigPath: t.orig}
		}
		out = append(out, rs...)
	}

	// Directories of the result: a file that would sit where a directory
	// is gets moved aside to path~label, as git does.
	dirs := map[string]bool{}
	taken := map[string]bool{}
	addParents := func(p string) {
		for {
			i := strings.LastIndexByte(p, '/')
			if i < 0 {
				return
			}
			p = p[:i]
			if dirs[p] {
				return
			}
			dirs[p] = true
		}
	}
	for _, it := range m.items {
		if it.mode == filemode.Dir {
			dirs[it.path] = true
		} else {
			taken[it.path] = true
		}
		addParents(it.path)
	}
	for _, r := range out {
		if !r.result.Absent() {
			taken[r.path] = true
			addParents(r.path)
		}
	}
	var conflicts []Conflict
	for _, r := range out {
		if !r.result.Absent() && dirs[r.path] {
			label := m.opts.OursLabel
			if r.side == sTheirs {
				label = m.opts.TheirsLabel
			}
			np := uniquePath(r.path, label, dirs, taken)
			taken[np] = true
			if r.conflict == nil {
				r.conflict = &Conflict{}
				switch r.side {
				case sOurs:
					r.conflict.Ours = r.result
				default:
					r.conflict.Theirs = r.result
				}
			}
			r.conflict.Kind = KindFileDirectory
			r.path = np
		}
		if !r.result.Absent() {
			m.items = append(m.items, item{r.path, r.result.Mode, r.result.Hash})
		}
		if c := r.conflict; c != nil {
			c.Path = r.path
			for _, e := range []*Entry{&c.Base, &c.Ours, &c.Theirs} {
				if !e.Absent() {
					e.Path = r.path
				}
			}
			conflicts = append(conflicts, *c)
		}
	}
	return conflicts, nil
}

// uniquePath returns p~label (slashes in label replaced), made unique with
// a _N suffix when taken.
func uniquePath(p, label string, dirs, taken map[string]bool) string {
	base := p + "~" + strings.ReplaceAll(label, "/", "_")
	np := base
	for i := 0; dirs[np] || taken[np]; i++ {
		np = fmt.Sprintf("%s_%d", base, i)
	}
	return np
}

// resolveFile settles one path's three versions.
func (m *treeMerge) resolveFile(p string, t *tri) ([]resolved, error) {
	b, o, th := t.e[0], t.e[1], t.e[2]
	one := func(e Entry, side int, c *Conflict) []resolved {
		return []resolved{{path: p, result: e, side: side, conflict: c}}
	}
	if t.renameKind == "rename/delete" || t.renameKind == "rename/rename" {
		kept, side := o, sOurs
		if kept.Absent() {
			kept, side = th, sTheirs
		}
		return one(kept, side, &Conflict{Kind: KindRename, Base: b, Ours: o, Theirs: th, OrigPath: t.orig}), nil
	}
	switch {
	case o.same(th):
		return one(o, sOurs, nil), nil
	case b.same(o):
		return one(th, sTheirs, nil), nil
	case b.same(th):
		return one(o, sOurs, nil), nil
	}
	stages := &Conflict{Base: b, Ours: o, Theirs: th, OrigPath: t.orig}
	if o.Absent() || th.Absent() {
		kept, side := o, sOurs
		if kept.Absent() {
			kept, side = th, sTheirs
		}
		stages.Kind = KindModifyDelete
		if t.renameKind != "" {
			stages.Kind = KindRename
		}
		return one(kept, side, stages), nil
	}
	ko, kt := fileKind(o.Mode), fileKind(th.Mode)
	if ko != kt {
		// Distinct types: the regular file is moved aside (with the base
		// stage when the base was a regular file too).
		stages.Kind = KindMode
		if ko == 2 || kt == 2 {
			stages.Kind = KindSymlink
		}
		moveSide := sTheirs
		if ko == 1 && kt != 1 {
			moveSide = sOurs
		}
		stay, moved := &Conflict{Kind: stages.Kind}, &Conflict{Kind: stages.Kind}
		if !b.Absent() {
			if fileKind(b.Mode) == 1 {
				moved.Base = b
			} else {
				stay.Base = b
			}
		}
		label := m.opts.TheirsLabel
		if moveSide == sOurs {
			label = m.opts.OursLabel
			moved.Ours, stay.Theirs = o, th
		} else {
			moved.Theirs, stay.Ours = th, o
		}
		np := p + "~" + strings.ReplaceAll(label, "/", "_")
		stayE, movedE := o, th
		if moveSide == sOurs {
			stayE, movedE = th, o
		}
		return []resolved{
			{path: p, result: stayE, side: 3 - moveSide, conflict: stay},
			{path: np, result: movedE, side: moveSide, conflict: moved},
		}, nil
	}
	if ko != 1 {
		// Symlinks (and submodules) are not merged: ours stays.
		stages.Kind = KindSymlink
		if ko == 3 {
			stages.Kind = KindContent
		}
		if b.Absent() {
			stages.Kind = KindAddAdd
		}
		return one(o, sOurs, stages), nil
	}

	// Two regular files: merge the mode bits, then the contents.
	mode, modeConflict := o.Mode, false
	switch {
	case b.Absent():
		modeConflict = o.Mode != th.Mode
	case b.Mode == o.Mode:
		mode = th.Mode
	case b.Mode == th.Mode:
		mode = o.Mode
	default:
		modeConflict = o.Mode != th.Mode
	}
	hash := o.Hash
	var kind ConflictKind
	hunks := 0
	switch {
	case o.Hash == th.Hash:
	case !b.Absent() && b.Hash == o.Hash:
		hash = th.Hash
	case !b.Absent() && b.Hash == th.Hash:
	default:
		var bb []byte
		if !b.Absent() && fileKind(b.Mode) == 1 {
			var err error
			if bb, err = m.blob(b.Hash); err != nil {
				return nil, err
			}
		}
		ob, err := m.blob(o.Hash)
		if err != nil {
			return nil, err
		}
		tb, err := m.blob(th.Hash)
		if err != nil {
			return nil, err
		}
		opts := m.labels(t)
		fr := File(bb, ob, tb, opts)
		switch {
		case fr.Binary:
			kind = KindBinary
		default:
			if hash, err = m.writeBlob(fr.Render(opts)); err != nil {
				return nil, err
			}
			if fr.Conflicts > 0 {
				kind, hunks = KindContent, fr.Conflicts
				if b.Absent() {
					kind = KindAddAdd
				}
			}
		}
	}
	res := Entry{Path: p, Mode: mode, Hash: hash}
	if kind == "" && b.Absent() && !o.same(th) {
		// Two adds that merged cleanly still leave a conflict in git when
		// the contents differed.
		if o.Hash != th.Hash {
			kind = KindAddAdd
		}
	}
	if kind == "" && modeConflict {
		kind = KindMode
	}
	if kind == "" && t.renameKind != "" {
		kind = KindRename
	}
	if kind == "" {
		return one(res, sOurs, nil), nil
	}
	stages.Kind, stages.Hunks = kind, hunks
	return one(res, sOurs, stages), nil
}

// writeTree builds and writes the result tree from the settled items.
func (m *treeMerge) writeTree() (plumbing.Hash, error) {
	type node struct {
		entries map[string]object.TreeEntry
		dirs    map[string]*node
	}
	newNode := func() *node { return &node{entries: map[string]object.TreeEntry{}, dirs: map[string]*node{}} }
	root := newNode()
	for _, it := range m.items {
		if it.path == "" {
			// The whole root was settled without reading it.
			return it.hash, nil
		}
		n := root
		parts := strings.Split(it.path, "/")
		for _, d := range parts[:len(parts)-1] {
			c := n.dirs[d]
			if c == nil {
				c = newNode()
				n.dirs[d] = c
			}
			n = c
		}
		name := parts[len(parts)-1]
		if it.mode == filemode.Dir {
			if _, ok := n.dirs[name]; !ok {
				n.entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: it.hash}
			}
			continue
		}
		n.entries[name] = object.TreeEntry{Name: name, Mode: it.mode, Hash: it.hash}
	}
	var write func(n *node) (plumbing.Hash, bool, error)
	write = func(n *node) (plumbing.Hash, bool, error) {
		var t object.Tree
		for name, c := range n.dirs {
			h, ok, err := write(c)
			if err != nil {
				return plumbing.ZeroHash, false, err
			}
			if ok {
				t.Entries = append(t.Entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
			}
		}
		for name, e := range n.entries {
			if _, ok := n.dirs[name]; ok && e.Mode == filemode.Dir {
				continue
			}
			t.Entries = append(t.Entries, e)
		}
		if len(t.Entries) == 0 && n != root {
			return plumbing.ZeroHash, false, nil
		}
		sort.Slice(t.Entries, func(i, j int) bool {
			return treeName(t.Entries[i]) < treeName(t.Entries[j])
		})
		obj := m.s.NewEncodedObject()
		if err := t.Encode(obj); err != nil {
			return plumbing.ZeroHash, false, err
		}
		h, err := m.s.SetEncodedObject(obj)
		if err != nil {
			return plumbing.ZeroHash, false, fmt.Errorf("write tree: %w", err)
		}
		return h, true, nil
	}
	h, _, err := write(root)
	return h, err
}

// treeName is the key git sorts tree entries by: directories sort as if
// their name ended in a slash.
func treeName(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}
