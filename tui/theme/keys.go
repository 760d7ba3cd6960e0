package theme

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap is every key of the cockpit. The bindings follow the design's key
// map, which tests and muscle memory rely on; change it only together with
// the design.
type KeyMap struct {
	// Everywhere.
	Help     key.Binding // ?
	Quit     key.Binding // q, ctrl+c
	NextPane key.Binding // tab
	PrevPane key.Binding // shift+tab
	Cockpit  key.Binding // 1
	Resolver key.Binding // 2
	Rollouts key.Binding // 3
	Journal  key.Binding // 4
	Up       key.Binding // k, up
	Down     key.Binding // j, down
	Left     key.Binding // h, left
	Right    key.Binding // l, right
	PageUp   key.Binding // pgup, ctrl+b
	PageDown key.Binding // pgdown, ctrl+f
	Top      key.Binding // home, g
	Bottom   key.Binding // end, G
	Filter   key.Binding // /
	Details  key.Binding // enter

	// Cockpit.
	Carry       key.Binding // p
	Train       key.Binding // T
	Propagation key.Binding // v: the commit × track propagation view
	Release     key.Binding // R: build the focused graph's track into the bin repo
	BuildLog    key.Binding // L: show the build log panel again
	Refresh     key.Binding // ctrl+r

	// Resolver.
	NextHunk key.Binding // n
	PrevHunk key.Binding // N
	Ours     key.Binding // o
	Theirs   key.Binding // t
	Both     key.Binding // b
	Base     key.Binding // B
	Edit     key.Binding // e
	Undo     key.Binding // u
	Continue key.Binding // c
	Skip     key.Binding // s
	Abort    key.Binding // A

	// Rollouts.
	Deploy       key.Binding // d
	Promote      key.Binding // >
	AbortRollout key.Binding // x
	Approve      key.Binding // y

	// Confirmation dialogs.
	Confirm key.Binding // y, enter
	Cancel  key.Binding // n, esc

	// Filter input.
	ClearFilter key.Binding // esc
	ApplyFilter key.Binding // enter
}

// DefaultKeyMap returns the design's key map.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	k := func(keys ...string) []string { return keys }
	return KeyMap{
		Help:     b(k("?"), "?", "help"),
		Quit:     b(k("q", "ctrl+c"), "q", "quit"),
		NextPane: b(k("tab"), "tab", "next pane"),
		PrevPane: b(k("shift+tab"), "shift+tab", "previous pane"),
		Cockpit:  b(k("1"), "1", "cockpit"),
		Resolver: b(k("2"), "2", "resolver"),
		Rollouts: b(k("3"), "3", "rollouts"),
		Journal:  b(k("4"), "4", "journal"),
		Up:       b(k("k", "up"), "↑/k", "up"),
		Down:     b(k("j", "down"), "↓/j", "down"),
		Left:     b(k("h", "left"), "←/h", "left"),
		Right:    b(k("l", "right"), "→/l", "right"),
		PageUp:   b(k("pgup", "ctrl+b"), "pgup", "page up"),
		PageDown: b(k("pgdown", "ctrl+f"), "pgdn", "page down"),
		Top:      b(k("home", "g"), "g/home", "top"),
		Bottom:   b(k("end", "G"), "G/end", "bottom"),
		Filter:   b(k("/"), "/", "filter"),
		Details:  b(k("enter"), "enter", "details"),

		Carry:       b(k("p"), "p", "carry to target"),
		Train:       b(k("T"), "T", "run the train"),
		Propagation: b(k("v"), "v", "propagation view"),
		Release:     b(k("R"), "R", "release: build the track"),
		BuildLog:    b(k("L"), "L", "show the build log"),
		Refresh:     b(k("ctrl+r"), "ctrl+r", "refresh"),

		NextHunk: b(k("n"), "n", "next hunk"),
		PrevHunk: b(k("N"), "N", "previous hunk"),
		Ours:     b(k("o"), "o", "take ours"),
		Theirs:   b(k("t"), "t", "take theirs"),
		Both:     b(k("b"), "b", "take both"),
		Base:     b(k("B"), "B", "take base"),
		Edit:     b(k("e"), "e", "edit in $EDITOR"),
		Undo:     b(k("u"), "u", "undo"),
		Continue: b(k("c"), "c", "continue"),
		Skip:     b(k("s"), "s", "skip commit"),
		Abort:    b(k("A"), "A", "abort"),

		Deploy:       b(k("d"), "d", "deploy"),
		Promote:      b(k(">"), ">", "promote next wave"),
		AbortRollout: b(k("x"), "x", "abort rollout"),
		Approve:      b(k("y"), "y", "approve"),

		Confirm: b(k("y", "enter"), "y/enter", "confirm"),
		Cancel:  b(k("n", "esc"), "n/esc", "cancel"),

		ClearFilter: b(k("esc"), "esc", "clear filter"),
		ApplyFilter: b(k("enter"), "enter", "apply filter"),
	}
}

// Global is the keys every screen shares, for help listings.
func (k KeyMap) Global() []key.Binding {
	return []key.Binding{k.Help, k.Quit, k.NextPane, k.PrevPane, k.Cockpit, k.Resolver, k.Rollouts, k.Journal}
}

// Movement is the keys that move a selection or scroll.
func (k KeyMap) Movement() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
}

// Step is how far a movement key moves a list's selection: one item for
// up and down, page items for page up and page down, and n, the whole
// list, for top and bottom (negative is up). ok is false for any other
// key.
func (k KeyMap) Step(msg tea.KeyPressMsg, page, n int) (d int, ok bool) {
	switch {
	case key.Matches(msg, k.Up):
		return -1, true
	case key.Matches(msg, k.Down):
		return 1, true
	case key.Matches(msg, k.PageUp):
		return -page, true
	case key.Matches(msg, k.PageDown):
		return page, true
	case key.Matches(msg, k.Top):
		return -n, true
	case key.Matches(msg, k.Bottom):
		return n, true
	}
	return 0, false
}
