// Package tui is Switchyard's cockpit: one Bubble Tea root model that owns
// focus, routes every message, and lays out the main screen — header, the
// tracks' graphs side by side, pending promotions, environments × blue/green,
// status line and key help — with the resolver, rollouts and journal as
// further screens. It holds no git or rollout logic: every engine call runs
// in a tea.Cmd and answers with a typed message.
package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/engine/watch"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/environments"
	"github.com/switchyard/switchyard/tui/graph"
	"github.com/switchyard/switchyard/tui/journal"
	"github.com/switchyard/switchyard/tui/pending"
	"github.com/switchyard/switchyard/tui/propagation"
	"github.com/switchyard/switchyard/tui/resolver"
	"github.com/switchyard/switchyard/tui/rollouts"
	"github.com/switchyard/switchyard/tui/theme"
)

// Options configure the cockpit.
type Options struct {
	// Now is the clock for ages and lead times; default time.Now.
	Now func() time.Time
	// NoColor draws with attributes only (NO_COLOR).
	NoColor bool
	// Dark is the background assumed until the terminal says (default
	// dark).
	Light bool
	// NoEvents skips the engine subscription (tests).
	NoEvents bool
	// Watch, when set, is told which conflicted files to watch for edits
	// made outside (engine/watch's Watcher).
	Watch FileWatcher
}

// FileWatcher watches work-tree files for edits made outside.
type FileWatcher interface {
	SetFiles(paths []string)
}

type screen int

const (
	screenCockpit screen = iota
	screenResolver
	screenRollouts
	screenJournal
)

// focus names the cockpit's panes; graphs come first, one per track.
type focus int

const (
	focusPending focus = -1 - iota
	focusEnvs
	focusProp
)

// Model is the root model.
type Model struct {
	eng   *engine.Engine
	ctx   context.Context
	stop  context.CancelFunc
	opts  Options
	now   func() time.Time
	keys  theme.KeyMap
	st    theme.Styles
	dark  bool
	flow  model.Flow
	title string
	// srcPath and binPath are the source and bin repos' folders ("" when
	// there is no bin repo), for the header.
	srcPath, binPath string

	width, height int
	screen        screen
	focus         focus // a graph index (0…) or one of focusPending, focusEnvs, focusProp
	showProp      bool
	showHelp      bool
	details       *details
	dialog        *dialog
	filtering     bool
	filterText    string

	graphs []*graph.Pane
	pend   *pending.Model
	envs   *environments.Model
	prop   *propagation.Model
	res    *resolver.Model
	rolls  *rollouts.Model
	jour   *journal.Model
	// started: the screens whose Init has run (they subscribe and tick
	// from then on).
	started map[screen]bool

	// Data as last loaded.
	status   *engine.Status
	pairs    []*model.Pending
	lts      []model.LeadTime
	sess     *sequence.Session
	loadedAt time.Time

	// Request ids: answers to older requests are dropped.
	seq struct {
		status, pending, envs, lead, session, check, reload, envSettle, builds, release int
		logs                                                                            map[string]int
	}
	cursors   map[string]string // next page cursor per track
	checking  []pending.Item    // dry runs still to do, in order
	firstLoad bool              // the first session load decides the start screen
	events    <-chan model.Event
	busy      string // the action under way
	// builds label source commits with their builds, per track.
	builds map[string]map[string][]string
	// live is each track's live build (its bin symlink).
	live map[string]model.Build
	// statusErr is why the flow's status could not be read.
	statusErr string
	// envAlerts are the environments' troubles for the header.
	envAlerts []string
	// pendingStale: the pending lists are being read again (refs moved);
	// carrying waits for them.
	pendingStale bool

	// build is the build cut last from the cockpit; showLog shows its log
	// panel over the panes.
	build   *buildRun
	showLog bool
	// quitArmed: q was pressed once while a build runs.
	quitArmed bool

	// Status line.
	note    string
	noteErr bool
}

// New builds the cockpit over an open engine.
func New(e *engine.Engine, opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ctx, stop := context.WithCancel(context.Background())
	m := &Model{eng: e, ctx: ctx, stop: stop, opts: opts, now: opts.Now, keys: theme.DefaultKeyMap(), dark: !opts.Light}
	m.st = theme.New(m.dark, !opts.NoColor)
	m.flow = e.Flow()
	m.title = filepath.Base(e.Root())
	m.srcPath, m.binPath = e.Root(), filepath.Clean(e.Config().BinPath())
	if e.Config().BinPath() == "" {
		m.binPath = ""
	}
	for _, t := range m.flow {
		m.graphs = append(m.graphs, graph.NewPane(t.Name, m.st, m.keys, m.now))
	}
	m.pend = pending.New(m.st, m.keys, m.now)
	m.envs = environments.New(m.st, m.keys)
	m.prop = propagation.New(m.st, m.keys, m.now)
	m.res = resolver.New(e, m.st, m.keys)
	m.rolls = rollouts.New(e, &e.Config().Deploy, m.st, m.keys)
	m.rolls.SetContext(ctx)
	m.jour = journal.New(e, m.st, m.keys)
	m.started = map[screen]bool{}
	m.seq.logs = map[string]int{}
	m.cursors = map[string]string{}
	m.firstLoad = true
	m.setFocus(0)
	return m
}

// Close ends the engine subscription.
func (m *Model) Close() { m.stop() }

// Init starts every load and the event subscription.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.reloadAll()}
	if !m.opts.NoEvents {
		m.events = m.eng.Subscribe(m.ctx)
		cmds = append(cmds, waitEvent(m.events))
	}
	return tea.Batch(cmds...)
}

// reloadAll asks for everything again: after a carry, a train, or a ref
// moved on disk.
func (m *Model) reloadAll() tea.Cmd {
	cmds := []tea.Cmd{m.loadStatus(), m.loadPending(), m.loadEnvs(), m.loadLead(), m.loadSession(), m.loadBuilds()}
	// The graphs keep showing what they have until the new first page
	// replaces it, so a reload does not flash empty panes.
	for _, g := range m.graphs {
		cmds = append(cmds, m.loadFirstPage(g.Track))
	}
	m.loadedAt = m.now()
	return tea.Batch(cmds...)
}

func (m *Model) loadStatus() tea.Cmd {
	m.seq.status++
	return loadStatus(m.eng, m.seq.status)
}

func (m *Model) loadPending() tea.Cmd {
	m.seq.pending++
	m.pendingStale = true
	return loadPending(m.eng, m.seq.pending, m.flow.Pairs())
}

func (m *Model) loadEnvs() tea.Cmd {
	m.seq.envs++
	return loadEnvs(m.eng, m.seq.envs)
}

func (m *Model) loadLead() tea.Cmd {
	m.seq.lead++
	cycle := m.eng.Config().Cycle.Std()
	if cycle <= 0 {
		cycle = 7 * 24 * time.Hour
	}
	return loadLeadTimes(m.eng, m.seq.lead, m.now().Add(-fixCycles*cycle))
}

func (m *Model) loadBuilds() tea.Cmd {
	m.seq.builds++
	tracks := make([]string, len(m.flow))
	for i, t := range m.flow {
		tracks[i] = t.Name
	}
	return loadBuilds(m.eng, m.seq.builds, tracks)
}

func (m *Model) loadSession() tea.Cmd {
	m.seq.session++
	return loadSession(m.eng, m.seq.session)
}

func (m *Model) loadFirstPage(track string) tea.Cmd {
	m.seq.logs[track]++
	delete(m.cursors, track)
	return loadLog(m.eng, m.seq.logs[track], track, "")
}

func (m *Model) graph(track string) *graph.Pane {
	for _, g := range m.graphs {
		if g.Track == track {
			return g
		}
	}
	return nil
}

// morePages asks for the next page of every graph that nears its end.
func (m *Model) morePages() tea.Cmd {
	var cmds []tea.Cmd
	for _, g := range m.graphs {
		if c := m.cursors[g.Track]; c != "" && g.WantMore() {
			cmds = append(cmds, loadLog(m.eng, m.seq.logs[g.Track], g.Track, c))
		}
	}
	return tea.Batch(cmds...)
}

// Update routes every message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, m.morePages()
	case tea.BackgroundColorMsg:
		m.setTheme(msg.IsDark())
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.MouseClickMsg:
		return m, m.click(msg.Mouse())
	case tea.MouseWheelMsg:
		return m, m.wheel(msg.Mouse())
	case tea.PasteMsg:
		if m.filtering {
			m.filterText += model.InertLine(msg.Content)
			m.applyFilterText(m.filterText)
			return m, m.morePages()
		}
		return m, m.forward(msg)

	case statusMsg:
		if msg.seq != m.seq.status {
			return m, nil
		}
		if msg.err != nil {
			m.fail("status", msg.err)
			m.statusErr = oneLine(msg.err.Error())
			return m, nil
		}
		m.status, m.statusErr = msg.st, ""
		m.updateMarks()
		return m, m.startChecks()
	case logMsg:
		return m, m.gotLog(msg)
	case pendingMsg:
		if msg.seq != m.seq.pending {
			return m, nil
		}
		if msg.err != nil {
			m.fail("pending", msg.err)
		}
		m.pairs = msg.pairs
		m.pendingStale = false
		m.setPending()
		m.updateMarks()
		m.updateProp()
		return m, m.startChecks()
	case envsMsg:
		if msg.seq != m.seq.envs {
			return m, nil
		}
		errText := ""
		if msg.err != nil {
			errText = msg.err.Error()
		}
		m.envs.SetEnvironments(msg.envs, errText)
		m.envAlerts = m.envAlerts[:0]
		for _, env := range msg.envs {
			for _, sl := range []model.Slot{env.Blue, env.Green} {
				if sl.Health == model.HealthUnhealthy && (sl.State == model.SlotLive || sl.State == model.SlotDeployed) {
					m.envAlerts = append(m.envAlerts, fmt.Sprintf("%s %s unhealthy", model.InertLine(env.Name), sl.Color))
				}
			}
			st := msg.rollouts[env.Name]
			if st == nil {
				continue
			}
			m.envs.SetRollout(env.Name, environments.Rollout{State: st.State, Build: st.Build, Wave: st.Wave, Waves: len(st.Waves), Waiting: st.Waiting})
			switch st.State {
			case model.RolloutFailed:
				m.envAlerts = append(m.envAlerts, fmt.Sprintf("rollout of #%d to %s failed", st.Build, model.InertLine(env.Name)))
			case model.RolloutPaused:
				m.envAlerts = append(m.envAlerts, fmt.Sprintf("rollout to %s waits for a person", model.InertLine(env.Name)))
			}
		}
		return m, nil
	case buildsMsg:
		if msg.seq != m.seq.builds {
			return m, nil
		}
		if msg.err != nil {
			m.fail("builds", msg.err)
		}
		m.builds, m.live = msg.labels, msg.live
		m.updateMarks()
		return m, nil
	case leadMsg:
		if msg.seq != m.seq.lead {
			return m, nil
		}
		if msg.err != nil {
			m.fail("lead times", msg.err)
		}
		m.lts = msg.lts
		m.updateProp()
		return m, nil
	case sessionMsg:
		if msg.seq != m.seq.session {
			return m, nil
		}
		if msg.err != nil {
			m.fail("session", msg.err)
		}
		m.sess = msg.sess
		m.updateProp()
		watchCmd := m.watchFiles()
		if m.firstLoad {
			m.firstLoad = false
			if m.sess != nil {
				// Resume an unfinished resolution where it was left.
				m.say(fmt.Sprintf("resuming the %s to %s stopped on conflicts", m.sess.Op, m.sess.Track))
				return m, tea.Batch(watchCmd, m.show(screenResolver))
			}
		}
		return m, watchCmd
	case dryRunMsg:
		return m, m.gotDryRun(msg)
	case carryMsg:
		return m, m.gotCarry(msg)
	case trainMsg:
		return m, m.gotTrain(msg)
	case releasePlanMsg:
		return m, m.gotReleasePlan(msg)
	case releaseMsg:
		return m, m.gotRelease(msg)
	case eventMsg:
		return m, tea.Batch(m.gotEvent(msg.ev), waitEvent(m.events))
	case syncedMsg:
		switch {
		case msg.err != nil:
			m.fail("taking in the edits made outside", msg.err)
		case len(msg.markers) > 0:
			m.fail("edited outside", fmt.Errorf("%s still has conflict markers", strings.Join(inertAll(msg.markers), ", ")))
		default:
			m.say("edits made outside taken in")
		}
		return m, tea.Batch(m.res.Reload(), m.loadSession())
	case eventsClosedMsg:
		return m, nil
	case envsSettledMsg:
		if msg.seq != m.seq.envSettle {
			return m, nil
		}
		return m, m.loadEnvs()
	case reloadMsg:
		if msg.seq != m.seq.reload {
			return m, nil
		}
		return m, tea.Batch(m.reloadAll(), m.res.Reload())
	case resolver.ConfirmRequest:
		m.dialog = &dialog{title: model.InertLine(msg.Prompt), lines: inertAll(msg.Detail), yes: msg.Action}
		return m, nil
	case resolver.ActionMsg:
		cmd := m.res.Update(msg)
		if msg.Err == nil && msg.Outcome != nil && msg.Outcome.Done {
			m.say(fmt.Sprintf("done: %s is at %s", m.sessTrack(), model.ShortID(msg.Outcome.Head)))
			m.screen = screenCockpit
			return m, tea.Batch(cmd, m.reloadAll())
		}
		if msg.Err == nil && msg.What == "abort" {
			m.say("aborted: nothing moved")
			m.screen = screenCockpit
			return m, tea.Batch(cmd, m.reloadAll())
		}
		if msg.Err == nil && msg.What == "skip" {
			return m, tea.Batch(cmd, m.reloadAll())
		}
		return m, cmd
	}
	return m, m.forward(msg)
}

// watchFiles has the watcher follow the conflicted files of the session
// in progress, so edits from $EDITOR or git mergetool show at once.
func (m *Model) watchFiles() tea.Cmd {
	w := m.opts.Watch
	if w == nil {
		return nil
	}
	var paths []string
	if s := m.sess; s != nil && s.Worktree {
		for _, f := range s.Files {
			paths = append(paths, filepath.Join(m.eng.Root(), filepath.FromSlash(f.Path)))
		}
	}
	return func() tea.Msg {
		w.SetFiles(paths)
		return nil
	}
}

func (m *Model) sessTrack() string {
	if m.sess != nil && m.sess.Track != "" {
		return m.sess.Track
	}
	return "the branch"
}

// forward hands other messages (the screens' own answers) to every screen;
// each drops what is not its own.
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	return tea.Batch(m.res.Update(msg), m.rolls.Update(msg), m.jour.Update(msg))
}

// show switches to a screen, starting it the first time.
func (m *Model) show(s screen) tea.Cmd {
	m.screen = s
	first := !m.started[s]
	m.started[s] = true
	switch s {
	case screenResolver:
		return m.res.Reload()
	case screenRollouts:
		if first {
			return m.rolls.Init()
		}
		return m.rolls.Reload()
	case screenJournal:
		if first {
			return m.jour.Init()
		}
		return m.jour.Reload()
	}
	return nil
}

// switchTo shows the screen a person asked for; a note about the screen left
// behind would read as one about the new screen, so it goes.
func (m *Model) switchTo(s screen) tea.Cmd {
	if s != m.screen {
		m.note, m.noteErr = "", false
	}
	return m.show(s)
}

// inputActive: the screen is reading typed text and gets every key.
func (m *Model) inputActive() bool {
	switch m.screen {
	case screenRollouts:
		return m.rolls.InputActive()
	case screenJournal:
		return m.jour.InputActive()
	}
	return false
}

func (m *Model) setTheme(dark bool) {
	m.dark = dark
	m.st = theme.New(dark, !m.opts.NoColor)
	for _, g := range m.graphs {
		g.SetStyles(m.st)
	}
	m.pend.SetStyles(m.st)
	m.envs.SetStyles(m.st)
	m.prop.SetStyles(m.st)
	m.res.SetStyles(m.st)
	m.rolls.SetStyles(m.st)
	m.jour.SetStyles(m.st)
}

func (m *Model) say(s string) { m.note, m.noteErr = s, false }

func (m *Model) fail(what string, err error) {
	m.note, m.noteErr = what+": "+oneLine(err.Error()), true
}

func oneLine(s string) string {
	return model.InertLine(strings.ReplaceAll(strings.TrimSpace(s), "\n", "; "))
}

func (m *Model) gotLog(msg logMsg) tea.Cmd {
	if msg.seq != m.seq.logs[msg.track] {
		return nil
	}
	g := m.graph(msg.track)
	if g == nil {
		return nil
	}
	if msg.err != nil {
		g.LoadFailed()
		m.fail("log of "+msg.track, msg.err)
		return nil
	}
	m.cursors[msg.track] = msg.page.Next
	if msg.first {
		g.Reset()
	}
	g.Append(msg.page.Commits, msg.page.Next != "")
	m.linkSelection()
	return m.morePages()
}

// setPending lists what waits downstream, then the commits only on a
// downstream track that its upstream lacks, to be carried back; each part
// fixes first (hotfixes, then bugfixes), each group oldest first as the
// engine gives it.
func (m *Model) setPending() {
	var items, back []pending.Item
	seen := map[string]bool{}
	for _, p := range m.pairs {
		for _, c := range p.Pending {
			items = append(items, pending.Item{Commit: c, From: p.From, To: p.To})
			seen[c.ID+">"+p.To] = true
		}
	}
	for _, p := range m.pairs {
		for _, c := range p.OnlyInTo {
			if !seen[c.ID+">"+p.From] {
				back = append(back, pending.Item{Commit: c, From: p.To, To: p.From, Back: true})
				seen[c.ID+">"+p.From] = true
			}
		}
	}
	byKind := func(its []pending.Item) {
		sort.SliceStable(its, func(i, j int) bool { return its[i].Commit.Kind > its[j].Commit.Kind })
	}
	byKind(items)
	byKind(back)
	m.pend.SetItems(append(items, back...))
}

// maxChecks bounds the dry runs made per load: every fix, and the first
// regular commits.
const maxChecks = 40

// startChecks dry-runs the pending picks one after the other, fixes
// first, once both the pending lists and the heads are known.
func (m *Model) startChecks() tea.Cmd {
	if m.status == nil || m.pairs == nil {
		return nil
	}
	m.seq.check++
	m.checking = m.checking[:0]
	for _, it := range m.pend.Items() {
		if it.Check != pending.Unchecked {
			continue
		}
		if len(m.checking) >= maxChecks {
			break
		}
		m.checking = append(m.checking, it)
	}
	return m.nextCheck()
}

func (m *Model) head(track string) string {
	if m.status == nil {
		return ""
	}
	for _, h := range m.status.Heads {
		if h.Track == track {
			return h.Head.ID
		}
	}
	return ""
}

func (m *Model) nextCheck() tea.Cmd {
	for len(m.checking) > 0 {
		it := m.checking[0]
		m.checking = m.checking[1:]
		onto := m.head(it.To)
		if onto == "" {
			continue
		}
		m.pend.SetCheck(it.Commit.ID, it.To, pending.Checking, nil)
		return dryRun(m.eng, m.seq.check, it.Commit.ID, it.To, onto)
	}
	return nil
}

func (m *Model) gotDryRun(msg dryRunMsg) tea.Cmd {
	if msg.seq != m.seq.check {
		return nil
	}
	switch {
	case msg.err != nil:
		m.pend.SetCheck(msg.id, msg.to, pending.Failed, nil)
	case msg.clean:
		m.pend.SetCheck(msg.id, msg.to, pending.Clean, nil)
	default:
		m.pend.SetCheck(msg.id, msg.to, pending.Conflict, msg.paths)
	}
	return m.nextCheck()
}

// updateMarks annotates the graphs: heads, commits missing downstream,
// carried commits and their counterparts.
func (m *Model) updateMarks() {
	refs := map[string][]string{}
	if m.status != nil {
		for _, h := range m.status.Heads {
			refs[h.Head.ID] = append(refs[h.Head.ID], h.Track)
		}
	}

	missing := map[string]bool{}
	waiting := map[string]bool{}
	counter := map[string]string{}
	for _, p := range m.pairs {
		for _, c := range p.Pending {
			if c.Kind != model.Regular {
				missing[c.ID] = true
			} else {
				waiting[c.ID] = true
			}
		}
		for _, c := range p.Carried {
			counter[c.Commit] = c.As
			counter[c.As] = c.Commit
		}
	}
	for _, g := range m.graphs {
		// Heads show on every graph; builds only on their own track's.
		r := refs
		if bs := m.builds[g.Track]; len(bs) > 0 {
			r = make(map[string][]string, len(refs)+len(bs))
			for id, ls := range refs {
				r[id] = ls
			}
			for id, ls := range bs {
				r[id] = append(append([]string(nil), r[id]...), ls...)
			}
		}
		g.SetMarks(graph.Marks{Refs: r, Missing: missing, Waiting: waiting, Counterpart: counter})
	}
	m.linkSelection()
}

// linkSelection emphasises, in the other graphs, the selected commit's
// counterpart (or the commit itself where it is shared history).
func (m *Model) linkSelection() {
	if m.focus < 0 || int(m.focus) >= len(m.graphs) {
		return
	}
	sel := m.graphs[m.focus].SelectedID()
	var other string
	for _, p := range m.pairs {
		for _, c := range p.Carried {
			if c.Commit == sel {
				other = c.As
			}
			if c.As == sel {
				other = c.Commit
			}
		}
	}
	for i, g := range m.graphs {
		switch {
		case i == int(m.focus):
			g.SetHighlight("")
		case other != "":
			g.SetHighlight(other)
		default:
			g.SetHighlight(sel)
		}
	}
}

func (m *Model) updateProp() {
	tracks := make([]string, len(m.flow))
	for i, t := range m.flow {
		tracks[i] = t.Name
	}
	origin := map[string]string{}
	for _, p := range m.pairs {
		for _, c := range p.Pending {
			if _, ok := origin[c.ID]; !ok {
				origin[c.ID] = p.From
			}
		}
		for _, c := range p.OnlyInTo {
			if _, ok := origin[c.ID]; !ok {
				origin[c.ID] = p.To
			}
		}
	}
	conflicted := map[string]string{}
	if s := m.sess; s != nil && s.Current < len(s.Steps) && len(s.Files) > 0 {
		conflicted[s.Steps[s.Current].Commit] = s.Track
	}
	m.prop.SetRows(tracks, propagation.Build(tracks, m.lts, origin, conflicted))
}

func (m *Model) gotEvent(ev model.Event) tea.Cmd {
	switch {
	case ev.Source == "build":
		m.gotBuildEvent(ev)
		return nil
	case ev.Source == "watch" && ev.Kind == watch.FileChanged:
		// A conflicted file was edited outside: take it into the session,
		// then show the result.
		if m.sess == nil {
			return nil
		}
		return syncWorktree(m.eng)
	case ev.Source == "watch" || ev.Source == "sequence" || ev.Kind == watch.RefsChanged:
		// Coalesce: only the last of a burst reloads.
		m.seq.reload++
		return settle(m.seq.reload)
	case ev.Source == "rollout" && ev.Env != "":
		m.seq.envSettle++
		seq := m.seq.envSettle
		return tea.Tick(500*time.Millisecond, func(time.Time) tea.Msg { return envsSettledMsg{seq} })
	}
	return nil
}

func (m *Model) gotCarry(msg carryMsg) tea.Cmd {
	m.busy = ""
	dir := "to"
	if msg.back {
		dir = "back to"
	}
	if msg.err != nil {
		m.fail("carry "+model.ShortID(msg.id)+" "+dir+" "+msg.to, msg.err)
		return m.reloadAll()
	}
	if msg.out != nil && msg.out.Done {
		m.say(fmt.Sprintf("carried %s %s %s: %s is at %s", model.ShortID(msg.id), dir, msg.to, msg.to, model.ShortID(msg.out.Head)))
		return m.reloadAll()
	}
	m.say(fmt.Sprintf("carrying %s %s %s stopped on conflicts: resolve them here", model.ShortID(msg.id), dir, msg.to))
	return tea.Batch(m.reloadAll(), m.show(screenResolver))
}

func (m *Model) gotTrain(msg trainMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		m.fail("train "+msg.track, msg.err)
		return m.reloadAll()
	}
	run := msg.run
	switch {
	case run.How == "up-to-date":
		m.say(msg.track + " is already up to date")
	case run.Outcome != nil && !run.Outcome.Done:
		m.say(fmt.Sprintf("the train's rebase of %s stopped on conflicts: resolve them here", msg.track))
		return tea.Batch(m.reloadAll(), m.show(screenResolver))
	default:
		head := ""
		if run.Outcome != nil {
			head = model.ShortID(run.Outcome.Head)
		} else if run.Candidate != nil {
			head = model.ShortID(run.Candidate.Target)
		}
		m.say(fmt.Sprintf("train ran on %s by %s: %s is at %s", msg.track, run.How, msg.track, head))
	}
	return m.reloadAll()
}

// key handles a key press: overlays first, then the global keys, then the
// focused pane or screen.
func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	if k.String() == "ctrl+c" {
		m.stop()
		return tea.Quit
	}
	switch {
	case m.dialog != nil:
		switch {
		case key.Matches(k, m.keys.Confirm):
			d := m.dialog
			m.dialog = nil
			if d.then != nil {
				d.then()
			}
			if d.busy != "" {
				m.busy = d.busy
				m.say(d.busy + "…")
			}
			return d.yes
		case key.Matches(k, m.keys.Cancel):
			m.dialog = nil
			m.say("cancelled")
		}
		return nil
	case m.filtering:
		switch {
		case key.Matches(k, m.keys.ClearFilter):
			m.filtering = false
			m.filterText = ""
		case key.Matches(k, m.keys.ApplyFilter):
			m.filtering = false
			return nil
		case k.String() == "backspace":
			if r := []rune(m.filterText); len(r) > 0 {
				m.filterText = string(r[:len(r)-1])
			}
		case k.String() == "ctrl+u":
			m.filterText = ""
		case k.Text != "" && k.Mod&^tea.ModShift == 0:
			m.filterText += model.InertLine(k.Text)
		default:
			return nil
		}
		m.applyFilterText(m.filterText)
		return m.morePages()
	case m.showHelp:
		if key.Matches(k, m.keys.Help) || k.String() == "esc" || key.Matches(k, m.keys.Quit) && k.String() == "q" {
			m.showHelp = false
			return nil
		}
		if k.String() == "ctrl+c" {
			return tea.Quit
		}
		return nil
	case m.details != nil:
		if k.String() == "esc" || key.Matches(k, m.keys.Details) || k.String() == "q" {
			m.details = nil
		}
		return nil
	case m.showLog && m.build != nil && m.screen == screenCockpit:
		return m.logKey(k)
	}
	if m.inputActive() && k.String() != "ctrl+c" {
		if m.screen == screenJournal {
			return m.jour.Update(k)
		}
		return m.rolls.Update(k)
	}
	armed := m.quitArmed
	m.quitArmed = false
	switch {
	case key.Matches(k, m.keys.Quit):
		// Quitting ends a build under way: ask for q once more.
		if b := m.build; b != nil && !b.done && !armed {
			m.quitArmed = true
			m.fail("quit", fmt.Errorf("%s of %s is still building: q again quits and aborts it", b.folder(), b.track))
			return nil
		}
		m.stop()
		return tea.Quit
	case key.Matches(k, m.keys.Help):
		m.showHelp = true
		return nil
	case key.Matches(k, m.keys.Cockpit):
		return m.switchTo(screenCockpit)
	case key.Matches(k, m.keys.Resolver):
		return m.switchTo(screenResolver)
	case key.Matches(k, m.keys.Rollouts):
		return m.switchTo(screenRollouts)
	case key.Matches(k, m.keys.Journal):
		return m.switchTo(screenJournal)
	case key.Matches(k, m.keys.Refresh):
		m.say("reloading")
		cmds := []tea.Cmd{m.reloadAll()}
		if m.screen != screenCockpit && m.started[m.screen] {
			cmds = append(cmds, m.show(m.screen))
		}
		return tea.Batch(cmds...)
	}
	switch m.screen {
	case screenResolver:
		return m.res.Update(k)
	case screenRollouts:
		return m.rolls.Update(k)
	case screenJournal:
		return m.jour.Update(k)
	}
	return m.cockpitKey(k)
}

func (m *Model) cockpitKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.NextPane):
		m.cycleFocus(1)
		return nil
	case key.Matches(k, m.keys.PrevPane):
		m.cycleFocus(-1)
		return nil
	case key.Matches(k, m.keys.Propagation):
		m.showProp = !m.showProp
		if m.showProp {
			m.setFocus(focusProp)
		} else {
			m.setFocus(0)
		}
		m.layout()
		return nil
	case key.Matches(k, m.keys.Filter):
		if m.focus == focusEnvs {
			m.say("the filter works on the graphs, the pending list and the propagation grid")
			return nil
		}
		m.filtering = true
		return nil
	case key.Matches(k, m.keys.Carry):
		return m.askCarry()
	case key.Matches(k, m.keys.Train):
		return m.askTrain()
	case key.Matches(k, m.keys.Release):
		return m.askRelease()
	case key.Matches(k, m.keys.BuildLog):
		if m.build == nil {
			m.say("no build cut yet: R builds the selected graph's track")
			return nil
		}
		m.showLog = true
		return nil
	case key.Matches(k, m.keys.Details):
		if m.focus == focusEnvs {
			// An environment's details are its rollout.
			return m.show(screenRollouts)
		}
		m.showDetails()
		return nil
	}
	switch {
	case m.focus >= 0 && int(m.focus) < len(m.graphs):
		if m.graphs[m.focus].Update(k) {
			m.linkSelection()
			return m.morePages()
		}
	case m.focus == focusPending:
		m.pend.Update(k)
	case m.focus == focusEnvs:
		m.envs.Update(k)
	case m.focus == focusProp:
		m.prop.Update(k)
	}
	return nil
}

// panes lists the focusable panes in tab order.
func (m *Model) panes() []focus {
	var fs []focus
	if m.showProp {
		fs = append(fs, focusProp)
	} else {
		for i := range m.graphs {
			fs = append(fs, focus(i))
		}
	}
	return append(fs, focusPending, focusEnvs)
}

func (m *Model) cycleFocus(d int) {
	fs := m.panes()
	at := 0
	for i, f := range fs {
		if f == m.focus {
			at = i
		}
	}
	m.setFocus(fs[(at+d+len(fs))%len(fs)])
}

func (m *Model) setFocus(f focus) {
	if m.filterText != "" {
		m.filterText = ""
		m.applyFilterText("")
	}
	m.focus = f
	for i, g := range m.graphs {
		g.SetFocused(focus(i) == f)
	}
	m.pend.SetFocused(f == focusPending)
	m.envs.SetFocused(f == focusEnvs)
	m.prop.SetFocused(f == focusProp)
	m.linkSelection()
}

func (m *Model) applyFilterText(q string) {
	switch {
	case m.focus >= 0 && int(m.focus) < len(m.graphs):
		m.graphs[m.focus].SetFilter(q)
	case m.focus == focusPending:
		m.pend.SetFilter(q)
	case m.focus == focusProp:
		m.prop.SetFilter(q)
	}
}

// selectedPending is the pending promotion the carry key acts on: the
// pending list's selection, or the selected commit of a graph (or of the
// propagation view) when it waits downstream, else when its upstream
// lacks it (carried back). When there is none, why says so in words for
// the status line.
func (m *Model) selectedPending() (it pending.Item, why string, ok bool) {
	if m.focus == focusPending {
		if it, ok := m.pend.Selected(); ok {
			return it, "", true
		}
		return pending.Item{}, "nothing is pending", false
	}
	var c model.Commit
	var track string
	switch {
	case m.focus >= 0 && int(m.focus) < len(m.graphs):
		g := m.graphs[m.focus]
		c, ok = g.Selected()
		track = g.Track
	case m.focus == focusProp:
		var r propagation.Row
		if r, ok = m.prop.Selected(); ok {
			c = r.Commit
		}
	default:
		return pending.Item{}, "select a commit in a graph or in the pending list first (tab moves between panes)", false
	}
	if !ok {
		return pending.Item{}, "select a commit first", false
	}
	// The commit's own track's downstream first; a commit already there
	// may still wait further down (three tracks). Only then back to the
	// upstream that lacks it.
	var found, back []pending.Item
	for _, it := range m.pend.Items() {
		switch {
		case it.Commit.ID != c.ID:
		case it.Back:
			back = append(back, it)
		default:
			found = append(found, it)
		}
	}
	for _, its := range [][]pending.Item{found, back} {
		for _, it := range its {
			if it.From == track {
				return it, "", true
			}
		}
		if len(its) > 0 {
			return its[0], "", true
		}
	}
	return pending.Item{}, m.notPending(c, track), false
}

// notPending says why a commit selected on track has nothing to carry.
func (m *Model) notPending(c model.Commit, track string) string {
	id := c.Short()
	if c.IsMerge() {
		return id + " is a merge: carry the commits it brings one by one, or run the train (T)"
	}
	for _, p := range m.pairs {
		for _, x := range p.Carried {
			if x.Commit == c.ID && (track == "" || p.From == track) {
				return fmt.Sprintf("%s is already on %s as %s (%s)", id, p.To, model.ShortID(x.As), x.How)
			}
		}
	}
	for _, p := range m.pairs {
		for _, x := range p.OnlyInTo {
			if x.ID == c.ID && (track == "" || p.To == track) {
				if _, down := m.flow.Downstream(p.To); !down {
					return fmt.Sprintf("%s is only on %s, the last track: there is nothing downstream to carry it to", id, p.To)
				}
			}
		}
	}
	if track == "" {
		return id + " waits for no track"
	}
	down, ok := m.flow.Downstream(track)
	if !ok {
		return fmt.Sprintf("%s is on %s, the last track: there is nothing downstream to carry it to", id, track)
	}
	return fmt.Sprintf("%s is already on %s", id, down.Name)
}

func (m *Model) askCarry() tea.Cmd {
	if m.busy != "" {
		m.say(m.busy + " is under way")
		return nil
	}
	if m.sess != nil {
		m.fail("carry", fmt.Errorf("a %s to %s is stopped on conflicts: finish it first (2: resolver)", m.sess.Op, m.sess.Track))
		return nil
	}
	if m.pendingStale {
		m.say("the pending list is being refreshed; press p again in a moment")
		return nil
	}
	if m.pairs == nil {
		m.say("the pending lists are still loading; press p again in a moment")
		return nil
	}
	it, why, ok := m.selectedPending()
	if !ok {
		m.fail("carry", errors.New(why))
		return nil
	}
	c := it.Commit
	head := m.head(it.To)
	lines := []string{
		fmt.Sprintf("%s %s  %s", c.Kind, c.Short(), model.InertLine(c.Subject)),
		fmt.Sprintf("by %s, %s ago, from %s", model.InertLine(c.Author), graph.Age(m.now().Sub(c.Date)), it.From),
		"",
		fmt.Sprintf("cherry-pick onto %s at %s (its head now);", it.To, model.ShortID(head)),
	}
	switch it.Check {
	case pending.Clean:
		lines = append(lines, fmt.Sprintf("the dry run applies cleanly: %s moves to the new commit.", it.To))
	case pending.Conflict:
		lines = append(lines, "the dry run conflicts in "+strings.Join(inertAll(it.Paths), ", ")+":",
			"the resolver opens to resolve them hunk by hunk.")
	default:
		lines = append(lines, fmt.Sprintf("if it applies cleanly %s moves to the new commit;", it.To),
			"a conflict opens the resolver.")
	}
	lines = append(lines, fmt.Sprintf("%s moves only if it is still at %s (switchyard undo restores it).", it.To, model.ShortID(head)))
	id, to := c.ID, it.To
	dir := "to"
	if it.Back {
		dir = "back to"
	}
	m.dialog = &dialog{
		title: fmt.Sprintf("Carry %s %s %s?", c.Short(), dir, to),
		lines: lines,
		busy:  "carrying " + c.Short() + " " + dir + " " + to,
		yes:   carry(m.eng, id, to, it.Back),
	}
	return nil
}

func inertAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = model.InertLine(s)
	}
	return out
}

// trainCandidate picks the train the T key runs: the one moving the
// focused graph's track, else the first that would bring something.
func (m *Model) trainCandidate() (model.TrainCandidate, bool) {
	if m.status == nil {
		return model.TrainCandidate{}, false
	}
	if m.focus >= 0 && int(m.focus) < len(m.graphs) {
		for _, t := range m.status.Trains {
			if t.Track == m.graphs[m.focus].Track {
				return t, true
			}
		}
	}
	for _, t := range m.status.Trains {
		if !t.UpToDate && t.Target != "" {
			return t, true
		}
	}
	if len(m.status.Trains) > 0 {
		return m.status.Trains[0], true
	}
	return model.TrainCandidate{}, false
}

func (m *Model) askTrain() tea.Cmd {
	if m.busy != "" {
		m.say(m.busy + " is under way")
		return nil
	}
	if m.sess != nil {
		m.fail("train", fmt.Errorf("a %s to %s is stopped on conflicts: finish it first (2: resolver)", m.sess.Op, m.sess.Track))
		return nil
	}
	cand, ok := m.trainCandidate()
	if !ok {
		m.fail("train", fmt.Errorf("no train candidate yet (still loading)"))
		return nil
	}
	switch {
	case cand.Target == "":
		m.say(fmt.Sprintf("no train for %s: no commit of %s is a full cycle old yet", cand.Track, cand.Upstream))
		return nil
	case cand.UpToDate:
		m.say(fmt.Sprintf("%s is up to date with its train target %s", cand.Track, model.ShortID(cand.Target)))
		return nil
	}
	head := m.head(cand.Track)
	var lines []string
	if cand.Base != nil {
		lines = append(lines, fmt.Sprintf("base %s  %s (%s old)", cand.Base.Short(), model.InertLine(cand.Base.Subject), graph.Age(m.now().Sub(cand.Base.Committed))))
	}
	if n := len(cand.Bugfixes); n > 0 {
		lines = append(lines, fmt.Sprintf("+ %d bugfix commit(s) right after it", n))
	}
	lines = append(lines, fmt.Sprintf("brings %d commit(s) from %s:", len(cand.Brings), cand.Upstream))
	for i, c := range cand.Brings {
		if i == 5 {
			lines = append(lines, fmt.Sprintf("  … and %d more", len(cand.Brings)-5))
			break
		}
		lines = append(lines, fmt.Sprintf("  %s %s", c.Short(), model.InertLine(c.Subject)))
	}
	lines = append(lines, "")
	if cand.Diverged {
		lines = append(lines, fmt.Sprintf("%s has diverged (a carried fix): its own commits are rebased onto %s;", cand.Track, model.ShortID(cand.Target)),
			"a conflict opens the resolver.")
	} else {
		lines = append(lines, fmt.Sprintf("%s fast-forwards from %s to %s.", cand.Track, model.ShortID(head), model.ShortID(cand.Target)))
	}
	lines = append(lines, fmt.Sprintf("%s moves only if it is still at %s (switchyard undo restores it).", cand.Track, model.ShortID(head)))
	m.dialog = &dialog{
		title: fmt.Sprintf("Run the train on %s?", cand.Track),
		lines: lines,
		busy:  "running the train on " + cand.Track,
		yes:   runTrain(m.eng, cand),
	}
	return nil
}

func (m *Model) showDetails() {
	var c model.Commit
	var ok bool
	switch {
	case m.focus >= 0 && int(m.focus) < len(m.graphs):
		c, ok = m.graphs[m.focus].Selected()
	case m.focus == focusPending:
		var it pending.Item
		it, ok = m.pend.Selected()
		c = it.Commit
	case m.focus == focusProp:
		var r propagation.Row
		r, ok = m.prop.Selected()
		c = r.Commit
	}
	if !ok {
		return
	}
	d := &details{title: c.Short() + " " + model.InertLine(c.Subject)}
	d.lines = append(d.lines,
		"commit   "+c.ID,
		"kind     "+c.Kind.String(),
		"author   "+model.InertLine(c.Author)+" <"+model.InertLine(c.Email)+">",
		"date     "+c.Date.UTC().Format("2006-01-02 15:04 MST")+" ("+graph.Age(m.now().Sub(c.Date))+" ago)",
	)
	if len(c.Parents) > 0 {
		ps := make([]string, len(c.Parents))
		for i, p := range c.Parents {
			ps[i] = model.ShortID(p)
		}
		d.lines = append(d.lines, "parents  "+strings.Join(ps, " "))
	}
	for _, p := range m.pairs {
		for _, x := range p.Pending {
			if x.ID == c.ID {
				d.lines = append(d.lines, fmt.Sprintf("waits    on %s for %s", p.From, p.To))
			}
		}
		for _, x := range p.Carried {
			if x.Commit == c.ID {
				d.lines = append(d.lines, fmt.Sprintf("carried  to %s as %s (%s)", p.To, model.ShortID(x.As), x.How))
			}
			if x.As == c.ID {
				d.lines = append(d.lines, fmt.Sprintf("copy of  %s on %s (%s)", model.ShortID(x.Commit), p.From, x.How))
			}
		}
	}
	for _, it := range m.pend.Items() {
		if it.Commit.ID == c.ID && it.Check != pending.Unchecked {
			line := fmt.Sprintf("onto %s: %s", it.To, it.Check)
			if len(it.Paths) > 0 {
				line += " in " + strings.Join(inertAll(it.Paths), ", ")
			}
			d.lines = append(d.lines, line)
		}
	}
	m.details = d
}
