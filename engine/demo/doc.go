// Package demo builds the demo sandbox: a source repository with five weeks
// of believable history on dev and prod (and master), a bin repository with
// builds of every track, a switchyard.toml wiring them to a simulated fleet,
// and an acceptance gate script.
//
// # The scenario
//
// The story lives in assets/demo/scenario.toml, written for people: each
// commit names its branch, its age in days, its author, its message and the
// edits it makes. Build replays it with go-git's plumbing, with fixed
// identities and with dates counted back from Options.Anchor, so a sandbox
// built twice with the same anchor has the same commit ids, whatever the
// user's git configuration. That configuration decides one thing only: when
// git knows no identity, src/ gets a local one (the story's release manager)
// so that picks and releases work on a fresh machine.
//
// # Layout
//
//	<dir>/README.txt
//	<dir>/src/          repository with a work tree on dev; switchyard.toml at its root
//	<dir>/bin/          bare bin repo: branches per track, app-<n>/ folders, app symlink
//	<dir>/gates/        acceptance.sh, and fail-env when a gate is made to fail
//
// # Use
//
//	sb, err := demo.Build(ctx, demo.Options{Dir: dir, Flow: demo.FlowTwo})
//	// sb.Src: the source repo; sb.Bin: the bin repo; sb.Config: its switchyard.toml.
//	// sb.Commits names the story's commits by their scenario ids:
//	//   "hotfix-health"     pending for prod, cherry-picks cleanly
//	//   "hotfix-body"       pending for prod, conflicts with "hotfix-body-prod"
//	//   "hotfix-escape"     already on prod as "hotfix-escape-prod" (with -x trailer)
//	//   "hotfix-body-prod"  only on prod
//	//   "metrics"           the next train's base, followed by "metrics-bugfix"
package demo
