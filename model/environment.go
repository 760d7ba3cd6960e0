package model

import (
	"errors"
	"fmt"
)

// Color names a slot of an environment.
type Color string

const (
	Blue  Color = "blue"  // the live slot
	Green Color = "green" // the slot a rollout deploys into
)

// Health is what the health provider last said of a slot.
type Health string

const (
	HealthUnknown   Health = "unknown"
	HealthHealthy   Health = "healthy"
	HealthDegraded  Health = "degraded"
	HealthUnhealthy Health = "unhealthy"
)

// SlotState is where a slot is in its life.
type SlotState string

const (
	SlotEmpty    SlotState = "empty"
	SlotDeployed SlotState = "deployed" // running, no traffic yet
	SlotLive     SlotState = "live"     // serving traffic
	SlotStopped  SlotState = "stopped"
	SlotRetired  SlotState = "retired"
)

// Slot is one of an environment's two slots.
type Slot struct {
	Color  Color     `json:"color"`
	Build  int       `json:"build"` // 0: none
	State  SlotState `json:"state"`
	Health Health    `json:"health"`
	// Weight is the traffic share in percent the driver reports (actual).
	Weight int `json:"weight"`
	// Nodes and NodesOnBuild report adoption where the provider knows it.
	Nodes        int `json:"nodes,omitempty"`
	NodesOnBuild int `json:"nodes_on_build,omitempty"`
}

// Environment is one stage of the deploy path (integration, staging,
// production), bound to a track's bin branch.
type Environment struct {
	Name  string `json:"name"`
	Track string `json:"track"`
	Blue  Slot   `json:"blue"`
	Green Slot   `json:"green"`
}

// RolloutState is where a rollout is. Terminal states: Done, Aborted, Failed.
type RolloutState string

const (
	RolloutIdle      RolloutState = "idle"
	RolloutDeploying RolloutState = "deploying"
	RolloutWarming   RolloutState = "warming"
	RolloutGating    RolloutState = "gating"
	RolloutWave      RolloutState = "wave"     // a traffic wave is being analysed
	RolloutPaused    RolloutState = "paused"   // waiting for a person (approval or inconclusive)
	RolloutCutover   RolloutState = "cutover"  // green becomes live
	RolloutRetiring  RolloutState = "retiring" // old blue being retired
	RolloutAborting  RolloutState = "aborting" // traffic going back to blue, green stopping
	RolloutDone      RolloutState = "done"
	RolloutAborted   RolloutState = "aborted"
	RolloutFailed    RolloutState = "failed"
)

// Terminal reports whether nothing more will happen in this rollout.
func (s RolloutState) Terminal() bool {
	return s == RolloutDone || s == RolloutAborted || s == RolloutFailed
}

// ErrBackwards is returned for a rollout to a build older than the live one.
var ErrBackwards = errors.New("rollouts only go forward")

// CheckForward applies the forward-only rule: schema migrations are
// forward-only, so a rollout may only move to a newer build than the live one.
func CheckForward(live, candidate int) error {
	if live > 0 && candidate <= live {
		return fmt.Errorf("%w: build %d is not newer than live build %d", ErrBackwards, candidate, live)
	}
	return nil
}
