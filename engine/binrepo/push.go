package binrepo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Push sends commit new to branch on remote (a remote name of the bin repo,
// or a URL or path) with a lease: only when the remote branch is still at
// old (the zero hash: the remote must not have the branch). It never
// forces. A remote elsewhere gives ErrRemoteMoved and changes nothing.
func (r *Repo) Push(ctx context.Context, remote, branch string, old, new plumbing.Hash) error {
	if remote == "" || branch == "" || new.IsZero() {
		return errors.New("bin push: remote, branch and commit are required")
	}
	rem := r.remote(remote)
	name := branchRef(branch)
	cur, err := remoteHead(ctx, rem, name)
	if err != nil {
		return fmt.Errorf("bin push to %s: %w", remote, err)
	}
	if cur == new {
		return nil
	}
	if cur != old {
		return fmt.Errorf("%w: %s on %s is at %s, expected %s; nothing was pushed (fetch the bin repo and release again)", ErrRemoteMoved, branch, remote, short(cur), short(old))
	}
	opts := &git.PushOptions{
		RemoteName: rem.Config().Name,
		RefSpecs:   []config.RefSpec{config.RefSpec(new.String() + ":" + name.String())},
	}
	if !old.IsZero() {
		opts.RequireRemoteRefs = []config.RefSpec{config.RefSpec(old.String() + ":" + name.String())}
	}
	err = rem.PushContext(ctx, opts)
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case strings.Contains(err.Error(), "required to be"), strings.Contains(err.Error(), "non-fast-forward"):
		return fmt.Errorf("%w: %s on %s: %v; nothing was pushed", ErrRemoteMoved, branch, remote, err)
	}
	return fmt.Errorf("bin push %s to %s: %w", branch, remote, err)
}

// ErrDiverged: the local and remote bin branches both have commits the
// other lacks.
var ErrDiverged = errors.New("bin branch diverged from its remote")

// remote is the named remote of the bin repo, or an anonymous one for a URL
// or path.
func (r *Repo) remote(remote string) *git.Remote {
	if rem, err := r.repo.Remote(remote); err == nil {
		return rem
	}
	return git.NewRemote(r.repo.Storer, &config.RemoteConfig{Name: "anonymous", URLs: []string{remote}})
}

// remoteHead is where name is on rem now; the zero hash when absent.
func remoteHead(ctx context.Context, rem *git.Remote, name plumbing.ReferenceName) (plumbing.Hash, error) {
	refs, err := rem.ListContext(ctx, &git.ListOptions{})
	if err != nil && !errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return plumbing.ZeroHash, err
	}
	for _, ref := range refs {
		if ref.Name() == name {
			return ref.Hash(), nil
		}
	}
	return plumbing.ZeroHash, nil
}

// trackingRef is where a fetched remote branch is kept: the usual
// remote-tracking ref for a named remote, refs/switchyard/fetched/<b> for a
// URL.
func trackingRef(rem *git.Remote, branch string) plumbing.ReferenceName {
	if n := rem.Config().Name; n != "anonymous" {
		return plumbing.NewRemoteReferenceName(n, branch)
	}
	return plumbing.ReferenceName("refs/switchyard/fetched/" + branch)
}

// Sync brings branch up to date with remote before a build is added: it
// fetches the remote branch and fast-forwards the local one to it (by
// compare-and-swap) when the remote is ahead. A local branch ahead of the
// remote is left as it is (the next push sends it); branches that both moved
// give ErrDiverged and change nothing. It returns the local head afterwards
// and whether it moved.
func (r *Repo) Sync(ctx context.Context, remote, branch string, who object.Signature) (plumbing.Hash, bool, error) {
	rem := r.remote(remote)
	name := branchRef(branch)
	remoteAt, err := remoteHead(ctx, rem, name)
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("bin fetch from %s: %w", remote, err)
	}
	local, err := r.Head(ctx, branch)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	if remoteAt.IsZero() || remoteAt == local {
		return local, false, nil
	}
	spec := config.RefSpec("+" + name.String() + ":" + trackingRef(rem, branch).String())
	err = rem.FetchContext(ctx, &git.FetchOptions{RemoteName: rem.Config().Name, RefSpecs: []config.RefSpec{spec}, Tags: git.NoTags})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return plumbing.ZeroHash, false, fmt.Errorf("bin fetch %s from %s: %w", branch, remote, err)
	}
	theirs, err := r.repo.CommitObject(remoteAt)
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("bin fetch %s from %s: %w", branch, remote, err)
	}
	if !local.IsZero() {
		ours, err := r.repo.CommitObject(local)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		if ahead, err := theirs.IsAncestor(ours); err != nil {
			return plumbing.ZeroHash, false, err
		} else if ahead {
			return local, false, nil
		}
		if behind, err := ours.IsAncestor(theirs); err != nil {
			return plumbing.ZeroHash, false, err
		} else if !behind {
			return plumbing.ZeroHash, false, fmt.Errorf("%w: %s is at %s here and %s on %s; reconcile them with git first", ErrDiverged, branch, short(local), short(remoteAt), remote)
		}
	}
	if err := r.updateRef(branch, local, remoteAt, who, "switchyard: fast-forward to "+remote); err != nil {
		return plumbing.ZeroHash, false, err
	}
	return remoteAt, true, nil
}
