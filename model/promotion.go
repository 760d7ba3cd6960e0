package model

import "time"

// CarryHow says how a commit was found to be carried to the downstream track.
type CarryHow string

const (
	// ByPatchID: the downstream track has a commit with the same patch-id
	// (as git cherry decides).
	ByPatchID CarryHow = "patch-id"
	// ByTrailer: a downstream commit says "(cherry picked from commit <id>)"
	// naming it — this catches picks whose patch changed while resolving.
	ByTrailer CarryHow = "trailer"
)

// Carried links a commit of the upstream track to its copy downstream.
type Carried struct {
	Commit string   `json:"commit"` // id on the upstream track
	As     string   `json:"as"`     // id on the downstream track
	How    CarryHow `json:"how"`
}

// Pending is what waits to be promoted between two adjacent tracks.
type Pending struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Pending are the non-merge commits of From not yet on To, oldest first.
	Pending []Commit `json:"pending"`
	// Carried are commits of From already on To under another id.
	Carried []Carried `json:"carried"`
	// OnlyInTo are non-merge commits on To that From lacks (e.g. a hotfix
	// committed on prod), oldest first.
	OnlyInTo []Commit `json:"only_in_to"`
}

// Drift summarises how far two tracks have grown apart.
type Drift struct {
	From, To     string
	OnlyInFrom   int // commits of From missing on To (by patch-id)
	OnlyInTo     int // commits of To missing on From (by patch-id)
	Carried      int // commits present on both under different ids
	OldestBehind time.Time
}

// TrainCandidate is what next week's train would do to one downstream track.
type TrainCandidate struct {
	Track    string `json:"track"`    // the downstream track the train moves
	Upstream string `json:"upstream"` // the track it takes commits from
	// Base is the newest upstream commit at least one cycle old; empty when
	// no upstream commit is old enough.
	Base *Commit `json:"base,omitempty"`
	// Bugfixes are the contiguous bugfix commits right after Base.
	Bugfixes []Commit `json:"bugfixes"`
	// Target is the commit the track would move to (last bugfix, or Base).
	Target string `json:"target,omitempty"`
	// FastForward is true when the track's head is an ancestor of Target.
	FastForward bool `json:"fast_forward"`
	// Diverged is true when the track has commits Target lacks: the train
	// needs a rebase.
	Diverged bool `json:"diverged"`
	// Brings are the commits the train would add, oldest first.
	Brings []Commit `json:"brings"`
	// UpToDate is true when the track already contains Target.
	UpToDate bool `json:"up_to_date"`
}

// Arrival is when a fix reached one track.
type Arrival struct {
	Track string    `json:"track"`
	At    time.Time `json:"at"`  // committer date of the commit that brought it
	As    string    `json:"as"`  // the id it has there
	How   string    `json:"how"` // "same" (fast-forward or merge), "patch-id" or "trailer"
}

// LeadTime follows one fix from its commit to each other track.
type LeadTime struct {
	Commit Commit `json:"commit"`
	// Track is the track the fix was committed on; its copies carried to
	// other tracks are arrivals, not fixes of their own.
	Track    string    `json:"track"`
	Arrivals []Arrival `json:"arrivals"`
}

// To returns how long the fix took to reach the named track, and whether it
// has reached it at all.
func (l LeadTime) To(track string) (time.Duration, bool) {
	for _, a := range l.Arrivals {
		if a.Track == track {
			return a.At.Sub(l.Commit.Date), true
		}
	}
	return 0, false
}
