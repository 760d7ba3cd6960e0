// Package resolver is the cockpit's conflict resolver screen: the files of
// the current step of a pick or train with how many are resolved, the
// selected hunk's base, ours and theirs side by side (stacked on narrow
// terminals) and the resolution preview, with keys to choose a side, edit
// in $EDITOR, undo, and continue, skip or abort the sequence.
//
// The screen is a plain component driven by the root model. It holds no
// merge logic: every action is an engine call run in a tea.Cmd, answered
// by a typed message, after which the session is read again.
package resolver
