// Package environments is the cockpit's environments × blue/green pane:
// for each environment in promotion order, its two slots with build,
// state, traffic share and health, and where its rollout stands.
package environments

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/graph"
	"github.com/switchyard/switchyard/tui/internal/listview"
	"github.com/switchyard/switchyard/tui/theme"
)

// Rollout is the little the pane shows of an environment's rollout.
type Rollout struct {
	State model.RolloutState
	Build int
	// Wave and Waves: the current traffic wave (0-based, -1 before traffic
	// moves) of how many.
	Wave, Waves int
	Waiting     string
}

// Model is the pane.
type Model struct {
	st       theme.Styles
	keys     theme.KeyMap
	envs     []model.Environment
	rollouts map[string]Rollout
	loaded   bool
	err      string

	sel, top      int
	width, height int
	focused       bool
}

// New returns an empty pane.
func New(st theme.Styles, keys theme.KeyMap) *Model {
	return &Model{st: st, keys: keys, rollouts: map[string]Rollout{}}
}

// SetStyles changes the theme.
func (m *Model) SetStyles(st theme.Styles) { m.st = st }

// SetSize sets the inner size.
func (m *Model) SetSize(w, h int) { m.width, m.height = max(w, 0), max(h, 0); m.scroll() }

// SetFocused marks the pane as the one keys go to.
func (m *Model) SetFocused(f bool) { m.focused = f }

// SetEnvironments replaces the environments; err (may be "") says what
// could not be read.
func (m *Model) SetEnvironments(envs []model.Environment, err string) {
	m.envs, m.loaded, m.err = envs, true, err
	m.sel = min(m.sel, max(len(envs)-1, 0))
	m.scroll()
}

// SetRollout records an environment's rollout.
func (m *Model) SetRollout(env string, r Rollout) { m.rollouts[env] = r }

// Selected is the selected environment's name.
func (m *Model) Selected() string {
	if m.sel < len(m.envs) {
		return m.envs[m.sel].Name
	}
	return ""
}

const linesPerEnv = 3

// ClickLine selects the environment drawn on a line.
func (m *Model) ClickLine(y int) {
	if i := m.top + y/linesPerEnv; y >= 0 && i < len(m.envs) {
		m.sel = i
	}
}

// Move moves the selection.
func (m *Model) Move(d int) {
	if len(m.envs) == 0 {
		return
	}
	m.sel = min(max(m.sel+d, 0), len(m.envs)-1)
	m.scroll()
}

func (m *Model) scroll() {
	m.top = listview.Follow(m.top, m.sel, max(m.height/linesPerEnv, 1), len(m.envs))
}

// Update handles movement keys; it reports whether it used the message.
func (m *Model) Update(msg tea.Msg) bool {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false
	}
	switch {
	case key.Matches(k, m.keys.Up):
		m.Move(-1)
	case key.Matches(k, m.keys.Down):
		m.Move(1)
	default:
		return false
	}
	return true
}

// ShortHelp lists the pane's keys.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.keys.Rollouts} }

// FullHelp lists the pane's keys by group.
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.Rollouts}}
}

// View draws exactly height lines of width cells.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var lines []string
	switch {
	case !m.loaded:
		lines = append(lines, m.st.Muted.Render(graph.Fit("loading…", m.width)))
	case len(m.envs) == 0 && m.err == "":
		lines = append(lines, m.st.Muted.Render(graph.Fit("no environments configured ([[deploy.environment]] in switchyard.toml)", m.width)))
	}
	if m.err != "" {
		lines = append(lines, m.st.Error.Render(graph.Fit(model.InertLine(m.err), m.width)))
	}
	for i := m.top; i < len(m.envs) && len(lines) < m.height; i++ {
		e := m.envs[i]
		title := model.InertLine(e.Name) + " " + m.st.Muted.Render("("+model.InertLine(e.Track)+")")
		r, ok := m.rollouts[e.Name]
		state := ""
		if ok && r.State != "" {
			state = string(r.State)
			if r.Build > 0 {
				state = fmt.Sprintf("#%d %s", r.Build, state)
			}
			if r.Waves > 0 && r.Wave >= 0 {
				state = strings.TrimSuffix(state, " "+string(model.RolloutWave))
				state += fmt.Sprintf(" wave %d/%d", r.Wave+1, r.Waves)
			}
			if r.Waiting != "" {
				state += " · waits: " + model.InertLine(r.Waiting)
			}
		}
		stStyle := m.st.Muted
		switch {
		case ok && (r.State == model.RolloutFailed || r.State == model.RolloutAborted):
			stStyle = m.st.Error
		case ok && r.State == model.RolloutPaused:
			stStyle = m.st.Warn
		case ok && !r.State.Terminal() && r.State != model.RolloutIdle && r.State != "":
			stStyle = m.st.Warn
		}
		head := title
		if state != "" {
			head += "  " + stStyle.Render("rollout "+state)
		}
		head = graph.Fit(head, m.width)
		if i == m.sel {
			head = m.st.Selection(m.focused).Render(graph.Fit(stripTitle(e, state), m.width))
		}
		lines = append(lines, head)
		for _, s := range []model.Slot{e.Blue, e.Green} {
			if len(lines) >= m.height {
				break
			}
			lines = append(lines, graph.Fit(m.slot(s), m.width))
		}
	}
	return strings.Join(listview.Pad(lines, m.width, m.height)[:m.height], "\n")
}

func stripTitle(e model.Environment, state string) string {
	s := model.InertLine(e.Name) + " (" + model.InertLine(e.Track) + ")"
	if state != "" {
		s += "  rollout " + state
	}
	return s
}

func (m *Model) slot(s model.Slot) string {
	color := string(s.Color)
	if color == "" {
		color = "?"
	}
	build := "—"
	if s.Build > 0 {
		build = fmt.Sprintf("#%d", s.Build)
	}
	state := string(s.State)
	if state == "" {
		state = string(model.SlotEmpty)
	}
	health := string(s.Health)
	if health == "" {
		health = string(model.HealthUnknown)
	}
	out := "  " + m.st.Slot(s.Color).Render(graph.Fit(color, 5)) + " " +
		m.st.Hash.Render(graph.Fit(build, 5)) + " " +
		graph.Fit(state, 8) + " " +
		graph.PadLeft(fmt.Sprintf("%d%%", s.Weight), 4) + " "
	// The gauge only where it leaves room for health and adoption.
	if m.width >= 72 {
		out += bar(s.Weight, 10) + " "
	}
	out += m.st.Health(s.Health).Render(graph.Fit(health, 9))
	if s.Nodes > 0 {
		nodes := fmt.Sprintf(" %d/%d", s.NodesOnBuild, s.Nodes)
		if m.width < 48 {
			nodes = " " + count(s.NodesOnBuild) + "/" + count(s.Nodes)
		}
		out += m.st.Muted.Render(nodes)
	}
	return out
}

// count writes a node count short: 950, 1k, 1.2k, 100k.
func count(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprint(n)
	case n < 10000 && n%1000 != 0:
		return fmt.Sprintf("%.1fk", float64(n)/1000)
	case n < 1000000:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprintf("%.1fM", float64(n)/1e6)
}

// bar draws a traffic share as a gauge of w cells.
func bar(pct, w int) string {
	pct = min(max(pct, 0), 100)
	full := pct * w / 100
	return "[" + strings.Repeat("#", full) + strings.Repeat(".", w-full) + "]"
}
