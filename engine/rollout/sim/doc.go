// Package sim is the demo fleet: blue and green services running in process
// on loopback (real net/http servers answering /healthz and /build) and N
// simulated nodes that adopt the green build as its traffic weight grows.
//
// Nodes are plain array entries, not goroutines, so a fleet of 100,000 costs
// a few hundred kilobytes and a status refresh is one pass over two arrays
// with no allocation per node. Each node has a stable position that decides
// at which weight it moves to green, and a pull delay that makes adoption
// lag the configured weight the way real nodes pulling a bin branch do, so
// the cockpit has a desired and an actual share to show.
//
// The fleet's traffic split is kept in a small JSON file when a state path
// is given: that file is the driver's source of truth, so a restarted
// cockpit reads back what was configured.
package sim
