package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
)

// LastRelease returns what UndoRelease would take back: the last completed
// carry or train; nil when there is none.
func (e *Engine) LastRelease(ctx context.Context) (*sequence.UndoRecord, error) {
	return e.sequencer().LastUndo(ctx)
}

// UndoRelease restores the branch moved by the last completed carry or
// train — even one finished hours ago — to its value before it, by
// compare-and-swap: if the branch moved since, it refuses with ErrRefMoved
// and changes nothing. Repeated calls go further back.
func (e *Engine) UndoRelease(ctx context.Context) (*sequence.UndoRecord, error) {
	r, err := e.sequencer().UndoRelease(ctx)
	if err != nil {
		return nil, err
	}
	e.events.Publish(model.Event{Time: time.Now(), Source: "sequence", Kind: "undo", Track: r.Track,
		Text: "restored " + r.Ref + " to " + model.ShortID(r.Before), Data: r})
	kind := "pick"
	if r.Op == sequence.OpTrain {
		kind = "train"
	}
	err = e.Record(ctx, journal.Entry{Kind: kind, Action: "undone", Track: r.Track, Commit: r.Before,
		Message: fmt.Sprintf("%s of %s undone: back at %s", r.Op, strings.TrimPrefix(r.Ref, "refs/heads/"), model.ShortID(r.Before)),
		Detail:  map[string]any{"ref": r.Ref, "before": r.Before, "after": r.After}})
	if err != nil {
		return r, fmt.Errorf("the branch was restored, but the journal could not record it: %w", err)
	}
	return r, nil
}
