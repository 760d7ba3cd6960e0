package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/switchyard/switchyard/engine/gitstate"
	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/engine/merge"
	"github.com/switchyard/switchyard/engine/notify"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
)

// Sentinel errors of the sequencer calls.
var (
	// ErrRefMoved: a ref no longer holds the value an operation started
	// from; nothing was overwritten.
	ErrRefMoved = gitstate.ErrRefMoved
	// ErrNoSession: there is no pick or train in progress.
	ErrNoSession = sequence.ErrNoSession
	// ErrInProgress: a pick or train is already in progress.
	ErrInProgress = sequence.ErrInProgress
	// ErrUnresolved: Continue was asked while conflicts remain.
	ErrUnresolved = sequence.ErrUnresolved
	// ErrDirty: the checked-out branch has local changes in the way.
	ErrDirty = gitstate.ErrDirty
	// ErrNoIdentity: no committer name or email is configured.
	ErrNoIdentity = errors.New("no committer identity")
)

// sequencer is the sequencer over this repository.
func (e *Engine) sequencer() *sequence.Sequencer {
	root := e.root
	if root == e.gitDir {
		root = ""
	}
	return &sequence.Sequencer{
		Store:     e.repo.Storer,
		Git:       gitstate.Open(e.gitDir),
		Root:      root,
		Pick:      sequence.MergePick(e.repo.Storer),
		Committer: e.committer,
		Style:     e.conflictStyle(),
		Rerere:    e.cfg.Pick.RerereOn(),
	}
}

// committer is who new commits are committed by, as git decides: the
// GIT_COMMITTER_NAME/EMAIL environment, else user.name/user.email of the
// repository's, global and system config; the date from
// GIT_COMMITTER_DATE, else now.
func (e *Engine) committer() (object.Signature, error) {
	name, email := os.Getenv("GIT_COMMITTER_NAME"), os.Getenv("GIT_COMMITTER_EMAIL")
	if name == "" || email == "" {
		cfg, err := e.repo.ConfigScoped(gitconfig.SystemScope)
		if err != nil {
			cfg, err = e.repo.Config()
		}
		if err == nil {
			if name == "" {
				name = cfg.User.Name
			}
			if email == "" {
				email = cfg.User.Email
			}
		}
	}
	if name == "" || email == "" {
		return object.Signature{}, fmt.Errorf("%w: set one with git config user.name \"Your Name\" and git config user.email you@example.com", ErrNoIdentity)
	}
	when := time.Now()
	if d := os.Getenv("GIT_COMMITTER_DATE"); d != "" {
		t, err := parseGitDate(d)
		if err != nil {
			return object.Signature{}, fmt.Errorf("GIT_COMMITTER_DATE: %w", err)
		}
		when = t
	}
	return object.Signature{Name: name, Email: email, When: when}, nil
}

// parseGitDate reads the date forms scripts pass to git: "@unix [±hhmm]",
// "unix ±hhmm", RFC 3339 and RFC 2822.
func parseGitDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	fields := strings.Fields(strings.TrimPrefix(s, "@"))
	if len(fields) >= 1 && len(fields) <= 2 {
		if sec, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
			loc := time.UTC
			if len(fields) == 2 {
				z, err := time.Parse("-0700", fields[1])
				if err != nil {
					return time.Time{}, fmt.Errorf("bad time zone %q", fields[1])
				}
				loc = z.Location()
			}
			return time.Unix(sec, 0).In(loc), nil
		}
	}
	for _, layout := range []string{time.RFC3339, time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 -0700", "2006-01-02 15:04:05 -0700", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read date %q (use @<unix seconds> +0000 or RFC 3339)", s)
}

// conflictStyle is [pick] conflict_style, else git's merge.conflictStyle.
func (e *Engine) conflictStyle() merge.Style {
	name := e.cfg.Pick.ConflictStyle
	if name == "" {
		if cfg, err := e.repo.ConfigScoped(gitconfig.SystemScope); err == nil {
			name = cfg.Raw.Section("merge").Option("conflictStyle")
		}
	}
	switch strings.ToLower(name) {
	case "diff3":
		return merge.Diff3
	case "zdiff3":
		return merge.ZDiff3
	}
	return merge.MergeStyle
}

// resolveCommit resolves a revision to a commit.
func (e *Engine) resolveCommit(rev string) (*object.Commit, error) {
	if strings.HasPrefix(rev, "-") || rev == "" {
		return nil, fmt.Errorf("bad revision %q", rev)
	}
	h, err := e.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("revision %q: %w", model.InertLine(rev), err)
	}
	c, err := object.GetCommit(e.repo.Storer, *h)
	if err != nil {
		return nil, fmt.Errorf("revision %q is not a commit: %w", model.InertLine(rev), err)
	}
	return c, nil
}

// DryRunPick computes the cherry-pick of commit onto onto (any
// revisions) in the object store, like git merge-tree --write-tree: the
// result objects are written, no ref moves and no working tree is
// touched. The cockpit runs it in the background to show whether a
// pending commit will apply cleanly.
func (e *Engine) DryRunPick(ctx context.Context, commit, onto string) (*merge.Result, error) {
	c, err := e.resolveCommit(commit)
	if err != nil {
		return nil, err
	}
	o, err := e.resolveCommit(onto)
	if err != nil {
		return nil, err
	}
	return e.dryRun(ctx, c, o)
}

func (e *Engine) dryRun(ctx context.Context, c, onto *object.Commit) (*merge.Result, error) {
	if len(c.ParentHashes) > 1 {
		return nil, fmt.Errorf("pick %s: a merge commit cannot be picked", c.Hash.String()[:12])
	}
	return merge.Pick(ctx, e.repo.Storer, c, onto, merge.Options{Style: e.conflictStyle()})
}

// CarryOptions says what to carry where.
type CarryOptions struct {
	// To is the target: a track name, or a local branch name.
	To string
	// Commits are revisions, applied in order.
	Commits []string
	// Push pushes the moved branch to its remote when the carry ends,
	// with a lease on the value the remote held when it began.
	Push bool
}

// Validate reports missing fields.
func (o CarryOptions) Validate() error {
	if o.To == "" {
		return errors.New("carry: no target track or branch given")
	}
	if len(o.Commits) == 0 {
		return errors.New("carry: no commits given")
	}
	return nil
}

// target resolves a track name or a branch name to the branch to move.
func (e *Engine) target(to string) (track string, ref string, remote string, err error) {
	if t, err := e.flow.Track(to); err == nil {
		return t.Name, t.LocalRef(), t.Remote, nil
	}
	name := strings.TrimPrefix(to, "refs/heads/")
	for _, t := range e.flow {
		if t.Branch == name {
			return t.Name, t.LocalRef(), t.Remote, nil
		}
	}
	ref = "refs/heads/" + name
	if _, err := e.repo.Reference(plumbing.ReferenceName(ref), false); err != nil {
		return "", "", "", fmt.Errorf("%w: %q is neither a track (%s) nor a local branch", ErrBranchNotFound, model.InertLine(to), e.flow.Names())
	}
	return "", ref, "", nil
}

// Carry cherry-picks commits onto a track (or branch), one by one. It
// returns when the carry is done (Outcome.Done; the branch moved by
// compare-and-swap) or stopped on a conflict (Outcome.Session; resolve
// with ResolveHunk/ResolveFile, then Continue, Skip or Abort). Commits
// keep author and message, get the "(cherry picked from commit …)" line
// unless [pick] trailer = false, and are committed by the git config's
// identity. A snapshot for UndoRelease is taken when it completes.
func (e *Engine) Carry(ctx context.Context, opts CarryOptions) (*sequence.Outcome, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	track, ref, remote, err := e.target(opts.To)
	if err != nil {
		return nil, err
	}
	plan := sequence.Plan{Op: sequence.OpCarry, Track: track, Ref: ref, Trailer: e.cfg.Pick.TrailerOn(), Push: opts.Push}
	for _, rev := range opts.Commits {
		c, err := e.resolveCommit(rev)
		if err != nil {
			return nil, err
		}
		plan.Commits = append(plan.Commits, c.Hash)
	}
	if opts.Push {
		if plan.PushRemote, plan.Lease, err = e.lease(ref, remote); err != nil {
			return nil, err
		}
	}
	out, err := e.sequencer().Start(ctx, plan)
	if err != nil {
		return nil, fmt.Errorf("carry to %s: %w", model.InertLine(opts.To), err)
	}
	e.publish("carry", track, out)
	return e.afterRun(ctx, out)
}

// journalOutcome records where a sequence call left things, and calls a
// person when it stopped on conflicts.
func (e *Engine) journalOutcome(ctx context.Context, out *sequence.Outcome) error {
	kind := "pick"
	if out.Op == sequence.OpTrain {
		kind = "train"
	}
	branch := strings.TrimPrefix(out.Ref, "refs/heads/")
	steps := make([]map[string]string, 0, len(out.Steps))
	for _, st := range out.Steps {
		steps = append(steps, map[string]string{"commit": st.Commit, "state": string(st.State), "result": st.Result})
	}
	entry := journal.Entry{Kind: kind, Track: out.Track, Commit: out.Head,
		Detail: map[string]any{"ref": out.Ref, "head": out.Head, "steps": steps, "pushed": out.Pushed}}
	if out.Done {
		entry.Action = "committed"
		entry.Message = fmt.Sprintf("%s moved to %s (%d step(s))", branch, model.ShortID(out.Head), len(out.Steps))
		return e.Record(ctx, entry)
	}
	st := out.Session.Step()
	var paths []string
	for _, f := range out.Session.Files {
		paths = append(paths, f.Path)
	}
	entry.Action = "stopped"
	entry.Commit = st.Commit
	entry.Message = fmt.Sprintf("%s onto %s stopped on conflicts in %s", model.ShortID(st.Commit), branch, strings.Join(paths, ", "))
	entry.Detail.(map[string]any)["paths"] = paths
	if err := e.Record(ctx, entry); err != nil {
		return err
	}
	// A failed call is journaled by Notify; it does not fail the carry.
	_ = e.Notify(ctx, notify.Event{Time: time.Now(), Kind: "conflict", Track: out.Track, Commit: st.Commit,
		Text: entry.Message, Detail: map[string]any{"paths": paths}})
	return nil
}

// afterRun pushes a finished sequence when asked.
func (e *Engine) afterRun(ctx context.Context, out *sequence.Outcome) (*sequence.Outcome, error) {
	var perr error
	if out.Done && out.PushRef != "" {
		if perr = e.pushLease(ctx, out.PushRemote, out.PushRef, plumbing.NewHash(out.Lease)); perr == nil {
			out.Pushed = true
		}
	}
	if err := e.journalOutcome(ctx, out); err != nil {
		return out, errors.Join(perr, fmt.Errorf("the branch moved, but the journal could not record it: %w", err))
	}
	return out, perr
}

func (e *Engine) publish(kind, track string, out *sequence.Outcome) {
	text := "stopped on conflicts"
	if out.Done {
		text = "done at " + model.ShortID(out.Head)
	}
	e.events.Publish(model.Event{Time: time.Now(), Source: "sequence", Kind: kind, Track: track, Text: text, Data: out})
}

// Session returns the pick or train in progress, or nil, nil when there
// is none. The session lists the steps (commits) with the current index,
// and for the current step each conflicted file with its kind, hunks
// (base/ours/theirs text and resolution; Resolution.Recorded marks one
// offered from an earlier identical conflict), n-of-m resolved
// (Session.Resolved, File.Resolved) and the preview of the resolved file
// (Session.Preview).
func (e *Engine) Session(ctx context.Context) (*sequence.Session, error) {
	s, err := e.sequencer().Load(ctx)
	if errors.Is(err, sequence.ErrNoSession) {
		return nil, nil
	}
	return s, err
}

// Continue commits the current step with its resolutions and goes on; it
// returns the next stop or the finished outcome (see Carry). It refuses
// with ErrUnresolved (a *sequence.UnresolvedError) while conflicts remain
// and with ErrRefMoved when someone else moved the branch.
func (e *Engine) Continue(ctx context.Context) (*sequence.Outcome, error) {
	out, err := e.sequencer().Continue(ctx)
	if err != nil {
		return nil, err
	}
	e.publish("continue", "", out)
	return e.afterRun(ctx, out)
}

// Skip drops the current step's commit and goes on.
func (e *Engine) Skip(ctx context.Context) (*sequence.Outcome, error) {
	out, err := e.sequencer().Skip(ctx)
	if err != nil {
		return nil, err
	}
	e.publish("skip", "", out)
	return e.afterRun(ctx, out)
}

// Abort drops the pick or train in progress and puts everything back as
// it was: the branch at its starting value, the working tree clean.
func (e *Engine) Abort(ctx context.Context) error {
	s, _ := e.Session(ctx)
	if err := e.sequencer().Abort(ctx); err != nil {
		return err
	}
	e.events.Publish(model.Event{Time: time.Now(), Source: "sequence", Kind: "abort"})
	entry := journal.Entry{Kind: "pick", Action: "aborted", Message: "aborted; everything put back"}
	if s != nil {
		if s.Op == sequence.OpTrain {
			entry.Kind = "train"
		}
		entry.Track, entry.Commit = s.Track, s.Start
		entry.Message = fmt.Sprintf("aborted; %s back at %s", strings.TrimPrefix(s.Ref, "refs/heads/"), model.ShortID(s.Start))
	}
	return e.Record(ctx, entry)
}

// lease is the remote's value of the branch now (its remote-tracking
// ref), which a later push must still find there.
func (e *Engine) lease(ref, remote string) (string, plumbing.Hash, error) {
	if remote == "" {
		remote = "origin"
	}
	if _, err := e.repo.Remote(remote); err != nil {
		return "", plumbing.ZeroHash, fmt.Errorf("push: remote %q: %w", remote, err)
	}
	branch := strings.TrimPrefix(ref, "refs/heads/")
	h, err := gitstate.Open(e.gitDir).ReadRef("refs/remotes/" + remote + "/" + branch)
	if err != nil {
		return "", plumbing.ZeroHash, err
	}
	return remote, h, nil
}

// pushLease pushes ref to remote only if the remote still holds lease
// (zero: the branch must not exist there) — never a plain force.
func (e *Engine) pushLease(ctx context.Context, remote, ref string, lease plumbing.Hash) error {
	spec := gitconfig.RefSpec("+" + ref + ":" + ref)
	err := e.repo.PushContext(ctx, &git.PushOptions{
		RemoteName:     remote,
		RefSpecs:       []gitconfig.RefSpec{spec},
		ForceWithLease: &git.ForceWithLease{RefName: plumbing.ReferenceName(ref), Hash: lease},
	})
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("push %s to %s (lease %s): %w", strings.TrimPrefix(ref, "refs/heads/"), remote, model.ShortID(lease.String()), err)
	}
	return nil
}

// PushOptions says which track to push.
type PushOptions struct {
	// Track is a track name (or a local branch name).
	Track string
	// Lease is the value the remote must still hold; empty means the
	// value of its remote-tracking ref, i.e. what was last fetched.
	Lease string
}

// Push pushes a track's branch to its remote (the track's remote, else
// origin) only if the remote still holds the lease — never a plain force.
// It is the cockpit's push action after a carry or a train.
func (e *Engine) Push(ctx context.Context, opts PushOptions) error {
	_, ref, remote, err := e.target(opts.Track)
	if err != nil {
		return err
	}
	name, lease, err := e.lease(ref, remote)
	if err != nil {
		return err
	}
	switch {
	case plumbing.IsHash(opts.Lease):
		// The remote may hold a commit this repository never fetched.
		lease = plumbing.NewHash(opts.Lease)
	case opts.Lease != "":
		c, err := e.resolveCommit(opts.Lease)
		if err != nil {
			return fmt.Errorf("push: lease: %w", err)
		}
		lease = c.Hash
	}
	if err := e.pushLease(ctx, name, ref, lease); err != nil {
		return err
	}
	return e.Record(ctx, journal.Entry{Kind: "pick", Action: "pushed", Track: opts.Track,
		Message: fmt.Sprintf("pushed %s to %s (lease %s)", strings.TrimPrefix(ref, "refs/heads/"), name, model.ShortID(lease.String()))})
}
