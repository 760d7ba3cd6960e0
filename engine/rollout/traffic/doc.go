// Package traffic holds the traffic drivers of the rollout machine: nginx
// (a weighted upstream file written atomically, checked and reloaded),
// command (any script, given the split as environment variables) and bin
// (the bin repo's symlink moved to the new build; the nodes pull it).
//
// Each driver reads the split back from its own source of truth — the file
// it wrote, the script's status output, the bin branch — never from memory,
// so a restarted cockpit can reconcile what it recorded with what is in
// force.
package traffic
