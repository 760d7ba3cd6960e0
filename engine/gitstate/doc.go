// Package gitstate writes git's on-disk state the way git itself does, so
// that Switchyard and a concurrent git CLI exclude each other and leave a
// repository `git fsck --strict` accepts.
//
// # Refs
//
// UpdateRef moves a ref by compare-and-swap under git's lock-file protocol:
// it creates <ref>.lock with O_EXCL, checks the current value (loose or in
// packed-refs) against the expected one, writes and fsyncs the lock, renames
// it over the ref and appends a reflog entry. go-git's own check-and-set
// takes no lock files, so it is never used for moves.
//
// # Index
//
// ReadIndex and WriteIndex read and write the index (version 2, or 3 when
// an entry needs extended flags), with entries sorted by path then stage as
// git requires, under index.lock. Conflicted paths carry stages 1, 2 and 3.
//
// # Worktree
//
// Checkout moves a working tree and its index from one tree to another,
// touching only the paths that differ, and refuses when a local change
// would be lost.
package gitstate
