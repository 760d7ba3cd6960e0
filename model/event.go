package model

import "time"

// Event is one step of long engine work (a build, a rollout, a watch),
// published so the front ends can show progress without polling.
type Event struct {
	Time   time.Time `json:"time"`
	Source string    `json:"source"` // "build", "rollout", "watch", "sequence", ...
	Kind   string    `json:"kind"`   // what happened: "log", "state", "refs-changed", ...
	Env    string    `json:"env,omitempty"`
	Track  string    `json:"track,omitempty"`
	Text   string    `json:"text,omitempty"`
	// Data carries the kind-specific payload (for example a *RolloutStatus).
	Data any `json:"data,omitempty"`
}
