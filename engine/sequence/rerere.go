package sequence

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Recorded resolutions: when a conflict is resolved and the step is
// committed, the text chosen for each hunk is stored under
// <commondir>/switchyard/rr/<key>.json, keyed by the two conflicting sides
// (as git rerere keys by the conflict's text). When the same conflict
// comes back — next week's rebase of the same hunk — the recorded text is
// offered as the hunk's resolution, marked Recorded, for a person to keep
// (Continue) or take back (UndoResolution / another choice).

type recorded struct {
	Choice Choice `json:"choice"`
	Text   []byte `json:"text,omitempty"`
	Delete bool   `json:"delete,omitempty"`
	// Ours is the digest of the side that was ours when recorded: the key
	// does not depend on which side is which (a rebase swaps them), the
	// choice's name does.
	Ours string `json:"ours,omitempty"`
}

func digest(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// offered is the resolution a record gives for a conflict whose ours side
// has digest ours.
func (r *recorded) offered(ours string) *Resolution {
	c := r.Choice
	if r.Ours != "" && r.Ours != ours {
		switch c {
		case Ours:
			c = Theirs
		case Theirs:
			c = Ours
		case Both:
			c = Edited // the same text, in the other order of the sides
		}
	}
	return &Resolution{Choice: c, Text: r.Text, Delete: r.Delete, Recorded: true}
}

func (q *Sequencer) rrDir() string { return filepath.Join(q.Git.CommonDir, "switchyard", "rr") }

// hunkKey names a line conflict by its two sides in either order, as git
// rerere does.
func hunkKey(h *Hunk) string {
	a, b := h.Ours, h.Theirs
	if bytes.Compare(a, b) > 0 {
		a, b = b, a
	}
	sum := sha1.New()
	sum.Write([]byte("lines\x00"))
	sum.Write(a)
	sum.Write([]byte{0})
	sum.Write(b)
	return hex.EncodeToString(sum.Sum(nil))
}

func fileKey(f *File) string {
	a := f.Ours.Mode.String() + " " + f.Ours.Hash
	b := f.Theirs.Mode.String() + " " + f.Theirs.Hash
	if a > b {
		a, b = b, a
	}
	sum := sha1.New()
	for _, s := range []string{"file", f.Kind, a, b} {
		sum.Write([]byte(s))
		sum.Write([]byte{0})
	}
	return hex.EncodeToString(sum.Sum(nil))
}

func (q *Sequencer) lookup(key string) (*recorded, error) {
	data, err := os.ReadFile(filepath.Join(q.rrDir(), key+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r recorded
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, nil // a damaged record is not offered
	}
	return &r, nil
}

func (q *Sequencer) store(key string, r recorded) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(q.rrDir(), key+".json"), data)
}

// offerRecorded resolves the hunks whose conflict was resolved before.
func (q *Sequencer) offerRecorded(s *Session) error {
	for _, f := range s.Files {
		if !f.Lines {
			r, err := q.lookup(fileKey(f))
			if err != nil {
				return err
			}
			if r != nil {
				f.Chunks[0].Hunk.Resolution = r.offered(f.Ours.Mode.String() + " " + f.Ours.Hash)
			}
			continue
		}
		for _, h := range f.Hunks() {
			r, err := q.lookup(hunkKey(h))
			if err != nil {
				return err
			}
			if r != nil {
				h.Resolution = r.offered(digest(h.Ours))
			}
		}
	}
	return nil
}

// record stores how the current step's conflicts were resolved.
func (q *Sequencer) record(s *Session) error {
	for _, f := range s.Files {
		if !f.Lines {
			data, deleted := s.Preview(f)
			c := Edited
			if f.Whole != nil {
				c = f.Whole.Choice
			} else if r := f.Hunks()[0].Resolution; r != nil {
				c = r.Choice
			}
			if err := q.store(fileKey(f), recorded{Choice: c, Text: data, Delete: deleted, Ours: f.Ours.Mode.String() + " " + f.Ours.Hash}); err != nil {
				return err
			}
			continue
		}
		texts, ok := hunkTexts(s, f)
		if !ok {
			continue
		}
		for i, h := range f.Hunks() {
			c := Edited
			if f.Whole == nil && h.Resolution != nil {
				c = h.Resolution.Choice
			}
			if err := q.store(hunkKey(h), recorded{Choice: c, Text: texts[i], Ours: digest(h.Ours)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// hunkTexts returns the resolved text of each hunk. For a file resolved as
// a whole, the hunks are found between the settled chunks of the edited
// text; false when the edit changed settled text so they cannot be told
// apart.
func hunkTexts(s *Session, f *File) ([][]byte, bool) {
	if f.Whole == nil {
		var out [][]byte
		for _, h := range f.Hunks() {
			if h.Resolution == nil {
				return nil, false
			}
			out = append(out, h.Resolution.Text)
		}
		return out, true
	}
	if f.Whole.Delete {
		return nil, false
	}
	return splitResolved(f.Chunks, f.Whole.Text)
}

// splitResolved cuts text into the parts that replaced each hunk, given
// that the settled chunks appear in it unchanged and in order.
func splitResolved(chunks []Chunk, text []byte) ([][]byte, bool) {
	var out [][]byte
	pos, open := 0, -1
	for i, ch := range chunks {
		if ch.Hunk != nil {
			if open >= 0 {
				return nil, false // two hunks in a row cannot be split
			}
			out = append(out, nil)
			open = len(out) - 1
			continue
		}
		t := ch.Text
		if len(t) == 0 {
			continue
		}
		if open < 0 {
			if !bytes.HasPrefix(text[pos:], t) {
				return nil, false
			}
			pos += len(t)
			continue
		}
		var j int
		if i == len(chunks)-1 {
			if !bytes.HasSuffix(text[pos:], t) {
				return nil, false
			}
			j = len(text) - len(t)
		} else {
			j = bytes.Index(text[pos:], t)
			if j < 0 {
				return nil, false
			}
			j += pos
		}
		out[open] = bytes.Clone(text[pos:j])
		open = -1
		pos = j + len(t)
	}
	if open >= 0 {
		out[open] = bytes.Clone(text[pos:])
		pos = len(text)
	}
	return out, pos == len(text)
}
