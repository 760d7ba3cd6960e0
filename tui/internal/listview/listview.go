// Package listview is what the cockpit's scrolling lists share: which
// stretch of a list is on screen, and filling a pane to its height.
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

// Pad appends blank lines of w cells to lines until there are h of them.
func Pad(lines []string, w, h int) []string {
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return lines
}
