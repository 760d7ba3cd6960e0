// Package journal is the cockpit's journal screen: every journaled
// operator action and engine transition — who, when, what — newest first,
// filterable with /, with an entry's details on enter.
//
// The screen is a plain component driven by the root model; the journal
// is read in a tea.Cmd answered by a typed message.
package journal
