package sequence

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Sentinel errors callers branch on.
var (
	// ErrNoSession: there is no sequence in progress.
	ErrNoSession = errors.New("no pick or train in progress")
	// ErrInProgress: a sequence is already in progress; continue, skip or
	// abort it first.
	ErrInProgress = errors.New("a pick or train is already in progress (switchyard pick --continue, --skip or --abort)")
	// ErrUnresolved: Continue was asked while conflicts remain.
	ErrUnresolved = errors.New("unresolved conflicts")
	// ErrNothingToUndo: no resolution to take back.
	ErrNothingToUndo = errors.New("nothing to undo")
)

// UnresolvedError lists what still blocks Continue.
type UnresolvedError struct {
	// Paths still have unresolved hunks.
	Paths []string
	// Markers are working tree files edited outside that still hold
	// conflict markers.
	Markers []string
}

func (e *UnresolvedError) Error() string {
	if len(e.Markers) > 0 {
		return fmt.Sprintf("%v: %s still has conflict markers; finish editing it or use switchyard resolve", ErrUnresolved, e.Markers[0])
	}
	return fmt.Sprintf("%v in %d file(s), first %s (see switchyard resolve)", ErrUnresolved, len(e.Paths), e.Paths[0])
}

func (e *UnresolvedError) Unwrap() error { return ErrUnresolved }

// Op is what a sequence does.
type Op string

const (
	// OpCarry cherry-picks commits onto a track.
	OpCarry Op = "carry"
	// OpTrain rebases a track's own commits onto its train target.
	OpTrain Op = "train"
)

// Choice is how a hunk or a file is resolved.
type Choice string

const (
	Ours   Choice = "ours"   // the target track's side
	Theirs Choice = "theirs" // the picked commit's side
	Both   Choice = "both"   // ours then theirs
	Base   Choice = "base"   // the common ancestor's text
	Edited Choice = "edited" // text given by the person
)

// ParseChoice reads a choice name.
func ParseChoice(s string) (Choice, error) {
	switch c := Choice(s); c {
	case Ours, Theirs, Both, Base, Edited:
		return c, nil
	}
	return "", fmt.Errorf("unknown choice %q (ours, theirs, both, base or edited)", s)
}

// Resolution is how one hunk or a whole file was settled.
type Resolution struct {
	Choice Choice `json:"choice"`
	// Text is the resolved text (for every choice, the text it gives).
	Text []byte `json:"text,omitempty"`
	// Delete is set when a whole-file resolution removes the file.
	Delete bool `json:"delete,omitempty"`
	// Recorded is set when the resolution was offered from a recorded
	// earlier resolution of the same conflict.
	Recorded bool `json:"recorded,omitempty"`
}

// Side is one side of a conflicted file; a zero Hash means absent.
type Side struct {
	Path string            `json:"path,omitempty"`
	Mode filemode.FileMode `json:"mode,omitempty"`
	Hash string            `json:"hash,omitempty"`
}

// Absent reports whether the side has no file.
func (s Side) Absent() bool { return s.Hash == "" || s.Hash == plumbing.ZeroHash.String() }

// Chunk is a stretch of a conflicted file: settled text, or a hunk.
type Chunk struct {
	// Text is the settled text when Hunk is nil.
	Text []byte `json:"text,omitempty"`
	Hunk *Hunk  `json:"hunk,omitempty"`
}

// Hunk is one conflict of a file.
type Hunk struct {
	Base   []byte `json:"base"`
	Ours   []byte `json:"ours"`
	Theirs []byte `json:"theirs"`
	// Resolution is nil while unresolved.
	Resolution *Resolution `json:"resolution,omitempty"`
}

// File is a conflicted file of the current step.
type File struct {
	Path string `json:"path"`
	// Kind is the merge's conflict kind: content, add/add, modify/delete,
	// rename, file/directory, mode, symlink, binary.
	Kind   string `json:"kind"`
	Base   Side   `json:"base"`
	Ours   Side   `json:"ours"`
	Theirs Side   `json:"theirs"`
	// Mode is the mode the resolved file gets when it is kept.
	Mode filemode.FileMode `json:"mode"`
	// Chunks is the file split into settled text and hunks. A file whose
	// conflict is not about lines (modify/delete, binary, ...) is one hunk
	// holding the three whole files.
	Chunks []Chunk `json:"chunks"`
	// Whole, when set, resolves the file as a whole and overrides hunks.
	Whole *Resolution `json:"whole,omitempty"`
	// Written is the blob id of what was last written to the working
	// tree, to notice edits made outside.
	Written string `json:"written,omitempty"`
	// Lines is true when the hunks are line conflicts of a text file.
	Lines bool `json:"lines"`
}

// Step is one commit of a sequence.
type Step struct {
	Commit  string    `json:"commit"`
	Subject string    `json:"subject"`
	State   StepState `json:"state"`
	// Result is the new commit when State is Applied.
	Result string `json:"result,omitempty"`
}

// StepState is where a step is.
type StepState string

const (
	Pending StepState = "pending"
	Stopped StepState = "conflict" // the current step, waiting for a person
	Applied StepState = "applied"
	Skipped StepState = "skipped" // skipped by a person
	Empty   StepState = "empty"   // nothing left to apply: already there
)

// Session is a sequence in progress, as persisted.
type Session struct {
	Version int `json:"version"`
	// Op, Track and Ref say what the sequence is and which branch it
	// moves.
	Op    Op     `json:"op"`
	Track string `json:"track,omitempty"`
	Ref   string `json:"ref"`
	// Start is the ref's value when the sequence began; the final move is
	// a compare-and-swap against it (or against RefAt, see below).
	Start string `json:"start"`
	// Onto is the commit the new chain started from.
	Onto string `json:"onto"`
	// Head is the tip of the chain built so far.
	Head string `json:"head"`
	// RefAt is the value the ref holds by our own moves (with a working
	// tree the ref follows Head at each stop).
	RefAt string `json:"ref_at"`
	// Worktree is set when the branch is checked out and git's conflict
	// state is mirrored there.
	Worktree bool   `json:"worktree"`
	Steps    []Step `json:"steps"`
	// Current is the index of the step being worked on.
	Current int `json:"current"`
	// Merged is the merge result tree of the current step (conflicted
	// files carry markers).
	Merged string `json:"merged,omitempty"`
	// Files are the conflicted files of the current step.
	Files []*File `json:"files,omitempty"`
	// History holds the files' earlier states for UndoResolution.
	History []Snapshot `json:"history,omitempty"`
	// Push asks to push the ref to PushRemote when the sequence ends,
	// only if the remote still holds Lease.
	Push       bool   `json:"push,omitempty"`
	PushRemote string `json:"push_remote,omitempty"`
	Lease      string `json:"lease,omitempty"`
	// Trailer adds "(cherry picked from commit …)".
	Trailer bool `json:"trailer"`
	// Style and the labels are how conflict markers are written.
	Style  string    `json:"style"`
	Labels [3]string `json:"labels"` // base, ours, theirs
	Began  time.Time `json:"began"`
}

// Snapshot is a file's state before one resolution.
type Snapshot struct {
	Path string `json:"path"`
	File File   `json:"file"`
}

// Step returns the current step.
func (s *Session) Step() *Step {
	if s.Current < len(s.Steps) {
		return &s.Steps[s.Current]
	}
	return nil
}

// File returns the conflicted file at path.
func (s *Session) File(path string) (*File, error) {
	for _, f := range s.Files {
		if f.Path == path {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%s is not a conflicted file of this step", path)
}

// Resolved counts the files fully resolved, of all conflicted files.
func (s *Session) Resolved() (n, of int) {
	for _, f := range s.Files {
		if f.Done() {
			n++
		}
	}
	return n, len(s.Files)
}

// Hunks returns the file's hunks in order.
func (f *File) Hunks() []*Hunk {
	var out []*Hunk
	for _, c := range f.Chunks {
		if c.Hunk != nil {
			out = append(out, c.Hunk)
		}
	}
	return out
}

// Resolved counts resolved hunks (all of them when the whole file is).
func (f *File) Resolved() (n, of int) {
	hs := f.Hunks()
	if f.Whole != nil {
		return len(hs), len(hs)
	}
	for _, h := range hs {
		if h.Resolution != nil {
			n++
		}
	}
	return n, len(hs)
}

// Done reports whether the file is fully resolved.
func (f *File) Done() bool {
	n, of := f.Resolved()
	return n == of
}

// Outcome is what a call that runs steps reports.
type Outcome struct {
	// Done is true when the sequence finished and the ref moved.
	Done bool `json:"done"`
	// Op, Track and Ref say what the sequence is and which branch it
	// moves.
	Op    Op     `json:"op"`
	Track string `json:"track,omitempty"`
	Ref   string `json:"ref"`
	// Head is the tip of the chain (the ref's new value when Done).
	Head string `json:"head"`
	// Steps are all steps with their states.
	Steps []Step `json:"steps"`
	// Session is the stopped session when !Done.
	Session *Session `json:"-"`
	// PushRemote, PushRef and Lease are set when Done and the sequence was
	// asked to push: the caller pushes PushRef to PushRemote only if the
	// remote still holds Lease.
	PushRemote string `json:"-"`
	PushRef    string `json:"-"`
	Lease      string `json:"-"`
	// Pushed is set when the ref was pushed.
	Pushed bool `json:"pushed,omitempty"`
}
