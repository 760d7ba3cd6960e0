package model

import (
	"errors"
	"fmt"
)

// Track is one long-lived release branch. Tracks are ordered upstream →
// downstream (dev → prod, or master → dev → prod); each downstream track lags
// its upstream by one release cycle.
type Track struct {
	// Name is how people and config refer to the track ("dev", "prod").
	Name string
	// Branch is the branch that holds the track (defaults to Name).
	Branch string
	// Remote, when set, means the track follows that remote: its head is the
	// remote-tracking ref refs/remotes/<Remote>/<Branch>.
	Remote string
}

// Ref is the full reference name the track's head is read from.
func (t Track) Ref() string {
	if t.Remote != "" {
		return "refs/remotes/" + t.Remote + "/" + t.Branch
	}
	return "refs/heads/" + t.Branch
}

// LocalRef is the local branch the track is moved on.
func (t Track) LocalRef() string { return "refs/heads/" + t.Branch }

// Flow is the ordered list of tracks, most upstream first.
type Flow []Track

// ErrUnknownTrack is returned when a name does not match any track of a flow.
var ErrUnknownTrack = errors.New("unknown track")

// Validate reports the first problem with the flow: fewer than two tracks, an
// empty name, or a track (or branch) given twice.
func (f Flow) Validate() error {
	if len(f) < 2 {
		return fmt.Errorf("a flow needs at least two tracks, got %d", len(f))
	}
	names := map[string]bool{}
	branches := map[string]bool{}
	for _, t := range f {
		if t.Name == "" {
			return errors.New("a track has an empty name")
		}
		if names[t.Name] {
			return fmt.Errorf("track %q is given twice", t.Name)
		}
		names[t.Name] = true
		b := t.Remote + "/" + t.Branch
		if branches[b] {
			return fmt.Errorf("branch %q is used by two tracks", t.Branch)
		}
		branches[b] = true
	}
	return nil
}

// Index returns the position of the named track, or -1.
func (f Flow) Index(name string) int {
	for i, t := range f {
		if t.Name == name {
			return i
		}
	}
	return -1
}

// Track returns the named track.
func (f Flow) Track(name string) (Track, error) {
	if i := f.Index(name); i >= 0 {
		return f[i], nil
	}
	return Track{}, fmt.Errorf("%w %q (tracks: %s)", ErrUnknownTrack, name, f.Names())
}

// Names lists the track names joined by arrows, upstream first.
func (f Flow) Names() string {
	s := ""
	for i, t := range f {
		if i > 0 {
			s += " → "
		}
		s += t.Name
	}
	return s
}

// Pair is two adjacent tracks: commits are promoted From → To.
type Pair struct {
	From, To Track
}

// Pairs lists the adjacent (upstream, downstream) pairs of the flow.
func (f Flow) Pairs() []Pair {
	var ps []Pair
	for i := 0; i+1 < len(f); i++ {
		ps = append(ps, Pair{From: f[i], To: f[i+1]})
	}
	return ps
}

// Downstream returns the track right after the named one, if any.
func (f Flow) Downstream(name string) (Track, bool) {
	i := f.Index(name)
	if i < 0 || i+1 >= len(f) {
		return Track{}, false
	}
	return f[i+1], true
}

// Upstream returns the track right before the named one, if any.
func (f Flow) Upstream(name string) (Track, bool) {
	i := f.Index(name)
	if i <= 0 {
		return Track{}, false
	}
	return f[i-1], true
}
