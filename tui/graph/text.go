package graph

// Fit pads or cuts s (which may hold ANSI styling) to exactly w cells; the
// other panes share it so every line is exactly as wide as its pane.
func Fit(s string, w int) string { return fit(s, w) }
