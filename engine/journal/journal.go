// Package journal is the append-only record of operator actions and engine
// transitions: one JSON object per line, each line written in one write to a
// file opened O_APPEND, under an exclusive flock, and fsynced before Append
// returns. Several goroutines and several processes may append at once.
//
// A crash can leave at most a torn last line; readers skip it.
package journal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrInvalid: an entry lacks what every entry must name.
var ErrInvalid = errors.New("invalid journal entry")

// Entry is one line of the journal.
type Entry struct {
	Time  time.Time `json:"time"`
	Actor string    `json:"actor"` // who acted: "Name <email>" or a user name
	// Kind is the area: "build", "bin", "pick", "train", "rollout",
	// "notify", ...
	Kind string `json:"kind"`
	// Action is what happened: "started", "succeeded", "failed",
	// "committed", ...
	Action  string `json:"action"`
	Track   string `json:"track,omitempty"`
	Env     string `json:"env,omitempty"`
	Build   int    `json:"build,omitempty"`
	Commit  string `json:"commit,omitempty"`
	Message string `json:"message,omitempty"` // one human sentence
	// Detail is kind-specific data; read back it is a map[string]any.
	Detail any `json:"detail,omitempty"`
}

// Journal is a journal file.
type Journal struct {
	path  string
	actor string
}

// Open makes a journal at path, creating its folder; actor is written into
// entries that name none.
func Open(path, actor string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	return &Journal{path: path, actor: actor}, nil
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// Actor is the default actor of entries.
func (j *Journal) Actor() string { return j.actor }

// Append completes e (Time now, Actor the journal's) and writes it durably.
// It returns the entry as written.
func (j *Journal) Append(ctx context.Context, e Entry) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return e, err
	}
	if e.Kind == "" || e.Action == "" {
		return e, fmt.Errorf("%w: kind and action are required (got %q, %q)", ErrInvalid, e.Kind, e.Action)
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	if e.Actor == "" {
		e.Actor = j.actor
	}
	// Unescaped <, > and & keep "Name <email>" readable to grep.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return e, fmt.Errorf("journal %s %s: %w", e.Kind, e.Action, err)
	}
	line := buf.Bytes()
	if err := j.write(line); err != nil {
		return e, fmt.Errorf("journal %s %s: %w", e.Kind, e.Action, err)
	}
	return e, nil
}

func (j *Journal) write(line []byte) error {
	_, statErr := os.Stat(j.path)
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	unlock, err := lock(f)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := f.Write(line); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if errors.Is(statErr, os.ErrNotExist) {
		// A new file is durable only once its folder entry is.
		if d, err := os.Open(filepath.Dir(j.path)); err == nil {
			_ = d.Sync()
			d.Close()
		}
	}
	return f.Close()
}

// Filter selects entries. Zero fields select everything.
type Filter struct {
	Since time.Time // entries at or after
	Kind  string
	Track string
	Env   string
	Limit int // the last Limit entries that match
}

func (f Filter) match(e Entry) bool {
	return (f.Since.IsZero() || !e.Time.Before(f.Since)) &&
		(f.Kind == "" || e.Kind == f.Kind) &&
		(f.Track == "" || e.Track == f.Track) &&
		(f.Env == "" || e.Env == f.Env)
}

// Read returns the entries matching f, oldest first. A missing file is an
// empty journal. Lines that are not entries (a torn last line after a crash,
// a line mangled by hand) are skipped and counted in skipped.
//
// With a Limit, the file is read backwards from its end until Limit
// entries matched, so the cockpit's view of the last entries stays cheap
// however long the journal grows.
func (j *Journal) Read(ctx context.Context, f Filter) (entries []Entry, skipped int, err error) {
	file, err := os.Open(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read journal: %w", err)
	}
	defer file.Close()
	if f.Limit > 0 {
		return readTail(ctx, file, f)
	}
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 0; sc.Scan(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		e, ok, bad := parse(sc.Bytes())
		if bad {
			skipped++
		}
		if ok && f.match(e) {
			entries = append(entries, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("read journal %s: %w", j.path, err)
	}
	if f.Limit > 0 && len(entries) > f.Limit {
		entries = entries[len(entries)-f.Limit:]
	}
	return entries, skipped, nil
}

// parse reads one line: ok when it is an entry, bad when it is neither an
// entry nor blank.
func parse(line []byte) (e Entry, ok, bad bool) {
	b := bytes.TrimSpace(line)
	if len(b) == 0 {
		return e, false, false
	}
	if err := json.Unmarshal(b, &e); err != nil || e.Kind == "" {
		return e, false, true
	}
	return e, true, false
}

// tailBlock is how much readTail reads at a time.
const tailBlock = 64 << 10

// readTail returns the last f.Limit entries matching f, oldest first,
// reading file backwards block by block.
func readTail(ctx context.Context, file *os.File, f Filter) ([]Entry, int, error) {
	fi, err := file.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("read journal: %w", err)
	}
	var (
		newest  []Entry // newest first
		skipped int
		carry   []byte // the start of a line whose beginning is further back
		end     = fi.Size()
	)
	for end > 0 && len(newest) < f.Limit {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		start := max(end-tailBlock, 0)
		buf := make([]byte, end-start, end-start+int64(len(carry)))
		if _, err := file.ReadAt(buf, start); err != nil {
			return nil, 0, fmt.Errorf("read journal: %w", err)
		}
		buf = append(buf, carry...)
		lines := bytes.Split(buf, []byte{'\n'})
		// The first piece may be cut unless the block starts the file.
		first := 0
		if start > 0 {
			carry = lines[0]
			first = 1
		} else {
			carry = nil
		}
		for i := len(lines) - 1; i >= first && len(newest) < f.Limit; i-- {
			e, ok, bad := parse(lines[i])
			if bad {
				skipped++
			}
			if ok && f.match(e) {
				newest = append(newest, e)
			}
		}
		end = start
	}
	out := make([]Entry, len(newest))
	for i, e := range newest {
		out[len(newest)-1-i] = e
	}
	return out, skipped, nil
}
