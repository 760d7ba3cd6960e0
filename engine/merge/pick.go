package merge

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Pick cherry-picks c onto onto: it merges base = the tree of c's first
// parent (the empty tree for a root commit), ours = onto's tree, theirs =
// c's tree. Labels left empty in opts are filled in as git cherry-pick
// writes them: "HEAD", "parent of <short> (<subject>)" and
// "<short> (<subject>)".
func Pick(ctx context.Context, s storer.EncodedObjectStorer, c, onto *object.Commit, opts Options) (*Result, error) {
	if c == nil || onto == nil {
		return nil, fmt.Errorf("merge: pick: nil commit")
	}
	base := plumbing.ZeroHash
	if len(c.ParentHashes) > 0 {
		p, err := object.GetCommit(s, c.ParentHashes[0])
		if err != nil {
			return nil, fmt.Errorf("pick %s: parent: %w", c.Hash, err)
		}
		base = p.TreeHash
	}
	label := PickLabel(c)
	if opts.OursLabel == "" {
		opts.OursLabel = "HEAD"
	}
	if opts.TheirsLabel == "" {
		opts.TheirsLabel = label
	}
	if opts.BaseLabel == "" {
		opts.BaseLabel = "parent of " + label
	}
	res, err := Trees(ctx, s, base, onto.TreeHash, c.TreeHash, opts)
	if err != nil {
		return nil, fmt.Errorf("pick %s onto %s: %w", c.Hash.String()[:7], onto.Hash.String()[:7], err)
	}
	return res, nil
}

// PickLabel is how git cherry-pick names a commit in conflict markers:
// the short hash and the subject, "abc1234 (subject)".
func PickLabel(c *object.Commit) string {
	subject, _, _ := strings.Cut(strings.TrimLeft(c.Message, "\n"), "\n")
	return fmt.Sprintf("%s (%s)", c.Hash.String()[:7], strings.TrimSpace(subject))
}
