package sequence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/switchyard/switchyard/engine/gitstate"
)

// UndoRecord is a completed sequence that UndoRelease can take back.
type UndoRecord struct {
	Op     Op        `json:"op"`
	Track  string    `json:"track,omitempty"`
	Ref    string    `json:"ref"`
	Before string    `json:"before"`
	After  string    `json:"after"`
	At     time.Time `json:"at"`
	Steps  []Step    `json:"steps"`
}

// undoLimit is how many completed sequences are kept for undo.
const undoLimit = 50

func undoPath(commonDir string) string {
	return filepath.Join(commonDir, "switchyard", "undo", "log.json")
}

// UndoRef is the ref that keeps a snapshot's old value reachable.
func UndoRef(ref string) string { return "refs/switchyard/undo/" + strings.TrimPrefix(ref, "refs/") }

func readUndo(commonDir string) ([]UndoRecord, error) {
	data, err := os.ReadFile(undoPath(commonDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read undo log: %w", err)
	}
	var rs []UndoRecord
	if err := json.Unmarshal(data, &rs); err != nil {
		return nil, fmt.Errorf("read undo log %s: %w", undoPath(commonDir), err)
	}
	return rs, nil
}

func writeUndo(commonDir string, rs []UndoRecord) error {
	if len(rs) > undoLimit {
		rs = rs[len(rs)-undoLimit:]
	}
	data, err := json.MarshalIndent(rs, "", " ")
	if err != nil {
		return err
	}
	return writeAtomic(undoPath(commonDir), data)
}

// recordUndo snapshots the ref's old value (as a ref, so gc keeps it) and
// logs the move.
func (q *Sequencer) recordUndo(ctx context.Context, s *Session) error {
	who, err := q.reflogIdent()
	if err != nil {
		return err
	}
	name := UndoRef(s.Ref)
	cur, err := q.Git.ReadRef(name)
	if err != nil {
		return err
	}
	if err := q.Git.UpdateRef(ctx, name, cur, plumbing.NewHash(s.Start), who, "switchyard: before "+string(s.Op)); err != nil {
		return fmt.Errorf("snapshot for undo: %w", err)
	}
	rs, err := readUndo(q.Git.CommonDir)
	if err != nil {
		return err
	}
	rs = append(rs, UndoRecord{Op: s.Op, Track: s.Track, Ref: s.Ref, Before: s.Start, After: s.Head, At: time.Now().UTC(), Steps: s.Steps})
	return writeUndo(q.Git.CommonDir, rs)
}

// LastUndo returns the record UndoRelease would take back; nil when none.
func (q *Sequencer) LastUndo(ctx context.Context) (*UndoRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rs, err := readUndo(q.Git.CommonDir)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	return &rs[len(rs)-1], nil
}

// ErrNothingToRestore: no completed carry or train to undo.
var ErrNothingToRestore = errors.New("no completed carry or train to undo")

// UndoRelease puts the ref of the last completed sequence back to its value
// before it, by compare-and-swap against the value the sequence left: if
// the ref moved since, it refuses with gitstate.ErrRefMoved and changes
// nothing. When the branch is checked out, the working tree follows.
func (q *Sequencer) UndoRelease(ctx context.Context) (*UndoRecord, error) {
	lock, err := lockSession(ctx, q.Git.GitDir)
	if err != nil {
		return nil, err
	}
	defer lock.release()
	if _, err := readSession(q.Git.GitDir); err == nil {
		return nil, ErrInProgress
	}
	rs, err := readUndo(q.Git.CommonDir)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, ErrNothingToRestore
	}
	r := rs[len(rs)-1]
	if wt := q.checkedOutElsewhere(r.Ref); wt != "" {
		return nil, fmt.Errorf("undo: branch %s is checked out in the worktree %s; run switchyard there", strings.TrimPrefix(r.Ref, "refs/heads/"), wt)
	}
	before, after := plumbing.NewHash(r.Before), plumbing.NewHash(r.After)
	cur, err := q.Git.ReadRef(r.Ref)
	if err != nil {
		return nil, err
	}
	if cur != after {
		return nil, fmt.Errorf("undo %s: %w", r.Op, &gitstate.RefMovedError{Ref: r.Ref, Expected: after, Actual: cur})
	}
	who, err := q.reflogIdent()
	if err != nil {
		return nil, err
	}
	var w *gitstate.Worktree
	var from, to plumbing.Hash
	if head, _ := q.Git.SymbolicTarget("HEAD"); q.Root != "" && head == r.Ref {
		w = q.worktree()
		if from, to, err = treesOf(q.Store, r.After, r.Before); err != nil {
			return nil, err
		}
		if err := w.Checkout(ctx, from, to, nil); err != nil {
			return nil, fmt.Errorf("undo %s: %w", r.Op, err)
		}
	}
	if err := q.Git.UpdateRef(ctx, r.Ref, after, before, who, "switchyard: undo "+string(r.Op)); err != nil {
		if w != nil {
			_ = w.Checkout(ctx, to, from, nil)
		}
		return nil, fmt.Errorf("undo %s: %w", r.Op, err)
	}
	if err := writeUndo(q.Git.CommonDir, rs[:len(rs)-1]); err != nil {
		return nil, err
	}
	return &r, nil
}

func exists(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}
