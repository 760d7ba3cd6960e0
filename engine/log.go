package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/switchyard/switchyard/engine/history"
	"github.com/switchyard/switchyard/model"
)

// More sentinel errors of the history calls.
var (
	// ErrUnbornBranch: a track's branch is named by HEAD but has no commit.
	ErrUnbornBranch = errors.New("branch has no commits yet")
	// ErrSameTrack: a comparison was asked between a track and itself.
	ErrSameTrack = errors.New("the same track is given twice")
	// ErrBadCursor: a Log cursor was not made by Log.
	ErrBadCursor = errors.New("bad log cursor")
)

// ErrShallow and ErrCorrupt come from the history package.
var (
	ErrShallow = history.ErrShallow
	ErrCorrupt = history.ErrCorrupt
)

// track looks a track up by name.
func (e *Engine) track(name string) (model.Track, error) {
	t, err := e.flow.Track(name)
	if err != nil {
		return t, fmt.Errorf("%w (see [[track]] in switchyard.toml)", err)
	}
	return t, nil
}

// headID resolves a track's head to a commit id.
func (e *Engine) headID(ctx context.Context, t model.Track) (plumbing.Hash, error) {
	if err := ctx.Err(); err != nil {
		return plumbing.ZeroHash, err
	}
	ref, err := e.repo.Reference(plumbing.ReferenceName(t.Ref()), true)
	if err == nil {
		return ref.Hash(), nil
	}
	if !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, fmt.Errorf("track %s: read %s: %w", t.Name, t.Ref(), err)
	}
	if t.Remote != "" {
		return plumbing.ZeroHash, fmt.Errorf("track %s: %w: %s (run switchyard fetch, or check remote %q and branch %q)",
			t.Name, ErrBranchNotFound, t.Ref(), t.Remote, t.Branch)
	}
	if head, herr := e.repo.Reference(plumbing.HEAD, false); herr == nil && head.Type() == plumbing.SymbolicReference && head.Target() == plumbing.ReferenceName(t.Ref()) {
		return plumbing.ZeroHash, fmt.Errorf("track %s: branch %q: %w (commit on it first)", t.Name, t.Branch, ErrUnbornBranch)
	}
	return plumbing.ZeroHash, fmt.Errorf("track %s: %w: %q (create it, or set branch = \"…\" for this track in switchyard.toml)",
		t.Name, ErrBranchNotFound, t.Branch)
}

// commit converts a commit object for the front ends.
func (e *Engine) commit(c *object.Commit) model.Commit {
	m := model.Commit{
		ID:        c.Hash.String(),
		Kind:      e.kinds.Kind(c.Message),
		Subject:   model.Subject(c.Message),
		Author:    c.Author.Name,
		Email:     c.Author.Email,
		Date:      c.Author.When,
		Committed: c.Committer.When,
	}
	for _, p := range c.ParentHashes {
		m.Parents = append(m.Parents, p.String())
	}
	return m
}

// Head returns the head commit of a track.
func (e *Engine) Head(ctx context.Context, track string) (model.Commit, error) {
	t, err := e.track(track)
	if err != nil {
		return model.Commit{}, err
	}
	id, err := e.headID(ctx, t)
	if err != nil {
		return model.Commit{}, err
	}
	return e.commitByID(id)
}

func (e *Engine) commitByID(id plumbing.Hash) (model.Commit, error) {
	h, err := e.History()
	if err != nil {
		return model.Commit{}, err
	}
	c, err := h.Commit(id)
	if err != nil {
		return model.Commit{}, err
	}
	return e.commit(c), h.Flush()
}

// CommitInfo returns a commit by full or abbreviated id, or any revision
// git understands (a branch, a tag).
func (e *Engine) CommitInfo(ctx context.Context, id string) (model.Commit, error) {
	if err := ctx.Err(); err != nil {
		return model.Commit{}, err
	}
	h, err := e.repo.ResolveRevision(plumbing.Revision(id))
	if err != nil {
		return model.Commit{}, fmt.Errorf("commit %q: %w", model.InertLine(id), err)
	}
	return e.commitByID(*h)
}

// LogOptions say what Log lists.
type LogOptions struct {
	// Tracks are the tips to include: track names, or any revision (a ref,
	// a commit id). Empty means every track of the flow.
	Tracks []string
	// Limit is the page size; default 200.
	Limit int
	// Cursor continues a previous page (LogPage.Next); empty starts at the
	// tips.
	Cursor string
}

// LogPage is one page of history.
type LogPage struct {
	// Commits are children before parents, newest first, with Parents set,
	// the order git log --graph draws with generation numbers.
	Commits []model.Commit
	// Next continues the walk; empty at the root of history.
	Next string
}

const cursorPrefix = "v1:"

// Log lists history lazily for the graph view: a page reads only the
// commits it shows and the frontier after them.
func (e *Engine) Log(ctx context.Context, opts LogOptions) (*LogPage, error) {
	h, err := e.History()
	if err != nil {
		return nil, err
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 200
	}
	var tips []plumbing.Hash
	if opts.Cursor != "" {
		rest, ok := strings.CutPrefix(opts.Cursor, cursorPrefix)
		if !ok {
			return nil, ErrBadCursor
		}
		for _, s := range strings.Split(rest, ",") {
			if len(s) != 40 || !plumbing.IsHash(s) {
				return nil, ErrBadCursor
			}
			tips = append(tips, plumbing.NewHash(s))
		}
	} else {
		names := opts.Tracks
		if len(names) == 0 {
			for _, t := range e.flow {
				names = append(names, t.Name)
			}
		}
		for _, n := range names {
			if t, err := e.flow.Track(n); err == nil {
				id, err := e.headID(ctx, t)
				if err != nil {
					return nil, err
				}
				tips = append(tips, id)
				continue
			}
			id, err := e.repo.ResolveRevision(plumbing.Revision(n))
			if err != nil {
				return nil, fmt.Errorf("log: %q is neither a track nor a revision: %w", model.InertLine(n), err)
			}
			tips = append(tips, *id)
		}
	}
	nodes, frontier, err := h.Graph().Walk(ctx, tips, limit)
	if err != nil {
		return nil, err
	}
	cs, err := h.Commits(ctx, nodes)
	if err != nil {
		return nil, err
	}
	page := &LogPage{Commits: make([]model.Commit, 0, len(nodes))}
	for _, c := range cs {
		page.Commits = append(page.Commits, e.commit(c))
	}
	if err := h.Flush(); err != nil {
		return nil, err
	}
	if len(frontier) > 0 {
		ss := make([]string, len(frontier))
		for i, f := range frontier {
			ss[i] = f.String()
		}
		page.Next = cursorPrefix + strings.Join(ss, ",")
	}
	return page, nil
}
