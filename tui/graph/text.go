package graph

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Fit pads or cuts s (which may hold ANSI styling) to exactly w cells; the
// other panes share it so every line is exactly as wide as its pane.
func Fit(s string, w int) string { return fit(s, w) }

// PadLeft right-aligns s (which may hold ANSI styling) in w cells; s
// wider than w is left as it is.
func PadLeft(s string, w int) string { return leftPad(s, w) }

// Clip cuts a screen's lines to its first h and each line (which may hold
// ANSI styling) to w cells, marking a cut line with "…", and joins them.
// Shorter and narrower screens are left as they are.
func Clip(lines []string, w, h int) string {
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return strings.Join(lines, "\n")
}
