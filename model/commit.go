package model

import (
	"strings"
	"time"
)

// Commit is what the front ends show of a commit. IDs are full lowercase hex.
type Commit struct {
	ID        string    `json:"commit"`
	Parents   []string  `json:"parents,omitempty"`
	Kind      Kind      `json:"kind"`
	Subject   string    `json:"subject"`
	Author    string    `json:"author"`
	Email     string    `json:"email,omitempty"`
	Date      time.Time `json:"date"`      // author date
	Committed time.Time `json:"committed"` // committer date
}

// Short is the abbreviated id shown on screen.
func (c Commit) Short() string { return ShortID(c.ID) }

// IsMerge reports whether the commit has more than one parent.
func (c Commit) IsMerge() bool { return len(c.Parents) > 1 }

// ShortID abbreviates a full id to 7 characters.
func ShortID(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}

// Subject returns the first line of a commit message, trimmed.
func Subject(message string) string {
	message = strings.TrimLeft(message, "\n")
	if i := strings.IndexByte(message, '\n'); i >= 0 {
		message = message[:i]
	}
	return strings.TrimSpace(message)
}
