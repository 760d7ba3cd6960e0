package sequence

import (
	"context"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/switchyard/switchyard/engine/gitstate"
	"github.com/switchyard/switchyard/engine/merge"
)

// MergePick is the Picker backed by merge.Pick (git merge-ort parity) on
// store s.
func MergePick(s storer.EncodedObjectStorer) Picker {
	return func(ctx context.Context, c, onto *object.Commit, opts merge.Options) (*PickResult, error) {
		r, err := merge.Pick(ctx, s, c, onto, opts)
		if err != nil {
			return nil, err
		}
		return FromMerge(r), nil
	}
}

// FromMerge converts a merge result.
func FromMerge(r *merge.Result) *PickResult {
	out := &PickResult{Tree: r.Tree}
	for _, k := range r.Conflicts {
		e := func(x merge.Entry) gitstate.TreeEntry {
			return gitstate.TreeEntry{Path: x.Path, Mode: x.Mode, Hash: x.Hash}
		}
		out.Conflicts = append(out.Conflicts, Conflict{Path: k.Path, Kind: string(k.Kind), Hunks: k.Hunks,
			Base: e(k.Base), Ours: e(k.Ours), Theirs: e(k.Theirs)})
	}
	return out
}
