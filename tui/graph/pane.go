package graph

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/internal/listview"
	"github.com/switchyard/switchyard/tui/theme"
)

// Marks annotate a track's commits with what the other tracks know.
type Marks struct {
	// Refs are labels shown next to commits (track heads, builds).
	Refs map[string][]string
	// Missing are commits (hotfixes, bugfixes) not yet on the downstream
	// track.
	Missing map[string]bool
	// Waiting are regular commits waiting for the train downstream.
	Waiting map[string]bool
	// Counterpart links a carried commit to its copy on the neighbouring
	// track (either direction), by full id.
	Counterpart map[string]string
}

// MaxLanes caps the lane columns drawn; wider graphs are cut with "…".
const MaxLanes = 12

// maxReselect bounds how many commits a reload pages through to find the
// commit that was selected before it.
const maxReselect = 5000

// prefetch is how close to the last loaded commit the selection may come
// before the pane asks for the next page.
const prefetch = 100

// Pane is one track's graph: a virtualized, scrollable list of graph rows
// with a selected commit. It draws only the rows on screen and caches them.
type Pane struct {
	Track string
	st    theme.Styles
	keys  theme.KeyMap
	now   func() time.Time

	layout   Layout
	commits  []model.Commit
	index    map[string]int // commit id → index in commits
	rowOf    []int          // commit index → row
	more     bool           // more pages exist
	loading  bool
	reselect string // keep this commit selected across a reload

	marks     Marks
	highlight string // a commit to emphasise (the other pane's selection's counterpart)

	filter  string
	matches []int // commit indices when filtering

	width, height int
	focused       bool
	sel           int // selected line: a commit index, or a match index when filtering
	top           int // first visible line: a row index, or a match index when filtering

	cache map[int]string // rendered unselected lines by line number
	gw    int            // lane column width the cache was drawn with
	sgr   [][2]string    // per lane: the codes around a glyph
}

// NewPane returns an empty pane for a track; now is the clock used for ages.
func NewPane(track string, st theme.Styles, keys theme.KeyMap, now func() time.Time) *Pane {
	if now == nil {
		now = time.Now
	}
	return &Pane{Track: track, st: st, keys: keys, now: now, index: map[string]int{}, cache: map[int]string{}}
}

func (p *Pane) dirty() { clear(p.cache) }

// SetStyles changes the theme (the background is learned after start).
func (p *Pane) SetStyles(st theme.Styles) { p.st = st; p.sgr = nil; p.dirty() }

// SetSize sets the pane's inner size.
func (p *Pane) SetSize(w, h int) {
	if w != p.width {
		p.dirty()
	}
	p.width, p.height = max(w, 0), max(h, 0)
	p.scrollToSelection()
}

// SetFocused marks the pane as the one keys go to.
func (p *Pane) SetFocused(f bool) { p.focused = f }

// SetMarks replaces the annotations.
func (p *Pane) SetMarks(m Marks) { p.marks = m; p.dirty() }

// SetHighlight emphasises one commit (by id); "" for none.
func (p *Pane) SetHighlight(id string) {
	if id != p.highlight {
		p.highlight = id
		p.dirty()
	}
}

// Reset drops every commit before a reload; the selected commit stays
// selected when the reload still has it.
func (p *Pane) Reset() {
	p.reselect = p.SelectedID()
	p.layout = Layout{}
	p.commits = nil
	p.index = map[string]int{}
	p.rowOf = nil
	p.more, p.loading = false, false
	p.matches = nil
	p.sel, p.top = 0, 0
	p.dirty()
}

// Len is the number of commits loaded.
func (p *Pane) Len() int { return len(p.commits) }

// Commits are the loaded commits in graph order.
func (p *Pane) Commits() []model.Commit { return p.commits }

// Append adds the next page of commits in graph order; more says whether
// another page exists.
func (p *Pane) Append(commits []model.Commit, more bool) {
	for _, c := range commits {
		if _, dup := p.index[c.ID]; dup {
			continue
		}
		p.index[c.ID] = len(p.commits)
		p.commits = append(p.commits, c)
		p.rowOf = append(p.rowOf, p.layout.add(Node{ID: c.ID, Parents: c.Parents}))
	}
	p.more, p.loading = more, false
	if p.reselect != "" {
		if i, ok := p.index[p.reselect]; ok {
			p.sel = i
			p.reselect = ""
		} else if !more || len(p.commits) >= maxReselect {
			// Gone from the track (or too deep to chase): stay at the top.
			p.reselect = ""
		}
	}
	p.refilter()
	p.scrollToSelection()
	p.dirty()
}

// WantMore reports whether the pane needs the next page: the selection or
// the screen is near the end of what is loaded. It marks the pane loading
// so the caller asks once.
func (p *Pane) WantMore() bool {
	if !p.more || p.loading {
		return false
	}
	if p.reselect != "" || len(p.commits)-p.selectedCommit() < prefetch+p.height {
		p.loading = true
		return true
	}
	return false
}

// Loading reports whether a page was asked for and has not arrived.
func (p *Pane) Loading() bool { return p.loading }

// LoadFailed lets the pane ask again later.
func (p *Pane) LoadFailed() { p.loading = false }

// SetFilter shows only commits whose subject, author or id contains q
// (case-insensitive), without lanes; "" shows the graph again.
func (p *Pane) SetFilter(q string) {
	keep := p.SelectedID()
	p.filter = strings.ToLower(q)
	p.refilter()
	p.sel, p.top = 0, 0
	if i, ok := p.index[keep]; ok {
		if p.filter == "" {
			p.sel = i
		} else {
			for k, m := range p.matches {
				if m == i {
					p.sel = k
				}
			}
		}
	}
	p.scrollToSelection()
	p.dirty()
}

func (p *Pane) refilter() {
	p.matches = p.matches[:0]
	if p.filter == "" {
		return
	}
	for i, c := range p.commits {
		if matches(c, p.filter) {
			p.matches = append(p.matches, i)
		}
	}
}

func matches(c model.Commit, q string) bool {
	return strings.Contains(strings.ToLower(c.Subject), q) ||
		strings.Contains(strings.ToLower(c.Author), q) ||
		strings.HasPrefix(c.ID, q)
}

// lines is the number of drawable lines.
func (p *Pane) lines() int {
	if p.filter != "" {
		return len(p.matches)
	}
	return len(p.layout.Rows)
}

// selectedCommit is the commit index selected, or -1.
func (p *Pane) selectedCommit() int {
	if p.filter != "" {
		if p.sel < len(p.matches) {
			return p.matches[p.sel]
		}
		return -1
	}
	if p.sel < len(p.commits) {
		return p.sel
	}
	return -1
}

// selectedLine is the line the selection is drawn on.
func (p *Pane) selectedLine() int {
	if p.filter != "" {
		return p.sel
	}
	if p.sel < len(p.rowOf) {
		return p.rowOf[p.sel]
	}
	return 0
}

// Selected returns the selected commit.
func (p *Pane) Selected() (model.Commit, bool) {
	if i := p.selectedCommit(); i >= 0 {
		return p.commits[i], true
	}
	return model.Commit{}, false
}

// SelectedID is the selected commit's id, or "".
func (p *Pane) SelectedID() string {
	c, _ := p.Selected()
	return c.ID
}

// Select selects a commit by id; false when it is not loaded (or
// filtered out).
func (p *Pane) Select(id string) bool {
	i, ok := p.index[id]
	if !ok {
		return false
	}
	if p.filter != "" {
		for k, m := range p.matches {
			if m == i {
				p.sel = k
				p.scrollToSelection()
				return true
			}
		}
		return false
	}
	p.sel = i
	p.scrollToSelection()
	return true
}

func (p *Pane) count() int {
	if p.filter != "" {
		return len(p.matches)
	}
	return len(p.commits)
}

// Move moves the selection by delta commits.
func (p *Pane) Move(delta int) {
	n := p.count()
	if n == 0 {
		return
	}
	p.sel = min(max(p.sel+delta, 0), n-1)
	p.scrollToSelection()
}

// Scroll moves the view by delta lines, keeping the selection on screen.
func (p *Pane) Scroll(delta int) {
	p.top = min(max(p.top+delta, 0), max(p.lines()-p.height, 0))
	line := p.selectedLine()
	switch {
	case line < p.top:
		p.selectLineAtOrAfter(p.top)
	case line >= p.top+p.height:
		p.selectLineAtOrBefore(p.top + p.height - 1)
	}
}

func (p *Pane) selectLineAtOrAfter(line int) {
	if p.filter != "" {
		p.sel = min(line, max(len(p.matches)-1, 0))
		return
	}
	for line < len(p.layout.Rows) && p.layout.Rows[line].Commit < 0 {
		line++
	}
	if line < len(p.layout.Rows) {
		p.sel = p.layout.Rows[line].Commit
	}
}

func (p *Pane) selectLineAtOrBefore(line int) {
	if p.filter != "" {
		p.sel = max(min(line, len(p.matches)-1), 0)
		return
	}
	for line > 0 && line < len(p.layout.Rows) && p.layout.Rows[line].Commit < 0 {
		line--
	}
	if line >= 0 && line < len(p.layout.Rows) && p.layout.Rows[line].Commit >= 0 {
		p.sel = p.layout.Rows[line].Commit
	}
}

// ClickLine selects the commit drawn on the given line of the pane
// (0 = first visible line).
func (p *Pane) ClickLine(y int) {
	if y < 0 || y >= p.height {
		return
	}
	p.selectLineAtOrBefore(p.top + y)
	p.scrollToSelection()
}

func (p *Pane) scrollToSelection() {
	if p.height <= 0 {
		return
	}
	line := p.selectedLine()
	p.top = listview.Follow(p.top, line, p.height, p.lines())
	if line < p.top {
		p.top = line
	}
}

// Update handles movement keys and returns whether it used the message.
func (p *Pane) Update(msg tea.Msg) bool {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false
	}
	d, ok := p.keys.Step(k, max(p.height-1, 1), p.count())
	if ok {
		p.Move(d)
	}
	return ok
}

// View draws the visible lines, exactly height lines of width cells.
func (p *Pane) View() string {
	if p.width <= 0 || p.height <= 0 {
		return ""
	}
	// The lane column is as wide as the widest row on screen, so a
	// history that runs wide further down does not squeeze the text here.
	gw := 0
	if p.filter == "" {
		for y := 0; y < p.height && p.top+y < len(p.layout.Rows); y++ {
			gw = max(gw, len(p.layout.Rows[p.top+y].Glyphs))
		}
		gw = min(gw, 2*MaxLanes)
	}
	if gw != p.gw {
		p.gw = gw
		p.dirty()
	}
	var b strings.Builder
	selLine := p.selectedLine()
	for y := 0; y < p.height; y++ {
		if y > 0 {
			b.WriteByte('\n')
		}
		line := p.top + y
		if line >= p.lines() {
			if y == 0 && len(p.commits) == 0 {
				msg := listview.Empty("no commits", p.loading || p.more || p.reselect != "", p.filter != "")
				b.WriteString(p.st.Muted.Render(fit(msg, p.width)))
			} else if y == 0 && p.filter != "" {
				b.WriteString(p.st.Muted.Render(fit("nothing matches the filter", p.width)))
			} else if line == p.lines() && (p.loading || p.more) {
				b.WriteString(p.st.Muted.Render(fit("  loading more…", p.width)))
			} else {
				b.WriteString(strings.Repeat(" ", p.width))
			}
			continue
		}
		if line == selLine {
			b.WriteString(p.renderLine(line, true))
			continue
		}
		s, ok := p.cache[line]
		if !ok {
			s = p.renderLine(line, false)
			p.cache[line] = s
		}
		b.WriteString(s)
	}
	return b.String()
}

// renderLine draws one line: lanes, then for commit rows the mark, id,
// refs, subject and age.
func (p *Pane) renderLine(line int, selected bool) string {
	var glyphs string
	ci := -1
	if p.filter != "" {
		ci = p.matches[line]
	} else {
		r := p.layout.Rows[line]
		glyphs, ci = r.Glyphs, r.Commit
	}
	gw := p.gw
	if p.filter != "" {
		gw = 0
	}
	var b strings.Builder
	w := 0
	if gw > 0 {
		g, star := clipLanes(glyphs, gw)
		for i := 0; i < len(g); i++ {
			c := g[i]
			switch {
			case c == ' ':
				b.WriteByte(' ')
			case i == star && ci >= 0:
				b.WriteString(p.st.Kind(p.commits[ci].Kind).Render("*"))
			case c == '~':
				b.WriteString(p.st.Muted.Render("…"))
			default:
				// Lane glyphs are most of a graph's cells: wrap them in
				// the lane's SGR codes, worked out once per theme.
				pre, post := p.laneSGR(i / 2)
				b.WriteString(pre)
				b.WriteByte(c)
				b.WriteString(post)
			}
		}
		b.WriteString(strings.Repeat(" ", gw-len(g)+1))
		w = gw + 1
	}
	if ci < 0 {
		out := b.String()
		return padTo(out, w, p.width)
	}
	c := p.commits[ci]
	rest := p.width - w
	if rest <= 0 {
		return ansi.Truncate(b.String(), p.width, "")
	}
	// mark · id · refs · subject … age
	mark, markSt := " ", p.st.Muted
	switch {
	case p.marks.Missing[c.ID]:
		mark, markSt = "!", p.st.Missing
	case p.marks.Counterpart[c.ID] != "":
		mark, markSt = "=", p.st.Carried
	case p.marks.Waiting[c.ID]:
		mark, markSt = "+", p.st.Warn
	}
	age := Age(p.now().Sub(c.Committed))
	if c.Committed.IsZero() {
		age = Age(p.now().Sub(c.Date))
	}
	var refs []string
	for _, r := range p.marks.Refs[c.ID] {
		refs = append(refs, model.InertLine(r))
	}
	subject := model.InertLine(c.Subject)
	if cp := p.marks.Counterpart[c.ID]; cp != "" {
		subject += " (= " + model.ShortID(cp) + ")"
	}
	author := model.InertLine(c.Author)

	var t strings.Builder
	tw := 0
	add := func(s string, st lipgloss.Style) {
		if s == "" || tw >= rest {
			return
		}
		if sw := ansi.StringWidth(s); tw+sw > rest {
			s = ansi.Truncate(s, rest-tw, "…")
		}
		if selected {
			st = st.Inherit(p.st.Selection(p.focused))
		}
		t.WriteString(st.Render(s))
		tw += ansi.StringWidth(s)
	}
	add(mark, markSt)
	add(" ", p.st.Normal)
	add(c.Short(), p.st.Hash)
	add(" ", p.st.Normal)
	if len(refs) > 0 {
		add("("+strings.Join(refs, ", ")+") ", p.st.Ref)
	}
	// The age and author go right-aligned when there is room.
	tail := ""
	if rest >= 60 {
		tail = " " + fit(author, 12) + " " + leftPad(age, 4)
	} else if rest >= 36 {
		tail = " " + leftPad(age, 4)
	}
	room := rest - tw - ansi.StringWidth(tail)
	subjSt := p.st.Kind(c.Kind)
	if p.highlight == c.ID {
		subjSt = subjSt.Underline(true)
	}
	if room > 0 {
		add(fit(subject, room), subjSt)
	}
	add(tail, p.st.Muted)
	if tw < rest {
		fill := strings.Repeat(" ", rest-tw)
		if selected {
			fill = p.st.Selection(p.focused).Render(fill)
		}
		t.WriteString(fill)
	}
	return b.String() + t.String()
}

// laneSGR returns the escape codes that open and close lane i's style.
func (p *Pane) laneSGR(i int) (string, string) {
	n := max(len(p.st.Lanes), 1)
	if p.sgr == nil {
		p.sgr = make([][2]string, n)
		for k := range p.sgr {
			out := p.st.Lane(k).Render("\x00")
			pre, post, _ := strings.Cut(out, "\x00")
			p.sgr[k] = [2]string{pre, post}
		}
	}
	x := p.sgr[i%n]
	return x[0], x[1]
}

// clipLanes fits a row's lane glyphs into w cells. A row wider than w is
// cut, with '~' (drawn "…") marking the cut; when the commit's own lane
// lies beyond the cut, the lanes around it are shown after the mark so the
// commit is never hidden. It returns the glyphs and where '*' is (-1).
func clipLanes(g string, w int) (string, int) {
	star := strings.IndexByte(g, '*')
	if len(g) <= w {
		return g, star
	}
	if star < w-1 {
		return g[:w-1] + "~", star
	}
	left := w / 2
	right := w - left - 1
	from := star + 1 - right
	return g[:left] + "~" + g[from:star+1], left + 1 + (star - from)
}

// fit pads or cuts s to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

func leftPad(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

func padTo(s string, used, w int) string {
	if used >= w {
		return ansi.Truncate(s, w, "")
	}
	return s + strings.Repeat(" ", w-used)
}

// Age says how old something is in the fewest characters: 45s, 12m, 5h,
// 3d, 7w, 2y.
func Age(d time.Duration) string {
	switch {
	case d < 0:
		return "now"
	case d < time.Minute:
		return itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return itoa(int(d/time.Hour)) + "h"
	case d < 14*24*time.Hour:
		return itoa(int(d/(24*time.Hour))) + "d"
	case d < 365*24*time.Hour:
		return itoa(int(d/(7*24*time.Hour))) + "w"
	default:
		return itoa(int(d/(365*24*time.Hour))) + "y"
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
