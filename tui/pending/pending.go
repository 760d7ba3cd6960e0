// Package pending is the cockpit's list of commits waiting to be promoted
// to the next track, then of commits only on a downstream track (a hotfix
// committed there) waiting to be carried back to its upstream, each with
// whether it will apply cleanly there.
package pending

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/graph"
	"github.com/switchyard/switchyard/tui/internal/listview"
	"github.com/switchyard/switchyard/tui/theme"
)

// Check is what a dry-run pick said of a pending commit.
type Check int

const (
	Unchecked Check = iota // no dry run asked (or none available)
	Checking               // a dry run is under way
	Clean                  // the pick applies without conflict
	Conflict               // the pick conflicts
	Failed                 // the dry run failed
)

func (c Check) String() string {
	switch c {
	case Checking:
		return "checking…"
	case Clean:
		return "clean"
	case Conflict:
		return "conflict"
	case Failed:
		return "error"
	default:
		return "—"
	}
}

// Item is one pending promotion.
type Item struct {
	Commit model.Commit
	From   string // the track it is on
	To     string // the track it waits for
	// Back: To is the upstream of From, the commit was made downstream
	// (a hotfix committed on prod) and is carried back.
	Back  bool
	Check Check
	// Paths are the conflicting paths a dry run found.
	Paths []string
}

// Arrow points the way the commit is carried: → downstream, ← back
// upstream.
func (it Item) Arrow() string {
	if it.Back {
		return "←"
	}
	return "→"
}

// Model is the pending list.
type Model struct {
	st    theme.Styles
	keys  theme.KeyMap
	now   func() time.Time
	items []Item
	shown []int // indices of items passing the filter
	// filter is lowercase; "" shows everything.
	filter        string
	sel, top      int
	width, height int
	focused       bool
	loaded        bool
}

// New returns an empty list; now is the clock for ages.
func New(st theme.Styles, keys theme.KeyMap, now func() time.Time) *Model {
	if now == nil {
		now = time.Now
	}
	return &Model{st: st, keys: keys, now: now}
}

// SetStyles changes the theme.
func (m *Model) SetStyles(st theme.Styles) { m.st = st }

// SetSize sets the inner size.
func (m *Model) SetSize(w, h int) { m.width, m.height = max(w, 0), max(h, 0); m.scroll() }

// SetFocused marks the list as the one keys go to.
func (m *Model) SetFocused(f bool) { m.focused = f }

// SetItems replaces the list, keeping the selection on the same commit and
// the checks already known for commits still listed.
func (m *Model) SetItems(items []Item) {
	keep, _ := m.Selected()
	old := map[string]Item{}
	for _, it := range m.items {
		old[it.Commit.ID+">"+it.To] = it
	}
	for i := range items {
		if o, ok := old[items[i].Commit.ID+">"+items[i].To]; ok && items[i].Check == Unchecked {
			items[i].Check, items[i].Paths = o.Check, o.Paths
		}
	}
	m.items = items
	m.loaded = true
	m.refilter()
	m.sel = 0
	for k, i := range m.shown {
		if m.items[i].Commit.ID == keep.Commit.ID && m.items[i].To == keep.To {
			m.sel = k
		}
	}
	m.scroll()
}

// Items are the listed promotions.
func (m *Model) Items() []Item { return m.items }

// SetCheck records a dry run's answer for a commit bound for a track.
func (m *Model) SetCheck(id, to string, c Check, paths []string) {
	for i := range m.items {
		if m.items[i].Commit.ID == id && m.items[i].To == to {
			m.items[i].Check, m.items[i].Paths = c, paths
		}
	}
}

// SetFilter shows only items whose subject, author or id contains q.
func (m *Model) SetFilter(q string) {
	m.filter = strings.ToLower(q)
	m.refilter()
	m.sel, m.top = 0, 0
}

func (m *Model) refilter() {
	m.shown = m.shown[:0]
	for i, it := range m.items {
		c := it.Commit
		if m.filter == "" || strings.Contains(strings.ToLower(c.Subject), m.filter) ||
			strings.Contains(strings.ToLower(c.Author), m.filter) || strings.HasPrefix(c.ID, m.filter) ||
			strings.Contains(c.Kind.String(), m.filter) {
			m.shown = append(m.shown, i)
		}
	}
	if m.sel >= len(m.shown) {
		m.sel = max(len(m.shown)-1, 0)
	}
}

// Selected is the selected item.
func (m *Model) Selected() (Item, bool) {
	if m.sel < len(m.shown) {
		return m.items[m.shown[m.sel]], true
	}
	return Item{}, false
}

// Move moves the selection.
func (m *Model) Move(d int) {
	if len(m.shown) == 0 {
		return
	}
	m.sel = min(max(m.sel+d, 0), len(m.shown)-1)
	m.scroll()
}

// ClickLine selects the item on a line of the pane (0 = first visible;
// the column header is not a line of the list).
func (m *Model) ClickLine(y int) {
	if y <= 0 {
		return
	}
	if i := m.top + y - 1; i < len(m.shown) {
		m.sel = i
	}
}

func (m *Model) scroll() { m.top = listview.Follow(m.top, m.sel, max(m.height-1, 1), len(m.shown)) }

// Update handles movement keys; it reports whether it used the message.
func (m *Model) Update(msg tea.Msg) bool {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false
	}
	d, ok := m.keys.Step(k, max(m.height-2, 1), len(m.shown))
	if ok {
		m.Move(d)
	}
	return ok
}

// ShortHelp lists the list's keys.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Carry, m.keys.Train, m.keys.Filter}
}

// FullHelp lists the list's keys by group.
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Carry, m.keys.Train, m.keys.Details}, m.keys.Movement()}
}

// View draws exactly height lines of width cells: a column header, then
// one line per item.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	w := m.width
	ageW, targetW, checkW, kindW := 4, 8, 9, 6
	wide := w >= 60
	to := "→ track"
	if !wide {
		targetW = 6
		to = "→ to"
	}
	subjW := w - (kindW + 1 + 7 + 1 + 1 + ageW + 1 + targetW + 1 + checkW)
	lines := make([]string, 0, m.height)
	header := graph.Fit("kind", kindW) + " " + graph.Fit("commit", 7) + " " + graph.Fit("subject", max(subjW, 0)) + " " +
		graph.PadLeft("age", ageW) + " " + graph.Fit(to, targetW) + " " + graph.Fit("applies", checkW)
	lines = append(lines, m.st.Muted.Render(graph.Fit(header, w)))
	if len(m.shown) == 0 {
		msg := listview.Empty("nothing waits to be promoted", !m.loaded, m.filter != "")
		lines = append(lines, m.st.Muted.Render(graph.Fit(msg, w)))
	}
	for k := m.top; k < len(m.shown) && len(lines) < m.height; k++ {
		it := m.items[m.shown[k]]
		c := it.Commit
		kind := c.Kind.String()
		if c.Kind == model.Regular {
			kind = "·"
		}
		age := graph.Age(m.now().Sub(c.Date))
		checkSt := m.st.Muted
		switch it.Check {
		case Clean:
			checkSt = m.st.OK
		case Conflict, Failed:
			checkSt = m.st.Error
		case Checking:
			checkSt = m.st.Warn
		}
		cells := []struct {
			s     string
			w     int
			right bool
			st    lipgloss.Style
		}{
			{kind, kindW, false, m.st.Kind(c.Kind)},
			{c.Short(), 7, false, m.st.Hash},
			{model.InertLine(c.Subject), max(subjW, 0), false, m.st.Kind(c.Kind)},
			{age, ageW, true, m.st.Muted},
			{it.Arrow() + " " + model.InertLine(it.To), targetW, false, m.st.Ref},
			{it.Check.String(), checkW, false, checkSt},
		}
		var b strings.Builder
		for i, cell := range cells {
			if cell.w <= 0 {
				continue
			}
			if i > 0 {
				b.WriteString(" ")
			}
			s := graph.Fit(cell.s, cell.w)
			if cell.right {
				s = graph.PadLeft(strings.TrimRight(s, " "), cell.w)
			}
			if k == m.sel {
				b.WriteString(s)
			} else {
				b.WriteString(cell.st.Render(s))
			}
		}
		line := graph.Fit(b.String(), w)
		if k == m.sel {
			line = m.st.Selection(m.focused).Render(ansi.Strip(line))
		}
		lines = append(lines, line)
	}
	return strings.Join(listview.Pad(lines, w, m.height), "\n")
}
