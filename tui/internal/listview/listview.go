// Package listview is what the cockpit's scrolling lists share: which
// stretch of a list is on screen, what an empty list says, and filling a
// pane to its height.
//
// A list is n items of which rows fit on screen, starting at index top;
// one item, sel, is selected and must stay on screen.
package listview

import "strings"

// Follow returns the top that keeps sel on screen: it scrolls from top as
// little as possible to show sel in a window of rows items, and never so
// far that the window runs past the last of n items while earlier ones
// could fill it. The result is never negative.
func Follow(top, sel, rows, n int) int {
	if sel < top {
		top = sel
	}
	if sel >= top+rows {
		top = sel - rows + 1
	}
	return max(min(top, n-rows), 0)
}

// Empty is what a list with nothing to show says in its place: that it
// is loading, that nothing matches its filter, or else none, the list's
// own words for having nothing.
func Empty(none string, loading, filtered bool) string {
	switch {
	case loading:
		return "loading…"
	case filtered:
		return "nothing matches the filter"
	}
	return none
}

// Pad appends blank lines of w cells to lines until there are h of them.
func Pad(lines []string, w, h int) []string {
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return lines
}
