package binrepo

import (
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// node is one entry of a folder being committed.
type node struct {
	mode     filemode.FileMode
	hash     plumbing.Hash    // blobs
	children map[string]*node // folders
	target   string           // symlinks
}

// readOutput reads folder dir into a tree of nodes, refusing anything that
// cannot be committed safely: special files, .git entries, absolute
// symlinks and symlinks that resolve outside dir. Empty folders are dropped,
// as git cannot hold them. Blobs are written as they are read.
func (r *Repo) readOutput(ctx context.Context, dir string) (*node, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("build output: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a folder", ErrUnsafeOutput, dir)
	}
	root := &node{mode: filemode.Dir, children: map[string]*node{}}
	links := map[string]string{} // slash path → target
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if strings.EqualFold(d.Name(), ".git") {
			return fmt.Errorf("%w: %s: a .git entry cannot be committed", ErrUnsafeOutput, rel)
		}
		parent := root.lookup(path.Dir(rel))
		switch t := d.Type(); {
		case t.IsDir():
			parent.children[d.Name()] = &node{mode: filemode.Dir, children: map[string]*node{}}
		case t&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if strings.HasPrefix(target, "/") || filepath.IsAbs(target) {
				return fmt.Errorf("%w: %s is an absolute symlink (%s); make it relative to the output folder", ErrUnsafeOutput, rel, target)
			}
			links[rel] = target
			h, err := r.writeBlob(strings.NewReader(target), int64(len(target)))
			if err != nil {
				return err
			}
			parent.children[d.Name()] = &node{mode: filemode.Symlink, hash: h, target: target}
		case t.IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			mode := filemode.Regular
			if info.Mode().Perm()&0o100 != 0 {
				mode = filemode.Executable
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			h, err := r.writeBlob(f, info.Size())
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			parent.children[d.Name()] = &node{mode: mode, hash: h}
		default:
			return fmt.Errorf("%w: %s is a special file (%s)", ErrUnsafeOutput, rel, t)
		}
		return nil
	})
	if errors.Is(err, ErrUnsafeOutput) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("build output %s: %w", dir, err)
	}
	for p, target := range links {
		if !staysInside(root, path.Dir(p), target, 0) {
			return nil, fmt.Errorf("%w: symlink %s → %s leaves the output folder", ErrUnsafeOutput, p, target)
		}
	}
	return root, nil
}

// lookup returns the node at slash path p ("." is n), nil when absent.
func (n *node) lookup(p string) *node {
	if p == "." || p == "" {
		return n
	}
	cur := n
	for _, c := range strings.Split(p, "/") {
		if cur == nil || cur.children == nil {
			return nil
		}
		cur = cur.children[c]
	}
	return cur
}

// maxLinks bounds symlink chains, as the kernel does.
const maxLinks = 40

// staysInside reports whether target, read from folder dir of root, resolves
// inside root, following symlinks within the tree component by component as
// the kernel would: a lexical check alone would let "s/../x" escape when s
// links to ".".
func staysInside(root *node, dir, target string, depth int) bool {
	_, ok := resolve(root, split(dir), target, depth)
	return ok
}

func split(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// resolve walks target from the folder stack and returns where it lands.
func resolve(root *node, stack []string, target string, depth int) ([]string, bool) {
	if depth > maxLinks || strings.HasPrefix(target, "/") {
		return nil, false
	}
	stack = append([]string(nil), stack...)
	for _, c := range strings.Split(target, "/") {
		switch c {
		case "", ".":
			continue
		case "..":
			if len(stack) == 0 {
				return nil, false
			}
			stack = stack[:len(stack)-1]
			continue
		}
		n := root.lookup(strings.Join(stack, "/"))
		var child *node
		if n != nil && n.children != nil {
			child = n.children[c]
		}
		if child != nil && child.mode == filemode.Symlink {
			var ok bool
			stack, ok = resolve(root, stack, child.target, depth+1)
			if !ok {
				return nil, false
			}
			continue
		}
		stack = append(stack, c)
	}
	return stack, true
}

// writeBlob stores size bytes of rd as a loose blob object, streaming: a
// build artefact of hundreds of megabytes is never held in memory. The
// object is written to a temporary file, synced and renamed into place, as
// git does.
func (r *Repo) writeBlob(rd io.Reader, size int64) (plumbing.Hash, error) {
	objects := filepath.Join(r.gitDir, "objects")
	tmp, err := os.CreateTemp(objects, "tmp_obj_")
	if err != nil {
		return plumbing.ZeroHash, err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	zw := zlib.NewWriter(tmp)
	if _, err := fmt.Fprintf(zw, "blob %d\x00", size); err != nil {
		return plumbing.ZeroHash, err
	}
	hasher := plumbing.NewHasher(plumbing.BlobObject, size)
	n, err := io.Copy(io.MultiWriter(zw, hasher), io.LimitReader(rd, size+1))
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if n != size {
		return plumbing.ZeroHash, fmt.Errorf("changed while read (%d bytes, expected %d)", n, size)
	}
	if err := zw.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := tmp.Sync(); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := tmp.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	h := hasher.Sum()
	hex := h.String()
	dst := filepath.Join(objects, hex[:2], hex[2:])
	if _, err := os.Lstat(dst); err == nil {
		os.Remove(tmp.Name())
		done = true
		return h, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := os.Chmod(tmp.Name(), 0o444); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return plumbing.ZeroHash, err
	}
	done = true
	return h, nil
}

// writeNode stores a folder node and its children as trees; empty folders
// give the zero hash and are left out by their parent.
func (r *Repo) writeNode(n *node) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	for name, c := range n.children {
		h := c.hash
		if c.mode == filemode.Dir {
			var err error
			if h, err = r.writeNode(c); err != nil {
				return plumbing.ZeroHash, err
			}
			if h.IsZero() {
				continue
			}
		}
		entries = append(entries, object.TreeEntry{Name: name, Mode: c.mode, Hash: h})
	}
	if len(entries) == 0 {
		return plumbing.ZeroHash, nil
	}
	return r.writeTree(entries)
}

// writeTree stores entries as a tree in git's order (folders sort as if
// their name ended in "/").
func (r *Repo) writeTree(entries []object.TreeEntry) (plumbing.Hash, error) {
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
	t := &object.Tree{Entries: entries}
	obj := r.repo.Storer.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.repo.Storer.SetEncodedObject(obj)
}
