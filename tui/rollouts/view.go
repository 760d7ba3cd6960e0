package rollouts

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/engine/rollout"
	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/graph"
)

// View renders the screen; it does no I/O and calls no engine.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var out []string
	switch {
	case !m.loaded:
		out = []string{m.st.TitleActive.Render("Rollouts"), m.st.Muted.Render("Reading the environments…")}
	case len(m.envs) == 0:
		out = []string{m.st.TitleActive.Render("Rollouts"), "",
			m.st.Normal.Render("No environments are configured."),
			m.st.Muted.Render("Add [[deploy.environment]] tables to switchyard.toml (see the example in the README).")}
		if err := m.firstErr(); err != nil {
			out = append(out, "", m.st.Error.Render("error: "+model.InertLine(err.Error())))
		}
	default:
		out = m.viewEnvs()
	}
	return graph.Clip(out, m.width, m.height)
}

func (m *Model) viewEnvs() []string {
	out := []string{m.st.TitleActive.Render("Rollouts") + m.st.Muted.Render(fmt.Sprintf(" · %d environments · desired against actual", len(m.envs)))}
	out = append(out, m.table()...)
	out = append(out, "")
	detail := m.detail()
	bottom := m.bottom()
	room := m.height - len(out) - len(bottom)
	if m.logGate > 0 {
		// The log takes what the detail leaves, at least half the room.
		keep := min(len(detail), max(3, room/2))
		out = append(out, detail[:keep]...)
		out = append(out, m.logPanel(room-keep)...)
	} else {
		out = append(out, detail[:min(len(detail), max(0, room))]...)
	}
	for len(out) < m.height-len(bottom) {
		out = append(out, "")
	}
	return append(out, bottom...)
}

// columns are the widths of the environment table.
type columns struct{ name, track, slot int }

func (m *Model) columns() columns {
	c := columns{name: 11, track: 5, slot: 17}
	for _, e := range m.envs {
		c.name = max(c.name, min(18, ansi.StringWidth(model.InertLine(e.Name))))
		c.track = max(c.track, min(10, ansi.StringWidth(model.InertLine(e.Track))))
	}
	if m.width < 100 {
		c.name, c.track, c.slot = min(c.name, 12), min(c.track, 6), 15
	}
	return c
}

func (m *Model) table() []string {
	c := m.columns()
	head := "  " + fit("ENVIRONMENT", c.name) + " " + fit("TRACK", c.track) + " " + fit("BLUE", c.slot) + " " + fit("GREEN", c.slot) + " ROLLOUT"
	out := []string{m.st.Muted.Render(head)}
	for i := range m.envs {
		e := &m.envs[i]
		st := m.statuses[e.Name]
		name := fit(model.InertLine(e.Name), c.name)
		track := fit(model.InertLine(e.Track), c.track)
		if i == m.sel {
			plain := "▸ " + name + " " + track + " " + fit(m.slotText(e.Blue), c.slot) + " " + fit(m.slotText(e.Green), c.slot) + " " + ansi.Strip(m.summary(st))
			out = append(out, m.st.Selected.Render(ansi.Truncate(plain, m.width, "…")))
			continue
		}
		row := "  " + m.st.Bold.Render(name) + " " + m.st.Muted.Render(track) + " " +
			fit(m.slotCell(e.Blue), c.slot) + " " + fit(m.slotCell(e.Green), c.slot) + " " + m.summary(st)
		out = append(out, row)
	}
	return out
}

func healthGlyph(h model.Health) string {
	switch h {
	case model.HealthHealthy:
		return "✓"
	case model.HealthDegraded:
		return "~"
	case model.HealthUnhealthy:
		return "✗"
	}
	return "?"
}

// slotText is a slot as plain text: health, build, state, actual weight.
func (m *Model) slotText(s model.Slot) string {
	if s.Build == 0 && s.State == model.SlotEmpty {
		return "  empty"
	}
	return fmt.Sprintf("%s #%d %s %d%%", healthGlyph(s.Health), s.Build, s.State, s.Weight)
}

func (m *Model) slotCell(s model.Slot) string {
	if s.Build == 0 && s.State == model.SlotEmpty {
		return m.st.Muted.Render("  empty")
	}
	hs := m.st.Health(s.Health)
	state := m.st.Normal
	switch s.State {
	case model.SlotLive:
		state = m.st.Slot(s.Color)
	case model.SlotStopped, model.SlotRetired:
		state = m.st.Muted
	}
	return hs.Render(healthGlyph(s.Health)) + " " + m.st.Normal.Render(fmt.Sprintf("#%d", s.Build)) + " " +
		state.Render(string(s.State)) + " " + m.st.Normal.Render(fmt.Sprintf("%d%%", s.Weight))
}

// stateWord is the rollout state as the screen names it; terminal states
// are shouted so that an ended rollout never looks in progress.
func (m *Model) stateWord(st *rollout.Status) string {
	switch st.State {
	case model.RolloutAborted:
		return m.st.Error.Render("ABORTED")
	case model.RolloutFailed:
		return m.st.Error.Render("FAILED")
	case model.RolloutDone:
		return m.st.OK.Render("DONE")
	case model.RolloutPaused:
		return m.st.Warn.Render("paused")
	case model.RolloutWave:
		return m.st.Warn.Render("rolling")
	}
	return m.st.Warn.Render(string(st.State))
}

// actualText is the weight the driver reports, or that it cannot tell.
func actualText(st *rollout.Status) string {
	if !st.ActualKnown {
		return "unknown"
	}
	return fmt.Sprintf("%d%%", st.Actual)
}

// summary is the rollout column of the table.
func (m *Model) summary(st *rollout.Status) string {
	if st == nil {
		return m.st.Muted.Render("no rollout yet")
	}
	word := m.stateWord(st)
	b := fmt.Sprintf(" #%d", st.Build)
	if st.State.Terminal() {
		return word + m.st.Muted.Render(b)
	}
	// Desired against actual first: on a narrow screen it is what must
	// not be cut off.
	s := word + m.st.Normal.Render(b) + m.weights(st)
	if w := st.CurrentWave(); w != nil {
		s += m.st.Normal.Render(fmt.Sprintf(" · wave %d/%d", st.Wave+1, len(st.Waves)))
	}
	if st.Waiting != "" {
		s += m.st.Warn.Render(" · " + st.Waiting)
	}
	return s
}

// weights is " · 10% / actual 10%", flagged when they differ.
func (m *Model) weights(st *rollout.Status) string {
	s := fmt.Sprintf(" · want %d%% got %s", st.Desired, actualText(st))
	if st.ActualKnown && st.Actual != st.Desired {
		return m.st.Warn.Render(s + " ⚠")
	}
	return m.st.Muted.Render(s)
}

const labelWidth = 10

func (m *Model) label(l string) string { return m.st.Title.Render(fit(l, labelWidth)) }

// detail is the selected environment's rollout in full.
func (m *Model) detail() []string {
	e := m.selected()
	if e == nil {
		return nil
	}
	st := m.statuses[e.Name]
	name := m.st.TitleActive.Render(model.InertLine(e.Name)) + m.st.Muted.Render(" · track "+model.InertLine(e.Track))
	if st == nil {
		live, slot := liveBuild(e)
		return []string{name,
			m.label("State") + m.st.Muted.Render(fmt.Sprintf("no rollout recorded; %s serves build %s", slot, buildText(live))),
			m.label("Builds") + m.buildsLine(e),
		}
	}
	head := name + m.st.Normal.Render(fmt.Sprintf(" · build %d over %s · %s → %s", st.Build, buildText(st.From), st.Live, st.Target))
	if !st.Started.IsZero() {
		head += m.st.Muted.Render(" · started " + st.Started.Local().Format("Jan 2 15:04:05"))
	}
	out := []string{head}
	out = append(out, m.label("State")+m.stateLine(st))
	if st.State.Terminal() {
		out = append(out, m.label("Builds")+m.buildsLine(e))
	}
	out = append(out, m.label("Traffic")+m.trafficLine(e, st))
	if l := m.nodesLine(st); l != "" {
		out = append(out, m.label("Nodes")+l)
	}
	out = append(out, m.label("Waves")+m.wavesLine(st))
	if len(st.Warmup) > 0 {
		out = append(out, m.label("Warm-up")+m.resultsLine(st.Warmup))
	}
	if cw := st.CurrentWave(); cw != nil && len(cw.Measurements) > 0 && !st.State.Terminal() {
		out = append(out, m.label("Analysis")+m.analysisLine(st, cw))
	}
	for i, g := range st.Gates {
		l := ""
		if i == 0 {
			l = "Gates"
		}
		out = append(out, m.label(l)+m.gateLine(i, g))
	}
	if len(st.Gates) == 0 && !st.State.Terminal() {
		out = append(out, m.label("Gates")+m.st.Muted.Render("none run yet"))
	}
	if st.Override != nil {
		o := st.Override
		out = append(out, m.label("Override")+m.st.Warn.Render(fmt.Sprintf("backwards over live build %d, confirmed by %s typing %q", o.Live, model.InertLine(o.By), model.InertLine(o.Confirm))))
	}
	if st.Reason != "" {
		out = append(out, m.label("Reason")+m.st.Normal.Render(model.InertLine(st.Reason)))
	}
	if n := len(st.History); n > 0 {
		out = append(out, m.label("History")+m.st.Muted.Render("newest first"))
		for i := n - 1; i >= 0; i-- {
			out = append(out, m.label("")+m.transition(st.History[i]))
		}
	}
	return out
}

// buildsLine offers the newest build of the track.
func (m *Model) buildsLine(e *model.Environment) string {
	b, ok := m.newest[e.Track]
	if !ok {
		return m.st.Muted.Render("d deploys a build")
	}
	s := m.st.Normal.Render(fmt.Sprintf("newest of %s: #%d", model.InertLine(e.Track), b.Number))
	if !b.Time.IsZero() {
		s += m.st.Muted.Render(" built " + b.Time.Local().Format("Jan 2 15:04"))
	}
	if live, _ := liveBuild(e); b.Number > live {
		return s + m.st.Warn.Render(" · not deployed here: d deploys it")
	}
	return s + m.st.Muted.Render(" · deployed")
}

func (m *Model) stateLine(st *rollout.Status) string {
	word := m.stateWord(st)
	var rest string
	switch st.State {
	case model.RolloutAborted:
		rest = fmt.Sprintf(" — %s (build %s) serves; %s (build %d) stopped", st.Live, buildText(st.From), st.Target, st.Build)
	case model.RolloutFailed:
		rest = fmt.Sprintf(" — traffic may not be all back on %s (build %s): x aborts again", st.Live, buildText(st.From))
	case model.RolloutDone:
		rest = fmt.Sprintf(" — build %d live on %s", st.Build, st.Target)
	case model.RolloutPaused:
		switch st.Waiting {
		case rollout.WaitApproval:
			rest = fmt.Sprintf(" — wave %d (%d%%) awaits approval: y approves, x aborts", st.Wave+1, waveWeight(st, st.Wave))
		case rollout.WaitInconclusive:
			rest = fmt.Sprintf(" — wave %d's analysis was inconclusive: > promotes, x aborts", st.Wave+1)
		case rollout.WaitDrift:
			rest = " — the traffic in force differs from the record: > accepts and resumes, x aborts"
		default:
			rest = " — waiting for " + model.InertLine(st.Waiting)
		}
	case model.RolloutWave:
		rest = fmt.Sprintf(" — wave %d of %d (%d%%) being analysed; > ends it early", st.Wave+1, len(st.Waves), waveWeight(st, st.Wave))
	}
	s := word + m.st.Normal.Render(rest)
	if st.InFlight() && st.State != model.RolloutPaused && !st.Running {
		s += m.st.Warn.Render(" · no controller is driving it")
	}
	return s
}

func waveWeight(st *rollout.Status, i int) int {
	if i >= 0 && i < len(st.Waves) {
		return st.Waves[i].Weight
	}
	return 0
}

func (m *Model) trafficLine(e *model.Environment, st *rollout.Status) string {
	target := st.Target
	if target == "" {
		target = model.Green
	}
	s := m.st.Slot(target).Render(string(target)) + m.st.Normal.Render(fmt.Sprintf(": desired %d%% · actual %s", st.Desired, actualText(st)))
	if st.ActualKnown && st.Actual != st.Desired {
		s += m.st.Warn.Render(fmt.Sprintf(" ⚠ the driver reports %d%%, not %d%%", st.Actual, st.Desired))
	}
	blue, green := e.Blue.Weight, e.Green.Weight
	s += m.st.Muted.Render(fmt.Sprintf(" · now blue %d%% green %d%%", blue, green))
	return s
}

// nodesLine is the share of nodes meant to run the build against the
// share that reports running it.
func (m *Model) nodesLine(st *rollout.Status) string {
	f := st.Fleet
	if f == nil || f.Nodes == 0 {
		return ""
	}
	meant := f.Nodes * st.Desired / 100
	on := f.On(st.Build)
	s := m.st.Normal.Render(fmt.Sprintf("build %d: meant %d%% (%d of %d) · reporting %s (%d of %d)",
		st.Build, st.Desired, meant, f.Nodes, pct(on, f.Nodes), on, f.Nodes))
	if on != meant {
		s += m.st.Warn.Render(" ⚠")
	}
	if from := f.On(st.From); st.From > 0 && st.From != st.Build {
		s += m.st.Muted.Render(fmt.Sprintf(" · on %d: %d", st.From, from))
	}
	return s
}

func pct(n, of int) string {
	if of == 0 {
		return "0%"
	}
	v := float64(n) * 100 / float64(of)
	if v == float64(int(v)) {
		return fmt.Sprintf("%d%%", int(v))
	}
	return fmt.Sprintf("%.1f%%", v)
}

func (m *Model) wavesLine(st *rollout.Status) string {
	if len(st.Waves) == 0 {
		return m.st.Muted.Render("none")
	}
	var parts []string
	for i, w := range st.Waves {
		glyph, style := "◌", m.st.Muted
		extra := ""
		pass, fail, inc := w.Tally()
		switch {
		case w.Verdict == "pass" || w.Verdict == "promoted":
			glyph, style = "✓", m.st.OK
			extra = " " + w.Verdict
		case w.Verdict == "fail":
			glyph, style = "✗", m.st.Error
			extra = fmt.Sprintf(" fail %d/%d", fail, len(w.Measurements))
		case w.Verdict == "inconclusive":
			glyph, style = "?", m.st.Warn
			extra = " inconclusive"
		case i == st.Wave && st.State == model.RolloutAborted:
			glyph, style = "✗", m.st.Error
			extra = " aborted"
		case i == st.Wave && st.Waiting == rollout.WaitApproval && !w.Applied:
			glyph, style = "◌", m.st.Warn
			extra = " awaits approval"
		case i == st.Wave && !st.State.Terminal():
			glyph, style = "●", m.st.Warn
			extra = fmt.Sprintf(" %d/%d pass", pass, w.Count)
			if inc > 0 {
				extra += fmt.Sprintf(" %d?", inc)
			}
		}
		if w.Approval && w.Verdict == "" && !(i == st.Wave && st.Waiting == rollout.WaitApproval && !w.Applied) {
			if w.Approved {
				extra += " approved"
			} else {
				extra += " approval"
			}
		}
		parts = append(parts, style.Render(fmt.Sprintf("%s %d%%%s", glyph, w.Weight, extra)))
	}
	return strings.Join(parts, m.st.Muted.Render(" → "))
}

func (m *Model) analysisLine(st *rollout.Status, w *rollout.WaveStatus) string {
	pass, fail, inc := w.Tally()
	s := m.st.Normal.Render(fmt.Sprintf("wave %d: %d pass, %d fail (limit %d), %d inconclusive (limit %d) of %d",
		st.Wave+1, pass, fail, w.FailureLimit, inc, w.InconcLimit, w.Count))
	if last := w.Measurements[len(w.Measurements)-1]; last.Detail != "" {
		s += m.st.Muted.Render(" · last: " + model.InertLine(last.Detail))
	}
	return s
}

func (m *Model) resultsLine(rs []provider.Result) string {
	var pass, fail, inc int
	for _, r := range rs {
		switch r.Verdict {
		case provider.Pass:
			pass++
		case provider.Fail:
			fail++
		default:
			inc++
		}
	}
	style := m.st.OK
	if fail > 0 {
		style = m.st.Error
	} else if inc > 0 {
		style = m.st.Warn
	}
	s := style.Render(fmt.Sprintf("%d pass, %d fail, %d inconclusive", pass, fail, inc))
	if last := rs[len(rs)-1]; last.Detail != "" {
		s += m.st.Muted.Render(" · " + model.InertLine(last.Detail))
	}
	return s
}

func (m *Model) gateLine(i int, g rollout.GateResult) string {
	var glyph string
	var style lipgloss.Style
	switch g.State {
	case rollout.GatePassed:
		glyph, style = "✓", m.st.OK
	case rollout.GateFailed:
		glyph, style = "✗", m.st.Error
	case rollout.GateRunning:
		glyph, style = "●", m.st.Warn
	default:
		glyph, style = "◌", m.st.Muted
	}
	s := style.Render(glyph+" "+model.InertLine(g.Name)) + m.st.Normal.Render(" "+g.State)
	if g.State == rollout.GatePassed || g.State == rollout.GateFailed {
		s += m.st.Normal.Render(fmt.Sprintf(" exit %d", g.ExitCode))
	}
	if !g.Started.IsZero() && !g.Ended.IsZero() {
		s += m.st.Muted.Render(" " + g.Ended.Sub(g.Started).Round(100_000_000).String())
	}
	if g.Detail != "" {
		s += m.st.Normal.Render(" · " + model.InertLine(g.Detail))
	}
	if g.Log != "" {
		mark := m.st.Muted
		if m.logGate == i+1 {
			mark = m.st.TitleActive
		}
		s += mark.Render(" · log " + model.InertLine(g.Log))
	}
	return s
}

func (m *Model) transition(t rollout.Transition) string {
	s := m.st.Muted.Render(t.Time.Local().Format("15:04:05") + " ")
	if t.From != "" && t.From != t.To {
		s += m.st.Normal.Render(fmt.Sprintf("%s → %s ", t.From, t.To))
	} else {
		s += m.st.Normal.Render(string(t.To) + " ")
	}
	s += m.st.Normal.Render(model.InertLine(t.Text))
	if t.Actor != "" {
		s += m.st.Muted.Render(" (by " + model.InertLine(t.Actor) + ")")
	}
	return s
}

// logRows is how many lines of a gate log fit.
func (m *Model) logRows() int { return max(1, m.height/2-2) }

func (m *Model) logPanel(rows int) []string {
	if rows < 2 || m.log == nil {
		return nil
	}
	l := m.log
	title := m.st.TitleActive.Render("Gate log · "+model.InertLine(l.Gate)) + m.st.Muted.Render(" · "+model.InertLine(l.Path))
	switch {
	case l.Err != nil:
		return []string{title, m.st.Error.Render("  " + model.InertLine(l.Err.Error()))}
	case l.Lines == nil:
		return []string{title, m.st.Muted.Render("  reading…")}
	}
	body := rows - 1
	top := max(0, min(m.logTop, len(l.Lines)-body))
	title += m.st.Muted.Render(fmt.Sprintf(" · lines %d–%d of %d · enter: next log, esc closes", top+1, min(len(l.Lines), top+body), len(l.Lines)))
	out := []string{title}
	for i := top; i < min(len(l.Lines), top+body); i++ {
		out = append(out, "  "+m.st.Normal.Render(model.InertLine(l.Lines[i])))
	}
	return out
}

// bottom is the prompt (when typing) and the status line.
func (m *Model) bottom() []string {
	var out []string
	if p := m.prompt; p != nil {
		name := model.InertLine(p.env)
		if p.override {
			out = append(out, m.st.Error.Render(fmt.Sprintf("Build %d is not newer than the live build of %s: rollouts only go forward.", p.build, name)),
				m.st.Warn.Render("To override anyway (journaled), type the environment's name, then enter; esc cancels: ")+m.st.Bold.Render(model.InertLine(p.text))+"█")
		} else {
			out = append(out, m.st.Warn.Render(fmt.Sprintf("Deploy which build to %s? (enter confirms, esc cancels) build: ", name))+m.st.Bold.Render(p.text)+"█")
		}
	}
	var status string
	switch {
	case m.busy != "":
		status = m.st.Warn.Render("… " + model.InertLine(m.busy))
	case m.firstErr() != nil:
		status = m.st.Error.Render("error: " + model.InertLine(m.firstErr().Error()))
	case m.note != "" && m.noteWarn:
		status = m.st.Warn.Render(model.InertLine(m.note))
	case m.note != "":
		status = m.st.OK.Render(model.InertLine(m.note))
	}
	return append(out, status)
}

// firstErr is the error to show: an action's, else the last load's.
func (m *Model) firstErr() error {
	if m.err != nil {
		return m.err
	}
	return m.loadErr
}

// fit cuts or pads s to exactly w columns.
func fit(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}
