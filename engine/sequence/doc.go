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
// # Refs
//
// The target ref moves by compare-and-swap (gitstate.UpdateRef) against the
// value the sequence started from: in the object store once, at the end;
// with a working tree whenever the sequence stops or ends, as git does.
package sequence
