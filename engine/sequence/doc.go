// Package sequence carries commits onto a track one by one (cherry-pick) or
// rebases a track's own commits onto another commit, and stops on a
// conflict with a persisted Session that a person resolves step by step:
// file by file, hunk by hunk (ours, theirs, both, base or edited text),
// with undo, then Continue, Skip or Abort.
//
// # Persistence
//
// The session is a JSON file under <gitdir>/switchyard/sequence/, written
// under git's lock-file protocol (write <file>.lock, fsync, rename) on
// every change, so a crash or a closed terminal loses no resolved hunk; a
// new process resumes it with Load.
//
// # Working tree
//
// When the target branch is checked out, the conflict is mirrored the way
// git leaves one: conflict-marked files, index stages 1/2/3,
// CHERRY_PICK_HEAD and MERGE_MSG. Edits made there (an editor, git
// mergetool, git add) are read back on Continue and by Sync. Otherwise
// everything happens in the object store and no working tree is touched.
//
// # Driving a resolution
//
// The front ends go through the engine facade (engine.Carry, RunTrain,
// Session, ResolveHunk, ResolveFile, UndoResolution, SyncWorktree,
// Continue, Skip, Abort, UndoRelease); each call loads the persisted
// session, changes it under a lock and saves it, so calls from the CLI and
// the cockpit interleave safely:
//
//	out, err := e.Carry(ctx, engine.CarryOptions{To: "prod", Commits: ids})
//	for err == nil && !out.Done {
//		s := out.Session               // s.Steps, s.Current, s.Files
//		for _, f := range s.Files {    // f.Kind, f.Resolved(), s.Preview(f)
//			for i, h := range f.Hunks() { // h.Base, h.Ours, h.Theirs, h.Resolution
//				err = e.ResolveHunk(ctx, f.Path, i, sequence.Theirs, nil)
//			}
//		}
//		out, err = e.Continue(ctx) // or e.Skip(ctx); e.Abort(ctx) ends it
//	}
//
// Hunks are numbered from 0 in the API and from 1 on the command line. A
// hunk whose Resolution.Recorded is set was resolved from an earlier
// identical conflict and only needs Continue.
//
// # Refs
//
// The target ref moves by compare-and-swap (gitstate.UpdateRef) against the
// value the sequence started from: in the object store once, at the end;
// with a working tree whenever the sequence stops or ends, as git does.
package sequence
