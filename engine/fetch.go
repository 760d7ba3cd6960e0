package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"

	"github.com/switchyard/switchyard/model"
)

// ErrNoRemoteTracks: Fetch found no track following the remote.
var ErrNoRemoteTracks = errors.New("no track follows a remote")

// Fetch refreshes the remote-tracking refs of the tracks that follow remote
// (every remote that some track follows when remote is ""), with go-git:
// ssh goes through the user's ssh agent, https and file remotes work as git
// does. It publishes a "refs-changed" event per remote that moved a ref.
func (e *Engine) Fetch(ctx context.Context, remote string) error {
	specs := map[string][]gitconfig.RefSpec{}
	for _, t := range e.flow {
		if t.Remote == "" || (remote != "" && t.Remote != remote) {
			continue
		}
		specs[t.Remote] = append(specs[t.Remote], gitconfig.RefSpec("+refs/heads/"+t.Branch+":"+t.Ref()))
	}
	if len(specs) == 0 {
		if remote != "" {
			return fmt.Errorf("fetch: %w named %q (set remote = %q on a [[track]] in switchyard.toml)", ErrNoRemoteTracks, remote, remote)
		}
		return fmt.Errorf("fetch: %w (set remote = \"origin\" on a [[track]] in switchyard.toml)", ErrNoRemoteTracks)
	}
	names := make([]string, 0, len(specs))
	for r := range specs {
		names = append(names, r)
	}
	sort.Strings(names)
	for _, r := range names {
		if _, err := e.repo.Remote(r); err != nil {
			return fmt.Errorf("fetch: remote %q: %w (add it with git remote add %s URL)", r, err, r)
		}
		err := e.repo.FetchContext(ctx, &git.FetchOptions{RemoteName: r, RefSpecs: specs[r], Tags: git.NoTags})
		switch {
		case errors.Is(err, git.NoErrAlreadyUpToDate):
		case err != nil:
			return fmt.Errorf("fetch %s: %w", r, err)
		default:
			e.events.Publish(model.Event{Time: time.Now(), Source: "fetch", Kind: "refs-changed", Text: "fetched " + r})
		}
	}
	return nil
}
