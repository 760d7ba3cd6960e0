package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/graph"
	"github.com/switchyard/switchyard/tui/internal/listview"
)

// Layout limits.
const (
	// wideMin is the narrowest terminal that gets panes side by side.
	wideMin = 100
	// headerLines: the title line and the train/alerts line.
	headerLines = 2
	// footerLines: the status line and the key help line.
	footerLines = 2
)

// rect is where a pane is drawn; its first line is the pane's title.
type rect struct {
	x, y, w, h int
	f          focus
}

func (r rect) has(x, y int) bool { return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h }

// dialog is a confirmation: title, what will happen, the command to run
// on y/enter.
type dialog struct {
	title string
	lines []string
	yes   tea.Cmd
	busy  string // what the status line says while yes runs
	then  func() // run on confirmation, before yes
}

// details is the enter overlay on a commit.
type details struct {
	title string
	lines []string
}

// layout sizes every pane for the terminal and remembers where each is
// drawn, for the mouse.
func (m *Model) layout() (rects []rect) {
	w, h := m.width, m.height
	body := max(h-headerLines-footerLines, 0)
	m.res.SetSize(w, body)
	m.rolls.SetSize(w, body)
	m.jour.SetSize(w, body)
	if w <= 0 || body <= 0 {
		return nil
	}
	top := headerLines
	var upper []focus
	if m.showProp {
		upper = []focus{focusProp}
	} else {
		for i := range m.graphs {
			upper = append(upper, focus(i))
		}
	}
	if w >= wideMin {
		bottom := min(max(body/4+2, 6), 14)
		if body-bottom < 6 {
			bottom = max(body/2, 2)
		}
		upperH := body - bottom
		n := len(upper)
		x := 0
		for i, f := range upper {
			pw := (w - (n - 1)) / n
			if i == n-1 {
				pw = w - x
			}
			rects = append(rects, rect{x, top, pw, upperH, f})
			x += pw + 1
		}
		// The environments keep room for a slot's line (health, nodes).
		pw := min(w*3/5, w-45)
		rects = append(rects, rect{0, top + upperH, pw, bottom, focusPending}, rect{pw + 1, top + upperH, w - pw - 1, bottom, focusEnvs})
	} else {
		// One column: the upper panes share what the lists leave.
		all := append(append([]focus{}, upper...), focusPending, focusEnvs)
		listH := min(max(body/5, 2), 7)
		upperH := body - 2*listH
		y := top
		for i, f := range all {
			ph := listH
			if i < len(upper) {
				ph = upperH / len(upper)
				if i == len(upper)-1 {
					ph = upperH - (len(upper)-1)*(upperH/len(upper))
				}
			}
			if i == len(all)-1 {
				ph = top + body - y
			}
			rects = append(rects, rect{0, y, w, max(ph, 0), f})
			y += ph
		}
	}
	for _, r := range rects {
		inner := max(r.h-1, 0)
		switch {
		case r.f >= 0:
			m.graphs[r.f].SetSize(r.w, inner)
		case r.f == focusPending:
			m.pend.SetSize(r.w, inner)
		case r.f == focusEnvs:
			m.envs.SetSize(r.w, inner)
		case r.f == focusProp:
			m.prop.SetSize(r.w, inner)
		}
	}
	return rects
}

// View draws the whole screen. It reads only the model.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "switchyard · " + model.InertLine(m.title)
	return v
}

func (m *Model) render() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.headerLines()...)
	body := max(h-headerLines-footerLines, 0)
	switch m.screen {
	case screenResolver:
		m.res.SetSize(w, body)
		lines = append(lines, splitExact(m.res.View(), w, body)...)
	case screenRollouts:
		m.rolls.SetSize(w, body)
		lines = append(lines, splitExact(m.rolls.View(), w, body)...)
	case screenJournal:
		m.jour.SetSize(w, body)
		lines = append(lines, splitExact(m.jour.View(), w, body)...)
	default:
		canvas := make([]string, body)
		for i := range canvas {
			canvas[i] = strings.Repeat(" ", w)
		}
		rects := m.layout()
		for _, r := range rects {
			m.drawPane(canvas, r)
		}
		if m.showLog && m.build != nil {
			canvas = m.logPanel(w, body)
		}
		lines = append(lines, canvas...)
	}
	lines = append(lines, m.statusLine(), m.helpLine())
	lines = listview.Pad(lines[:min(len(lines), h)], w, h)
	switch {
	case m.dialog != nil:
		lines = overlay(lines, m.dialogBox(), w, h)
	case m.showHelp:
		lines = overlay(lines, m.helpBox(), w, h)
	case m.details != nil:
		lines = overlay(lines, m.detailsBox(), w, h)
	}
	return strings.Join(lines, "\n")
}

// drawPane puts a pane's title and body into the canvas, with a separator
// column on its right when another pane follows on the same lines.
func (m *Model) drawPane(canvas []string, r rect) {
	y0 := r.y - headerLines
	if r.h <= 0 || y0 < 0 || y0 >= len(canvas) {
		return
	}
	var title, body string
	switch {
	case r.f >= 0:
		g := m.graphs[r.f]
		title = m.graphTitle(r.f, r.w-2)
		body = g.View()
	case r.f == focusPending:
		title = fmt.Sprintf("pending promotions (%d)", len(m.pend.Items()))
		body = m.pend.View()
	case r.f == focusEnvs:
		title = "environments · blue/green"
		body = m.envs.View()
	case r.f == focusProp:
		title = fmt.Sprintf("propagation of fixes · last %d cycles", fixCycles)
		body = m.prop.View()
	}
	if m.focus == r.f && m.filterText != "" {
		title += "  /" + m.filterText
	}
	st := m.st.Title
	if m.focus == r.f {
		st = m.st.TitleActive
	}
	marker := "  "
	if m.focus == r.f {
		marker = "▌ "
	}
	rows := append([]string{st.Render(graph.Fit(marker+title, r.w))}, splitExact(body, r.w, r.h-1)...)
	for i, row := range rows {
		y := y0 + i
		if y >= len(canvas) {
			break
		}
		canvas[y] = splice(canvas[y], row, r.x, r.w)
		if r.x+r.w < m.width && r.x+r.w+1 <= m.width {
			canvas[y] = splice(canvas[y], m.st.Muted.Render("│"), r.x+r.w, 1)
		}
	}
}

// graphTitle names the track with its drift both ways (by patch-id) and
// its size, shorter when the full title is wider than w.
func (m *Model) graphTitle(i focus, w int) string {
	g := m.graphs[i]
	t := g.Track
	for _, tr := range m.flow {
		if tr.Name == g.Track && tr.Branch != tr.Name {
			t += " (" + model.InertLine(tr.Branch) + ")"
		}
	}
	full, short, tiny := t, t, t
	if m.status != nil {
		for _, p := range m.status.Pairs {
			if p.To == g.Track {
				full += fmt.Sprintf(" · %d waiting from %s", p.Pending, p.From)
				short += fmt.Sprintf(" · %d waiting", p.Pending)
				tiny += fmt.Sprintf(" · %d waiting", p.Pending)
				var more []string
				if p.OnlyInTo > 0 {
					more = append(more, fmt.Sprintf("%d only here", p.OnlyInTo))
				}
				if p.Carried > 0 {
					more = append(more, fmt.Sprintf("%d carried", p.Carried))
				}
				for _, x := range more {
					full += ", " + x
					short += ", " + x
				}
			}
		}
	}
	loading := ""
	if g.Loading() {
		loading = "…"
	}
	n := fmt.Sprintf(" · %d commits", g.Len()) + loading
	for _, t := range []string{full + n, short + n, short + fmt.Sprintf(" · %d", g.Len()) + loading} {
		if ansi.StringWidth(t) <= w {
			return t
		}
	}
	return tiny + fmt.Sprintf(" · %d", g.Len()) + loading
}

// reposLabels names the source and bin repos, longest first, for the
// header to take the first that fits.
func (m *Model) reposLabels() []string {
	src, bin := model.InertLine(m.srcPath), model.InertLine(m.binPath)
	if bin == "" {
		return []string{"source " + shortPath(src, 0), "source " + shortPath(src, 40), "source " + filepath.Base(src), ""}
	}
	return []string{
		"source " + shortPath(src, 0) + " · bin " + shortPath(bin, 0),
		"source " + shortPath(src, 28) + " · bin " + shortPath(bin, 28),
		"source " + filepath.Base(src) + " · bin " + filepath.Base(bin),
		"",
	}
}

// shortPath writes the home folder as ~ and, when the path is longer than
// limit (0: no limit), keeps its last two elements after "…".
func shortPath(p string, limit int) string {
	if home, err := os.UserHomeDir(); err == nil && home != "" && home != "/" {
		if p == home {
			p = "~"
		} else if rest, ok := strings.CutPrefix(p, home+string(filepath.Separator)); ok {
			p = "~" + string(filepath.Separator) + rest
		}
	}
	if limit <= 0 || len([]rune(p)) <= limit {
		return p
	}
	parts := strings.Split(p, string(filepath.Separator))
	if len(parts) <= 3 {
		return p
	}
	head := ""
	if strings.HasPrefix(p, "~") {
		head = "~" + string(filepath.Separator)
	} else if filepath.IsAbs(p) {
		head = string(filepath.Separator)
	}
	return head + "…" + string(filepath.Separator) + strings.Join(parts[len(parts)-2:], string(filepath.Separator))
}

// headerLines: title with the screens, then the next train and alerts.
func (m *Model) headerLines() []string {
	w := m.width
	var tb strings.Builder
	for _, t := range m.tabs() {
		if t.s == m.screen {
			tb.WriteString(m.st.TabActive.Render(t.label))
		} else {
			tb.WriteString(m.st.Tab.Render(t.label))
		}
	}
	tabsS := tb.String()
	tracks := m.st.Ref.Render(model.InertLine(m.flow.Names()))
	// The repos as wide as there is room for: paths, then folder names,
	// then nothing (the screens matter more).
	var line1 string
	for _, repos := range m.reposLabels() {
		left := m.st.Header.Render("Switchyard") + "  "
		if repos != "" {
			left += m.st.Muted.Render(repos+" · tracks ") + tracks
		} else {
			left += tracks
		}
		gap := w - ansi.StringWidth(left) - ansi.StringWidth(tabsS)
		line1 = left + strings.Repeat(" ", max(gap, 1)) + tabsS
		if gap >= 1 {
			break
		}
	}
	return []string{graph.Fit(line1, w), graph.Fit(m.trainLine(w), w)}
}

type tab struct {
	s     screen
	label string
}

// tabs are the screens named at the header's right.
func (m *Model) tabs() []tab {
	var ts []tab
	for _, t := range []struct {
		s screen
		k key.Binding
	}{{screenCockpit, m.keys.Cockpit}, {screenResolver, m.keys.Resolver}, {screenRollouts, m.keys.Rollouts}, {screenJournal, m.keys.Journal}} {
		label := t.k.Help().Key + " " + t.k.Help().Desc
		if t.s == screenResolver && m.sess != nil {
			label += "!"
		}
		ts = append(ts, tab{t.s, label})
	}
	return ts
}

// tabAt is the screen whose tab is drawn at column x of the first line.
func (m *Model) tabAt(x int) (screen, bool) {
	ts := m.tabs()
	total := 0
	for _, t := range ts {
		total += ansi.StringWidth(t.label) + 2 // the tab's padding
	}
	x0 := m.width - total
	for _, t := range ts {
		w := ansi.StringWidth(t.label) + 2
		if x >= x0 && x < x0+w {
			return t.s, true
		}
		x0 += w
	}
	return 0, false
}

// trainLine says what the next train would bring, and the alerts; when
// that is wider than w, the trains are told shorter and the alerts come
// first, so no alert is cut off.
func (m *Model) trainLine(w int) string {
	parts, short := m.trainParts()
	alerts := m.alerts()
	join := func(parts []string, alertsFirst bool) string {
		out := strings.Join(parts, m.st.Muted.Render(" · "))
		if len(alerts) == 0 {
			return out
		}
		a := m.st.Alert.Render("⚠ " + strings.Join(alerts, " · "))
		if alertsFirst {
			return a + m.st.Muted.Render("  ·  ") + out
		}
		return out + m.st.Muted.Render("  ·  ") + a
	}
	for _, s := range []string{join(parts, false), join(short, false)} {
		if ansi.StringWidth(s) <= w {
			return s
		}
	}
	return join(short, true)
}

// trainParts tells each next train, in full and in short.
func (m *Model) trainParts() (parts, short []string) {
	switch {
	case m.status == nil && m.statusErr != "":
		parts = append(parts, m.st.Error.Render("no status: "+m.statusErr))
	case m.status == nil:
		parts = append(parts, m.st.Muted.Render("loading…"))
	default:
		for _, t := range m.status.Trains {
			var s string
			switch {
			case t.Target == "":
				s = fmt.Sprintf("next train %s ← %s: nothing a cycle old yet", t.Track, t.Upstream)
			case t.UpToDate:
				s = fmt.Sprintf("next train %s ← %s: up to date", t.Track, t.Upstream)
			default:
				how := "fast-forward"
				if t.Diverged {
					how = "rebase (diverged)"
				}
				s = fmt.Sprintf("next train %s ← %s: %d commit(s)", t.Track, t.Upstream, len(t.Brings))
				if n := len(t.Bugfixes); n > 0 {
					s += fmt.Sprintf(" incl. %d bugfix", n)
				}
				s += fmt.Sprintf(", %s to %s", how, model.ShortID(t.Target))
			}
			parts = append(parts, m.st.Normal.Render(s))
			short = append(short, m.st.Normal.Render(shortTrain(t)))
		}
	}
	if short == nil {
		short = parts
	}
	return parts, short
}

func shortTrain(t model.TrainCandidate) string {
	switch {
	case t.Target == "":
		return fmt.Sprintf("train %s: nothing yet", t.Track)
	case t.UpToDate:
		return fmt.Sprintf("train %s: up to date", t.Track)
	case t.Diverged:
		return fmt.Sprintf("train %s: %d, rebase", t.Track, len(t.Brings))
	}
	return fmt.Sprintf("train %s: %d, fast-forward", t.Track, len(t.Brings))
}

// alerts are what needs a person, for the header.
func (m *Model) alerts() []string {
	var alerts []string
	if m.sess != nil {
		alerts = append(alerts, fmt.Sprintf("%s to %s stopped on conflicts", m.sess.Op, m.sess.Track))
	}
	hot := 0
	for _, it := range m.pend.Items() {
		if it.Commit.Kind == model.Hotfix && !it.Back {
			hot++
		}
	}
	if hot > 0 {
		alerts = append(alerts, fmt.Sprintf("%d hotfix(es) not yet carried", hot))
	}
	alerts = append(alerts, m.envAlerts...)
	// What runs is not what the track holds: the hotfix base differs
	// from production until a build of the head goes live.
	if m.status != nil {
		for _, h := range m.status.Heads {
			if b, ok := m.live[h.Track]; ok && b.Source != "" && b.Source != h.Head.ID && h.Track == m.flow[len(m.flow)-1].Name {
				alerts = append(alerts, fmt.Sprintf("%s runs %s (%s), not its head %s", h.Track, b.Folder(), model.ShortID(b.Source), h.Head.Short()))
			}
		}
	}
	return alerts
}

func (m *Model) statusLine() string {
	w := m.width
	var s string
	st := m.st.Status
	switch {
	case m.filtering:
		s = "/" + m.filterText + "▏  enter keep · esc clear"
		st = m.st.StatusInfo
	case m.note != "":
		s = m.note
		if m.noteErr {
			st = m.st.StatusError
		} else if m.busy != "" {
			st = m.st.StatusWarn
		} else {
			st = m.st.StatusOK
		}
	default:
		s = "ready"
	}
	return st.Render(graph.Fit(" "+s, w))
}

func (m *Model) helpLine() string {
	h := help.New()
	h.Styles = m.st.Help
	h.SetWidth(m.width)
	return graph.Fit(h.ShortHelpView(m.shortHelp()), m.width)
}

func (m *Model) shortHelp() []key.Binding {
	k := m.keys
	switch m.screen {
	case screenResolver:
		return append([]key.Binding{k.Help, k.Cockpit}, m.res.ShortHelp()...)
	case screenRollouts:
		return append([]key.Binding{k.Help, k.Cockpit}, m.rolls.ShortHelp()...)
	case screenJournal:
		return append([]key.Binding{k.Help, k.Cockpit}, m.jour.ShortHelp()...)
	}
	if m.showLog && m.build != nil {
		closeLog := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "hide the log"))
		if m.build.done {
			closeLog.SetHelp("esc", "close the log")
		}
		follow := k.Bottom
		follow.SetHelp(k.Bottom.Help().Key, "follow")
		return []key.Binding{k.Help, k.Up, k.Down, k.PageDown, follow, closeLog}
	}
	// The short line names the release key shorter than the help does.
	rel := k.Release
	rel.SetHelp(k.Release.Help().Key, "build track")
	return []key.Binding{k.Help, k.Quit, k.NextPane, k.Down, k.Carry, k.Train, rel, k.Propagation, k.Filter, k.Details}
}

// fullHelp lists every key of the current screen, grouped.
func (m *Model) fullHelp() [][]key.Binding {
	k := m.keys
	global := append(k.Global(), k.Refresh)
	// Panes are the cockpit's: the other screens have none to move between.
	screens := []key.Binding{k.Help, k.Quit, k.Cockpit, k.Resolver, k.Rollouts, k.Journal, k.Refresh}
	switch m.screen {
	case screenResolver:
		return append([][]key.Binding{screens}, m.res.FullHelp()...)
	case screenRollouts:
		return append([][]key.Binding{screens}, m.rolls.FullHelp()...)
	case screenJournal:
		return append([][]key.Binding{screens}, m.jour.FullHelp()...)
	}
	return [][]key.Binding{
		global,
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Filter, k.Details},
		{k.Carry, k.Train, k.Release, k.BuildLog, k.Propagation},
		{k.Confirm, k.Cancel},
	}
}

// helpBox lists the keys in groups, the groups side by side when they do
// not fit one under the other.
func (m *Model) helpBox() []string {
	// Each group's keys are padded to its widest key.
	var groups [][]string
	for _, g := range m.fullHelp() {
		kw := 0
		for _, b := range g {
			if b.Enabled() {
				kw = max(kw, ansi.StringWidth(b.Help().Key))
			}
		}
		var lines []string
		for _, b := range g {
			if !b.Enabled() {
				continue
			}
			lines = append(lines, m.st.Key.Render(graph.Fit(b.Help().Key, kw+1))+" "+m.st.KeyDesc.Render(b.Help().Desc))
		}
		if len(lines) > 0 {
			groups = append(groups, lines)
		}
	}
	var foot []string
	if m.screen == screenCockpit {
		foot = append(foot, m.st.Muted.Render("graph marks: ! fix not yet downstream · + waits for the train"),
			m.st.Muted.Render("             = carried, as another commit"))
	}
	foot = append(foot, m.st.Muted.Render("mouse: click selects, wheel scrolls · ? or esc closes"))
	room := max(m.height-2-m.st.Overlay.GetVerticalFrameSize()-2-len(foot)-1, 4)
	var body []string
	total := 0
	for _, g := range groups {
		total += len(g) + 1
	}
	if total-1 <= room {
		for i, g := range groups {
			if i > 0 {
				body = append(body, "")
			}
			body = append(body, g...)
		}
	} else {
		// Columns: each group goes where it fits under the room and widens
		// the box least; a group is never split.
		var cols [][]string
		width := func(ls []string) int {
			w := 0
			for _, l := range ls {
				w = max(w, ansi.StringWidth(l))
			}
			return w
		}
		for _, g := range groups {
			best, cost := -1, width(g)+2
			for i, c := range cols {
				if len(c)+1+len(g) > room {
					continue
				}
				if d := max(width(g)-width(c), 0); d < cost {
					best, cost = i, d
				}
			}
			if best < 0 {
				cols = append(cols, append([]string(nil), g...))
				continue
			}
			cols[best] = append(append(cols[best], ""), g...)
		}
		for i := range cols {
			wd := 0
			for _, l := range cols[i] {
				wd = max(wd, ansi.StringWidth(l))
			}
			for j, l := range cols[i] {
				cols[i][j] = l + strings.Repeat(" ", wd-ansi.StringWidth(l))
			}
		}
		for y := 0; ; y++ {
			var row []string
			any := false
			for _, c := range cols {
				if y < len(c) {
					row = append(row, c[y])
					any = true
				} else if len(c) > 0 {
					row = append(row, strings.Repeat(" ", ansi.StringWidth(c[0])))
				}
			}
			if !any {
				break
			}
			body = append(body, strings.Join(row, "  "))
		}
	}
	lines := []string{m.st.DialogTitle.Render("Keys · " + []string{"cockpit", "resolver", "rollouts", "journal"}[m.screen]), ""}
	lines = append(lines, body...)
	lines = append(append(lines, ""), foot...)
	return m.box(lines, m.st.Overlay)
}

func (m *Model) dialogBox() []string {
	lines := []string{m.st.DialogTitle.Render(m.dialog.title), ""}
	lines = append(lines, m.dialog.lines...)
	lines = append(lines, "", m.st.Key.Render("y/enter")+" "+m.st.KeyDesc.Render("confirm")+"   "+m.st.Key.Render("n/esc")+" "+m.st.KeyDesc.Render("cancel"))
	return m.box(lines, m.st.Dialog)
}

func (m *Model) detailsBox() []string {
	lines := []string{m.st.DialogTitle.Render(m.details.title), ""}
	lines = append(lines, m.details.lines...)
	lines = append(lines, "", m.st.Muted.Render("enter or esc closes"))
	return m.box(lines, m.st.Overlay)
}

// box frames lines no wider than the screen allows.
func (m *Model) box(lines []string, st lipgloss.Style) []string {
	maxW := max(m.width-4-st.GetHorizontalFrameSize()+2, 10)
	inner := 0
	for _, l := range lines {
		inner = max(inner, ansi.StringWidth(l))
	}
	inner = min(inner, maxW)
	maxH := max(m.height-2-st.GetVerticalFrameSize(), 1)
	if len(lines) > maxH {
		lines = append(lines[:maxH-1], m.st.Muted.Render("…"))
	}
	for i, l := range lines {
		lines[i] = graph.Fit(l, inner)
	}
	return strings.Split(st.Render(strings.Join(lines, "\n")), "\n")
}

// overlay centres box over lines.
func overlay(lines, box []string, w, h int) []string {
	bw := 0
	for _, b := range box {
		bw = max(bw, ansi.StringWidth(b))
	}
	bw = min(bw, w)
	y0 := max((h-len(box))/2, 0)
	x0 := max((w-bw)/2, 0)
	for i, b := range box {
		if y0+i >= len(lines) {
			break
		}
		lines[y0+i] = splice(lines[y0+i], b, x0, bw)
	}
	return lines
}

// splice replaces cells [x, x+n) of line with s (cut or padded to n).
func splice(line, s string, x, n int) string {
	lw := ansi.StringWidth(line)
	if x >= lw {
		return line
	}
	n = min(n, lw-x)
	left := ansi.Truncate(line, x, "")
	right := ansi.TruncateLeft(line, x+n, "")
	return left + "\x1b[m" + graph.Fit(s, n) + "\x1b[m" + right
}

// splitExact cuts s into exactly h lines of exactly w cells.
func splitExact(s string, w, h int) []string {
	if h <= 0 {
		return nil
	}
	in := strings.Split(s, "\n")
	out := make([]string, h)
	for i := range out {
		if i < len(in) {
			out[i] = graph.Fit(in[i], w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return out
}

// click selects what is under the mouse: a pane (focus) and its row.
func (m *Model) click(ms tea.Mouse) tea.Cmd {
	if m.dialog != nil || m.showHelp || m.details != nil || m.screen == screenCockpit && m.showLog && m.build != nil {
		return nil
	}
	if ms.Y == 0 && ms.Button == tea.MouseLeft {
		if s, ok := m.tabAt(ms.X); ok {
			return m.show(s)
		}
		return nil
	}
	if m.screen != screenCockpit {
		ms.Y -= headerLines // the screens draw below the header
		return m.forward(tea.MouseClickMsg(ms))
	}
	if ms.Button != tea.MouseLeft {
		return nil
	}
	for _, r := range m.layout() {
		if !r.has(ms.X, ms.Y) {
			continue
		}
		if m.focus != r.f {
			m.setFocus(r.f)
		}
		y := ms.Y - r.y - 1 // below the title
		switch {
		case r.f >= 0:
			m.graphs[r.f].ClickLine(y)
			m.linkSelection()
			return m.morePages()
		case r.f == focusPending:
			m.pend.ClickLine(y)
		case r.f == focusEnvs:
			m.envs.ClickLine(y)
		case r.f == focusProp:
			m.prop.ClickLine(y)
		}
		return nil
	}
	return nil
}

// wheel scrolls the pane under the mouse.
func (m *Model) wheel(ms tea.Mouse) tea.Cmd {
	if m.dialog != nil || m.showHelp || m.details != nil {
		return nil
	}
	if m.screen != screenCockpit {
		ms.Y -= headerLines
		return m.forward(tea.MouseWheelMsg(ms))
	}
	d := 0
	switch ms.Button {
	case tea.MouseWheelUp:
		d = -3
	case tea.MouseWheelDown:
		d = 3
	default:
		return nil
	}
	if m.showLog && m.build != nil {
		m.scrollLog(d)
		return nil
	}
	for _, r := range m.layout() {
		if !r.has(ms.X, ms.Y) {
			continue
		}
		switch {
		case r.f >= 0:
			m.graphs[r.f].Scroll(d)
			if m.focus == r.f {
				m.linkSelection()
			}
			return m.morePages()
		case r.f == focusPending:
			m.pend.Move(d / 3)
		case r.f == focusEnvs:
			m.envs.Move(d / 3)
		case r.f == focusProp:
			m.prop.Move(d)
		}
	}
	return nil
}
