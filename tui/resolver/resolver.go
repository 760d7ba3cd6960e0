package resolver

import (
	"context"
	"errors"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/theme"
)

// Model is the resolver screen.
type Model struct {
	eng    Engine
	st     theme.Styles
	km     theme.KeyMap
	width  int
	height int

	seq      int // id of the latest load; older answers are dropped
	loaded   bool
	busy     string // the action under way, "" when idle
	sess     *sequence.Session
	previews map[string]Preview
	prereqs  []model.Commit
	loadErr  error  // the last load's failure
	err      error  // the last action's failure
	note     string // the last action's outcome
	noteWarn bool   // note says why something was refused

	file    int  // selected file
	hunk    int  // selected hunk within the file
	scroll  int  // first line shown of the hunk's sides
	xoff    int  // columns scrolled off to the left
	advance bool // after the next load, move on to the next unresolved hunk

	// The selected hunk's sides with their diff marks, kept between renders.
	sidesFor  *sequence.Hunk
	sidesMemo []paneSide
}

// New returns the screen; call Init (or Reload) to read the session.
func New(e Engine, st theme.Styles, km theme.KeyMap) *Model {
	return &Model{eng: e, st: st, km: km}
}

// SetSize sets the space the screen may draw in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// SetStyles switches the styles (the terminal's background became known).
func (m *Model) SetStyles(st theme.Styles) { m.st = st }

// Init reads the session.
func (m *Model) Init() tea.Cmd { return m.Reload() }

// Reload reads the session again (after an action, or when the root learns
// that files changed outside).
func (m *Model) Reload() tea.Cmd {
	if m.eng == nil {
		return nil
	}
	m.seq++
	return load(m.eng, m.seq)
}

// Active reports whether a pick or train is stopped here for a person.
func (m *Model) Active() bool { return m.sess != nil }

// Update handles a message meant for the screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case SessionMsg:
		if msg.Seq != m.seq {
			return nil
		}
		m.loaded = true
		m.loadErr = msg.Err
		if msg.Err != nil {
			return nil
		}
		m.prereqs = msg.Prereqs
		m.setSession(msg.Session, msg.Previews)
		return nil
	case ActionMsg:
		m.busy = ""
		if msg.Err != nil {
			m.err = fmt.Errorf("%s: %w", msg.What, msg.Err)
			m.note = ""
			m.advance = false
		} else {
			m.err = nil
			m.note, m.noteWarn = msg.Note, false
			if msg.Outcome != nil && msg.Outcome.Done {
				m.note = fmt.Sprintf("%s: done, %d step(s), head %s", msg.What, len(msg.Outcome.Steps), short(msg.Outcome.Head))
			}
		}
		return m.Reload()
	case busyMsg:
		m.busy = msg.what
		m.err, m.note = nil, ""
		return nil
	case editReadyMsg:
		return runEditor(msg)
	case editDoneMsg:
		m.busy = "reading back " + msg.path
		return readBack(m.eng, msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.scrollBy(-3)
		case tea.MouseWheelDown:
			m.scrollBy(3)
		}
	}
	return nil
}

// setSession takes a freshly read session, keeping the selection on the
// same file of the same step where it still exists.
func (m *Model) setSession(s *sequence.Session, previews map[string]Preview) {
	var keep string
	if f := m.selectedFile(); f != nil && sameStep(m.sess, s) {
		keep = f.Path
	}
	m.sess, m.previews = s, previews
	m.sidesFor, m.sidesMemo = nil, nil
	if s == nil || len(s.Files) == 0 {
		m.file, m.hunk, m.scroll, m.advance = 0, 0, 0, false
		return
	}
	found := false
	for i, f := range s.Files {
		if f.Path == keep {
			m.file, found = i, true
		}
	}
	if !found {
		m.file, m.hunk, m.scroll = 0, 0, 0
		m.nextUnresolved()
	}
	m.clamp()
	if m.advance {
		m.advance = false
		m.nextUnresolved()
	}
}

// sameStep reports whether two reads of the session stop at the same step.
func sameStep(a, b *sequence.Session) bool {
	if a == nil || b == nil {
		return false
	}
	sa, sb := a.Step(), b.Step()
	return sa != nil && sb != nil && sa.Commit == sb.Commit && a.Current == b.Current
}

// nextUnresolved moves to the first unresolved hunk at or after the
// selection, wrapping around the files; it stays put when none is left.
func (m *Model) nextUnresolved() {
	files := m.sess.Files
	if len(files) == 0 {
		return
	}
	for k := 0; k <= len(files); k++ {
		fi := (m.file + k) % len(files)
		f := files[fi]
		if f.Whole != nil {
			continue
		}
		start := 0
		if k == 0 {
			start = m.hunk
		}
		for hi, h := range f.Hunks() {
			if hi >= start && h.Resolution == nil {
				if fi != m.file || hi != m.hunk {
					m.scroll = 0
				}
				m.file, m.hunk = fi, hi
				return
			}
		}
	}
}

func (m *Model) clamp() {
	if m.sess == nil {
		return
	}
	m.file = max(0, min(m.file, len(m.sess.Files)-1))
	if f := m.selectedFile(); f != nil {
		m.hunk = max(0, min(m.hunk, len(f.Hunks())-1))
	}
	m.scroll = max(0, m.scroll)
}

func (m *Model) selectedFile() *sequence.File {
	if m.sess == nil || m.file < 0 || m.file >= len(m.sess.Files) {
		return nil
	}
	return m.sess.Files[m.file]
}

func (m *Model) selectedHunk() *sequence.Hunk {
	f := m.selectedFile()
	if f == nil {
		return nil
	}
	hs := f.Hunks()
	if m.hunk < 0 || m.hunk >= len(hs) {
		return nil
	}
	return hs[m.hunk]
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	km := m.km
	switch {
	case key.Matches(msg, km.Up):
		m.moveFile(-1)
	case key.Matches(msg, km.Down):
		m.moveFile(1)
	case key.Matches(msg, km.NextHunk):
		m.moveHunk(1)
	case key.Matches(msg, km.PrevHunk):
		m.moveHunk(-1)
	case key.Matches(msg, km.PageDown):
		m.scrollBy(max(1, m.paneBody()-1))
	case key.Matches(msg, km.PageUp):
		m.scrollBy(-max(1, m.paneBody()-1))
	case key.Matches(msg, km.Top):
		m.scroll = 0
	case key.Matches(msg, km.Left):
		m.xoff = max(0, m.xoff-8)
	case key.Matches(msg, km.Right):
		m.xoff = min(m.xoff+8, 400)
	case key.Matches(msg, km.Ours):
		return m.choose(sequence.Ours)
	case key.Matches(msg, km.Theirs):
		return m.choose(sequence.Theirs)
	case key.Matches(msg, km.Both):
		return m.choose(sequence.Both)
	case key.Matches(msg, km.Base):
		return m.choose(sequence.Base)
	case key.Matches(msg, km.Edit):
		return m.edit()
	case key.Matches(msg, km.Undo):
		return m.undo()
	case key.Matches(msg, km.Continue):
		return m.confirmContinue()
	case key.Matches(msg, km.Skip):
		return m.confirmSkip()
	case key.Matches(msg, km.Abort):
		return m.confirmAbort()
	}
	return nil
}

func (m *Model) moveFile(d int) {
	if m.sess == nil || len(m.sess.Files) == 0 {
		return
	}
	n := max(0, min(m.file+d, len(m.sess.Files)-1))
	if n != m.file {
		m.file, m.hunk, m.scroll = n, 0, 0
	}
}

// moveHunk goes to the next or previous hunk, on into the next or previous
// file at either end.
func (m *Model) moveHunk(d int) {
	f := m.selectedFile()
	if f == nil {
		return
	}
	n := m.hunk + d
	switch {
	case n >= 0 && n < len(f.Hunks()):
		m.hunk = n
	case d > 0 && m.file+1 < len(m.sess.Files):
		m.file, m.hunk = m.file+1, 0
	case d < 0 && m.file > 0:
		m.file--
		m.hunk = max(0, len(m.sess.Files[m.file].Hunks())-1)
	default:
		return
	}
	m.scroll = 0
}

func (m *Model) scrollBy(d int) {
	m.scroll = max(0, min(m.scroll+d, m.maxScroll()))
}

// ready reports whether an action may start, telling the person why not.
func (m *Model) ready() bool {
	if m.eng == nil || m.sess == nil {
		m.warn("no pick or train is waiting for a resolution")
		return false
	}
	if m.busy != "" {
		m.warn("busy: " + m.busy)
		return false
	}
	return true
}

func (m *Model) choose(c sequence.Choice) tea.Cmd {
	if !m.ready() {
		return nil
	}
	f, h := m.selectedFile(), m.selectedHunk()
	if f == nil || h == nil {
		return nil
	}
	e, path, n := m.eng, f.Path, m.hunk
	m.busy = fmt.Sprintf("taking %s for %s", c, path)
	m.err = nil
	if !f.Lines {
		note := fmt.Sprintf("%s: took %s", model.InertLine(path), c)
		return action("resolve "+path, note, func(ctx context.Context) (*sequence.Outcome, error) {
			return nil, e.ResolveFile(ctx, path, c, nil)
		})
	}
	note := fmt.Sprintf("%s hunk %d: took %s", model.InertLine(path), n+1, c)
	// Move on to the next unresolved hunk once the answer is in.
	m.advance = true
	return action("resolve "+path, note, func(ctx context.Context) (*sequence.Outcome, error) {
		return nil, e.ResolveHunk(ctx, path, n, c, nil)
	})
}

func (m *Model) undo() tea.Cmd {
	if !m.ready() {
		return nil
	}
	e := m.eng
	m.busy = "undoing"
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		path, err := e.UndoResolution(ctx)
		if errors.Is(err, sequence.ErrNothingToUndo) {
			return ActionMsg{What: "undo", Note: "nothing to undo"}
		}
		return ActionMsg{What: "undo", Note: "took back the last resolution of " + model.InertLine(path), Err: err}
	}
}

func (m *Model) edit() tea.Cmd {
	if !m.ready() {
		return nil
	}
	f := m.selectedFile()
	if f == nil {
		return nil
	}
	m.busy = "editing " + f.Path
	return prepareEdit(m.eng.Root(), m.sess.Worktree, f.Path, m.previews[f.Path].Text)
}

// ShortHelp is the screen's main keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.km
	return []key.Binding{k.NextHunk, k.Ours, k.Theirs, k.Both, k.Base, k.Edit, k.Undo, k.Continue, k.Skip, k.Abort}
}

// FullHelp is every key of the screen, grouped.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.km
	return [][]key.Binding{
		{k.Up, k.Down, k.NextHunk, k.PrevHunk, k.PageUp, k.PageDown, k.Left, k.Right},
		{k.Ours, k.Theirs, k.Both, k.Base, k.Edit, k.Undo},
		{k.Continue, k.Skip, k.Abort},
	}
}

// warn tells the person why a key did nothing.
func (m *Model) warn(s string) { m.note, m.noteWarn = s, true }

// Click selects the file under row y of the screen (0 is its first line).
func (m *Model) Click(x, y int) {
	if m.sess == nil {
		return
	}
	l := m.layout()
	first := 2 // header, files title
	if l.steps {
		first++
	}
	if l.hint {
		first++
	}
	top := 0
	if m.file >= l.files {
		top = m.file - l.files + 1
	}
	if i := y - first; i >= 0 && i < l.files && top+i < len(m.sess.Files) && top+i != m.file {
		m.file, m.hunk, m.scroll = top+i, 0, 0
	}
}
