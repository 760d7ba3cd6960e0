package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/engine/notify"
	"github.com/switchyard/switchyard/model"
)

// The journal: every operator action and engine transition is recorded
// before it is reported as done.
//
// Engine parts call Record with the kind (their area: "build", "bin",
// "pick", "train", "rollout", ...), the action ("started", "failed",
// "committed", ...) and what it concerns (Track, Env, Build, Commit, a
// Message sentence and any Detail):
//
//	if err := e.Record(ctx, journal.Entry{Kind: "rollout", Action: "aborted", Env: "staging", Build: 7}); err != nil {
//		return err // not recorded: do not report it as done
//	}
//
// Record fills in the time and the actor (Actor), appends one JSON line with
// fsync, and publishes the entry as model.Event{Source: "journal", Kind:
// "entry", Data: journal.Entry} so the cockpit's journal screen updates.
//
// When a person is needed — a conflict, a failed gate or build, an abort,
// an approval wait — call Notify: it posts to [notify] webhook and journals
// the outcome; it never fails the action that called it.

// JournalPath is the journal file: <gitdir>/switchyard/journal.jsonl.
func (e *Engine) JournalPath() string {
	return filepath.Join(e.stateDir(), "journal.jsonl")
}

// stateDir is where switchyard keeps its files in the source repo.
func (e *Engine) stateDir() string {
	dir := e.gitDir
	if dir == "" {
		dir = filepath.Join(e.root, ".git")
	}
	return filepath.Join(dir, "switchyard")
}

// Journal opens the journal.
func (e *Engine) Journal() (*journal.Journal, error) {
	return journal.Open(e.JournalPath(), e.Actor())
}

// Actor is who acts through this engine: "Name <email>" from git's
// committer identity (environment, then repository, global and system
// config), else $USER, else "unknown".
func (e *Engine) Actor() string {
	if sig, err := e.committer(); err == nil {
		return sig.Name + " <" + sig.Email + ">"
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

// Record appends entry to the journal durably and publishes it.
func (e *Engine) Record(ctx context.Context, entry journal.Entry) error {
	j, err := e.Journal()
	if err != nil {
		return err
	}
	written, err := j.Append(ctx, entry)
	if err != nil {
		return err
	}
	e.events.Publish(model.Event{Time: written.Time, Source: "journal", Kind: "entry", Track: written.Track, Env: written.Env, Text: written.Message, Data: written})
	return nil
}

// ReadJournal returns the journal entries matching f, oldest first. Lines
// that could not be read (a torn last line after a crash) are skipped.
func (e *Engine) ReadJournal(ctx context.Context, f journal.Filter) ([]journal.Entry, error) {
	j, err := e.Journal()
	if err != nil {
		return nil, err
	}
	entries, _, err := j.Read(ctx, f)
	return entries, err
}

// Notify calls a person through the configured webhook, if any, and
// journals the outcome (kind "notify", action "sent" or "failed"). It
// returns the delivery error for callers that show it, but callers must
// not fail their action on it.
func (e *Engine) Notify(ctx context.Context, ev notify.Event) error {
	if e.cfg.Notify.Webhook == "" {
		return nil
	}
	if ev.Actor == "" {
		ev.Actor = e.Actor()
	}
	w := notify.Webhook{URL: e.cfg.Notify.Webhook, Timeout: e.cfg.Notify.Timeout.Std()}
	err := w.Send(ctx, ev)
	entry := journal.Entry{Kind: "notify", Action: "sent", Track: ev.Track, Env: ev.Env, Build: ev.Build, Commit: ev.Commit,
		Message: fmt.Sprintf("%s: %s", ev.Kind, ev.Text), Detail: map[string]any{"kind": ev.Kind}}
	if err != nil {
		entry.Action = "failed"
		entry.Detail = map[string]any{"kind": ev.Kind, "error": err.Error()}
	}
	// The journal may be unwritable here too; the caller's own record is
	// what matters.
	if rerr := e.Record(context.WithoutCancel(ctx), entry); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}
