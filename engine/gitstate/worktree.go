package gitstate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// ErrDirty: a local change in the working tree or index would be lost.
var ErrDirty = errors.New("local changes would be overwritten")

// TreeEntry is a file of a tree: path, mode and blob (or gitlink) id.
type TreeEntry struct {
	Path string
	Mode filemode.FileMode
	Hash plumbing.Hash
}

// Change is a path whose entry differs between two trees; a side whose
// Hash is zero is absent.
type Change struct {
	Path     string
	From, To TreeEntry
}

// DiffTrees lists the files that differ between trees a and b (either may
// be zero: the empty tree), skipping identical subtrees, sorted by path.
func DiffTrees(s storer.EncodedObjectStorer, a, b plumbing.Hash) ([]Change, error) {
	var out []Change
	err := diffTrees(s, "", a, b, &out)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

func readTree(s storer.EncodedObjectStorer, h plumbing.Hash) ([]object.TreeEntry, error) {
	if h.IsZero() {
		return nil, nil
	}
	t, err := object.GetTree(s, h)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	return t.Entries, nil
}

func diffTrees(s storer.EncodedObjectStorer, prefix string, a, b plumbing.Hash, out *[]Change) error {
	if a == b {
		return nil
	}
	ea, err := readTree(s, a)
	if err != nil {
		return err
	}
	eb, err := readTree(s, b)
	if err != nil {
		return err
	}
	ma := map[string]object.TreeEntry{}
	for _, e := range ea {
		ma[e.Name] = e
	}
	mb := map[string]object.TreeEntry{}
	for _, e := range eb {
		mb[e.Name] = e
	}
	names := map[string]bool{}
	for n := range ma {
		names[n] = true
	}
	for n := range mb {
		names[n] = true
	}
	for n := range names {
		x, inA := ma[n]
		y, inB := mb[n]
		if inA && inB && x.Mode == y.Mode && x.Hash == y.Hash {
			continue
		}
		p := prefix + n
		var subA, subB plumbing.Hash
		var fa, fb TreeEntry
		if inA {
			if x.Mode == filemode.Dir {
				subA = x.Hash
			} else {
				fa = TreeEntry{Path: p, Mode: x.Mode, Hash: x.Hash}
			}
		}
		if inB {
			if y.Mode == filemode.Dir {
				subB = y.Hash
			} else {
				fb = TreeEntry{Path: p, Mode: y.Mode, Hash: y.Hash}
			}
		}
		if !subA.IsZero() || !subB.IsZero() {
			if err := diffTrees(s, p+"/", subA, subB, out); err != nil {
				return err
			}
		}
		if !fa.Hash.IsZero() || !fb.Hash.IsZero() {
			if fa.Hash != fb.Hash || fa.Mode != fb.Mode {
				*out = append(*out, Change{Path: p, From: fa, To: fb})
			}
		}
	}
	return nil
}

// TreeFiles lists every file of a tree, sorted by path.
func TreeFiles(s storer.EncodedObjectStorer, tree plumbing.Hash) ([]TreeEntry, error) {
	ch, err := DiffTrees(s, plumbing.ZeroHash, tree)
	if err != nil {
		return nil, err
	}
	out := make([]TreeEntry, len(ch))
	for i, c := range ch {
		out[i] = c.To
	}
	return out, nil
}

// Worktree is a working tree with its repo, for checkouts that keep the
// index and the files in step.
type Worktree struct {
	Root  string
	Repo  *Repo
	Store storer.EncodedObjectStorer
}

// IndexMatches reports the first path where the stage-0 index differs from
// tree (or "" when it matches and nothing is unmerged).
func (w *Worktree) IndexMatches(x *Index, tree plumbing.Hash) (string, error) {
	files, err := TreeFiles(w.Store, tree)
	if err != nil {
		return "", err
	}
	if p := x.Unmerged(); len(p) > 0 {
		return p[0], nil
	}
	i := 0
	for _, e := range x.Entries {
		if e.IntentToAdd {
			return e.Path, nil
		}
		if i >= len(files) || files[i].Path != e.Path {
			return e.Path, nil
		}
		if files[i].Hash != e.Hash || files[i].Mode != e.Mode {
			return e.Path, nil
		}
		i++
	}
	if i < len(files) {
		return files[i].Path, nil
	}
	return "", nil
}

// FileHash hashes the working tree file at path as git would store it
// with mode; zero when it does not exist.
func (w *Worktree) FileHash(path string, mode filemode.FileMode) (plumbing.Hash, error) {
	full := filepath.Join(w.Root, filepath.FromSlash(path))
	fi, err := os.Lstat(full)
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	var data []byte
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		t, err := os.Readlink(full)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		data = []byte(t)
	case fi.IsDir():
		if mode == filemode.Submodule {
			return plumbing.ZeroHash, nil
		}
		return plumbing.ZeroHash, fmt.Errorf("%s is a directory", path)
	default:
		data, err = os.ReadFile(full)
		if err != nil {
			return plumbing.ZeroHash, err
		}
	}
	return plumbing.ComputeHash(plumbing.BlobObject, data), nil
}

// ReadFile returns the working tree file's content (a symlink's target),
// and false when it does not exist.
func (w *Worktree) ReadFile(path string) ([]byte, bool, error) {
	full := filepath.Join(w.Root, filepath.FromSlash(path))
	fi, err := os.Lstat(full)
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		t, err := os.Readlink(full)
		return []byte(t), true, err
	}
	if fi.IsDir() {
		return nil, false, fmt.Errorf("%s is a directory", path)
	}
	b, err := os.ReadFile(full)
	return b, true, err
}

func blobBytes(s storer.EncodedObjectStorer, h plumbing.Hash) ([]byte, error) {
	o, err := s.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	r, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// WriteFile writes data at path with mode (a symlink's data is its
// target), replacing what was there, and returns its stat for the index.
func (w *Worktree) WriteFile(path string, mode filemode.FileMode, data []byte) (Stat, error) {
	full := filepath.Join(w.Root, filepath.FromSlash(path))
	if err := w.safePath(path); err != nil {
		return Stat{}, err
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o777); err != nil {
		return Stat{}, fmt.Errorf("write %s: %w", path, err)
	}
	if fi, err := os.Lstat(full); err == nil && fi.IsDir() {
		if err := os.Remove(full); err != nil {
			return Stat{}, fmt.Errorf("write %s: a directory is in the way: %w", path, err)
		}
	} else if err == nil {
		if err := os.Remove(full); err != nil {
			return Stat{}, fmt.Errorf("write %s: %w", path, err)
		}
	}
	switch mode {
	case filemode.Symlink:
		if err := os.Symlink(string(data), full); err != nil {
			return Stat{}, fmt.Errorf("write %s: %w", path, err)
		}
	case filemode.Submodule:
		if err := os.MkdirAll(full, 0o777); err != nil {
			return Stat{}, fmt.Errorf("write %s: %w", path, err)
		}
		return Stat{}, nil
	default:
		perm := os.FileMode(0o666)
		if mode == filemode.Executable {
			perm = 0o777
		}
		if err := os.WriteFile(full, data, perm); err != nil {
			return Stat{}, fmt.Errorf("write %s: %w", path, err)
		}
	}
	return statOf(full)
}

// safePath refuses paths that would leave the working tree or enter .git.
func (w *Worktree) safePath(path string) error {
	for _, part := range strings.Split(path, "/") {
		if part == "" || part == "." || part == ".." || strings.EqualFold(part, ".git") {
			return fmt.Errorf("refusing to write unsafe path %q", path)
		}
	}
	return nil
}

// RemoveFile removes path and the folders it leaves empty.
func (w *Worktree) RemoveFile(path string) error {
	if err := w.safePath(path); err != nil {
		return err
	}
	full := filepath.Join(w.Root, filepath.FromSlash(path))
	if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	for dir := filepath.Dir(full); dir != w.Root && strings.HasPrefix(dir, w.Root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// Checkout moves the working tree and index from tree `from` (what the
// index must hold now) to tree `to`, touching only paths that differ. Paths
// in force are rewritten whatever their local state (a conflicted file
// being reset). It refuses with ErrDirty, before changing anything, when a
// local change would be lost.
func (w *Worktree) Checkout(ctx context.Context, from, to plumbing.Hash, force map[string]bool) error {
	x, err := w.Repo.ReadIndex()
	if err != nil {
		return err
	}
	changes, err := DiffTrees(w.Store, from, to)
	if err != nil {
		return err
	}
	cur := map[string][]Entry{}
	for _, e := range x.Entries {
		cur[e.Path] = append(cur[e.Path], e)
	}
	for _, c := range changes {
		if force[c.Path] {
			continue
		}
		if err := w.checkClean(c, cur[c.Path]); err != nil {
			return err
		}
	}
	for p := range force {
		if len(cur[p]) > 0 {
			x.Set(p)
		}
	}
	// Removals first so a file can replace a folder and the reverse.
	for _, c := range changes {
		if c.To.Hash.IsZero() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if c.From.Mode != filemode.Submodule {
				if err := w.RemoveFile(c.Path); err != nil {
					return err
				}
			}
			x.Set(c.Path)
		}
	}
	for _, c := range changes {
		if c.To.Hash.IsZero() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		var data []byte
		if c.To.Mode != filemode.Submodule {
			if data, err = blobBytes(w.Store, c.To.Hash); err != nil {
				return err
			}
		}
		st, err := w.WriteFile(c.Path, c.To.Mode, data)
		if err != nil {
			return err
		}
		x.Set(c.Path, Entry{Path: c.Path, Mode: c.To.Mode, Hash: c.To.Hash, Stat: st})
	}
	// Forced paths that the trees agree on still go back to `to`.
	for p := range force {
		if len(x.Stages(p)) > 0 {
			continue
		}
		e, ok, err := treeEntry(w.Store, to, p)
		if err != nil {
			return err
		}
		if !ok {
			if err := w.RemoveFile(p); err != nil {
				return err
			}
			continue
		}
		data, err := blobBytes(w.Store, e.Hash)
		if err != nil {
			return err
		}
		st, err := w.WriteFile(p, e.Mode, data)
		if err != nil {
			return err
		}
		x.Set(p, Entry{Path: p, Mode: e.Mode, Hash: e.Hash, Stat: st})
	}
	return w.Repo.WriteIndex(ctx, x)
}

// checkClean refuses a change whose path has local changes. A path
// already in the target state is fine.
func (w *Worktree) checkClean(c Change, staged []Entry) error {
	if len(staged) == 1 && staged[0].Stage == 0 && !c.To.Hash.IsZero() && staged[0].Hash == c.To.Hash && staged[0].Mode == c.To.Mode {
		if h, err := w.FileHash(c.Path, c.To.Mode); err == nil && h == c.To.Hash {
			return nil
		}
	}
	if len(staged) == 0 && c.To.Hash.IsZero() {
		if h, err := w.FileHash(c.Path, c.From.Mode); err == nil && h.IsZero() {
			return nil
		}
	}
	switch {
	case len(staged) > 1 || len(staged) == 1 && staged[0].Stage != 0:
		return fmt.Errorf("%s is unmerged: %w", c.Path, ErrDirty)
	case c.From.Hash.IsZero() && len(staged) > 0:
		return fmt.Errorf("%s is staged: %w", c.Path, ErrDirty)
	case !c.From.Hash.IsZero() && (len(staged) == 0 || staged[0].Hash != c.From.Hash || staged[0].Mode != c.From.Mode):
		return fmt.Errorf("%s has staged changes: %w", c.Path, ErrDirty)
	}
	if c.From.Mode == filemode.Submodule || c.To.Mode == filemode.Submodule {
		return nil
	}
	h, err := w.FileHash(c.Path, c.From.Mode)
	if err != nil {
		return fmt.Errorf("%s: %w", c.Path, ErrDirty)
	}
	if h != c.From.Hash && !(h == c.To.Hash && !h.IsZero()) {
		if c.From.Hash.IsZero() {
			return fmt.Errorf("untracked %s would be overwritten: %w", c.Path, ErrDirty)
		}
		return fmt.Errorf("%s has changes in the working tree: %w", c.Path, ErrDirty)
	}
	return nil
}

// treeEntry finds path in tree.
func treeEntry(s storer.EncodedObjectStorer, tree plumbing.Hash, path string) (TreeEntry, bool, error) {
	t, err := object.GetTree(s, tree)
	if err != nil {
		return TreeEntry{}, false, err
	}
	e, err := t.FindEntry(path)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return TreeEntry{}, false, nil
	}
	if err != nil {
		return TreeEntry{}, false, err
	}
	if e.Mode == filemode.Dir {
		return TreeEntry{}, false, nil
	}
	return TreeEntry{Path: path, Mode: e.Mode, Hash: e.Hash}, true, nil
}

// Blob returns a blob's bytes.
func Blob(s storer.EncodedObjectStorer, h plumbing.Hash) ([]byte, error) { return blobBytes(s, h) }

// FindEntry finds path in tree; false when absent.
func FindEntry(s storer.EncodedObjectStorer, tree plumbing.Hash, path string) (TreeEntry, bool, error) {
	return treeEntry(s, tree, path)
}

// HasMarkers reports whether data still holds a conflict marker line.
func HasMarkers(data []byte) bool {
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(line) >= 7 && (bytes.HasPrefix(line, []byte("<<<<<<<")) || bytes.HasPrefix(line, []byte(">>>>>>>"))) &&
			(len(line) == 7 || line[7] == ' ' || line[7] == '\r') {
			return true
		}
	}
	return false
}

// Modified returns the first tracked path whose working tree file differs
// from its index entry ("" when none). As git does, a file whose size and
// modification time match the index is taken as unchanged without reading
// it; others are hashed.
func (w *Worktree) Modified(x *Index) (string, error) {
	for _, e := range x.Entries {
		if e.Stage != 0 || e.SkipWorktree || e.Mode == filemode.Submodule {
			continue
		}
		full := filepath.Join(w.Root, filepath.FromSlash(e.Path))
		fi, err := os.Lstat(full)
		if err != nil {
			return e.Path, nil
		}
		if !e.Stat.MTime.IsZero() && fi.Size() == int64(e.Stat.Size) && fi.ModTime().Equal(e.Stat.MTime) &&
			(fi.Mode()&fs.ModeSymlink != 0) == (e.Mode == filemode.Symlink) {
			continue
		}
		h, err := w.FileHash(e.Path, e.Mode)
		if err != nil || h != e.Hash {
			return e.Path, nil
		}
		if e.Mode != filemode.Symlink && (fi.Mode()&0o111 != 0) != (e.Mode == filemode.Executable) {
			return e.Path, nil
		}
	}
	return "", nil
}
