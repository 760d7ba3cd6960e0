package sequence

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/switchyard/switchyard/engine/gitstate"
	"github.com/switchyard/switchyard/engine/merge"
)

// Conflict is one conflicted path of a pick, as the merge reports it.
type Conflict struct {
	Path string
	Kind string
	// Hunks is the number of conflict hunks in the marked file.
	Hunks              int
	Base, Ours, Theirs gitstate.TreeEntry
}

// PickResult is a cherry-pick computed in the object store: the result
// tree (conflicted files carry markers) and its conflicts.
type PickResult struct {
	Tree      plumbing.Hash
	Conflicts []Conflict
}

// Picker cherry-picks c onto onto in the object store (merge.Pick).
type Picker func(ctx context.Context, c, onto *object.Commit, opts merge.Options) (*PickResult, error)

// Sequencer runs sequences on one repository. Its fields are set once;
// every method reads and writes the persisted session, so any number of
// Sequencers (in any number of processes) see the same state.
type Sequencer struct {
	// Store holds the objects.
	Store storer.EncodedObjectStorer
	// Git is the git directory on disk.
	Git *gitstate.Repo
	// Root is the working tree root; "" for a bare repository.
	Root string
	// Pick computes one cherry-pick.
	Pick Picker
	// Committer returns the committer of new commits (git config).
	Committer func() (object.Signature, error)
	// Style is the conflict marker style.
	Style merge.Style
	// Rerere offers recorded resolutions of the same conflicts.
	Rerere bool
}

// Plan is a sequence to start.
type Plan struct {
	Op    Op
	Track string
	// Ref is the branch to move (refs/heads/…).
	Ref string
	// Commits are applied in order.
	Commits []plumbing.Hash
	// Onto is where the new chain starts; zero means the ref's value
	// (a carry). A train's rebase starts from its target.
	Onto plumbing.Hash
	// Expect, when set, is the value the caller saw the ref at; the
	// sequence refuses to start if it moved.
	Expect plumbing.Hash
	// Trailer adds "(cherry picked from commit …)".
	Trailer bool
	// Push, PushRemote and Lease are remembered for the caller to push
	// when the sequence ends (see Outcome).
	Push       bool
	PushRemote string
	Lease      plumbing.Hash
}

// Start begins a sequence and runs it until it ends or stops on a
// conflict. It refuses with ErrInProgress when one is already open, and
// with gitstate.ErrDirty when the branch is checked out with local changes.
func (q *Sequencer) Start(ctx context.Context, p Plan) (*Outcome, error) {
	if !strings.HasPrefix(p.Ref, "refs/heads/") {
		return nil, fmt.Errorf("start: %q is not a branch", p.Ref)
	}
	if _, err := q.Committer(); err != nil {
		return nil, err
	}
	lock, err := lockSession(ctx, q.Git.GitDir)
	if err != nil {
		return nil, err
	}
	defer lock.release()
	if _, err := readSession(q.Git.GitDir); err == nil {
		return nil, ErrInProgress
	} else if !errors.Is(err, ErrNoSession) {
		return nil, err
	}
	start, err := q.Git.ReadRef(p.Ref)
	if err != nil {
		return nil, err
	}
	if start.IsZero() {
		return nil, fmt.Errorf("start: branch %s does not exist", strings.TrimPrefix(p.Ref, "refs/heads/"))
	}
	if !p.Expect.IsZero() && p.Expect != start {
		return nil, &gitstate.RefMovedError{Ref: p.Ref, Expected: p.Expect, Actual: start}
	}
	onto := p.Onto
	if onto.IsZero() {
		onto = start
	}
	s := &Session{
		Op: p.Op, Track: p.Track, Ref: p.Ref, Start: start.String(), Onto: onto.String(),
		Head: onto.String(), RefAt: start.String(), Trailer: p.Trailer, Push: p.Push,
		PushRemote: p.PushRemote, Lease: p.Lease.String(),
		Style: q.Style.String(), Began: time.Now().UTC(),
	}
	for _, c := range p.Commits {
		commit, err := object.GetCommit(q.Store, c)
		if err != nil {
			return nil, fmt.Errorf("start: commit %s: %w", c, err)
		}
		if len(commit.ParentHashes) > 1 {
			return nil, fmt.Errorf("start: %s is a merge commit; pick its changes with a single-parent commit", c.String()[:12])
		}
		s.Steps = append(s.Steps, Step{Commit: c.String(), Subject: subject(commit.Message), State: Pending})
	}
	if wt := q.checkedOutElsewhere(p.Ref); wt != "" {
		return nil, fmt.Errorf("start: branch %s is checked out in the worktree %s; run switchyard there", strings.TrimPrefix(p.Ref, "refs/heads/"), wt)
	}
	if q.Root != "" {
		if head, _ := q.Git.SymbolicTarget("HEAD"); head == p.Ref {
			s.Worktree = true
			if err := q.checkWorktreeReady(start); err != nil {
				return nil, err
			}
		}
	}
	if err := writeSession(q.Git.GitDir, s); err != nil {
		return nil, err
	}
	return q.run(ctx, s)
}

// checkedOutElsewhere returns the folder of another worktree of the
// repository that has ref checked out, or "". Moving a branch under
// another worktree would leave its files stale, so git refuses it too.
func (q *Sequencer) checkedOutElsewhere(ref string) string {
	heads := []string{filepath.Join(q.Git.CommonDir, "HEAD")}
	dirs, _ := os.ReadDir(filepath.Join(q.Git.CommonDir, "worktrees"))
	for _, d := range dirs {
		heads = append(heads, filepath.Join(q.Git.CommonDir, "worktrees", d.Name(), "HEAD"))
	}
	own := filepath.Clean(filepath.Join(q.Git.GitDir, "HEAD"))
	for _, h := range heads {
		if filepath.Clean(h) == own {
			continue
		}
		b, err := os.ReadFile(h)
		if err != nil || strings.TrimSpace(strings.TrimPrefix(string(b), "ref:")) != ref {
			continue
		}
		if h == heads[0] {
			// The main worktree (a bare repository has none).
			if bare, _ := os.ReadFile(filepath.Join(q.Git.CommonDir, "config")); strings.Contains(string(bare), "bare = true") {
				continue
			}
			return filepath.Dir(q.Git.CommonDir)
		}
		if g, err := os.ReadFile(filepath.Join(filepath.Dir(h), "gitdir")); err == nil {
			return filepath.Dir(strings.TrimSpace(string(g)))
		}
		return filepath.Dir(h)
	}
	return ""
}

// checkWorktreeReady refuses to start with local changes or with a git
// operation in progress.
func (q *Sequencer) checkWorktreeReady(head plumbing.Hash) error {
	for _, f := range []string{"CHERRY_PICK_HEAD", "MERGE_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply"} {
		if exists(q.Git.GitDir, f) {
			return fmt.Errorf("a git operation is in progress (%s); finish or abort it first", f)
		}
	}
	c, err := object.GetCommit(q.Store, head)
	if err != nil {
		return err
	}
	x, err := q.Git.ReadIndex()
	if err != nil {
		return err
	}
	w := q.worktree()
	p, err := w.IndexMatches(x, c.TreeHash)
	if err != nil {
		return err
	}
	if p != "" {
		return fmt.Errorf("%s: index differs from HEAD: %w (commit or stash your changes first)", p, gitstate.ErrDirty)
	}
	if p, err = w.Modified(x); err != nil {
		return err
	} else if p != "" {
		return fmt.Errorf("%s has local changes: %w (commit or stash them first)", p, gitstate.ErrDirty)
	}
	return nil
}

func (q *Sequencer) worktree() *gitstate.Worktree {
	return &gitstate.Worktree{Root: q.Root, Repo: q.Git, Store: q.Store}
}

// Load returns the session in progress; ErrNoSession when none.
func (q *Sequencer) Load(ctx context.Context) (*Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return readSession(q.Git.GitDir)
}

// with runs fn on the locked session and saves it afterwards (also when fn
// fails: what was done, such as commits written, is kept).
func (q *Sequencer) with(ctx context.Context, fn func(s *Session) error) error {
	lock, err := lockSession(ctx, q.Git.GitDir)
	if err != nil {
		return err
	}
	defer lock.release()
	s, err := readSession(q.Git.GitDir)
	if err != nil {
		return err
	}
	ferr := fn(s)
	if s.Current < 0 { // finished: fn removed it
		return ferr
	}
	if err := writeSession(q.Git.GitDir, s); err != nil {
		return errors.Join(ferr, err)
	}
	return ferr
}

// run applies steps from the current one until the end or a conflict.
// The caller holds the session lock.
func (q *Sequencer) run(ctx context.Context, s *Session) (*Outcome, error) {
	for s.Current < len(s.Steps) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st := &s.Steps[s.Current]
		if st.State != Pending {
			s.Current++
			continue
		}
		c, err := object.GetCommit(q.Store, plumbing.NewHash(st.Commit))
		if err != nil {
			return nil, fmt.Errorf("pick %s: %w", short(st.Commit), err)
		}
		head, err := object.GetCommit(q.Store, plumbing.NewHash(s.Head))
		if err != nil {
			return nil, fmt.Errorf("pick %s: %w", short(st.Commit), err)
		}
		s.Labels = [3]string{
			"parent of " + short(st.Commit) + " (" + st.Subject + ")",
			"HEAD",
			short(st.Commit) + " (" + st.Subject + ")",
		}
		res, err := q.Pick(ctx, c, head, s.mergeOptions())
		if err != nil {
			return nil, fmt.Errorf("pick %s onto %s: %w", short(st.Commit), short(s.Head), err)
		}
		if len(res.Conflicts) == 0 {
			if err := q.commitStep(ctx, s, c, head, res.Tree); err != nil {
				return nil, err
			}
			if err := writeSession(q.Git.GitDir, s); err != nil {
				return nil, err
			}
			continue
		}
		if err := q.stop(ctx, s, c, res); err != nil {
			return nil, err
		}
		if err := writeSession(q.Git.GitDir, s); err != nil {
			return nil, err
		}
		return &Outcome{Op: s.Op, Track: s.Track, Ref: s.Ref, Head: s.Head, Steps: s.Steps, Session: s}, nil
	}
	return q.finish(ctx, s)
}

// commitStep writes the step's commit on tree (or marks it empty) and
// advances.
func (q *Sequencer) commitStep(ctx context.Context, s *Session, c, head *object.Commit, tree plumbing.Hash) error {
	st := &s.Steps[s.Current]
	if tree == head.TreeHash {
		st.State = Empty
		s.Current++
		return nil
	}
	who, err := q.Committer()
	if err != nil {
		return err
	}
	msg := c.Message
	if s.Trailer {
		msg = addTrailer(msg, c.Hash.String())
	}
	nc := &object.Commit{
		Author:       c.Author,
		Committer:    who,
		Message:      msg,
		TreeHash:     tree,
		ParentHashes: []plumbing.Hash{head.Hash},
		Encoding:     c.Encoding,
	}
	o := q.Store.NewEncodedObject()
	if err := nc.Encode(o); err != nil {
		return fmt.Errorf("write commit: %w", err)
	}
	h, err := q.Store.SetEncodedObject(o)
	if err != nil {
		return fmt.Errorf("write commit: %w", err)
	}
	st.State = Applied
	st.Result = h.String()
	s.Head = h.String()
	s.Current++
	return nil
}

// addTrailer appends git's -x line: in the trailer block when the message
// ends with one, else after a blank line.
func addTrailer(msg, id string) string {
	line := "(cherry picked from commit " + id + ")"
	msg = strings.TrimRight(msg, "\n")
	if msg == "" {
		return line + "\n"
	}
	paras := strings.Split(msg, "\n\n")
	last := paras[len(paras)-1]
	if len(paras) > 1 && isTrailerBlock(last) {
		return msg + "\n" + line + "\n"
	}
	return msg + "\n\n" + line + "\n"
}

func isTrailerBlock(p string) bool {
	for _, l := range strings.Split(p, "\n") {
		if strings.HasPrefix(l, "(cherry picked from commit ") {
			continue
		}
		k, _, ok := strings.Cut(l, ": ")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return false
		}
	}
	return true
}

// stop turns a conflicted pick into the session's files, offers recorded
// resolutions and mirrors the state into the working tree.
func (q *Sequencer) stop(ctx context.Context, s *Session, c *object.Commit, res *PickResult) error {
	s.Steps[s.Current].State = Stopped
	s.Merged = res.Tree.String()
	s.Files = nil
	s.History = nil
	opts := s.mergeOptions()
	for _, k := range res.Conflicts {
		f, err := q.newFile(k, res.Tree, opts)
		if err != nil {
			return err
		}
		s.Files = append(s.Files, f)
	}
	if q.Rerere {
		if err := q.offerRecorded(s); err != nil {
			return err
		}
	}
	if err := q.keep(ctx, s, c); err != nil {
		return err
	}
	if !s.Worktree {
		return nil
	}
	if err := q.syncRef(ctx, s); err != nil {
		return err
	}
	return q.mirror(ctx, s, c)
}

func side(e gitstate.TreeEntry) Side {
	if e.Hash.IsZero() {
		return Side{Path: e.Path}
	}
	return Side{Path: e.Path, Mode: e.Mode, Hash: e.Hash.String()}
}

func (q *Sequencer) blob(sd Side) ([]byte, error) {
	if sd.Absent() || sd.Mode == filemode.Submodule {
		return nil, nil
	}
	return gitstate.Blob(q.Store, plumbing.NewHash(sd.Hash))
}

// newFile builds the hunks of one conflicted path.
func (q *Sequencer) newFile(k Conflict, merged plumbing.Hash, opts merge.Options) (*File, error) {
	f := &File{Path: k.Path, Kind: k.Kind, Base: side(k.Base), Ours: side(k.Ours), Theirs: side(k.Theirs)}
	if e, ok, err := gitstate.FindEntry(q.Store, merged, k.Path); err != nil {
		return nil, err
	} else if ok {
		f.Mode = e.Mode
	}
	var b [3][]byte
	for i, sd := range []Side{f.Base, f.Ours, f.Theirs} {
		data, err := q.blob(sd)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.Path, err)
		}
		b[i] = data
	}
	text := func(sd Side) bool {
		return !sd.Absent() && (sd.Mode == filemode.Regular || sd.Mode == filemode.Executable || sd.Mode == filemode.Deprecated)
	}
	if text(f.Ours) && text(f.Theirs) && (f.Base.Absent() || text(f.Base)) && k.Kind != "binary" && k.Kind != "mode" {
		r := merge.File(b[0], b[1], b[2], opts)
		if !r.Binary && r.Conflicts > 0 {
			f.Lines = true
			for _, ch := range r.Chunks {
				if ch.Conflict {
					f.Chunks = append(f.Chunks, Chunk{Hunk: &Hunk{Base: ch.Base, Ours: ch.Ours, Theirs: ch.Theirs}})
				} else {
					f.Chunks = append(f.Chunks, Chunk{Text: ch.Text})
				}
			}
			return f, nil
		}
	}
	f.Chunks = []Chunk{{Hunk: &Hunk{Base: b[0], Ours: b[1], Theirs: b[2]}}}
	return f, nil
}

// KeepRef is the ref that keeps a stopped session's objects — the chain
// built so far and the merge result — safe from git gc.
const KeepRef = "refs/switchyard/sequence/wip"

// keep points KeepRef at a commit whose tree is the merge result and whose
// parent is the chain's head.
func (q *Sequencer) keep(ctx context.Context, s *Session, c *object.Commit) error {
	sig, err := q.Committer()
	if err != nil {
		return err
	}
	who := gitstate.Ident{Name: sig.Name, Email: sig.Email, When: sig.When}
	wip := &object.Commit{
		Author: sig, Committer: sig,
		Message:      "switchyard: work in progress on " + c.Hash.String() + "\n",
		TreeHash:     plumbing.NewHash(s.Merged),
		ParentHashes: []plumbing.Hash{plumbing.NewHash(s.Head)},
	}
	o := q.Store.NewEncodedObject()
	if err := wip.Encode(o); err != nil {
		return err
	}
	h, err := q.Store.SetEncodedObject(o)
	if err != nil {
		return err
	}
	cur, err := q.Git.ReadRef(KeepRef)
	if err != nil {
		return err
	}
	return q.Git.UpdateRef(ctx, KeepRef, cur, h, who, "switchyard: keep session objects")
}

// unkeep drops KeepRef when the session ends.
func (q *Sequencer) unkeep(ctx context.Context) error {
	cur, err := q.Git.ReadRef(KeepRef)
	if err != nil || cur.IsZero() {
		return err
	}
	return q.Git.UpdateRef(ctx, KeepRef, cur, plumbing.ZeroHash, gitstate.Ident{}, "")
}

// syncRef brings the checked-out branch (and the working tree) to Head.
func (q *Sequencer) syncRef(ctx context.Context, s *Session) error {
	if s.RefAt == s.Head {
		return nil
	}
	cur, err := q.Git.ReadRef(s.Ref)
	if err != nil {
		return err
	}
	if cur.String() != s.RefAt {
		return &gitstate.RefMovedError{Ref: s.Ref, Expected: plumbing.NewHash(s.RefAt), Actual: cur}
	}
	from, to, err := treesOf(q.Store, s.RefAt, s.Head)
	if err != nil {
		return err
	}
	w := q.worktree()
	if err := w.Checkout(ctx, from, to, nil); err != nil {
		return err
	}
	who, err := q.reflogIdent()
	if err != nil {
		return err
	}
	if err := q.Git.UpdateRef(ctx, s.Ref, plumbing.NewHash(s.RefAt), plumbing.NewHash(s.Head), who, q.reflogMsg(s)); err != nil {
		// Put the working tree back where the ref is.
		_ = w.Checkout(ctx, to, from, nil)
		return err
	}
	s.RefAt = s.Head
	return nil
}

func (q *Sequencer) reflogMsg(s *Session) string {
	if s.Op == OpTrain {
		return "switchyard train: " + s.Track
	}
	if st := s.Step(); st != nil && st.Subject != "" {
		return "switchyard pick: " + st.Subject
	}
	return "switchyard pick"
}

func (q *Sequencer) reflogIdent() (gitstate.Ident, error) {
	who, err := q.Committer()
	if err != nil {
		return gitstate.Ident{}, err
	}
	return gitstate.Ident{Name: who.Name, Email: who.Email, When: who.When}, nil
}

func treeOf(s storer.EncodedObjectStorer, commit string) (plumbing.Hash, error) {
	c, err := object.GetCommit(s, plumbing.NewHash(commit))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit %s: %w", short(commit), err)
	}
	return c.TreeHash, nil
}

// treesOf returns the trees of the commits from and to.
func treesOf(s storer.EncodedObjectStorer, from, to string) (plumbing.Hash, plumbing.Hash, error) {
	f, err := treeOf(s, from)
	if err != nil {
		return plumbing.ZeroHash, plumbing.ZeroHash, err
	}
	t, err := treeOf(s, to)
	if err != nil {
		return plumbing.ZeroHash, plumbing.ZeroHash, err
	}
	return f, t, nil
}

// mirror leaves git's own conflict state in the working tree: the merged
// files (conflicted ones with markers), stages 1/2/3, CHERRY_PICK_HEAD and
// MERGE_MSG.
func (q *Sequencer) mirror(ctx context.Context, s *Session, c *object.Commit) error {
	head, err := treeOf(q.Store, s.Head)
	if err != nil {
		return err
	}
	w := q.worktree()
	if err := w.Checkout(ctx, head, plumbing.NewHash(s.Merged), nil); err != nil {
		return err
	}
	x, err := q.writeFiles(s)
	if err != nil {
		return err
	}
	if err := q.Git.WriteIndex(ctx, x); err != nil {
		return err
	}
	if err := q.Git.WriteFile(ctx, "CHERRY_PICK_HEAD", []byte(c.Hash.String()+"\n")); err != nil {
		return err
	}
	msg := c.Message
	if s.Trailer {
		msg = addTrailer(msg, c.Hash.String())
	}
	msg = strings.TrimRight(msg, "\n") + "\n\n# Conflicts:\n"
	for _, f := range s.Files {
		msg += "#\t" + f.Path + "\n"
	}
	return q.Git.WriteFile(ctx, "MERGE_MSG", []byte(msg))
}

// writeFiles reads the index and writes every file of the session into it
// and the working tree (see writeFile); the caller writes the index.
func (q *Sequencer) writeFiles(s *Session) (*gitstate.Index, error) {
	x, err := q.Git.ReadIndex()
	if err != nil {
		return nil, err
	}
	for _, f := range s.Files {
		if err := q.writeFile(s, f, x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// writeFile writes f's preview to the working tree and its index entries:
// stage 0 when resolved, else stages 1/2/3.
func (q *Sequencer) writeFile(s *Session, f *File, x *gitstate.Index) error {
	w := q.worktree()
	data, deleted := s.Preview(f)
	mode := f.resolvedMode()
	var st gitstate.Stat
	if deleted {
		if err := w.RemoveFile(f.Path); err != nil {
			return err
		}
		f.Written = ""
	} else {
		var err error
		if st, err = w.WriteFile(f.Path, mode, data); err != nil {
			return err
		}
		f.Written = plumbing.ComputeHash(plumbing.BlobObject, data).String()
	}
	if f.Done() {
		if deleted {
			x.Set(f.Path)
			return nil
		}
		h, err := merge.WriteBlob(q.Store, data)
		if err != nil {
			return err
		}
		x.Set(f.Path, gitstate.Entry{Path: f.Path, Mode: mode, Hash: h, Stat: st})
		return nil
	}
	var es []gitstate.Entry
	for i, sd := range []Side{f.Base, f.Ours, f.Theirs} {
		if !sd.Absent() {
			es = append(es, gitstate.Entry{Path: f.Path, Mode: sd.Mode, Hash: plumbing.NewHash(sd.Hash), Stage: i + 1})
		}
	}
	x.Set(f.Path, es...)
	return nil
}

// absorb takes resolutions made outside Switchyard in the working tree: a
// path staged with git add (or removed with git rm), or a file edited so
// that it no longer matches what was written. It returns files edited
// outside that still carry conflict markers.
func (q *Sequencer) absorb(s *Session) ([]string, error) {
	if !s.Worktree {
		return nil, nil
	}
	x, err := q.Git.ReadIndex()
	if err != nil {
		return nil, err
	}
	w := q.worktree()
	var markers []string
	for _, f := range s.Files {
		stages := x.Stages(f.Path)
		unmerged := len(stages) > 0 && stages[0].Stage > 0
		if !unmerged {
			// Staged by hand: the index says how it is resolved.
			var r *Resolution
			if len(stages) == 0 {
				r = &Resolution{Choice: Edited, Delete: true}
			} else {
				data, err := gitstate.Blob(q.Store, stages[0].Hash)
				if err != nil {
					return nil, err
				}
				r = &Resolution{Choice: Edited, Text: data}
			}
			if cur, del := s.Preview(f); f.Done() && del == r.Delete && bytes.Equal(cur, r.Text) {
				continue
			}
			if err := s.snapshot(f); err != nil {
				return nil, err
			}
			f.Whole = r
			f.Written = plumbing.ComputeHash(plumbing.BlobObject, r.Text).String()
			continue
		}
		data, ok, err := w.ReadFile(f.Path)
		if err != nil {
			return nil, err
		}
		h := ""
		if ok {
			h = plumbing.ComputeHash(plumbing.BlobObject, data).String()
		}
		if h == f.Written {
			continue
		}
		if ok && gitstate.HasMarkers(data) {
			markers = append(markers, f.Path)
			continue
		}
		if err := s.snapshot(f); err != nil {
			return nil, err
		}
		f.Whole = &Resolution{Choice: Edited, Text: data, Delete: !ok}
		f.Written = h
	}
	return markers, nil
}

// resolvedTree is the merged tree with every conflicted path resolved.
func (q *Sequencer) resolvedTree(s *Session) (plumbing.Hash, error) {
	edits := map[string]fileEdit{}
	for _, f := range s.Files {
		data, deleted := s.Preview(f)
		if deleted {
			edits[f.Path] = fileEdit{}
			continue
		}
		h, err := merge.WriteBlob(q.Store, data)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		edits[f.Path] = fileEdit{Mode: f.resolvedMode(), Hash: h}
	}
	t, err := editTree(q.Store, plumbing.NewHash(s.Merged), edits)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if t.IsZero() {
		return writeTree(q.Store, nil)
	}
	return t, nil
}

// checkRef refuses when someone else moved the ref since we did.
func (q *Sequencer) checkRef(s *Session) error {
	cur, err := q.Git.ReadRef(s.Ref)
	if err != nil {
		return err
	}
	if cur.String() != s.RefAt {
		return &gitstate.RefMovedError{Ref: s.Ref, Expected: plumbing.NewHash(s.RefAt), Actual: cur}
	}
	return nil
}

// finish moves the ref to Head by compare-and-swap, records the undo
// snapshot and removes the session.
func (q *Sequencer) finish(ctx context.Context, s *Session) (*Outcome, error) {
	if s.Head != s.RefAt {
		if s.Worktree {
			if err := q.syncRef(ctx, s); err != nil {
				return nil, err
			}
		} else {
			who, err := q.reflogIdent()
			if err != nil {
				return nil, err
			}
			if err := q.Git.UpdateRef(ctx, s.Ref, plumbing.NewHash(s.RefAt), plumbing.NewHash(s.Head), who, q.reflogMsg(s)); err != nil {
				return nil, err
			}
			s.RefAt = s.Head
		}
	}
	if s.Head != s.Start {
		if err := q.recordUndo(ctx, s); err != nil {
			return nil, err
		}
	}
	if err := removeSession(q.Git.GitDir); err != nil {
		return nil, err
	}
	if err := q.unkeep(ctx); err != nil {
		return nil, err
	}
	out := &Outcome{Done: true, Op: s.Op, Track: s.Track, Ref: s.Ref, Head: s.Head, Steps: s.Steps}
	if s.Push {
		out.PushRemote, out.PushRef, out.Lease = s.PushRemote, s.Ref, s.Lease
	}
	s.Current = -1
	return out, nil
}

// clearConflict puts the working tree and index back at Head, dropping the
// current step's conflict state.
func (q *Sequencer) clearConflict(ctx context.Context, s *Session) error {
	if !s.Worktree || s.Merged == "" {
		return nil
	}
	head, err := treeOf(q.Store, s.Head)
	if err != nil {
		return err
	}
	force := map[string]bool{}
	for _, f := range s.Files {
		force[f.Path] = true
		for _, sd := range []Side{f.Base, f.Ours, f.Theirs} {
			if sd.Path != "" {
				force[sd.Path] = true
			}
		}
	}
	if err := q.worktree().Checkout(ctx, plumbing.NewHash(s.Merged), head, force); err != nil {
		return err
	}
	return q.clearGitFiles()
}

func (q *Sequencer) clearGitFiles() error {
	return errors.Join(q.Git.RemoveFile("CHERRY_PICK_HEAD"), q.Git.RemoveFile("MERGE_MSG"))
}

func (s *Session) clearStep() {
	s.Files, s.History, s.Merged = nil, nil, ""
}

// Continue commits the current step with its resolutions and runs on. In a
// working tree, files edited or staged there count as resolved; a file
// edited there that still has markers is refused with *UnresolvedError.
func (q *Sequencer) Continue(ctx context.Context) (*Outcome, error) {
	var out *Outcome
	err := q.with(ctx, func(s *Session) error {
		if err := q.checkRef(s); err != nil {
			return err
		}
		st := s.Step()
		if st == nil || st.State != Stopped {
			o, err := q.run(ctx, s)
			out = o
			return err
		}
		if s.Worktree && !exists(q.Git.GitDir, "CHERRY_PICK_HEAD") {
			return errors.New("CHERRY_PICK_HEAD is gone: the pick was ended outside switchyard (git cherry-pick --abort or git reset); run switchyard pick --abort")
		}
		markers, err := q.absorb(s)
		if err != nil {
			return err
		}
		ue := &UnresolvedError{Markers: markers}
		for _, f := range s.Files {
			if !f.Done() {
				ue.Paths = append(ue.Paths, f.Path)
			}
		}
		if len(ue.Markers) > 0 || len(ue.Paths) > 0 {
			if len(ue.Paths) == 0 {
				ue.Paths = ue.Markers
			}
			return ue
		}
		tree, err := q.resolvedTree(s)
		if err != nil {
			return err
		}
		c, err := object.GetCommit(q.Store, plumbing.NewHash(st.Commit))
		if err != nil {
			return err
		}
		head, err := object.GetCommit(q.Store, plumbing.NewHash(s.Head))
		if err != nil {
			return err
		}
		if q.Rerere {
			if err := q.record(s); err != nil {
				return err
			}
		}
		oldHead := s.Head
		if err := q.commitStep(ctx, s, c, head, tree); err != nil {
			return err
		}
		if s.Worktree {
			if err := q.settleWorktree(ctx, s, oldHead); err != nil {
				return err
			}
		}
		s.clearStep()
		o, err := q.run(ctx, s)
		out = o
		return err
	})
	return out, err
}

// settleWorktree makes the index and files match the step's new commit
// (resolved files staged) and moves the checked-out branch to it.
func (q *Sequencer) settleWorktree(ctx context.Context, s *Session, oldHead string) error {
	x, err := q.writeFiles(s)
	if err != nil {
		return err
	}
	if s.Head == oldHead { // the step became empty: back to Head
		if err := q.Git.WriteIndex(ctx, x); err != nil {
			return err
		}
		head, err := treeOf(q.Store, oldHead)
		if err != nil {
			return err
		}
		resolved, err := q.resolvedTree(s)
		if err != nil {
			return err
		}
		if err := q.worktree().Checkout(ctx, resolved, head, nil); err != nil {
			return err
		}
		return q.clearGitFiles()
	}
	if err := q.Git.WriteIndex(ctx, x); err != nil {
		return err
	}
	who, err := q.reflogIdent()
	if err != nil {
		return err
	}
	if err := q.Git.UpdateRef(ctx, s.Ref, plumbing.NewHash(s.RefAt), plumbing.NewHash(s.Head), who, q.reflogMsg(s)); err != nil {
		return err
	}
	s.RefAt = s.Head
	return q.clearGitFiles()
}

// Skip drops the current step and runs on.
func (q *Sequencer) Skip(ctx context.Context) (*Outcome, error) {
	var out *Outcome
	err := q.with(ctx, func(s *Session) error {
		if err := q.checkRef(s); err != nil {
			return err
		}
		st := s.Step()
		if st == nil {
			return errors.New("skip: no current step")
		}
		if err := q.clearConflict(ctx, s); err != nil {
			return err
		}
		st.State = Skipped
		s.Current++
		s.clearStep()
		o, err := q.run(ctx, s)
		out = o
		return err
	})
	return out, err
}

// Abort drops the sequence and puts everything back as it was: the ref at
// its starting value, the working tree and index clean at it, no session.
// It refuses with ErrRefMoved when someone else moved the ref meanwhile.
func (q *Sequencer) Abort(ctx context.Context) error {
	return q.with(ctx, func(s *Session) error {
		if err := q.checkRef(s); err != nil {
			return fmt.Errorf("abort: %w; the session is kept", err)
		}
		if err := q.clearConflict(ctx, s); err != nil {
			return err
		}
		s.clearStep()
		if s.Worktree && s.RefAt != s.Start {
			from, to, err := treesOf(q.Store, s.RefAt, s.Start)
			if err != nil {
				return err
			}
			if err := q.worktree().Checkout(ctx, from, to, nil); err != nil {
				return err
			}
			who, err := q.reflogIdent()
			if err != nil {
				return err
			}
			if err := q.Git.UpdateRef(ctx, s.Ref, plumbing.NewHash(s.RefAt), plumbing.NewHash(s.Start), who, "switchyard: abort"); err != nil {
				return err
			}
			s.RefAt = s.Start
		}
		if err := removeSession(q.Git.GitDir); err != nil {
			return err
		}
		s.Current = -1
		return q.unkeep(ctx)
	})
}

// ResolveHunk resolves hunk n (0-based) of path with a choice; text is the
// edited text for Edited.
func (q *Sequencer) ResolveHunk(ctx context.Context, path string, n int, c Choice, text []byte) error {
	return q.change(ctx, path, func(s *Session) error { return s.resolveHunk(path, n, c, text) })
}

// ResolveFile resolves path as a whole: Ours, Theirs, Base or Both take
// that side in every hunk (for a modify/delete, binary or other non-line
// conflict: that side's file, or its absence); Edited takes text.
func (q *Sequencer) ResolveFile(ctx context.Context, path string, c Choice, text []byte) error {
	return q.change(ctx, path, func(s *Session) error { return s.resolveFile(path, c, text) })
}

// UndoResolution takes back the last resolution and returns its path.
func (q *Sequencer) UndoResolution(ctx context.Context) (string, error) {
	var path string
	err := q.with(ctx, func(s *Session) error {
		if _, err := q.absorb(s); err != nil {
			return err
		}
		p, err := s.undo()
		if err != nil {
			return err
		}
		path = p
		return q.rewrite(ctx, s, p)
	})
	return path, err
}

// Sync takes resolutions made in the working tree into the session (the
// front end calls it when it notices a file change). It returns the files
// edited there that still carry markers.
func (q *Sequencer) Sync(ctx context.Context) ([]string, error) {
	var markers []string
	err := q.with(ctx, func(s *Session) error {
		m, err := q.absorb(s)
		markers = m
		return err
	})
	return markers, err
}

// change applies one resolution to path, after taking in outside edits; a
// file edited outside that still has markers is refused, so an edit in
// progress is never overwritten.
func (q *Sequencer) change(ctx context.Context, path string, fn func(s *Session) error) error {
	return q.with(ctx, func(s *Session) error {
		if st := s.Step(); st == nil || st.State != Stopped {
			return errors.New("no conflict to resolve")
		}
		markers, err := q.absorb(s)
		if err != nil {
			return err
		}
		for _, m := range markers {
			if m == path {
				return fmt.Errorf("%s was edited in the working tree and still has conflict markers; finish it there, or resolve the whole file with --file", path)
			}
		}
		if err := fn(s); err != nil {
			return err
		}
		return q.rewrite(ctx, s, path)
	})
}

// rewrite mirrors one file's state into the working tree.
func (q *Sequencer) rewrite(ctx context.Context, s *Session, path string) error {
	if !s.Worktree {
		return nil
	}
	f, err := s.File(path)
	if err != nil {
		return err
	}
	x, err := q.Git.ReadIndex()
	if err != nil {
		return err
	}
	if err := q.writeFile(s, f, x); err != nil {
		return err
	}
	return q.Git.WriteIndex(ctx, x)
}

func subject(msg string) string {
	msg = strings.TrimLeft(msg, "\n")
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}

func short(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}
