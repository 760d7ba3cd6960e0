package engine

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/switchyard/switchyard/engine/gitstate"
	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
)

// ResolveHunk resolves hunk number hunk (0-based) of a conflicted file
// with a choice; text is used for sequence.Edited. The session is saved
// before it returns; with a working tree the file there is rewritten.
func (e *Engine) ResolveHunk(ctx context.Context, path string, hunk int, choice sequence.Choice, text []byte) error {
	if err := e.sequencer().ResolveHunk(ctx, path, hunk, choice, text); err != nil {
		return err
	}
	return e.journalResolve(ctx, fmt.Sprintf("%s hunk %d: %s", path, hunk+1, choice))
}

func (e *Engine) journalResolve(ctx context.Context, what string) error {
	return e.Record(ctx, journal.Entry{Kind: "pick", Action: "resolved", Message: model.InertLine(what)})
}

// ResolveFile resolves a whole conflicted file: Ours, Theirs, Base or
// Both take that choice in every hunk (for a modify/delete, binary or
// symlink conflict: that side's file, or its deletion); Edited takes text.
func (e *Engine) ResolveFile(ctx context.Context, path string, choice sequence.Choice, text []byte) error {
	if err := e.sequencer().ResolveFile(ctx, path, choice, text); err != nil {
		return err
	}
	return e.journalResolve(ctx, fmt.Sprintf("%s: %s", path, choice))
}

// UndoResolution takes back the last resolution (of any file of the
// current step) and returns the path it touched.
func (e *Engine) UndoResolution(ctx context.Context) (string, error) {
	p, err := e.sequencer().UndoResolution(ctx)
	if err != nil {
		return "", err
	}
	return p, e.journalResolve(ctx, p+": took back the last resolution")
}

// SyncWorktree takes resolutions made in the working tree ($EDITOR, git
// mergetool, git add) into the session; the cockpit calls it when its
// file watcher sees a change. It returns files edited there that still
// have conflict markers.
func (e *Engine) SyncWorktree(ctx context.Context) ([]string, error) {
	return e.sequencer().Sync(ctx)
}

// RecordedOffer is a hunk resolved from an earlier identical conflict.
type RecordedOffer struct {
	Path string `json:"path"`
	Hunk int    `json:"hunk"` // 0-based
}

// RecordedResolutions lists the hunks of the current step that were
// resolved automatically from recorded resolutions ([pick] rerere); a
// person keeps them with Continue or replaces them.
func (e *Engine) RecordedResolutions(ctx context.Context) ([]RecordedOffer, error) {
	s, err := e.Session(ctx)
	if err != nil || s == nil {
		return nil, err
	}
	var out []RecordedOffer
	for _, f := range s.Files {
		for i, h := range f.Hunks() {
			if h.Resolution != nil && h.Resolution.Recorded {
				out = append(out, RecordedOffer{Path: f.Path, Hunk: i})
			}
		}
	}
	return out, nil
}

// Prerequisites lists, for the current conflict, the earlier commits of
// the picked commit's history that touch the conflicted files and are
// missing on the target by patch-id — usually why a hotfix does not
// apply. Oldest first; nil when there is no conflict.
func (e *Engine) Prerequisites(ctx context.Context) ([]model.Commit, error) {
	s, err := e.Session(ctx)
	if err != nil || s == nil || len(s.Files) == 0 {
		return nil, err
	}
	st := s.Step()
	c, err := object.GetCommit(e.repo.Storer, plumbing.NewHash(st.Commit))
	if err != nil {
		return nil, err
	}
	if len(c.ParentHashes) == 0 {
		return nil, nil
	}
	h, err := e.History()
	if err != nil {
		return nil, err
	}
	pending, _, err := e.missing(ctx, h, c.ParentHashes[0], plumbing.NewHash(s.Head))
	if err != nil {
		return nil, fmt.Errorf("prerequisites: %w", err)
	}
	paths := map[string]bool{}
	for _, f := range s.Files {
		for _, p := range []string{f.Path, f.Base.Path, f.Ours.Path, f.Theirs.Path} {
			if p != "" {
				paths[p] = true
			}
		}
	}
	var out []model.Commit
	for _, id := range pending {
		touches, err := touchesAny(e, id, paths)
		if err != nil {
			return nil, err
		}
		if touches {
			mc, err := e.CommitInfo(ctx, id.String())
			if err != nil {
				return nil, err
			}
			out = append(out, mc)
		}
	}
	return out, nil
}

// touchesAny reports whether commit c changes any of paths against its
// first parent.
func touchesAny(e *Engine, id plumbing.Hash, paths map[string]bool) (bool, error) {
	c, err := object.GetCommit(e.repo.Storer, id)
	if err != nil {
		return false, err
	}
	var parentTree plumbing.Hash
	if len(c.ParentHashes) > 0 {
		p, err := object.GetCommit(e.repo.Storer, c.ParentHashes[0])
		if err != nil {
			return false, err
		}
		parentTree = p.TreeHash
	}
	changes, err := gitstate.DiffTrees(e.repo.Storer, parentTree, c.TreeHash)
	if err != nil {
		return false, err
	}
	for _, ch := range changes {
		if paths[ch.Path] {
			return true, nil
		}
	}
	return false, nil
}
