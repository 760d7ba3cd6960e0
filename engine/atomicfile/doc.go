// Package atomicfile replaces a file's content so that a reader, or a crash,
// sees the old content or the new, never a part of either.
//
// # Protocol
//
// Write creates a temporary file next to the target (same folder, so the
// rename stays on one file system), writes the data, syncs it, renames it
// over the target and syncs the folder so the rename itself is durable:
//
//	if err := atomicfile.Write(path, data, 0o644); err != nil {
//		return fmt.Errorf("save state: %w", err)
//	}
//
// The temporary file is named "." + the target's base name + ".tmp" and a
// random suffix: hidden, and never matched by a pattern on the target's own
// name. It is removed when any step fails.
//
// This is not git's lock-file protocol (a "name.lock" created exclusively,
// then renamed): a lock file also keeps a second writer out, Write does not.
// Concurrent writers each replace the whole file; the last rename wins.
package atomicfile
