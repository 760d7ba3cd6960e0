package model

import "time"

// Build is one build of a track committed to the bin repo as the folder
// <Name>-<Number>/ on the branch named after the track.
type Build struct {
	Name   string    `json:"name"`   // artefact name, e.g. "spark"
	Number int       `json:"number"` // only grows, per track
	Track  string    `json:"track"`
	Source string    `json:"source"` // source commit id
	Time   time.Time `json:"time"`
	// BinCommit is the bin repo commit that added the build.
	BinCommit string `json:"bin_commit,omitempty"`
}

// Folder is the build's folder name in the bin repo.
func (b Build) Folder() string { return BuildFolder(b.Name, b.Number) }

// BuildFolder names the folder of build n of name.
func BuildFolder(name string, n int) string {
	return name + "-" + itoa(n)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
