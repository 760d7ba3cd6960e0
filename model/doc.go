// Package model holds Switchyard's plain domain types and the pure rules over
// them: tracks and their order, commit kinds, pending promotions and carried
// commits, drift, train candidates, builds, environments, slots and rollout
// states, and the forward-only rule.
//
// It imports nothing of Switchyard's own and does no I/O, so every front end
// and every engine package can share it.
package model
