package graph

// Fit pads or cuts s (which may hold ANSI styling) to exactly w cells; the
// other panes share it so every line is exactly as wide as its pane.
func Fit(s string, w int) string { return fit(s, w) }

// PadLeft right-aligns s (which may hold ANSI styling) in w cells; s
// wider than w is left as it is.
func PadLeft(s string, w int) string { return leftPad(s, w) }
