package rollouts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/config"
	"github.com/switchyard/switchyard/engine/rollout"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/theme"
)

// Model is the rollouts screen.
type Model struct {
	eng    Engine
	deploy *config.Deploy // waves and gates per environment, for prompts
	st     theme.Styles
	km     theme.KeyMap
	width  int
	height int

	// bg is the long-lived context background rollout controllers and the
	// event subscription live for.
	bg         context.Context
	subscribed bool
	events     <-chan model.Event
	ticking    bool

	seq      int
	stale    bool // a rollout moved while a load was under way
	loading  bool
	loaded   bool
	envs     []model.Environment
	statuses map[string]*rollout.Status
	newest   map[string]model.Build // per track
	sel      int
	busy     string
	loadErr  error // the last load's failure
	err      error // the last action's failure
	note     string
	noteWarn bool // note says why something was refused

	prompt *prompt // a deploy prompt being typed, or nil

	logGate int // index+1 of the gate whose log is shown; 0: none
	log     *LogMsg
	logTop  int
}

// prompt is a line typed on the screen: the build to deploy, or the
// environment's name to confirm a backwards rollout.
type prompt struct {
	env      string
	build    int  // set when asking for the name
	override bool // asking for the environment's name
	text     string
}

// New returns the screen; call Init to read the environments. d is the
// configured deploy path (for the waves and gates prompts describe); nil
// shows none.
func New(e Engine, d *config.Deploy, st theme.Styles, km theme.KeyMap) *Model {
	return &Model{eng: e, deploy: d, st: st, km: km, bg: context.Background(), statuses: map[string]*rollout.Status{}}
}

// SetContext sets the context the screen's subscription and the rollouts
// it starts live for (the program's life); call it before Init.
func (m *Model) SetContext(ctx context.Context) { m.bg = ctx }

// SetSize sets the space the screen may draw in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// SetStyles switches the styles (the terminal's background became known).
func (m *Model) SetStyles(st theme.Styles) { m.st = st }

// InputActive reports whether the screen is reading typed text (a deploy
// prompt), so the root must pass every key here, digits and q included.
func (m *Model) InputActive() bool { return m.prompt != nil }

// Init reads the environments, subscribes to rollout events and starts the
// periodic refresh; calling it again only reloads.
func (m *Model) Init() tea.Cmd {
	if m.eng == nil {
		return nil
	}
	cmds := []tea.Cmd{m.Reload()}
	if !m.subscribed {
		m.subscribed = true
		m.events = m.eng.Subscribe(m.bg)
		cmds = append(cmds, listen(m.events))
	}
	if !m.ticking {
		m.ticking = true
		cmds = append(cmds, tick())
	}
	return tea.Batch(cmds...)
}

// Reload reads every environment's slots and rollout again.
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
	case EnvironmentsMsg:
		if msg.Seq != m.seq {
			return nil
		}
		m.loading, m.loaded = false, true
		m.loadErr = msg.Err
		var again tea.Cmd
		if m.stale {
			m.stale = false
			again = m.Reload()
		}
		if msg.Envs != nil {
			var keep string
			if e := m.selected(); e != nil {
				keep = e.Name
			}
			m.envs, m.statuses, m.newest = msg.Envs, msg.Statuses, msg.Newest
			m.sel = 0
			for i, e := range m.envs {
				if e.Name == keep {
					m.sel = i
				}
			}
		}
		return again
	case StatusMsg:
		m.setStatus(msg.Env, msg.Status)
		return nil
	case eventMsg:
		if !msg.ok {
			m.subscribed = false
			return nil
		}
		cmd := listen(m.events)
		if msg.ev.Source == "rollout" {
			switch msg.ev.Kind {
			case "state":
				if st, ok := msg.ev.Data.(*rollout.Status); ok {
					m.ended(msg.ev.Env, st)
					m.setStatus(msg.ev.Env, st.Clone())
				}
				// The slots moved too: read them again, once per burst.
				if m.loading {
					m.stale = true
				} else {
					cmd = tea.Batch(cmd, m.Reload())
				}
			case "error":
				m.err = fmt.Errorf("%s: %s", msg.ev.Env, msg.ev.Text)
			}
		}
		return cmd
	case tickMsg:
		if m.loading {
			return tick()
		}
		return tea.Batch(m.Reload(), tick())
	case ActionMsg:
		m.busy = ""
		if msg.Status != nil {
			m.setStatus(msg.Env, msg.Status)
		}
		if msg.Err != nil {
			m.err, m.note = fmt.Errorf("%s on %s: %w", msg.What, msg.Env, msg.Err), ""
			return m.afterError(msg)
		}
		m.err, m.note, m.noteWarn = nil, msg.Note, false
		return m.Reload()
	case busyMsg:
		m.busy, m.err, m.note = msg.what, nil, ""
		return nil
	case LogMsg:
		// Only the log still asked for: enter may have moved on meanwhile.
		if m.log != nil && m.log.Env == msg.Env && m.log.Gate == msg.Gate {
			// Start at the end, where a failure usually is.
			m.log, m.logTop = &msg, len(msg.Lines)
		}
		return nil
	case tea.KeyPressMsg:
		if m.prompt != nil {
			return m.promptKey(msg)
		}
		return m.key(msg)
	case tea.MouseWheelMsg:
		if m.log != nil {
			switch msg.Button {
			case tea.MouseWheelUp:
				m.scrollLog(-3)
			case tea.MouseWheelDown:
				m.scrollLog(3)
			}
		}
	}
	return nil
}

// afterError offers the typed override when the engine refused a deploy
// as going backwards (the slots shown were older than the record).
func (m *Model) afterError(msg ActionMsg) tea.Cmd {
	if msg.What == "deploy" && msg.Build > 0 && errors.Is(msg.Err, model.ErrBackwards) {
		m.prompt = &prompt{env: msg.Env, build: msg.Build, override: true}
	}
	return m.Reload()
}

// ended tells the person when a rollout they may have started here ends,
// so that the status line never still reads "started" over an abort.
func (m *Model) ended(env string, st *rollout.Status) {
	prev := m.statuses[env]
	if !st.State.Terminal() || (prev != nil && prev.State.Terminal() && prev.Build == st.Build) {
		return
	}
	text := fmt.Sprintf("%s: rollout of build %d %s", model.InertLine(env), st.Build, st.State)
	if st.Reason != "" {
		text += ": " + model.InertLine(st.Reason)
	}
	if st.State == model.RolloutDone {
		m.note, m.noteWarn = text, false
	} else {
		m.warn(text)
	}
}

func (m *Model) setStatus(env string, st *rollout.Status) {
	if env == "" || st == nil {
		return
	}
	if m.statuses == nil {
		m.statuses = map[string]*rollout.Status{}
	}
	m.statuses[env] = st
}

func (m *Model) selected() *model.Environment {
	if m.sel < 0 || m.sel >= len(m.envs) {
		return nil
	}
	return &m.envs[m.sel]
}

func (m *Model) status() *rollout.Status {
	if e := m.selected(); e != nil {
		return m.statuses[e.Name]
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	km := m.km
	switch {
	case key.Matches(msg, km.Up):
		m.move(-1)
	case key.Matches(msg, km.Down):
		m.move(1)
	case key.Matches(msg, km.PageUp):
		m.scrollLog(-max(1, m.logRows()-1))
	case key.Matches(msg, km.PageDown):
		m.scrollLog(max(1, m.logRows()-1))
	case key.Matches(msg, km.Details):
		return m.nextLog()
	case key.Matches(msg, km.Cancel) && m.logGate > 0:
		m.closeLog()
	case key.Matches(msg, km.Deploy):
		return m.startPrompt()
	case key.Matches(msg, km.Promote):
		return m.confirmPromote()
	case key.Matches(msg, km.Approve):
		return m.approve()
	case key.Matches(msg, km.AbortRollout):
		return m.confirmAbort()
	}
	return nil
}

func (m *Model) move(d int) {
	if len(m.envs) == 0 {
		return
	}
	n := max(0, min(m.sel+d, len(m.envs)-1))
	if n != m.sel {
		m.sel = n
		m.closeLog()
	}
}

func (m *Model) closeLog() { m.logGate, m.log, m.logTop = 0, nil, 0 }

// nextLog shows the next log of a gate that ran on the selected
// environment; after the last it closes the log.
func (m *Model) nextLog() tea.Cmd {
	st := m.status()
	if st == nil {
		return nil
	}
	for i := m.logGate; i < len(st.Gates); i++ {
		// A pending gate has its log path before it has a log.
		if g := st.Gates[i]; g.Log != "" && g.State != rollout.GatePending {
			m.logGate = i + 1
			m.log = &LogMsg{Env: st.Env, Gate: g.Name, Path: g.Log}
			return readLog(st.Env, g.Name, g.Log)
		}
	}
	if m.logGate == 0 {
		m.warn("no gate logs for " + model.InertLine(st.Env))
	}
	m.closeLog()
	return nil
}

func (m *Model) scrollLog(d int) {
	if m.log == nil {
		return
	}
	last := max(0, len(m.log.Lines)-m.logRows())
	m.logTop = max(0, min(min(m.logTop, last)+d, last))
}

// ready reports whether an action may start on the selected environment.
func (m *Model) ready() bool {
	if m.eng == nil || m.selected() == nil {
		return false
	}
	if m.busy != "" {
		m.warn("busy: " + m.busy)
		return false
	}
	return true
}

// busyMsg marks the screen busy once the person confirmed.
type busyMsg struct{ what string }

func markBusy(what string) tea.Cmd { return func() tea.Msg { return busyMsg{what} } }

func confirm(prompt string, detail []string, what string, act tea.Cmd) tea.Cmd {
	req := ConfirmRequest{Prompt: prompt, Detail: detail, Action: tea.Sequence(markBusy(what), act)}
	return func() tea.Msg { return req }
}

// liveBuild is the build serving env, as far as the slots tell.
func liveBuild(e *model.Environment) (int, model.Color) {
	if e.Green.State == model.SlotLive && e.Green.Weight > e.Blue.Weight {
		return e.Green.Build, model.Green
	}
	return e.Blue.Build, model.Blue
}

// suggestBuild proposes the newest build of env's track, when it is newer
// than the live one; else the newest any environment of the track runs.
func (m *Model) suggestBuild(e *model.Environment) int {
	live, _ := liveBuild(e)
	best := m.newest[e.Track].Number
	for _, o := range m.envs {
		if o.Track == e.Track {
			best = max(best, o.Blue.Build, o.Green.Build)
		}
	}
	if best > live {
		return best
	}
	return 0
}

func (m *Model) startPrompt() tea.Cmd {
	if !m.ready() {
		return nil
	}
	e := m.selected()
	if st := m.statuses[e.Name]; st != nil && st.InFlight() {
		m.warn(fmt.Sprintf("a rollout of build %d is in flight on %s: promote, approve or abort it first", st.Build, model.InertLine(e.Name)))
		return nil
	}
	p := &prompt{env: e.Name}
	if b := m.suggestBuild(e); b > 0 {
		p.text = strconv.Itoa(b)
	}
	m.prompt = p
	m.note, m.err = "", nil
	return nil
}

func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	p := m.prompt
	switch msg.String() {
	case "esc", "ctrl+c":
		m.prompt = nil
		m.note, m.noteWarn = "deploy cancelled", false
		return nil
	case "enter":
		return m.submitPrompt()
	case "backspace":
		if r := []rune(p.text); len(r) > 0 {
			p.text = string(r[:len(r)-1])
		}
		return nil
	case "ctrl+u":
		p.text = ""
		return nil
	}
	if t := msg.Text; t != "" && len([]rune(p.text)) < 64 {
		if !p.override && strings.Trim(t, "0123456789") != "" {
			return nil
		}
		p.text += t
	}
	return nil
}

func (m *Model) submitPrompt() tea.Cmd {
	p := m.prompt
	var e *model.Environment
	for i := range m.envs {
		if m.envs[i].Name == p.env {
			e = &m.envs[i]
		}
	}
	if e == nil {
		m.prompt = nil
		return nil
	}
	if p.override {
		m.prompt = nil
		if p.text != p.env {
			m.warn("the name does not match; nothing was started")
			return nil
		}
		opts := engine.StartOptions{Build: p.build, AllowBackwards: true, Confirm: p.text}
		return tea.Sequence(markBusy(fmt.Sprintf("starting backwards rollout of build %d on %s", p.build, p.env)),
			startCmd(m.bg, m.eng, p.env, opts, fmt.Sprintf("backwards rollout of build %d started on %s (journaled)", p.build, p.env)))
	}
	build, err := strconv.Atoi(p.text)
	if err != nil || build <= 0 {
		m.warn("type the build number to deploy")
		return nil
	}
	live, _ := liveBuild(e)
	if errors.Is(model.CheckForward(live, build), model.ErrBackwards) {
		m.prompt = &prompt{env: p.env, build: build, override: true}
		return nil
	}
	m.prompt = nil
	return m.confirmDeploy(e, build)
}

func (m *Model) confirmDeploy(e *model.Environment, build int) tea.Cmd {
	live, liveSlot := liveBuild(e)
	target := model.Green
	if liveSlot == model.Green {
		target = model.Blue
	}
	name := model.InertLine(e.Name)
	detail := []string{
		fmt.Sprintf("deploy build %d into the %s slot of %s, next to %s (build %s), which keeps serving", build, target, name, liveSlot, buildText(live)),
	}
	if m.deploy != nil {
		var gates []string
		ce, _ := m.deploy.Environment(e.Name)
		for _, g := range m.deploy.Gates {
			if len(ce.Gates) == 0 || contains(ce.Gates, g.Name) {
				gates = append(gates, model.InertLine(g.Name))
			}
		}
		if len(gates) > 0 {
			detail = append(detail, "warm it, then run the gates: "+strings.Join(gates, ", "))
		} else {
			detail = append(detail, "warm it and check its health")
		}
		var waves []string
		for _, w := range m.deploy.WavesFor(e.Name) {
			s := fmt.Sprintf("%d%%", w.Weight)
			if w.Approval {
				s += " (approval)"
			}
			waves = append(waves, s)
		}
		if len(waves) > 0 {
			detail = append(detail, "then move traffic in waves: "+strings.Join(waves, " → ")+", each analysed")
		}
	}
	detail = append(detail, "x aborts before cut-over and puts all traffic back")
	eng, env := m.eng, e.Name
	return confirm(fmt.Sprintf("Deploy build %d to %s?", build, name), detail, fmt.Sprintf("starting rollout of build %d on %s", build, name),
		startCmd(m.bg, eng, env, engine.StartOptions{Build: build}, fmt.Sprintf("rollout of build %d started on %s", build, name)))
}

func (m *Model) confirmPromote() tea.Cmd {
	if !m.ready() {
		return nil
	}
	st := m.status()
	name := model.InertLine(m.selected().Name)
	if st == nil || !st.InFlight() {
		m.warn("no rollout in flight on " + name)
		return nil
	}
	var detail []string
	switch {
	case st.State == model.RolloutPaused && st.Waiting == rollout.WaitApproval:
		m.warn(fmt.Sprintf("wave %d awaits approval: y approves it", st.Wave+1))
		return nil
	case st.State == model.RolloutPaused && st.Waiting == rollout.WaitDrift:
		detail = append(detail, "accept the traffic in force and resume the rollout")
	case st.State == model.RolloutPaused:
		detail = append(detail, fmt.Sprintf("overrule the inconclusive analysis of wave %d and move on", st.Wave+1))
	default:
		detail = append(detail, fmt.Sprintf("end wave %d's analysis early", st.Wave+1))
	}
	if next := st.Wave + 1; next >= 0 && next < len(st.Waves) {
		detail = append(detail, fmt.Sprintf("%s traffic goes from %d%% to %d%%", st.Target, st.Desired, st.Waves[next].Weight))
	} else {
		detail = append(detail, fmt.Sprintf("the last wave is done: %s (build %d) takes all traffic and %s is retired", st.Target, st.Build, st.Live))
	}
	eng, env, bg := m.eng, st.Env, m.bg
	return confirm(fmt.Sprintf("Promote the rollout of build %d on %s?", st.Build, name), detail, "promoting on "+name,
		act(bg, "promote", env, "promoted on "+name, func(ctx context.Context) (*rollout.Status, error) {
			return eng.Promote(ctx, env, engine.RolloutAction{})
		}))
}

// approve grants a waiting approval; the key itself is the person's
// decision, so no second question is asked.
func (m *Model) approve() tea.Cmd {
	if !m.ready() {
		return nil
	}
	st := m.status()
	name := model.InertLine(m.selected().Name)
	if st == nil || st.State != model.RolloutPaused || st.Waiting != rollout.WaitApproval {
		m.warn("nothing awaits approval on " + name)
		return nil
	}
	eng, env, bg := m.eng, st.Env, m.bg
	m.busy = "approving on " + name
	return act(bg, "approve", env, fmt.Sprintf("approved wave %d on %s", st.Wave+1, name), func(ctx context.Context) (*rollout.Status, error) {
		return eng.Approve(ctx, env, engine.RolloutAction{})
	})
}

func (m *Model) confirmAbort() tea.Cmd {
	if !m.ready() {
		return nil
	}
	st := m.status()
	name := model.InertLine(m.selected().Name)
	// A failed rollout (an abort that could not put the traffic back) is
	// left by aborting again: that is its only way out.
	failed := st != nil && st.State == model.RolloutFailed
	if st == nil || !st.InFlight() && !failed {
		m.warn("no rollout in flight on " + name)
		return nil
	}
	detail := []string{
		fmt.Sprintf("put all traffic back on %s (build %s)", st.Live, buildText(st.From)),
		fmt.Sprintf("stop %s (build %d); the rollout ends as aborted", st.Target, st.Build),
		"recovery afterwards is a new build that rolls forward",
	}
	prompt := fmt.Sprintf("Abort the rollout of build %d on %s?", st.Build, name)
	if failed {
		prompt = fmt.Sprintf("Abort the failed rollout of build %d on %s again?", st.Build, name)
		detail = append([]string{"it failed: " + model.InertLine(st.Reason)}, detail...)
	}
	eng, env, bg := m.eng, st.Env, m.bg
	return confirm(prompt, detail, "aborting on "+name,
		act(bg, "abort", env, "aborted on "+name, func(ctx context.Context) (*rollout.Status, error) {
			return eng.AbortRollout(ctx, env, engine.RolloutAction{Reason: "aborted from the cockpit"})
		}))
}

func buildText(b int) string {
	if b == 0 {
		return "none"
	}
	return strconv.Itoa(b)
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// ShortHelp is the screen's main keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.km
	return []key.Binding{k.Up, k.Down, k.Deploy, k.Promote, k.Approve, k.AbortRollout, k.Details}
}

// FullHelp is every key of the screen, grouped.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.km
	logs := k.Details
	logs.SetHelp(k.Details.Help().Key, "next gate log")
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, logs},
		{k.Deploy, k.Promote, k.Approve, k.AbortRollout},
	}
}

// warn tells the person why a key did nothing.
func (m *Model) warn(s string) { m.note, m.noteWarn = s, true }

// Click selects the environment under row y of the screen (0 is its first
// line).
func (m *Model) Click(x, y int) {
	if i := y - 2; i >= 0 && i < len(m.envs) && i != m.sel { // title, column heads
		m.sel = i
		m.closeLog()
	}
}
