// Package theme holds the cockpit's one key map and its styles.
//
// Every screen gets the same [KeyMap] (built once by [DefaultKeyMap]) and the
// same [Styles] (built by [New] from whether the terminal background is dark
// and whether colour is wanted at all). Components receive both from the root
// model; nothing here is a mutable package global.
//
// # Colour
//
// [New] chooses colours for a light or a dark background (the root model
// learns which from tea.BackgroundColorMsg). With colour off ([NoColor]
// reports the NO_COLOR convention) styles use no colour at all, only bold,
// faint, underline and reverse, so selection and emphasis stay visible.
package theme
