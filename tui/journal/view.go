package journal

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/model"
)

// detailRows is how many lines the details panel takes.
func (m *Model) detailRows() int {
	if !m.details {
		return 0
	}
	return min(len(m.detailLines())+1, max(3, m.height/2))
}

// listRows is how many entries fit.
func (m *Model) listRows() int {
	return max(1, m.height-3-m.detailRows()) // title, column heads, bottom line
}

// View renders the screen; it does no I/O and calls no engine.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var out []string
	title := m.st.TitleActive.Render("Journal")
	switch {
	case !m.loaded:
		out = []string{title, m.st.Muted.Render("Reading the journal…")}
	case m.err != nil && len(m.rows) == 0:
		out = []string{title, m.st.Error.Render("error: " + model.InertLine(m.err.Error()))}
	case len(m.rows) == 0:
		out = []string{title, "", m.st.Normal.Render("The journal is empty."),
			m.st.Muted.Render("Every carry, train, build and rollout step is recorded here as it happens.")}
	default:
		out = m.viewRows(title)
	}
	for len(out) < m.height-1 {
		out = append(out, "")
	}
	out = append(out, m.bottom())
	if len(out) > m.height {
		out = out[len(out)-m.height:]
	}
	for i, l := range out {
		out[i] = ansi.Truncate(l, m.width, "…")
	}
	return strings.Join(out, "\n")
}

type cols struct{ when, who, what, where int }

func (m *Model) cols() cols {
	c := cols{when: 19, who: 5, what: 6, where: 5}
	for _, r := range m.rows {
		c.who = max(c.who, ansi.StringWidth(r.actor))
		c.what = max(c.what, ansi.StringWidth(r.what))
		c.where = max(c.where, ansi.StringWidth(r.scope))
	}
	c.who, c.what, c.where = min(c.who, 16), min(c.what, 22), min(c.where, 24)
	if m.width < 120 {
		c.when = 14 // drop the year
		c.who, c.where = min(c.who, 10), min(c.where, 16)
	}
	return c
}

func (m *Model) viewRows(title string) []string {
	head := title + m.st.Muted.Render(fmt.Sprintf(" · %d entries, newest first", len(m.rows)))
	if len(m.rows) >= maxEntries {
		head += m.st.Warn.Render(fmt.Sprintf(" (the newest %d; switchyard journal prints them all)", maxEntries))
	}
	if m.filter != "" {
		head += m.st.Match.Render(fmt.Sprintf(" · %d match %q", len(m.shown), model.InertLine(m.filter)))
	}
	c := m.cols()
	out := []string{head, m.st.Muted.Render("  " + fit("WHEN", c.when) + "  " + fit("WHO", c.who) + "  " + fit("WHAT", c.what) + "  " + fit("WHERE", c.where) + "  MESSAGE")}
	if len(m.shown) == 0 {
		out = append(out, m.st.Muted.Render("  no entry matches the filter (esc clears it)"))
	}
	rows := m.listRows()
	for i := m.top; i < min(len(m.shown), m.top+rows); i++ {
		r := &m.rows[m.shown[i]]
		when := r.when
		if c.when < len(when) {
			when = when[len(when)-c.when:]
		}
		if i == m.sel {
			line := "▸ " + fit(when, c.when) + "  " + fit(r.actor, c.who) + "  " + fit(r.what, c.what) + "  " + fit(r.scope, c.where) + "  " + r.message
			out = append(out, m.st.Selected.Render(ansi.Truncate(line, m.width, "…")))
			continue
		}
		what := m.st.Normal
		switch r.e.Action {
		case "failed", "aborted", "refused":
			what = m.st.Error
		case "succeeded", "done", "committed", "applied":
			what = m.st.OK
		}
		out = append(out, "  "+m.st.Muted.Render(fit(when, c.when))+"  "+m.st.Bold.Render(fit(r.actor, c.who))+"  "+
			what.Render(fit(r.what, c.what))+"  "+m.st.Ref.Render(fit(r.scope, c.where))+"  "+m.st.Normal.Render(r.message))
	}
	if m.details {
		for len(out) < 2+rows {
			out = append(out, "")
		}
		out = append(out, m.st.Title.Render("Entry")+m.st.Muted.Render(" · enter or esc closes"))
		lines := m.detailLines()
		for _, l := range lines[:min(len(lines), m.detailRows()-1)] {
			out = append(out, "  "+m.st.Normal.Render(l))
		}
	}
	return out
}

func (m *Model) bottom() string {
	switch {
	case m.filtering:
		return m.st.Key.Render("/") + " " + m.st.Normal.Render(model.InertLine(m.filter)) + "█" +
			m.st.Muted.Render("  (kind:pick env:production actor:ada …; enter keeps, esc clears)")
	case m.err != nil:
		return m.st.Error.Render("error: " + model.InertLine(m.err.Error()))
	}
	return ""
}

// fit cuts or pads s to exactly w columns.
func fit(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}
