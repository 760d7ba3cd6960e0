package binrepo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
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
	rem, err := r.repo.Remote(remote)
	if errors.Is(err, git.ErrRemoteNotFound) {
		rem = git.NewRemote(r.repo.Storer, &config.RemoteConfig{Name: "anonymous", URLs: []string{remote}})
	} else if err != nil {
		return fmt.Errorf("bin push to %s: %w", remote, err)
	}
	name := branchRef(branch)
	refs, err := rem.ListContext(ctx, &git.ListOptions{})
	if err != nil && !errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return fmt.Errorf("bin push to %s: %w", remote, err)
	}
	cur := plumbing.ZeroHash
	for _, ref := range refs {
		if ref.Name() == name {
			cur = ref.Hash()
		}
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
