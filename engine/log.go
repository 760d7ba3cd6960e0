package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

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
	// Commits are in the order git log --graph shows them (topological:
	// children before parents, each line of descent kept together), with
	// Parents set.
	Commits []model.Commit
	// Next continues the walk; empty at the root of history.
	Next string
}

// A cursor names the walk's tips and how many commits it has listed:
// "v2:<listed>:<tip>,<tip>…". The engine keeps the paused walk under it, so
// the next page usually continues without walking again; a cursor the
// engine no longer holds walks again from the tips.
const cursorPrefix = "v2:"

func makeCursor(listed int, tips []plumbing.Hash) string {
	ss := make([]string, len(tips))
	for i, t := range tips {
		ss[i] = t.String()
	}
	return cursorPrefix + strconv.Itoa(listed) + ":" + strings.Join(ss, ",")
}

func parseCursor(c string) (int, []plumbing.Hash, error) {
	rest, ok := strings.CutPrefix(c, cursorPrefix)
	if !ok {
		return 0, nil, ErrBadCursor
	}
	ns, rest, ok := strings.Cut(rest, ":")
	listed, err := strconv.Atoi(ns)
	if !ok || err != nil || listed < 0 {
		return 0, nil, ErrBadCursor
	}
	var tips []plumbing.Hash
	for _, s := range strings.Split(rest, ",") {
		if len(s) != 40 || !plumbing.IsHash(s) {
			return 0, nil, ErrBadCursor
		}
		tips = append(tips, plumbing.NewHash(s))
	}
	return listed, tips, nil
}

// Log lists history lazily for the graph view, in git log --graph's
// order. With a commit-graph a page reads the commit-graph down to the
// lowest generation it reaches and the commits it shows, never the whole
// history; without one the walk goes by commit date (see
// history.TopoWalk).
func (e *Engine) Log(ctx context.Context, opts LogOptions) (*LogPage, error) {
	h, err := e.History()
	if err != nil {
		return nil, err
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 200
	}
	g := h.Graph()
	var w *history.TopoWalk
	var tips []plumbing.Hash
	if opts.Cursor != "" {
		listed, ts, err := parseCursor(opts.Cursor)
		if err != nil {
			return nil, err
		}
		tips = ts
		if w = g.Resume(opts.Cursor); w == nil {
			if w, err = g.Topo(ctx, tips); err != nil {
				return nil, err
			}
			if err := w.Skip(ctx, listed); err != nil {
				return nil, err
			}
		}
	} else {
		names := opts.Tracks
		if len(names) == 0 {
			for _, t := range e.flow {
				names = append(names, t.Name)
			}
		}
		for _, n := range names {
			id, err := e.logTip(ctx, n)
			if err != nil {
				return nil, err
			}
			tips = append(tips, id)
		}
		if w, err = g.Topo(ctx, tips); err != nil {
			return nil, err
		}
	}
	ids, err := w.Next(ctx, limit)
	if err != nil {
		return nil, err
	}
	nodes := make([]*history.Node, len(ids))
	for i, id := range ids {
		nodes[i] = &history.Node{ID: id}
	}
	cs, err := h.Commits(ctx, nodes)
	if err != nil {
		return nil, err
	}
	page := &LogPage{Commits: e.commits(cs)}
	if err := h.Flush(); err != nil {
		return nil, err
	}
	if !w.Done() {
		page.Next = makeCursor(w.Listed(), tips)
		g.Park(page.Next, w)
	}
	return page, nil
}

// commits converts many commits, on every CPU: classifying a commit runs
// the kind patterns over its whole message, the largest cost of a page
// once the walk is cheap.
func (e *Engine) commits(cs []*object.Commit) []model.Commit {
	out := make([]model.Commit, len(cs))
	workers := min(runtime.NumCPU(), len(cs)/64+1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(cs); i += workers {
				out[i] = e.commit(cs[i])
			}
		}()
	}
	wg.Wait()
	return out
}

// logTip resolves a track name or a revision to a commit. A branch, tag
// or remote ref (git's rules for a short name) or a full id the
// commit-graph knows is read without go-git's revision parser, which reads
// the commit through go-git's object store (decoding every pack index on a
// first call); anything else goes through it.
func (e *Engine) logTip(ctx context.Context, name string) (plumbing.Hash, error) {
	if t, err := e.flow.Track(name); err == nil {
		return e.headID(ctx, t)
	}
	if h, err := e.History(); err == nil && name != "" && !strings.ContainsAny(name, "~^@:{}*?[\\ ") {
		isCommit := func(id plumbing.Hash) bool {
			_, err := h.Graph().Node(id)
			return err == nil
		}
		if len(name) == 40 && plumbing.IsHash(name) {
			if id := plumbing.NewHash(name); isCommit(id) {
				return id, nil
			}
		} else if !isHexPrefix(name) {
			for _, rule := range plumbing.RefRevParseRules {
				ref, err := e.repo.Reference(plumbing.ReferenceName(fmt.Sprintf(rule, name)), true)
				if err != nil {
					continue
				}
				if isCommit(ref.Hash()) {
					return ref.Hash(), nil
				}
				break
			}
		}
	}
	id, err := e.repo.ResolveRevision(plumbing.Revision(name))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("log: %q is neither a track nor a revision: %w", model.InertLine(name), err)
	}
	return *id, nil
}

// isHexPrefix: git would try s as an abbreviated commit id first.
func isHexPrefix(s string) bool {
	if len(s) < 4 || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
