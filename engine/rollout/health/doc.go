// Package health holds the health providers of the rollout machine: http
// (probe URLs with a per-probe timeout and consecutive thresholds),
// prometheus (PromQL over the HTTP API, also the fleet's adoption per
// build) and command (an argument list whose exit code decides).
//
// Every provider returns within its own timeout even when the thing probed
// hangs, and turns what it cannot measure into a Fail or Inconclusive
// result that says why.
package health
