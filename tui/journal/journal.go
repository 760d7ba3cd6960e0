package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/internal/listview"
	"github.com/switchyard/switchyard/tui/theme"
)

// Engine is the part of the engine the screen reads; *engine.Engine
// implements it. It is called from a tea.Cmd, never from Update.
type Engine interface {
	ReadJournal(ctx context.Context, f journal.Filter) ([]journal.Entry, error)
	Subscribe(ctx context.Context) <-chan model.Event
}

const (
	callTimeout = 30 * time.Second
	// maxEntries bounds how much of a long journal is held: the newest.
	maxEntries = 5000
)

// EntriesMsg answers a load: the entries, oldest first as the engine
// returns them.
type EntriesMsg struct {
	Seq     int
	Entries []journal.Entry
	Err     error
}

// eventMsg is one engine event from the screen's subscription.
type eventMsg struct {
	ev model.Event
	ok bool
}

func load(e Engine, seq int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		es, err := e.ReadJournal(ctx, journal.Filter{Limit: maxEntries})
		return EntriesMsg{Seq: seq, Entries: es, Err: err}
	}
}

func listen(ch <-chan model.Event) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		return eventMsg{ev: ev, ok: ok}
	}
}

// row is an entry prepared for showing and filtering: its text made inert
// once, when loaded.
type row struct {
	e       journal.Entry
	when    string
	actor   string
	what    string // kind and action
	scope   string // track, env, build, commit
	message string
	search  string // lower-case text the filter looks in
}

// Model is the journal screen.
type Model struct {
	eng    Engine
	st     theme.Styles
	km     theme.KeyMap
	width  int
	height int

	// bg is the long-lived context the event subscription lives for.
	bg         context.Context
	subscribed bool
	events     <-chan model.Event
	stale      bool // an entry was written while a load was under way

	seq     int
	loading bool
	loaded  bool
	err     error

	rows    []row // newest first
	shown   []int // indexes into rows that pass the filter
	sel     int   // index into shown
	top     int   // first shown row on screen
	details bool  // the selected entry's details are open

	filter    string
	filtering bool // the filter is being typed
}

// New returns the screen; call Init to read the journal.
func New(e Engine, st theme.Styles, km theme.KeyMap) *Model {
	return &Model{eng: e, st: st, km: km, bg: context.Background()}
}

// SetContext sets the context the screen's event subscription lives for
// (the program's life); call it before Init.
func (m *Model) SetContext(ctx context.Context) { m.bg = ctx }

// SetSize sets the space the screen may draw in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h; m.scrollToSel() }

// SetStyles switches the styles (the terminal's background became known).
func (m *Model) SetStyles(st theme.Styles) { m.st = st }

// InputActive reports whether the filter is being typed, so the root must
// pass every key here, digits and q included.
func (m *Model) InputActive() bool { return m.filtering }

// Init reads the journal and subscribes to new entries, which the engine
// announces as it writes them; calling it again only reloads.
func (m *Model) Init() tea.Cmd {
	if m.eng == nil {
		return nil
	}
	if m.subscribed {
		return m.Reload()
	}
	m.subscribed = true
	m.events = m.eng.Subscribe(m.bg)
	return tea.Batch(m.Reload(), listen(m.events))
}

// Reload reads the journal again.
func (m *Model) Reload() tea.Cmd {
	if m.eng == nil {
		return nil
	}
	m.seq++
	m.loading = true
	return load(m.eng, m.seq)
}

// Update handles a message meant for the screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case EntriesMsg:
		if msg.Seq != m.seq {
			return nil
		}
		m.loading, m.loaded = false, true
		m.err = msg.Err
		if msg.Err == nil {
			m.setEntries(msg.Entries)
		}
		if m.stale {
			m.stale = false
			return m.Reload()
		}
		return nil
	case eventMsg:
		if !msg.ok {
			m.subscribed = false
			return nil
		}
		cmd := listen(m.events)
		if msg.ev.Source != "journal" {
			return cmd
		}
		if m.loading {
			// One more read when this one is in; a burst costs two.
			m.stale = true
			return cmd
		}
		return tea.Batch(cmd, m.Reload())
	case tea.KeyPressMsg:
		if m.filtering {
			m.filterKey(msg)
			return nil
		}
		m.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.move(-3)
		case tea.MouseWheelDown:
			m.move(3)
		}
	}
	return nil
}

// setEntries takes a fresh read, keeping the selection on the same entry.
func (m *Model) setEntries(es []journal.Entry) {
	var keep *journal.Entry
	if r := m.selected(); r != nil {
		e := r.e
		keep = &e
	}
	rows := make([]row, len(es))
	for i, e := range es {
		rows[len(es)-1-i] = makeRow(e)
	}
	// Entries are appended in time order by every writer; sort anyway so
	// that clocks of several machines writing one journal cannot garble it.
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].e.Time.After(rows[j].e.Time) })
	m.rows = rows
	m.refilter()
	if keep != nil {
		for i, idx := range m.shown {
			if sameEntry(m.rows[idx].e, *keep) {
				m.sel = i
				break
			}
		}
	}
	m.scrollToSel()
}

func sameEntry(a, b journal.Entry) bool {
	return a.Time.Equal(b.Time) && a.Kind == b.Kind && a.Action == b.Action && a.Actor == b.Actor && a.Message == b.Message
}

func makeRow(e journal.Entry) row {
	r := row{e: e}
	r.when = e.Time.Local().Format("2006-01-02 15:04:05")
	// "Name <email>" shows as the name; the email is in the details.
	who := e.Actor
	if name, _, ok := strings.Cut(who, " <"); ok && name != "" {
		who = name
	}
	r.actor = model.InertLine(who)
	r.what = model.InertLine(e.Kind + " " + e.Action)
	var scope []string
	if e.Track != "" {
		scope = append(scope, model.InertLine(e.Track))
	}
	if e.Env != "" {
		scope = append(scope, model.InertLine(e.Env))
	}
	if e.Build != 0 {
		scope = append(scope, "#"+strconv.Itoa(e.Build))
	}
	if e.Commit != "" {
		scope = append(scope, model.InertLine(model.ShortID(e.Commit)))
	}
	r.scope = strings.Join(scope, " ")
	r.message = model.InertLine(e.Message)
	r.search = strings.ToLower(strings.Join([]string{r.when, model.InertLine(e.Actor), r.what, r.scope, e.Commit, r.message}, " "))
	return r
}

// matches applies the filter: every space-separated term must match;
// "field:value" (kind, action, actor, track, env, build, commit) matches
// that field, any other term is looked for anywhere in the entry. Case is
// ignored.
func matches(r *row, terms []string) bool {
	for _, t := range terms {
		if k, v, ok := strings.Cut(t, ":"); ok && v != "" {
			if f, known := field(r, k); known {
				if !strings.Contains(strings.ToLower(f), v) {
					return false
				}
				continue
			}
		}
		if !strings.Contains(r.search, t) {
			return false
		}
	}
	return true
}

func field(r *row, name string) (string, bool) {
	e := r.e
	switch name {
	case "kind":
		return e.Kind, true
	case "action":
		return e.Action, true
	case "actor", "who", "by":
		return e.Actor, true
	case "track":
		return e.Track, true
	case "env":
		return e.Env, true
	case "build":
		if e.Build == 0 {
			return "", true
		}
		return strconv.Itoa(e.Build), true
	case "commit":
		return e.Commit, true
	}
	return "", false
}

func (m *Model) refilter() {
	terms := strings.Fields(strings.ToLower(m.filter))
	m.shown = m.shown[:0]
	for i := range m.rows {
		if matches(&m.rows[i], terms) {
			m.shown = append(m.shown, i)
		}
	}
	m.sel = max(0, min(m.sel, len(m.shown)-1))
	m.scrollToSel()
}

func (m *Model) selected() *row {
	if m.sel < 0 || m.sel >= len(m.shown) {
		return nil
	}
	return &m.rows[m.shown[m.sel]]
}

func (m *Model) key(msg tea.KeyPressMsg) {
	km := m.km
	switch {
	case key.Matches(msg, km.Filter):
		m.filtering = true
	case key.Matches(msg, km.ClearFilter) && m.details:
		m.details = false
	case key.Matches(msg, km.ClearFilter) && m.filter != "":
		m.filter = ""
		m.refilter()
	case key.Matches(msg, km.Details):
		m.details = !m.details && m.selected() != nil
		m.scrollToSel()
	default:
		if d, ok := km.Step(msg, max(1, m.listRows()-1), len(m.shown)); ok {
			m.move(d)
		}
	}
}

func (m *Model) filterKey(msg tea.KeyPressMsg) {
	switch msg.String() {
	case "esc":
		m.filtering = false
		m.filter = ""
	case "enter":
		m.filtering = false
		return
	case "backspace":
		if r := []rune(m.filter); len(r) > 0 {
			m.filter = string(r[:len(r)-1])
		}
	case "ctrl+u":
		m.filter = ""
	default:
		if msg.Text == "" || len([]rune(m.filter)) >= 100 {
			return
		}
		m.filter += msg.Text
	}
	m.sel = 0
	m.refilter()
}

func (m *Model) move(d int) {
	if len(m.shown) == 0 {
		return
	}
	m.sel = max(0, min(m.sel+d, len(m.shown)-1))
	m.scrollToSel()
}

func (m *Model) scrollToSel() { m.top = listview.Follow(m.top, m.sel, m.listRows(), len(m.shown)) }

// detailLines is the selected entry in full.
func (m *Model) detailLines() []string {
	r := m.selected()
	if r == nil {
		return nil
	}
	e := r.e
	out := []string{
		fmt.Sprintf("when     %s (%s)", r.when, e.Time.UTC().Format(time.RFC3339)),
		"who      " + model.InertLine(e.Actor),
		"what     " + r.what,
	}
	if r.scope != "" {
		out = append(out, "where    "+r.scope)
	}
	if e.Commit != "" {
		out = append(out, "commit   "+model.InertLine(e.Commit))
	}
	if r.message != "" {
		out = append(out, "message  "+r.message)
	}
	if e.Detail != nil {
		b, err := json.MarshalIndent(e.Detail, "         ", "  ")
		if err == nil {
			lines := strings.Split(model.Inert(string(b), true), "\n")
			out = append(out, "detail   "+lines[0])
			out = append(out, lines[1:]...)
		}
	}
	return out
}

// ShortHelp is the screen's main keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.km
	return []key.Binding{k.Up, k.Down, k.Filter, k.Details}
}

// FullHelp is every key of the screen, grouped.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.km
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Filter, k.ClearFilter, k.Details},
	}
}

// Click selects the entry under row y of the screen (0 is its first line).
func (m *Model) Click(x, y int) {
	if i := m.top + y - 2; y >= 2 && y-2 < m.listRows() && i < len(m.shown) { // title, column heads
		m.sel = i
	}
}
