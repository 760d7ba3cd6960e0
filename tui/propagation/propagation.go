// Package propagation is the cockpit's commit × track grid: every hotfix
// and bugfix of the last cycles and where it stands on each track — landed
// as the same commit, carried (patch-id or trailer), carried with edits,
// conflicted or still pending — with its lead time.
package propagation

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/graph"
	"github.com/switchyard/switchyard/tui/internal/listview"
	"github.com/switchyard/switchyard/tui/theme"
)

// Stand is where a fix stands on one track.
type Stand int

const (
	Pending    Stand = iota // not there yet
	Origin                  // committed there
	Landed                  // there as the same commit (fast-forward or merge)
	Carried                 // there as a copy with the same patch-id
	Edited                  // there as a copy whose patch changed (found by trailer)
	Conflicted              // a carry to it stopped on conflicts
)

func (s Stand) String() string {
	switch s {
	case Origin:
		return "committed"
	case Landed:
		return "landed"
	case Carried:
		return "carried"
	case Edited:
		return "edited"
	case Conflicted:
		return "conflict"
	default:
		return "pending"
	}
}

// Row is one fix across the tracks.
type Row struct {
	Commit model.Commit
	Stands []Stand // one per track, in flow order
	Ages   []time.Duration
	// Lead is how long the fix took to reach the last track, when it came
	// from upstream and has arrived.
	Lead    time.Duration
	Arrived bool
	// AtOnce: the fix was committed on the last track itself.
	AtOnce bool
}

// Build makes the grid's rows from lead times: a fix stands as committed
// on its track (model.LeadTime.Track) and on the others as its arrivals
// say. conflicted lists commits whose carry stopped on conflicts, by the
// track they were carried to. origin names the track of lead times that
// do not name their own (it may be nil).
func Build(tracks []string, lts []model.LeadTime, origin map[string]string, conflicted map[string]string) []Row {
	rows := make([]Row, 0, len(lts))
	for _, lt := range lts {
		r := Row{Commit: lt.Commit, Stands: make([]Stand, len(tracks)), Ages: make([]time.Duration, len(tracks))}
		home := lt.Track
		if home == "" {
			home = origin[lt.Commit.ID]
		}
		for i, t := range tracks {
			if t == home {
				r.Stands[i] = Origin
			}
		}
		for _, a := range lt.Arrivals {
			for i, t := range tracks {
				if t != a.Track || t == home {
					continue
				}
				r.Ages[i] = a.At.Sub(lt.Commit.Date)
				switch a.How {
				case "patch-id":
					r.Stands[i] = Carried
				case "trailer":
					r.Stands[i] = Edited
				default:
					r.Stands[i] = Landed
				}
			}
		}
		if to, ok := conflicted[lt.Commit.ID]; ok {
			for i, t := range tracks {
				if t == to && r.Stands[i] == Pending {
					r.Stands[i] = Conflicted
				}
			}
		}
		if n := len(tracks) - 1; n >= 0 {
			switch r.Stands[n] {
			case Origin:
				r.AtOnce = true
			case Landed, Carried, Edited:
				r.Arrived = true
				r.Lead = r.Ages[n]
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// Model is the grid.
type Model struct {
	st     theme.Styles
	keys   theme.KeyMap
	now    func() time.Time
	tracks []string
	all    []Row
	rows   []Row // all, or those matching the filter
	filter string
	loaded bool

	sel, top      int
	width, height int
	focused       bool
}

// New returns an empty grid; now is the clock for waiting times.
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

// SetFocused marks the grid as the one keys go to.
func (m *Model) SetFocused(f bool) { m.focused = f }

// SetRows replaces the grid.
func (m *Model) SetRows(tracks []string, rows []Row) {
	m.tracks, m.all, m.loaded = tracks, rows, true
	m.refilter()
}

// SetFilter shows only fixes whose subject, author, id or kind contains q.
func (m *Model) SetFilter(q string) {
	m.filter = strings.ToLower(q)
	m.sel, m.top = 0, 0
	m.refilter()
}

func (m *Model) refilter() {
	m.rows = m.all
	if m.filter != "" {
		m.rows = nil
		for _, r := range m.all {
			c := r.Commit
			if strings.Contains(strings.ToLower(c.Subject), m.filter) || strings.Contains(strings.ToLower(c.Author), m.filter) ||
				strings.HasPrefix(c.ID, m.filter) || c.Kind.String() == m.filter {
				m.rows = append(m.rows, r)
			}
		}
	}
	m.sel = min(m.sel, max(len(m.rows)-1, 0))
	m.scroll()
}

// Selected is the selected fix.
func (m *Model) Selected() (Row, bool) {
	if m.sel < len(m.rows) {
		return m.rows[m.sel], true
	}
	return Row{}, false
}

// Move moves the selection.
func (m *Model) Move(d int) {
	if len(m.rows) == 0 {
		return
	}
	m.sel = min(max(m.sel+d, 0), len(m.rows)-1)
	m.scroll()
}

// ClickLine selects the fix drawn on a line (line 0 is the header).
func (m *Model) ClickLine(y int) {
	if i := m.top + y - 1; y > 0 && i < len(m.rows) {
		m.sel = i
	}
}

func (m *Model) scroll() { m.top = listview.Follow(m.top, m.sel, max(m.height-1, 1), len(m.rows)) }

// Update handles movement keys; it reports whether it used the message.
func (m *Model) Update(msg tea.Msg) bool {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false
	}
	d, ok := m.keys.Step(k, max(m.height-2, 1), len(m.rows))
	if ok {
		m.Move(d)
	}
	return ok
}

// ShortHelp lists the grid's keys.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.keys.Propagation} }

// FullHelp lists the grid's keys by group.
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{append(m.keys.Movement(), m.keys.Filter, m.keys.Propagation)}
}

func (m *Model) standStyle(s Stand) lipgloss.Style {
	switch s {
	case Landed, Carried:
		return m.st.OK
	case Edited:
		return m.st.Carried
	case Conflicted:
		return m.st.Error
	case Origin:
		return m.st.Normal
	default:
		return m.st.Warn
	}
}

// View draws exactly height lines of width cells.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	const kindW, cellW, leadW = 6, 13, 13
	subjW := max(m.width-(kindW+1+7+1+1+len(m.tracks)*(cellW+1)+leadW+1), 0)
	head := graph.Fit("kind", kindW) + " " + graph.Fit("commit", 7) + " " + graph.Fit("subject", subjW) + " "
	for _, t := range m.tracks {
		head += graph.Fit(model.InertLine(t), cellW) + " "
	}
	head += graph.Fit("lead time", leadW)
	lines := []string{m.st.Muted.Render(graph.Fit(head, m.width))}
	if len(m.rows) == 0 {
		msg := listview.Empty("no hotfix or bugfix in the last cycles", !m.loaded, m.filter != "")
		lines = append(lines, m.st.Muted.Render(graph.Fit(msg, m.width)))
	}
	for i := m.top; i < len(m.rows) && len(lines) < m.height; i++ {
		r := m.rows[i]
		c := r.Commit
		var b strings.Builder
		plain := i == m.sel
		put := func(s string, w int, st lipgloss.Style) {
			s = graph.Fit(s, w)
			if plain {
				b.WriteString(s)
			} else {
				b.WriteString(st.Render(s))
			}
			b.WriteString(" ")
		}
		put(c.Kind.String(), kindW, m.st.Kind(c.Kind))
		put(c.Short(), 7, m.st.Hash)
		put(model.InertLine(c.Subject), subjW, m.st.Kind(c.Kind))
		for k, s := range r.Stands {
			txt := s.String()
			if (s == Landed || s == Carried || s == Edited) && r.Ages[k] > 0 {
				txt += " " + graph.Age(r.Ages[k])
			}
			put(txt, cellW, m.standStyle(s))
		}
		lead := "waiting " + graph.Age(m.now().Sub(c.Date))
		leadSt := m.st.Warn
		switch {
		case r.Arrived && r.Lead == 0 && r.Stands[len(r.Stands)-1] == Landed:
			// Landed as the same commit: refs keep no date of the move.
			lead, leadSt = "with a train", m.st.Normal
		case r.Arrived:
			lead, leadSt = graph.Age(r.Lead), m.st.Normal
		case r.AtOnce:
			lead, leadSt = "at once", m.st.Normal
		}
		put(lead, leadW, leadSt)
		line := graph.Fit(b.String(), m.width)
		if plain {
			line = m.st.Selection(m.focused).Render(line)
		}
		lines = append(lines, line)
	}
	return strings.Join(listview.Pad(lines, m.width, m.height), "\n")
}
