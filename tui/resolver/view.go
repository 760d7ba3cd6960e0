package resolver

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/engine/merge"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/graph"
)

// sideBySideMin is the width from which base, ours and theirs stand side
// by side; below it they are stacked.
const sideBySideMin = 140

// layout is how the screen's height is shared out.
type layout struct {
	steps    bool // show the strip of steps
	hint     bool // show the prerequisites hint
	files    int  // rows of the file list
	pane     int  // body rows of each side pane
	preview  int  // body rows of the preview
	side     bool // sides next to each other
	colWidth int
}

func (m *Model) layout() layout {
	l := layout{side: m.width >= sideBySideMin, steps: m.height >= 16}
	if m.sess == nil {
		return l
	}
	fixed := 1 + 1 + 1 + 1 // header, files title, hunk title, status line
	if l.steps {
		fixed++
	}
	if len(m.prereqs) > 0 && m.height >= 20 {
		l.hint = true
		fixed++
	}
	l.files = min(len(m.sess.Files), max(1, m.height/6))
	avail := m.height - fixed - l.files
	if l.side {
		avail -= 2 // pane titles, preview title
		l.pane = max(1, avail*3/5)
		l.colWidth = (m.width - 2*3) / 3
	} else {
		avail -= 4 // three pane titles, preview title
		l.pane = max(1, avail*3/5/3)
		l.colWidth = m.width
	}
	// A short hunk leaves its room to the preview.
	b, o, t := m.sides()
	l.pane = max(1, min(l.pane, max(countLines(b), countLines(o), countLines(t))))
	used := l.pane
	if !l.side {
		used = 3 * l.pane
	}
	l.preview = max(1, avail-used)
	return l
}

func (m *Model) paneBody() int { return m.layout().pane }

// sides returns the selected hunk's three texts.
func (m *Model) sides() (base, ours, theirs string) {
	h := m.selectedHunk()
	if h == nil {
		return "", "", ""
	}
	return string(h.Base), string(h.Ours), string(h.Theirs)
}

func (m *Model) maxScroll() int {
	b, o, t := m.sides()
	n := max(countLines(b), countLines(o), countLines(t))
	return max(0, n-m.paneBody())
}

// View renders the screen; it does no I/O and calls no engine.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var out []string
	switch {
	case !m.loaded:
		out = []string{m.st.Muted.Render("Reading the pick session…")}
	case m.sess == nil:
		out = m.viewEmpty()
	default:
		out = m.viewSession()
	}
	// Cut to the screen, so nothing ever spills.
	return graph.Clip(out, m.width, m.height)
}

func (m *Model) viewEmpty() []string {
	out := []string{
		m.st.Title.Render("Resolver"),
		"",
		m.st.Normal.Render("No pick or train is waiting for a resolution."),
		m.st.Muted.Render("When carrying a commit (p on the cockpit) or running the train (T) stops on a conflict,"),
		m.st.Muted.Render("its files and hunks are resolved here."),
	}
	if err := m.firstErr(); err != nil {
		out = append(out, "", m.st.Error.Render("error: "+model.InertLine(err.Error())))
	} else if m.note != "" {
		out = append(out, "", m.st.OK.Render(m.note))
	}
	return out
}

func (m *Model) viewSession() []string {
	l := m.layout()
	var out []string
	out = append(out, m.header())
	if l.steps {
		out = append(out, m.stepStrip())
	}
	if l.hint {
		out = append(out, m.hintLine())
	}
	out = append(out, m.fileList(l.files)...)
	out = append(out, m.hunkTitle())
	out = append(out, m.panes(l)...)
	out = append(out, m.preview(l)...)
	// The status line sits at the bottom whatever the content above.
	for len(out) < m.height-1 {
		out = append(out, "")
	}
	out = append(out, m.statusLine())
	return out
}

func (m *Model) header() string {
	s := m.sess
	st := s.Step()
	n := s.Current + 1
	title := m.st.TitleActive.Render("Resolver")
	op := fmt.Sprintf(" · %s · step %d of %d", m.what(), n, len(s.Steps))
	line := title + m.st.Normal.Render(op)
	if st != nil {
		line += m.st.Muted.Render(" · ") + m.st.Hash.Render(short(st.Commit)) + " " + m.st.Bold.Render(model.InertLine(st.Subject))
	}
	return line
}

func (m *Model) stepStrip() string {
	items := make([]string, len(m.sess.Steps))
	for i, st := range m.sess.Steps {
		var glyph string
		style := m.st.Muted
		switch {
		case i == m.sess.Current && st.State == sequence.Stopped:
			glyph, style = "●", m.st.Error
		case st.State == sequence.Applied:
			glyph, style = "✓", m.st.OK
		case st.State == sequence.Skipped:
			glyph = "↷"
		case st.State == sequence.Empty:
			glyph = "∅"
		default:
			glyph = "·"
		}
		items[i] = style.Render(glyph + " " + short(st.Commit))
	}
	// A long train shows the steps around the current one.
	const each = 11 // "● 1234567" and the gap
	room := max(1, (m.width-8)/each)
	first := 0
	if len(items) > room {
		first = max(0, min(m.sess.Current-room/3, len(items)-room))
	}
	var b strings.Builder
	b.WriteString(m.st.Muted.Render("steps "))
	if first > 0 {
		b.WriteString(m.st.Muted.Render(fmt.Sprintf("%d… ", first)))
	}
	b.WriteString(strings.Join(items[first:min(len(items), first+room)], "  "))
	return b.String()
}

// recordedCount counts the hunks resolved from recorded resolutions.
func recordedCount(files []*sequence.File) int {
	n := 0
	for _, f := range files {
		for _, h := range f.Hunks() {
			if h.Resolution != nil && h.Resolution.Recorded {
				n++
			}
		}
	}
	return n
}

// hintLine names the earlier commits the target lacks that touch the
// conflicted files: carrying them first often makes the conflict go away.
func (m *Model) hintLine() string {
	target := m.sess.Track
	if target == "" {
		target = shortRef(m.sess.Ref)
	}
	var parts []string
	for _, c := range m.prereqs {
		parts = append(parts, short(c.ID)+" "+model.InertLine(c.Subject))
	}
	return m.st.Warn.Render(fmt.Sprintf("hint: %s lacks %d earlier commit(s) touching these files: ", model.InertLine(target), len(m.prereqs))) +
		m.st.Muted.Render(strings.Join(parts, "; "))
}

func (m *Model) fileList(rows int) []string {
	files := m.sess.Files
	n, of := m.sess.Resolved()
	style := m.st.Warn
	if n == of {
		style = m.st.OK
	}
	title := m.st.Title.Render("Files ") + style.Render(fmt.Sprintf("%d of %d resolved", n, of))
	if r := recordedCount(files); r > 0 {
		title += m.st.Warn.Render(fmt.Sprintf(" · %d hunk(s) resolved as recorded earlier: check them before continuing", r))
	}
	out := []string{title}
	if len(files) == 0 {
		return append(out, m.st.Muted.Render("  no conflicted files in this step"))
	}
	top := 0
	if m.file >= rows {
		top = m.file - rows + 1
	}
	pathW := 0
	for _, f := range files {
		pathW = max(pathW, ansi.StringWidth(model.InertLine(f.Path)))
	}
	pathW = min(pathW, max(10, m.width/2))
	for i := top; i < min(len(files), top+rows); i++ {
		f := files[i]
		hn, hof := f.Resolved()
		mark, ms := "✗", m.st.Error
		if f.Done() {
			mark, ms = "✓", m.st.OK
		}
		path := fit(model.InertLine(f.Path), pathW)
		detail := fmt.Sprintf("%-14s %d/%d hunks", model.InertLine(f.Kind), hn, hof)
		if f.Whole != nil {
			detail = fmt.Sprintf("%-14s whole file: %s", model.InertLine(f.Kind), f.Whole.Choice)
		}
		row := fmt.Sprintf("%s %s  %s", mark, path, detail)
		if i == m.file {
			out = append(out, m.st.Selected.Render("▸ "+row))
		} else {
			out = append(out, "  "+ms.Render(mark)+" "+m.st.Normal.Render(path)+"  "+m.st.Muted.Render(detail))
		}
	}
	return out
}

func (m *Model) hunkTitle() string {
	f := m.selectedFile()
	if f == nil {
		return ""
	}
	hs := f.Hunks()
	path := m.st.Bold.Render(model.InertLine(f.Path))
	var where string
	if f.Lines {
		where = fmt.Sprintf(" · hunk %d of %d", m.hunk+1, len(hs))
	} else {
		where = " · " + model.InertLine(f.Kind) + " conflict: " + m.sideSummary(f)
	}
	state := m.st.Error.Render(" · unresolved")
	if r := m.resolutionOf(f); r != nil {
		txt := " · resolved: " + string(r.Choice)
		if r.Delete {
			txt += " (file deleted)"
		}
		if r.Recorded {
			txt += " (recorded earlier: keep it, or choose again)"
		}
		state = m.st.Resolved.Render(txt)
	}
	return path + m.st.Normal.Render(where) + state
}

// resolutionOf is the selected hunk's resolution, or the file's whole one.
func (m *Model) resolutionOf(f *sequence.File) *sequence.Resolution {
	if f.Whole != nil {
		return f.Whole
	}
	if h := m.selectedHunk(); h != nil {
		return h.Resolution
	}
	return nil
}

// sideSummary says what each side did to a file whose conflict is not
// about lines.
func (m *Model) sideSummary(f *sequence.File) string {
	say := func(name string, s sequence.Side) string {
		if s.Absent() {
			return name + " absent"
		}
		return name + " " + short(s.Hash)
	}
	return say("base", f.Base) + ", " + say("ours", f.Ours) + ", " + say("theirs", f.Theirs)
}

// paneSide is one of the three texts of a hunk.
type paneSide struct {
	title   string
	label   string // the conflict marker's label: "HEAD", "abc1234 (subject)"
	style   lipgloss.Style
	text    string
	absent  bool
	changed map[int]bool // lines that differ from the base
	mark    string       // gutter glyph of changed lines
	markSt  lipgloss.Style
	// indent is the leading white space all three sides share, left out of
	// the panes so that narrow columns show where the sides differ.
	indent int
}

// paneSides returns the selected hunk's three sides with the lines that
// differ from the base marked; the diff is worked out once per hunk.
func (m *Model) paneSides() []paneSide {
	h := m.selectedHunk()
	if m.sidesMemo != nil && m.sidesFor == h {
		return m.sidesMemo
	}
	m.sidesFor, m.sidesMemo = h, m.computeSides()
	return m.sidesMemo
}

func (m *Model) computeSides() []paneSide {
	f := m.selectedFile()
	base, ours, theirs := m.sides()
	labels := m.sess.Labels
	ps := []paneSide{
		{title: "base", label: labels[0], style: m.st.BaseText, text: base, mark: "-", markSt: m.st.Removed},
		{title: "ours", label: labels[1], style: m.st.Ours, text: ours, mark: "+", markSt: m.st.Added},
		{title: "theirs", label: labels[2], style: m.st.Theirs, text: theirs, mark: "+", markSt: m.st.Added},
	}
	if f != nil && !f.Lines {
		ps[0].absent, ps[1].absent, ps[2].absent = f.Base.Absent(), f.Ours.Absent(), f.Theirs.Absent()
	}
	indent := commonIndent(base, ours, theirs)
	for i := range ps {
		ps[i].indent = indent
	}
	bl := splitLines(base)
	ps[0].changed = map[int]bool{}
	for i := 1; i <= 2; i++ {
		ps[i].changed = map[int]bool{}
		for _, e := range merge.Diff(bl, splitLines(ps[i].text)) {
			for j := e.B0; j < e.B1; j++ {
				ps[i].changed[j] = true
			}
			for j := e.A0; j < e.A1; j++ {
				ps[0].changed[j] = true
			}
		}
	}
	return ps
}

func (m *Model) panes(l layout) []string {
	f := m.selectedFile()
	if f == nil {
		return nil
	}
	lang := languageFor(f.Path)
	var cols [][]string
	for _, p := range m.paneSides() {
		cols = append(cols, m.pane(p, lang, l.colWidth, l.pane))
	}
	if !l.side {
		var out []string
		for _, c := range cols {
			out = append(out, c...)
		}
		return out
	}
	sep := m.st.Muted.Render(" │ ")
	out := make([]string, len(cols[0]))
	for i := range out {
		out[i] = fit(cols[0][i], l.colWidth) + sep + fit(cols[1][i], l.colWidth) + sep + cols[2][i]
	}
	return out
}

// pane renders one side: a title line and rows body lines from the scroll
// offset, changed lines marked in the gutter.
func (m *Model) pane(p paneSide, lang *language, width, rows int) []string {
	lines := splitLines(p.text)
	title := p.style.Bold(true).Render(p.title)
	count := fmt.Sprintf(" · %d lines", len(lines))
	if len(lines) == 1 {
		count = " · 1 line"
	}
	switch {
	case p.absent:
		count = " · no file"
	case merge.IsBinary([]byte(p.text)):
		count = fmt.Sprintf(" · binary, %d bytes", len(p.text))
		lines = nil
	}
	if len(lines) > rows {
		last := min(len(lines), m.scroll+rows)
		count += fmt.Sprintf(" · %d–%d", min(m.scroll+1, len(lines)), last)
	}
	if p.label != "" {
		count += " · " + model.InertLine(p.label)
	}
	out := []string{ansi.Truncate(title+m.st.Muted.Render(count), width, "…")}
	for r := 0; r < rows; r++ {
		i := m.scroll + r
		if i >= len(lines) {
			if r == 0 && len(lines) == 0 && !p.absent {
				out = append(out, m.st.Muted.Render("  (empty)"))
				continue
			}
			out = append(out, "")
			continue
		}
		gutter := "  "
		if p.changed[i] {
			gutter = p.markSt.Render(p.mark) + " "
		}
		line := string(lines[i])
		if len(line) >= p.indent {
			line = line[p.indent:]
		}
		out = append(out, ansi.Truncate(gutter+m.shift(m.highlight(line, lang)), width, "…"))
	}
	return out
}

// commonIndent is the length of the leading spaces and tabs that every
// non-blank line of the texts starts with.
func commonIndent(texts ...string) int {
	prefix, seen := "", false
	for _, t := range texts {
		for _, l := range splitLines(t) {
			line := strings.TrimRight(string(l), "\r\n")
			if strings.TrimSpace(line) == "" {
				continue
			}
			ws := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
			if !seen {
				prefix, seen = ws, true
				continue
			}
			n := 0
			for n < len(prefix) && n < len(ws) && prefix[n] == ws[n] {
				n++
			}
			prefix = prefix[:n]
		}
	}
	return len(prefix)
}

// preview renders the resolved file around the selected hunk.
func (m *Model) preview(l layout) []string {
	f := m.selectedFile()
	if f == nil {
		return nil
	}
	pv := m.previews[f.Path]
	lines := pv.lines
	start, end := m.hunkSpan(f)
	title := m.st.Title.Render("Resolution preview")
	if !f.Lines && f.Whole == nil && m.resolutionOf(f) == nil {
		side := func(name string, sd sequence.Side) string {
			if sd.Absent() {
				return name + " (the file deleted)"
			}
			return name + " (its file)"
		}
		return []string{title, m.st.Warn.Render("  not resolved yet: the file is taken whole from one side"),
			m.st.Muted.Render("  o takes " + side("ours", f.Ours) + ", t takes " + side("theirs", f.Theirs) + ", B takes " + side("base", f.Base) + "; e edits it")}
	}
	switch {
	case pv.Deleted:
		return []string{title, m.st.Warn.Render("  the file is deleted by this resolution")}
	case pv.binary:
		return []string{title, m.st.Muted.Render(fmt.Sprintf("  binary file, %d bytes", len(pv.Text)))}
	}
	if len(lines) == 0 {
		return []string{title, m.st.Muted.Render("  (an empty file)")}
	}
	top := max(0, min(start-l.preview/4+m.scroll, len(lines)-l.preview))
	title += m.st.Muted.Render(fmt.Sprintf(" · lines %d–%d of %d", min(top+1, len(lines)), min(len(lines), top+l.preview), len(lines)))
	out := []string{title}
	lang := languageFor(f.Path)
	for r := 0; r < l.preview; r++ {
		i := top + r
		if i >= len(lines) {
			out = append(out, "")
			continue
		}
		text := string(lines[i])
		gutter := "  "
		if i >= start && i < end {
			gutter = m.st.TitleActive.Render("▌") + " "
		}
		var body string
		if isMarker(text) {
			body = m.st.Marker.Render(model.InertLine(strings.TrimRight(text, "\r\n")))
		} else {
			body = m.highlight(text, lang)
		}
		body = m.shift(body)
		out = append(out, ansi.Truncate(gutter+body, m.width, "…"))
	}
	return out
}

// hunkSpan locates the selected hunk in the preview, as lines [start, end).
// The preview is the engine's rendering; this only counts its lines the
// way conflict markers are written, to know where to look.
func (m *Model) hunkSpan(f *sequence.File) (start, end int) {
	if f.Whole != nil || !f.Lines {
		return 0, 0
	}
	diff3 := m.sess.Style != "" && m.sess.Style != "merge"
	line, hi := 0, 0
	for _, c := range f.Chunks {
		var n int
		switch {
		case c.Hunk == nil:
			n = strings.Count(string(c.Text), "\n")
		case c.Hunk.Resolution != nil:
			n = strings.Count(string(c.Hunk.Resolution.Text), "\n")
		default:
			n = 3 + countLines(string(c.Hunk.Ours)) + countLines(string(c.Hunk.Theirs))
			if diff3 {
				n += 1 + countLines(string(c.Hunk.Base))
			}
		}
		if c.Hunk != nil {
			if hi == m.hunk {
				return line, line + max(1, n)
			}
			hi++
		}
		line += n
	}
	return 0, 0
}

// shift drops the columns scrolled off to the left.
func (m *Model) shift(s string) string {
	if m.xoff == 0 {
		return s
	}
	return ansi.Cut(s, m.xoff, m.xoff+10000)
}

// highlight renders one line of file text: inert first, colour after.
func (m *Model) highlight(line string, lang *language) string {
	line = strings.TrimRight(line, "\r\n")
	// No screen shows more of a line than this (a minified file can have
	// a megabyte on one line); cut on a rune boundary.
	const most = 2048
	if len(line) > most {
		cut := most
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		line = line[:cut]
	}
	line = model.InertLine(line)
	var b strings.Builder
	for _, t := range tokenize(line, lang) {
		switch t.kind {
		case tokKeyword:
			b.WriteString(m.st.Key.Render(t.text))
		case tokString:
			b.WriteString(m.st.Hash.Render(t.text))
		case tokComment:
			b.WriteString(m.st.Muted.Render(t.text))
		case tokNumber:
			b.WriteString(m.st.Carried.Render(t.text))
		default:
			b.WriteString(m.st.Normal.Render(t.text))
		}
	}
	return b.String()
}

func (m *Model) statusLine() string {
	switch {
	case m.busy != "":
		return m.st.Warn.Render("… " + m.busy)
	case m.firstErr() != nil:
		return m.st.Error.Render("error: " + model.InertLine(m.firstErr().Error()))
	case m.note != "" && m.noteWarn:
		return m.st.Warn.Render(model.InertLine(m.note))
	case m.note != "":
		return m.st.OK.Render(model.InertLine(m.note))
	}
	if n, of := m.sess.Resolved(); n == of && of > 0 {
		return m.st.OK.Render("all files resolved: c continues")
	}
	return ""
}

// firstErr is the error to show: an action's, else the last load's.
func (m *Model) firstErr() error {
	if m.err != nil {
		return m.err
	}
	if m.loadErr != nil {
		return fmt.Errorf("reading the session: %w", m.loadErr)
	}
	return nil
}

// splitLines splits text into lines, each keeping its newline.
func splitLines(s string) [][]byte { return merge.SplitLines([]byte(s)) }

func countLines(s string) int { return len(splitLines(s)) }

func isMarker(line string) bool {
	for _, p := range []string{"<<<<<<<", "|||||||", "=======", ">>>>>>>"} {
		if strings.HasPrefix(line, p) {
			rest := strings.TrimRight(line[len(p):], "\r\n")
			if rest == "" || rest[0] == ' ' {
				return true
			}
		}
	}
	return false
}

// fit cuts or pads s to exactly w columns.
func fit(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}
