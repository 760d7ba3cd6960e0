package binrepo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/switchyard/switchyard/model"
)

// CommitOptions describes a build to commit.
type CommitOptions struct {
	Branch string
	// Manifest describes the build; Name is set to the repo's artefact name
	// and Number must be above every build on Branch.
	Manifest Manifest
	// Output is the folder whose contents become <name>-<n>/.
	Output string
	// Expect is the branch head the caller saw (the zero hash: the branch
	// must not exist yet). The commit is made on it and the branch moves
	// only if it is still there.
	Expect plumbing.Hash
	// Signature is the author and committer; When defaults to now.
	Signature object.Signature
	// Message defaults to "<name>-<n>: build of <track> at <source>".
	Message string
	// KeepLink leaves the <name> symlink where it is (absent, if the branch
	// has none yet): the build is committed but not switched to. A rollout
	// through the bin traffic driver moves the symlink later, after its
	// gates; switching at commit time would deploy to every node at once.
	KeepLink bool
}

// Validate reports options that cannot make a commit.
func (o CommitOptions) Validate() error {
	switch {
	case o.Branch == "":
		return errors.New("bin commit: no branch")
	case o.Manifest.Number < 1:
		return fmt.Errorf("bin commit: build number %d is not positive", o.Manifest.Number)
	case o.Output == "":
		return errors.New("bin commit: no output folder")
	case o.Signature.Name == "":
		return errors.New("bin commit: no signature")
	}
	return nil
}

// Commit writes the build output as <name>-<n>/ with its manifest, points
// the <name> symlink at it (unless o.KeepLink), and moves the branch from
// o.Expect to the new commit — one commit per build. It returns the commit. On ErrRefMoved the
// branch is untouched and the returned commit (also valid) is only in the
// object store.
func (r *Repo) Commit(ctx context.Context, o CommitOptions) (plumbing.Hash, error) {
	if err := o.Validate(); err != nil {
		return plumbing.ZeroHash, err
	}
	o.Manifest.Name = r.name
	n := o.Manifest.Number
	folder := model.BuildFolder(r.name, n)
	if r.checkedOut(o.Branch) {
		return plumbing.ZeroHash, fmt.Errorf("%w: %s in %s (use a bare bin repo, or check out another branch there)", ErrCheckedOut, o.Branch, r.dir)
	}
	base, err := r.rootTree(o.Expect)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	for m := range r.builds(base) {
		if m >= n {
			return plumbing.ZeroHash, fmt.Errorf("%w: %s has %s already; the next build is above %d", ErrNotNewer, o.Branch, model.BuildFolder(r.name, m), m)
		}
	}
	if e, err := base.FindEntry(folder); err == nil {
		return plumbing.ZeroHash, fmt.Errorf("bin commit: %s already holds %s (mode %o); move it away first", o.Branch, folder, uint32(e.Mode))
	}
	out, err := r.readOutput(ctx, o.Output)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, ok := out.children[ManifestFile]; ok {
		return plumbing.ZeroHash, fmt.Errorf("%w: the output has its own %s, which switchyard writes", ErrUnsafeOutput, ManifestFile)
	}
	if o.Manifest.Time.IsZero() {
		o.Manifest.Time = time.Now().UTC()
	}
	var mb bytes.Buffer
	enc := json.NewEncoder(&mb)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(o.Manifest); err != nil {
		return plumbing.ZeroHash, err
	}
	man := mb.Bytes()
	mh, err := r.writeBlob(bytes.NewReader(man), int64(len(man)))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("bin commit: %w", err)
	}
	out.children[ManifestFile] = &node{mode: filemode.Regular, hash: mh}
	fh, err := r.writeNode(out)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("bin commit: %w", err)
	}
	entries := []object.TreeEntry{{Name: folder, Mode: filemode.Dir, Hash: fh}}
	link := n
	if o.KeepLink {
		link = 0
	}
	root, err := r.withLink(base, link, entries)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	msg := o.Message
	if msg == "" {
		src := o.Manifest.Source
		if len(src) > 12 {
			src = src[:12]
		}
		msg = fmt.Sprintf("%s: build of %s at %s\n", folder, o.Manifest.Track, src)
	}
	return r.commitAndMove(o.Branch, o.Expect, root, o.Signature, msg)
}

// withLink returns a root tree: base with extra entries added and the
// symlink pointing at build n; n == 0 keeps base's symlink as it is.
func (r *Repo) withLink(base *object.Tree, n int, extra []object.TreeEntry) (plumbing.Hash, error) {
	var lh plumbing.Hash
	if n > 0 {
		target := model.BuildFolder(r.name, n)
		h, err := r.writeBlob(bytes.NewReader([]byte(target)), int64(len(target)))
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("bin commit: %w", err)
		}
		lh = h
	}
	skip := map[string]bool{}
	if n > 0 {
		skip[r.name] = true
	}
	for _, e := range extra {
		skip[e.Name] = true
	}
	var entries []object.TreeEntry
	for _, e := range base.Entries {
		if e.Name == r.name && e.Mode != filemode.Symlink {
			return plumbing.ZeroHash, fmt.Errorf("bin commit: %s on the branch is not a symlink (mode %o); move it away first", r.name, uint32(e.Mode))
		}
		if !skip[e.Name] {
			entries = append(entries, e)
		}
	}
	entries = append(entries, extra...)
	if n > 0 {
		entries = append(entries, object.TreeEntry{Name: r.name, Mode: filemode.Symlink, Hash: lh})
	}
	h, err := r.writeTree(entries)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("bin commit: %w", err)
	}
	return h, nil
}

func (r *Repo) commitAndMove(branch string, parent, tree plumbing.Hash, sig object.Signature, msg string) (plumbing.Hash, error) {
	if sig.When.IsZero() {
		sig.When = time.Now()
	}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree}
	if !parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{parent}
	}
	obj := r.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("bin commit: %w", err)
	}
	h, err := r.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("bin commit: %w", err)
	}
	first := msg
	if i := bytes.IndexByte([]byte(msg), '\n'); i >= 0 {
		first = msg[:i]
	}
	if err := r.updateRef(branch, parent, h, sig, "switchyard: "+first); err != nil {
		return h, err
	}
	return h, nil
}

// PointOptions describes a symlink move.
type PointOptions struct {
	Branch string
	Number int // the build to point at; its folder must be on the branch
	// Expect is the branch head the caller saw.
	Expect    plumbing.Hash
	Signature object.Signature
	// Message defaults to "<name> → <name>-<n>".
	Message string
}

// Point moves the symlink of o.Branch to build o.Number in a commit of its
// own, by compare-and-swap from o.Expect. When the symlink already points
// there, nothing is written and Expect is returned. The forward-only rule is
// the caller's (a rollback to an older build may be what a person asked for).
func (r *Repo) Point(ctx context.Context, o PointOptions) (plumbing.Hash, error) {
	if err := ctx.Err(); err != nil {
		return plumbing.ZeroHash, err
	}
	if o.Branch == "" || o.Signature.Name == "" {
		return plumbing.ZeroHash, errors.New("bin point: branch and signature are required")
	}
	if o.Expect.IsZero() {
		return plumbing.ZeroHash, fmt.Errorf("bin point %s: %w: the branch has no builds", o.Branch, ErrNoBuild)
	}
	base, err := r.rootTree(o.Expect)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, ok := r.builds(base)[o.Number]; !ok {
		return plumbing.ZeroHash, fmt.Errorf("bin point %s: %w: %s", o.Branch, ErrNoBuild, model.BuildFolder(r.name, o.Number))
	}
	if cur, err := r.liveNumber(o.Expect); err == nil && cur == o.Number {
		return o.Expect, nil
	}
	if r.checkedOut(o.Branch) {
		return plumbing.ZeroHash, fmt.Errorf("%w: %s in %s (use a bare bin repo, or check out another branch there)", ErrCheckedOut, o.Branch, r.dir)
	}
	root, err := r.withLink(base, o.Number, nil)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	msg := o.Message
	if msg == "" {
		msg = fmt.Sprintf("%s → %s\n", r.name, model.BuildFolder(r.name, o.Number))
	}
	return r.commitAndMove(o.Branch, o.Expect, root, o.Signature, msg)
}
