package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/graph"
	"github.com/switchyard/switchyard/tui/internal/listview"
)

// maxLogLines bounds the build log kept for the panel.
const maxLogLines = 5000

// buildRun is the build the cockpit cut last: under way or finished.
type buildRun struct {
	track, commit string // the track and the source commit built
	name          string // the bin repo's build name ("app")
	number        int    // the build number, 0 until known
	state         string // the engine's last word: started, committed, failed, …
	lines         []string
	done          bool
	failed        bool
	log           string // the log file, once the engine names it
	// top is the first log line shown; follow keeps the panel on the tail.
	top    int
	follow bool
}

func (b *buildRun) folder() string {
	if b.number > 0 {
		return model.BuildFolder(b.name, b.number)
	}
	return "the next build"
}

// Messages of a release.
type (
	// releasePlanMsg answers the look-up the confirmation needs.
	releasePlanMsg struct {
		seq    int
		track  string
		commit string
		name   string
		next   int
		live   model.Build
		err    error
	}
	// releaseMsg says the release ended.
	releaseMsg struct {
		track string
		res   engine.Released
		lines []string // the whole log as written to its file, when readable
		err   error
	}
)

// planRelease reads the bin repo's next build number and live build for
// the confirmation.
func planRelease(e *engine.Engine, seq int, track, commit string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		msg := releasePlanMsg{seq: seq, track: track, commit: commit}
		bin, err := e.BinRepo(ctx)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.name = bin.Name()
		if msg.next, err = bin.Next(ctx, track); err != nil {
			msg.next = 0 // the dialog says "the next build"
		}
		if live, err := e.LiveBuild(ctx, track); err == nil {
			msg.live = live
		}
		return msg
	}
}

// runRelease builds commit of track. It runs as long as the build takes
// (the engine's timeout bounds it) and ends with the cockpit.
func runRelease(ctx context.Context, e *engine.Engine, track, commit string) tea.Cmd {
	return func() tea.Msg {
		res, err := e.Release(ctx, engine.ReleaseOptions{Track: track, Commit: commit})
		msg := releaseMsg{track: track, res: res, err: err}
		if res.Log != "" {
			msg.lines, _ = readTail(res.Log, maxLogLines)
		}
		return msg
	}
}

// readTail reads the last n lines of a file, at most its last 4 MiB.
func readTail(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	const maxBytes = 4 << 20
	if fi, err := f.Stat(); err == nil && fi.Size() > maxBytes {
		if _, err := f.Seek(-maxBytes, io.SeekEnd); err != nil {
			return nil, err
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimRight(data, "\n")
	if len(data) == 0 {
		return []string{}, nil
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		lines[i] = model.InertLine(strings.TrimRight(l, "\r"))
	}
	return lines, nil
}

// askRelease asks the engine what the release of the focused graph's
// track would be; the confirmation opens on the answer.
func (m *Model) askRelease() tea.Cmd {
	if b := m.build; b != nil && !b.done {
		m.showLog = true
		m.say(fmt.Sprintf("building %s of %s: the log is open (esc hides it)", b.folder(), b.track))
		return nil
	}
	if m.busy != "" {
		m.say(m.busy + " is under way")
		return nil
	}
	cfg := m.eng.Config()
	if cfg.Build == nil {
		m.fail("release", errors.New(`no [build] in switchyard.toml: add [build] with command = ["sh", "build.sh"] and output = "dist" (the folder it makes)`))
		return nil
	}
	if cfg.BinPath() == "" {
		m.fail("release", errors.New(`no [bin] in switchyard.toml: add [bin] with path = "../bin" (the bin repo) and name = "app"`))
		return nil
	}
	if m.focus < 0 || int(m.focus) >= len(m.graphs) {
		m.say("release: focus the graph of the track to build (tab), then press R")
		return nil
	}
	track := m.graphs[m.focus].Track
	head := m.head(track)
	if head == "" {
		m.say("release: the heads are still loading; press R again in a moment")
		return nil
	}
	m.seq.release++
	return planRelease(m.eng, m.seq.release, track, head)
}

func (m *Model) gotReleasePlan(msg releasePlanMsg) tea.Cmd {
	if msg.seq != m.seq.release || m.screen != screenCockpit || m.dialog != nil {
		return nil
	}
	if msg.err != nil {
		m.fail("release "+msg.track, msg.err)
		return nil
	}
	cfg := m.eng.Config()
	b := &buildRun{track: msg.track, commit: msg.commit, name: msg.name, number: msg.next, follow: true}
	short := model.ShortID(msg.commit)
	var lines []string
	for _, h := range m.headsOf(msg.track) {
		lines = append(lines, fmt.Sprintf("%s %s  %s", h.Kind, h.Short(), model.InertLine(h.Subject)), "")
	}
	cmd := quoteArgs(inertAll(cfg.Build.Command))
	timeout := "no timeout"
	if t := cfg.Build.Timeout.Std(); t > 0 {
		timeout = "timeout " + shortDuration(t)
	}
	lines = append(lines,
		fmt.Sprintf("runs %s in a checkout of %s (%s),", cmd, short, timeout),
		fmt.Sprintf("commits its %s/ as %s/ to the %s branch of %s;", model.InertLine(cfg.Build.Output), b.folder(), msg.track, shortPath(model.InertLine(m.binPath), 40)))
	var byBin []string
	for _, env := range cfg.Deploy.Environments {
		if env.Track == msg.track && env.Traffic.Driver == "bin" {
			byBin = append(byBin, model.InertLine(env.Name))
		}
	}
	link := model.InertLine(msg.name)
	switch {
	case len(byBin) > 0:
		lines = append(lines, fmt.Sprintf("the %s symlink stays: the rollout of %s moves it, through its gates.", link, strings.Join(byBin, ", ")))
	case msg.live.Number > 0:
		lines = append(lines, fmt.Sprintf("the %s symlink moves from %s to it: nodes pulling %s switch.", link, msg.live.Folder(), msg.track))
	default:
		lines = append(lines, fmt.Sprintf("the %s symlink points at it: nodes pulling %s switch.", link, msg.track))
	}
	if r := cfg.Bin.Remote; r != "" {
		lines = append(lines, fmt.Sprintf("then pushes %s to %s (with a lease).", msg.track, model.InertLine(r)))
	}
	lines = append(lines, "The log shows here as it runs; esc hides it, L shows it again.")
	ctx := m.ctx
	e := m.eng
	m.dialog = &dialog{
		title: fmt.Sprintf("Build %s at %s into the bin repo as %s?", msg.track, short, b.folder()),
		lines: lines,
		busy:  fmt.Sprintf("building %s of %s", b.folder(), msg.track),
		then: func() {
			m.build = b
			m.showLog = true
		},
		yes: runRelease(ctx, e, msg.track, msg.commit),
	}
	return nil
}

// quoteArgs writes a command's arguments as a person would type them:
// those with spaces or shell characters in single quotes.
func quoteArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if a == "" || strings.ContainsAny(a, " \t'\"$&;|<>()*?[]{}~`\\") {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}

// shortDuration writes 2m rather than 2m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// headsOf is the head commit of track, as the status read it.
func (m *Model) headsOf(track string) []model.Commit {
	if m.status == nil {
		return nil
	}
	for _, h := range m.status.Heads {
		if h.Track == track {
			return []model.Commit{h.Head}
		}
	}
	return nil
}

// gotBuildEvent takes the engine's build events for the build under way
// into the log panel.
func (m *Model) gotBuildEvent(ev model.Event) {
	b := m.build
	if b == nil || b.done || ev.Track != b.track {
		return
	}
	switch ev.Kind {
	case "log":
		b.lines = append(b.lines, model.InertLine(ev.Text))
		if n := len(b.lines) - maxLogLines; n > 0 {
			b.lines = b.lines[n:]
			b.top = max(b.top-n, 0)
		}
	case "state":
		b.state = model.InertLine(ev.Text)
		if d, ok := ev.Data.(model.Build); ok && d.Number > 0 {
			b.number = d.Number
			if d.Name != "" {
				b.name = d.Name
			}
		}
	}
}

func (m *Model) gotRelease(msg releaseMsg) tea.Cmd {
	m.busy = ""
	b := m.build
	if b == nil || b.track != msg.track {
		b = &buildRun{track: msg.track, follow: true}
		m.build = b
	}
	b.done = true
	if msg.lines != nil {
		// The file has every line; events can be dropped when they come
		// faster than the screen takes them.
		b.lines = msg.lines
	}
	if msg.res.Number > 0 {
		b.number, b.name = msg.res.Number, msg.res.Name
	}
	if msg.res.Log != "" {
		b.log = msg.res.Log
	}
	short := model.ShortID(b.commit)
	if msg.err != nil {
		b.failed = true
		if b.state == "" || b.state == "started" {
			b.state = "failed"
		}
		// The engine's error names the log already: the status line names
		// it once, before the last lines.
		errText := oneLine(msg.err.Error())
		if b.log != "" {
			errText = strings.ReplaceAll(errText, " (log: "+model.InertLine(b.log)+")", "")
		}
		var s strings.Builder
		if errors.Is(msg.err, engine.ErrPush) {
			fmt.Fprintf(&s, "%s of %s is committed to the bin repo but not pushed: %s", b.folder(), b.track, errText)
		} else {
			fmt.Fprintf(&s, "build %s of %s failed: %s", b.folder(), b.track, errText)
		}
		if b.log != "" {
			s.WriteString(" · log " + shortPath(model.InertLine(b.log), 0))
		}
		for n := 2; n > 0; n-- {
			last := lastLines(b.lines, n)
			if last == "" {
				break
			}
			if n == 1 || ansi.StringWidth(s.String())+len(" · last: ")+ansi.StringWidth(last) < m.width {
				s.WriteString(" · last: " + last)
				break
			}
		}
		m.note, m.noteErr = s.String(), true
		m.showLog = true
		return m.reloadAll()
	}
	b.state = "done"
	s := fmt.Sprintf("built %s of %s at %s: committed to the bin repo", b.folder(), b.track, short)
	if msg.res.Live {
		s += fmt.Sprintf(", the %s symlink of %s names it", model.InertLine(msg.res.Name), b.track)
	}
	// Environments bound to the track run it once rolled out.
	var envs []string
	for _, env := range m.eng.Config().Deploy.Environments {
		if env.Track == b.track {
			envs = append(envs, model.InertLine(env.Name))
		}
	}
	if len(envs) > 0 {
		s += fmt.Sprintf("; deploy it to %s on 3 rollouts", strings.Join(envs, ", "))
	}
	m.say(s)
	return m.reloadAll()
}

// lastLines joins the last n non-empty lines of the build's own output
// (the engine's "switchyard: …" lines say less than the build's).
func lastLines(lines []string, n int) string {
	var out []string
	for i := len(lines) - 1; i >= 0 && len(out) < n; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "switchyard: ") {
			out = append([]string{l}, out...)
		}
	}
	return strings.Join(out, " ⏎ ")
}

// logKey handles a key while the build log panel is open: scrolling, and
// esc (or L) to hide it; the build goes on.
func (m *Model) logKey(k tea.KeyPressMsg) tea.Cmd {
	b := m.build
	h := m.logHeight()
	switch {
	case k.String() == "esc" || key.Matches(k, m.keys.BuildLog) || k.String() == "q":
		m.showLog = false
		if !b.done {
			m.say(fmt.Sprintf("building %s of %s in the background: L shows the log", b.folder(), b.track))
		}
		return nil
	case key.Matches(k, m.keys.Up):
		m.scrollLog(-1)
	case key.Matches(k, m.keys.Down):
		m.scrollLog(1)
	case key.Matches(k, m.keys.PageUp):
		m.scrollLog(-max(h-1, 1))
	case key.Matches(k, m.keys.PageDown):
		m.scrollLog(max(h-1, 1))
	case key.Matches(k, m.keys.Top):
		b.follow, b.top = false, 0
	case key.Matches(k, m.keys.Bottom):
		b.follow = true
	case key.Matches(k, m.keys.Help):
		m.showHelp = true
	}
	return nil
}

func (m *Model) scrollLog(d int) {
	b := m.build
	h := m.logHeight()
	last := max(len(b.lines)-h, 0)
	if b.follow {
		b.top = last
	}
	b.top = min(max(b.top+d, 0), last)
	b.follow = b.top == last
}

// logHeight is how many log lines the panel shows.
func (m *Model) logHeight() int {
	return max(m.height-headerLines-footerLines-3, 1)
}

// logPanel draws the build log over the body: a title, the lines, and
// what the keys do; exactly h lines of w cells.
func (m *Model) logPanel(w, h int) []string {
	b := m.build
	lh := max(h-3, 1)
	if b.follow {
		b.top = max(len(b.lines)-lh, 0)
	}
	b.top = min(b.top, max(len(b.lines)-lh, 0))
	state := b.state
	if state == "" {
		state = "starting"
	}
	if !b.done {
		state = "running · " + state
	}
	title := fmt.Sprintf("▌ build %s of %s at %s · %s", b.folder(), b.track, model.ShortID(b.commit), state)
	tst := m.st.TitleActive
	if b.failed {
		tst = tst.Inherit(m.st.Error)
	}
	out := []string{tst.Render(graph.Fit(title, w))}
	if len(b.lines) == 0 {
		out = append(out, m.st.Muted.Render(graph.Fit("  no output yet", w)))
	}
	for i := b.top; i < len(b.lines) && len(out) < lh+1; i++ {
		out = append(out, graph.Fit("  "+b.lines[i], w))
	}
	out = listview.Pad(out, w, lh+1)
	pos := fmt.Sprintf("lines %d–%d of %d", min(b.top+1, len(b.lines)), min(b.top+lh, len(b.lines)), len(b.lines))
	if b.follow {
		pos += " · following"
	}
	foot := ""
	if b.log != "" {
		foot = "log " + shortPath(model.InertLine(b.log), 0) + " · "
	}
	foot += pos
	esc := "hide (the build goes on; L shows it again)"
	if b.done {
		esc = "close (L shows it again)"
	}
	keys := m.st.Key.Render("↑/↓ pgup/pgdn") + " " + m.st.KeyDesc.Render("scroll") + "  " +
		m.st.Key.Render("G") + " " + m.st.KeyDesc.Render("follow") + "  " +
		m.st.Key.Render("esc") + " " + m.st.KeyDesc.Render(esc)
	out = append(out, m.st.Muted.Render(graph.Fit("  "+foot, w)), graph.Fit(" "+keys, w))
	return out[:h]
}
