package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/switchyard/switchyard/engine/binrepo"
	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/engine/notify"
	"github.com/switchyard/switchyard/engine/release"
	"github.com/switchyard/switchyard/model"
)

// Sentinel errors of a release; binrepo's (ErrRefMoved, ErrRemoteMoved,
// ErrUnsafeOutput, ...) and release's (ErrFailed, ErrTimeout) come through
// wrapped as well.
var (
	// ErrNoBuildConfig: the config has no [build] table.
	ErrNoBuildConfig = errors.New("no build configured")
	// ErrPush: the build is committed to the bin repo but could not be
	// pushed to the bin remote.
	ErrPush = errors.New("build committed but not pushed")
)

// Released is a build committed to the bin repo, with its log file.
type Released struct {
	model.Build
	Log string `json:"log"`
	// Live says whether the release moved the track's symlink to the
	// build. It does not when RolledOutBy names environments: they use the
	// bin traffic driver, and their rollouts move the symlink.
	Live        bool     `json:"live"`
	RolledOutBy []string `json:"rolled_out_by,omitempty"`
}

// ReleaseOptions says what to build.
type ReleaseOptions struct {
	Track string
	// Commit is any revision of the source repo; default the track's head.
	// A hotfix is built at once by naming its commit.
	Commit string
}

// Release builds a commit of a track and commits the build to the bin repo:
//
//  1. with a [bin] remote, the bin branch is first fast-forwarded to the
//     remote's (refused when they diverged); the next build number is one
//     above the highest on the branch, read together with the head the
//     commit will be based on;
//  2. the build command runs in a temporary checkout of the commit, its
//     output streamed as model.Event{Source: "build", Kind: "log"} and
//     written to <gitdir>/switchyard/builds/<track>-<n>.log, with the
//     configured timeout killing its whole process group;
//  3. the output folder is committed as <name>-<n>/ with its manifest, in
//     one commit, by compare-and-swap from the head read in step 1; the
//     <name> symlink is moved to it in the same commit — the release is the
//     switch — unless an environment bound to the track uses the bin
//     traffic driver: then the symlink stays and that environment's rollout
//     moves it, through its gates (Released.Live is false and RolledOutBy
//     names the environments);
//  4. the branch is pushed to [bin] remote when one is set, with a lease.
//
// One release of a track runs at a time, across processes: a second one
// fails at once with release.ErrBusy.
//
// Every step is journaled (kind "build" or "bin") before it is reported.
// A failed, hung or refused build leaves the bin repo untouched and its log
// in place, and a person is notified. If someone moved the bin branch in
// the meantime the error wraps binrepo.ErrRefMoved and names the commit
// that holds the build (kept in the object store). A push that fails
// returns the committed build together with an error wrapping ErrPush.
// Log is set once the build has started.
func (e *Engine) Release(ctx context.Context, o ReleaseOptions) (Released, error) {
	b, log, err := e.release(ctx, o)
	r := Released{Build: b, Log: log}
	if b.Number > 0 {
		r.RolledOutBy = e.binDriven(b.Track)
		r.Live = len(r.RolledOutBy) == 0
	}
	return r, err
}

// binDriven names the environments bound to track that use the bin
// traffic driver: a release of that track leaves the symlink to them.
func (e *Engine) binDriven(track string) []string {
	var out []string
	for _, ce := range e.cfg.Deploy.Environments {
		if ce.Track == track && ce.Traffic.Driver == "bin" {
			out = append(out, ce.Name)
		}
	}
	return out
}

func (e *Engine) release(ctx context.Context, o ReleaseOptions) (b model.Build, logPath string, err error) {
	if e.cfg.Build == nil {
		return model.Build{}, logPath, fmt.Errorf("%w (add a [build] table with command and output to switchyard.toml)", ErrNoBuildConfig)
	}
	track, err := e.track(o.Track)
	if err != nil {
		return model.Build{}, logPath, err
	}
	var source plumbing.Hash
	if o.Commit == "" {
		if source, err = e.headID(ctx, track); err != nil {
			return model.Build{}, logPath, err
		}
	} else {
		c, err := e.resolveCommit(o.Commit)
		if err != nil {
			return model.Build{}, logPath, err
		}
		source = c.Hash
	}
	if _, err := e.committer(); err != nil {
		return model.Build{}, logPath, fmt.Errorf("bin commits need an author: %w", err)
	}
	bin, err := e.BinRepo(ctx)
	if err != nil {
		return model.Build{}, logPath, err
	}
	if err := bin.CheckWritable(track.Name); err != nil {
		return model.Build{}, logPath, err
	}
	unlock, err := release.Lock(filepath.Join(e.stateDir(), "builds", trackFileName(track.Name)+".lock"))
	if err != nil {
		return model.Build{}, logPath, fmt.Errorf("release %s: %w", track.Name, err)
	}
	defer unlock()
	branch := track.Name
	if err := e.syncBin(ctx, bin, branch); err != nil {
		return model.Build{}, logPath, err
	}
	// Environments of the track not rolled out to yet keep running what the
	// symlink names now, even if this release moves it.
	if err := e.seedTrack(ctx, track.Name); err != nil {
		return model.Build{}, logPath, fmt.Errorf("release %s: %w", track.Name, err)
	}
	base, err := bin.Head(ctx, branch)
	if err != nil {
		return model.Build{}, logPath, err
	}
	n, err := bin.Next(ctx, branch)
	if err != nil {
		return model.Build{}, logPath, err
	}
	b = model.Build{Name: bin.Name(), Number: n, Track: track.Name, Source: source.String()}
	logPath = e.buildLog(track.Name, n)
	entry := func(kind, action, msg string, detail map[string]any) journal.Entry {
		return journal.Entry{Kind: kind, Action: action, Track: track.Name, Build: n, Commit: source.String(), Message: msg, Detail: detail}
	}
	state := func(text string) {
		e.events.Publish(model.Event{Time: time.Now(), Source: "build", Kind: "state", Track: track.Name, Text: text, Data: b})
	}

	if err := e.Record(ctx, entry("build", "started",
		fmt.Sprintf("build %s of %s at %s", b.Folder(), track.Name, binShort(source)),
		map[string]any{"log": logPath, "command": e.cfg.Build.Command, "bin_head": base.String()})); err != nil {
		return model.Build{}, logPath, err
	}
	state("started")
	res, err := release.Run(ctx, release.Options{
		Store:   e.repo.Storer,
		Commit:  source,
		Track:   track.Name,
		Number:  n,
		Command: e.cfg.Build.Command,
		Output:  e.cfg.Build.Output,
		Timeout: e.cfg.Build.Timeout.Std(),
		Env:     e.cfg.Build.Env,
		Log:     logPath,
		Line: func(line string) {
			e.events.Publish(model.Event{Time: time.Now(), Source: "build", Kind: "log", Track: track.Name, Text: line})
		},
	})
	if err != nil {
		action := "failed"
		switch {
		case errors.Is(err, release.ErrTimeout):
			action = "timed-out"
		case errors.Is(err, context.Canceled):
			action = "aborted"
		}
		return model.Build{}, logPath, e.releaseFailed(ctx, entry("build", action, err.Error(), map[string]any{"log": logPath, "exit": res.ExitCode}), err, state)
	}
	defer res.Cleanup()

	sig, err := e.committer()
	if err != nil {
		return model.Build{}, logPath, e.releaseFailed(ctx, entry("bin", "refused", err.Error(), map[string]any{"log": logPath}), err, state)
	}
	b.Time = sig.When.UTC()
	rolledOutBy := e.binDriven(track.Name)
	h, err := bin.Commit(ctx, binrepo.CommitOptions{
		Branch:    branch,
		Manifest:  binrepo.Manifest{Number: n, Track: track.Name, Source: source.String(), Time: b.Time, Builder: e.Actor()},
		Output:    res.Output,
		Expect:    base,
		Signature: sig,
		KeepLink:  len(rolledOutBy) > 0,
	})
	if err != nil {
		detail := map[string]any{"log": logPath, "bin_head": base.String()}
		if !h.IsZero() {
			detail["kept_commit"] = h.String()
			err = fmt.Errorf("%w; the build is kept as bin commit %s (release again to build on the new head)", err, h)
		}
		return model.Build{}, logPath, e.releaseFailed(ctx, entry("bin", "refused", err.Error(), detail), err, state)
	}
	b.BinCommit = h.String()
	msg := fmt.Sprintf("%s committed to %s as %s", b.Folder(), branch, binShort(h))
	detail := map[string]any{"log": logPath, "bin_commit": h.String(), "bin_parent": base.String(), "live": len(rolledOutBy) == 0}
	if len(rolledOutBy) > 0 {
		msg += fmt.Sprintf("; not switched: %s rolls it out", strings.Join(rolledOutBy, ", "))
		detail["rolled_out_by"] = rolledOutBy
	}
	// The branch has moved: that is recorded even if the operator aborts now.
	if err := e.Record(context.WithoutCancel(ctx), entry("bin", "committed", msg, detail)); err != nil {
		return b, logPath, err
	}
	state("committed")

	if remote := e.cfg.Bin.Remote; remote != "" {
		if err := bin.Push(ctx, remote, branch, base, h); err != nil {
			err = fmt.Errorf("%w: %w", ErrPush, err)
			_ = e.Record(context.WithoutCancel(ctx), entry("bin", "push-failed", err.Error(), map[string]any{"remote": remote, "bin_commit": h.String()}))
			state("push-failed")
			_ = e.Notify(context.WithoutCancel(ctx), notify.Event{Kind: notify.KindBuildFailed, Track: track.Name, Build: n, Commit: source.String(),
				Text: fmt.Sprintf("%s is committed to the bin repo but not pushed to %s: %v", b.Folder(), remote, err)})
			return b, logPath, err
		}
		if err := e.Record(ctx, entry("bin", "pushed", fmt.Sprintf("%s pushed to %s", b.Folder(), remote), map[string]any{"remote": remote, "bin_commit": h.String()})); err != nil {
			return b, logPath, err
		}
		state("pushed")
	}
	return b, logPath, nil
}

// syncBin fast-forwards the bin branch to [bin] remote's, if one is set,
// and journals the move.
func (e *Engine) syncBin(ctx context.Context, bin *binrepo.Repo, branch string) error {
	remote := e.cfg.Bin.Remote
	if remote == "" {
		return nil
	}
	sig, err := e.committer()
	if err != nil {
		return fmt.Errorf("bin sync: %w", err)
	}
	h, moved, err := bin.Sync(ctx, remote, branch, sig)
	if err != nil || !moved {
		return err
	}
	return e.Record(ctx, journal.Entry{Kind: "bin", Action: "fast-forwarded", Track: branch,
		Message: fmt.Sprintf("%s fast-forwarded to %s from %s", branch, binShort(h), remote), Detail: map[string]any{"remote": remote, "bin_commit": h.String()}})
}

// releaseFailed journals and announces a release that ended without a
// build, and returns err.
func (e *Engine) releaseFailed(ctx context.Context, entry journal.Entry, err error, state func(string)) error {
	ctx = context.WithoutCancel(ctx) // an abort is recorded too
	if rerr := e.Record(ctx, entry); rerr != nil {
		err = errors.Join(err, rerr)
	}
	state(entry.Action)
	kind := notify.KindBuildFailed
	if entry.Action == "aborted" {
		kind = notify.KindAbort
	}
	_ = e.Notify(ctx, notify.Event{Kind: kind, Track: entry.Track, Build: entry.Build, Commit: entry.Commit,
		Text: fmt.Sprintf("build %d of %s %s: %v", entry.Build, entry.Track, entry.Action, err), Detail: entry.Detail})
	return err
}

// buildLog names a new log file for build n of track: attempts at the same
// number (after a failure) get .2, .3, ... so no log is overwritten.
func (e *Engine) buildLog(track string, n int) string {
	dir := filepath.Join(e.stateDir(), "builds")
	base := trackFileName(track) + "-" + strconv.Itoa(n)
	p := filepath.Join(dir, base+".log")
	for k := 2; ; k++ {
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			return p
		}
		p = filepath.Join(dir, base+"."+strconv.Itoa(k)+".log")
	}
}

// trackFileName makes a track name usable as a file name.
func trackFileName(track string) string {
	return strings.NewReplacer("/", "-", "\\", "-").Replace(track)
}

func binShort(h plumbing.Hash) string { return h.String()[:12] }
