package sequence

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/switchyard/switchyard/engine/gitstate"
	"github.com/switchyard/switchyard/engine/merge"
)

// parseStyle maps a persisted style name back.
func parseStyle(s string) merge.Style {
	switch s {
	case "diff3":
		return merge.Diff3
	case "zdiff3":
		return merge.ZDiff3
	}
	return merge.MergeStyle
}

// mergeOptions are the marker options of the session.
func (s *Session) mergeOptions() merge.Options {
	return merge.Options{Style: parseStyle(s.Style), BaseLabel: s.Labels[0], OursLabel: s.Labels[1], TheirsLabel: s.Labels[2]}
}

// choose returns the text a choice gives for a hunk.
func (f *File) choose(h *Hunk, c Choice, text []byte) (*Resolution, error) {
	r := &Resolution{Choice: c}
	switch c {
	case Ours:
		r.Text = h.Ours
		r.Delete = !f.Lines && f.Ours.Absent()
	case Theirs:
		r.Text = h.Theirs
		r.Delete = !f.Lines && f.Theirs.Absent()
	case Base:
		r.Text = h.Base
		r.Delete = !f.Lines && f.Base.Absent()
	case Both:
		if !f.Lines && (f.Kind == "binary" || merge.IsBinary(h.Ours) || merge.IsBinary(h.Theirs) ||
			f.Ours.Mode == filemode.Symlink || f.Theirs.Mode == filemode.Symlink) {
			return nil, fmt.Errorf("%s: both sides cannot be joined in a %s conflict; take ours, theirs or edited text", f.Path, f.Kind)
		}
		var b bytes.Buffer
		b.Write(h.Ours)
		if len(h.Ours) > 0 && h.Ours[len(h.Ours)-1] != '\n' && len(h.Theirs) > 0 {
			b.WriteByte('\n')
		}
		b.Write(h.Theirs)
		r.Text = b.Bytes()
	case Edited:
		if gitstate.HasMarkers(text) {
			return nil, fmt.Errorf("%s: the edited text still has conflict markers; remove them first", f.Path)
		}
		r.Text = bytes.Clone(text)
	default:
		return nil, fmt.Errorf("unknown choice %q", c)
	}
	if r.Delete {
		r.Text = nil
	}
	return r, nil
}

// Preview renders the file as resolved so far: resolved hunks replaced by
// their text, unresolved ones with conflict markers (a non-line conflict
// shows our side). deleted reports that the resolution removes the file.
func (s *Session) Preview(f *File) (data []byte, deleted bool) {
	if f.Whole != nil {
		return f.Whole.Text, f.Whole.Delete
	}
	if !f.Lines {
		h := f.Hunks()[0]
		if h.Resolution != nil {
			return h.Resolution.Text, h.Resolution.Delete
		}
		return h.Ours, f.Ours.Absent() && f.Theirs.Absent()
	}
	var r merge.FileResult
	for _, c := range f.Chunks {
		switch {
		case c.Hunk == nil:
			r.Chunks = append(r.Chunks, merge.Chunk{Text: c.Text})
		case c.Hunk.Resolution != nil:
			r.Chunks = append(r.Chunks, merge.Chunk{Text: c.Hunk.Resolution.Text})
		default:
			r.Conflicts++
			r.Chunks = append(r.Chunks, merge.Chunk{Conflict: true, Base: c.Hunk.Base, Ours: c.Hunk.Ours,
				Theirs: c.Hunk.Theirs, CRLF: bytes.Contains(c.Hunk.Ours, []byte("\r\n"))})
		}
	}
	return r.Render(s.mergeOptions()), false
}

// resolvedMode is the mode the resolved file is written with.
func (f *File) resolvedMode() filemode.FileMode {
	pick := func(c Choice) Side {
		switch c {
		case Theirs:
			return f.Theirs
		case Base:
			return f.Base
		}
		return f.Ours
	}
	var side Side
	switch {
	case f.Whole != nil:
		side = pick(f.Whole.Choice)
	case !f.Lines && f.Hunks()[0].Resolution != nil:
		side = pick(f.Hunks()[0].Resolution.Choice)
	default:
		side = f.Ours
	}
	if side.Absent() || side.Mode == 0 {
		for _, s := range []Side{f.Ours, f.Theirs, f.Base} {
			if !s.Absent() && s.Mode != 0 {
				return s.Mode
			}
		}
		if f.Mode != 0 {
			return f.Mode
		}
		return filemode.Regular
	}
	return side.Mode
}

// snapshot remembers f before a change, for UndoResolution.
func (s *Session) snapshot(f *File) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	var c File
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	s.History = append(s.History, Snapshot{Path: f.Path, File: c})
	return nil
}

// resolveHunk sets hunk n (0-based) of path.
func (s *Session) resolveHunk(path string, n int, c Choice, text []byte) error {
	f, err := s.File(path)
	if err != nil {
		return err
	}
	hs := f.Hunks()
	if n < 0 || n >= len(hs) {
		return fmt.Errorf("%s has %d hunk(s); there is no hunk %d", path, len(hs), n+1)
	}
	r, err := f.choose(hs[n], c, text)
	if err != nil {
		return err
	}
	if err := s.snapshot(f); err != nil {
		return err
	}
	if f.Whole != nil {
		// Going back to hunks: keep what the whole-file choice meant.
		f.Whole = nil
	}
	hs[n].Resolution = r
	return nil
}

// resolveFile sets a whole-file resolution: a side, or edited content.
func (s *Session) resolveFile(path string, c Choice, text []byte) error {
	f, err := s.File(path)
	if err != nil {
		return err
	}
	var r *Resolution
	switch c {
	case Edited:
		if gitstate.HasMarkers(text) {
			return fmt.Errorf("%s: the edited file still has conflict markers; remove them first", path)
		}
		r = &Resolution{Choice: Edited, Text: bytes.Clone(text)}
	case Ours, Theirs, Base:
		whole := Hunk{}
		if f.Lines {
			// For a line conflict a side means that side in every hunk;
			// the changes merged cleanly stay.
			r = &Resolution{Choice: c, Text: f.sideText(c)}
		} else {
			whole = *f.Hunks()[0]
			r, err = f.choose(&whole, c, nil)
			if err != nil {
				return err
			}
		}
	case Both:
		if f.Lines {
			for i := range f.Hunks() {
				if err := s.resolveHunk(path, i, Both, nil); err != nil {
					return err
				}
			}
			return nil
		}
		r, err = f.choose(f.Hunks()[0], Both, nil)
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown choice %q", c)
	}
	if err := s.snapshot(f); err != nil {
		return err
	}
	f.Whole = r
	return nil
}

// sideText is a line file with every hunk taken from one side and the
// settled text kept.
func (f *File) sideText(c Choice) []byte {
	var b bytes.Buffer
	for _, ch := range f.Chunks {
		if ch.Hunk == nil {
			b.Write(ch.Text)
			continue
		}
		switch c {
		case Ours:
			b.Write(ch.Hunk.Ours)
		case Theirs:
			b.Write(ch.Hunk.Theirs)
		case Base:
			b.Write(ch.Hunk.Base)
		}
	}
	return b.Bytes()
}

// undo restores the file state before the last resolution.
func (s *Session) undo() (string, error) {
	if len(s.History) == 0 {
		return "", ErrNothingToUndo
	}
	last := s.History[len(s.History)-1]
	s.History = s.History[:len(s.History)-1]
	for i, f := range s.Files {
		if f.Path == last.Path {
			c := last.File
			s.Files[i] = &c
			return last.Path, nil
		}
	}
	return "", fmt.Errorf("undo: %s is not a conflicted file of this step", last.Path)
}
