// Package merge is Switchyard's three-way merge: a pure-Go merge of trees
// inside a go-git object store whose results follow git's merge-ort, so
// that a cherry-pick made by the cockpit gives the tree git itself would
// give. go-git has no three-way merge; this package fills that gap.
//
// A cherry-pick of commit C onto T is the merge of base = C's parent's
// tree, ours = T's tree, theirs = C's tree ([Pick]). [Trees] merges any
// three trees and writes the new blobs and trees to the store; [File]
// merges one text file; [Diff] exposes the line diff underneath.
//
// The algorithms were written for this package from their published
// descriptions and from the behaviour of git 2.39 used as an oracle (the
// tests run git merge-tree and compare); no git source was ported.
//
// # Line diff
//
// [Diff] is the histogram diff (as in JGit and git's --histogram, the
// algorithm merge-ort uses): in the old region, count how often each line
// occurs; scan the new region for a common run of lines that is longer, or
// whose rarest line is rarer, than the best so far; recurse on both sides
// of it. Lines occurring more than 64 times are not used as anchors; when
// only such lines are common the region is diffed with the classic diff
// instead, with the heuristics xdiff (after GNU diff) applies to it:
// common ends set aside, lines without an equal on the other side (and
// lines with too many equals, inside runs of unmatched lines) taken as
// changed before the search, then Myers' O(ND) search from both ends,
// which splits early on a long snake once the cost passes 256 and cuts
// at the furthest-reaching diagonal once the cost passes about the square
// root of the size. Hunks are then slid over equal lines the way git
// compacts them: merged with neighbours, moved as low as possible, or
// lined up with a hunk of the other file (no indent heuristic: git does
// not use it for merges).
//
// # File merge
//
// [File] follows xdiff's merge at merge-ort's level ("zealous"): both
// sides are diffed against the base; a change on one side only is taken;
// changes that touch or overlap are a conflict unless identical; then each
// conflict is refined by diffing ours against theirs inside it, keeping
// only the differing stretches as conflicts, and conflicts separated by at
// most three lines are joined again. Diff3 style skips the refinement (the
// base could not be shown otherwise); ZDiff3 keeps whole conflicts but
// moves the lines ours and theirs share at either end out of them.
// [FileResult.Render] writes git's markers: seven characters, the label
// after a space, a newline added to a side lacking one, and CRLF marker
// lines when the lines around the conflict end in CRLF in all three
// versions. Files with a NUL byte in their first 8000 bytes are binary:
// not merged, ours kept, a conflict.
//
// # Tree merge
//
// [Trees] walks the three trees together and never reads a subtree that is
// identical in all three, or that only one side changed (that side's
// subtree is the result) — unless rename detection needs the files in it.
// Per path, a version unchanged on one side yields to the other; otherwise:
//
//   - two regular files: mode bits merged (one side's change wins), contents
//     merged with [File]; conflicts write the marked-up text to the tree and
//     record index stages 1/2/3 as git does (kind "content"; "add/add" when
//     the base is absent, merged with an empty base; "binary" keeps ours);
//   - modify/delete: the modified version stays in the tree ("modify/delete");
//   - symlinks are never content-merged: ours stays ("symlink"); a symlink
//     against a regular file keeps the symlink and moves the file to
//     path~label ("symlink", git's "distinct types");
//   - submodules (gitlinks) are never read: changed on both sides, ours
//     stays with the three stages ("content", or "add/add");
//   - a file where the result has a directory moves to path~label, label
//     being the side the file came from ("file/directory");
//   - add/add with different modes keeps ours' mode ("mode").
//
// Renames are detected per side, only among the files that side deleted
// and added, and only where the other side changed the deleted file (other
// renames cannot change the result — merge-ort's "relevant sources") or
// where the deleted file's directory matters to a directory rename (no
// renames at all on a side without such a file): identical contents first
// (among the deleted files git looks at: not those inside a subtree one
// side alone changed, unless that side removed their directory), then a
// unique same-named file, then the best similarity score. Similarity is git's measure: files are cut into lines
// (or 64-byte pieces of longer lines, CR before LF ignored in text), each
// piece hashed into one of 107927 buckets (a 64-bit value rotated by 7
// bits per byte), and the bytes of common buckets are counted against the
// larger file's size; the default threshold is 50%. A renamed file is merged at its new path
// with labels naming the paths ("HEAD:new", "abc1234 (subject):old").
// Rename/delete keeps the renamed file and reports "rename". A file
// renamed differently on each side is merged once (8-character markers)
// and written to both new paths, the base stage staying at the old path
// ("rename"). A rename onto a path the other side added, or two files
// renamed onto one path, are merged per rename first; the two results
// then meet as an add/add.
//
// # Directory renames
//
// As merge-ort by default: a directory one side removed entirely, that
// directly holds a file the other side added, and whose files that side
// renamed mostly (a strict majority of votes) into one directory, is
// renamed there. Each file rename votes for its directory
// and, while the last names of the old and new directories agree, for
// their parents. Paths the other side added (or renamed) inside a renamed
// directory are moved into the new one and reported as "file location"
// conflicts with their stages at the new path (a moved file the other
// side renamed exactly keeps the source's stages). A directory renamed on
// both sides is left alone, and so is a path whose new directory the
// first side itself renamed away; a tie ("directory rename split") or a new place
// already taken ("implicit dir rename") leaves the paths where they were
// and is listed in [Result.DirConflicts], without index stages.
//
// # Known differences from git
//
// Which deleted files git reads as exact rename sources follows its tree
// walk, which is reproduced only as far as tests have observed it; random
// tree tests still find rare differences when a file is renamed into a
// directory the other side renamed. The tests' real-repository harness
// (TestParityRealRepo) measures the agreement rate with git on a real
// history.
package merge
