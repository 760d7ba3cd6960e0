package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/demo"
	"github.com/switchyard/switchyard/engine/watch"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/internal/golden"
	"github.com/switchyard/switchyard/tui/pending"
)

// anchor is the demo's "now"; the cockpit is looked at ten hours later.
var anchor = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func clock() time.Time { return anchor.Add(10 * time.Hour) }

// sandbox builds the demo sandbox once per flow for the package's tests.
var sandboxes = map[string]*demo.Sandbox{}

func sandbox(t *testing.T, flow string) *demo.Sandbox {
	t.Helper()
	if sb := sandboxes[flow]; sb != nil {
		return sb
	}
	dir, err := os.MkdirTemp("", "switchyard-tui-*")
	if err != nil {
		t.Fatal(err)
	}
	sb, err := demo.Build(context.Background(), demo.Options{Dir: filepath.Join(dir, "sb"), Flow: flow, Anchor: anchor})
	if err != nil {
		t.Fatalf("demo.Build: %v", err)
	}
	sandboxes[flow] = sb
	return sb
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, sb := range sandboxes {
		os.RemoveAll(filepath.Dir(sb.Dir))
	}
	os.Exit(code)
}

// open opens the cockpit on the sandbox at a fixed size and runs the
// initial loads to the end, as the program would.
func open(t *testing.T, flow string, w, h int) *Model {
	t.Helper()
	sb := sandbox(t, flow)
	e, err := engine.Open(context.Background(), engine.OpenOptions{Dir: sb.Src, Now: clock, PatchIDCache: "-"})
	if err != nil {
		t.Fatalf("engine.Open: %v", err)
	}
	m := New(e, Options{Now: clock, NoColor: true, NoEvents: true})
	t.Cleanup(m.Close)
	// The sandbox is in a new temporary folder each run: the goldens name
	// the repos by fixed paths.
	m.srcPath, m.binPath = "/home/rm/sb/src", "/home/rm/sb/bin"
	send(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	run(t, m, m.Init())
	// Slots come from live health probes and the demo's simulated fleets,
	// which the screens must not depend on: the goldens use one fixed
	// reading of the demo's environments.
	send(t, m, envsMsg{seq: m.seq.envs, envs: fixedEnvs(flow)})
	return m
}

func fixedEnvs(flow string) []model.Environment {
	slot := func(c model.Color, build int, st model.SlotState, h model.Health, w, nodes, on int) model.Slot {
		return model.Slot{Color: c, Build: build, State: st, Health: h, Weight: w, Nodes: nodes, NodesOnBuild: on}
	}
	first := "dev"
	if flow == demo.FlowThree {
		first = "master"
	}
	return []model.Environment{
		{Name: "integration", Track: first,
			Blue:  slot(model.Blue, 7, model.SlotLive, model.HealthHealthy, 100, 1000, 1000),
			Green: slot(model.Green, 0, model.SlotEmpty, model.HealthUnknown, 0, 1000, 0)},
		{Name: "staging", Track: "prod",
			Blue:  slot(model.Blue, 4, model.SlotLive, model.HealthHealthy, 90, 1000, 900),
			Green: slot(model.Green, 5, model.SlotDeployed, model.HealthDegraded, 10, 1000, 100)},
		{Name: "production", Track: "prod",
			Blue:  slot(model.Blue, 4, model.SlotLive, model.HealthHealthy, 100, 1000, 1000),
			Green: slot(model.Green, 0, model.SlotEmpty, model.HealthUnknown, 0, 1000, 0)},
	}
}

// openOwn opens the cockpit at w×h on a demo sandbox of the test's own,
// for tests that change its repositories; commits name the release
// manager. It runs the initial loads to the end, slots included.
func openOwn(t *testing.T, w, h int) (*Model, *demo.Sandbox, *engine.Engine) {
	t.Helper()
	t.Setenv("GIT_COMMITTER_NAME", "Release Manager")
	t.Setenv("GIT_COMMITTER_EMAIL", "rm@example.com")
	sb, err := demo.Build(context.Background(), demo.Options{Dir: filepath.Join(t.TempDir(), "sb"), Anchor: anchor})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(context.Background(), engine.OpenOptions{Dir: sb.Src, Now: clock, PatchIDCache: "-"})
	if err != nil {
		t.Fatal(err)
	}
	m := New(e, Options{Now: clock, NoColor: true, NoEvents: true})
	t.Cleanup(m.Close)
	send(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	run(t, m, m.Init())
	return m, sb, e
}

// run executes a command and feeds what it answers back, to the end.
// Commands that would wait on the terminal are not run.
func run(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			run(t, m, c)
		}
	default:
		if _, ok := msg.(reloadMsg); ok {
			break
		}
		send(t, m, msg)
	}
}

func send(t *testing.T, m *Model, msg tea.Msg) {
	t.Helper()
	_, cmd := m.Update(msg)
	run(t, m, cmd)
}

func press(t *testing.T, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "shift+tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "backspace":
			msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
		default:
			r := []rune(k)[0]
			msg = tea.KeyPressMsg{Code: r, Text: k}
		}
		send(t, m, msg)
	}
}

func screenText(m *Model) string { return ansi.Strip(m.View().Content) }

func TestCockpitGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	for _, sz := range []struct{ w, h int }{{160, 45}, {100, 30}, {80, 24}} {
		name := "cockpit-" + itoa(sz.w) + "x" + itoa(sz.h)
		t.Run(name, func(t *testing.T) {
			m := open(t, demo.FlowTwo, sz.w, sz.h)
			golden.Fills(t, m.View().Content, sz.w, sz.h)
			golden.Check(t, name, m.View().Content)
		})
	}
}

func TestCockpitThreeTracksGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m := open(t, demo.FlowThree, 160, 45)
	golden.Fills(t, m.View().Content, 160, 45)
	golden.Check(t, "cockpit-three-160x45", m.View().Content)
}

func TestPropagationGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	for _, sz := range []struct{ w, h int }{{160, 45}, {100, 30}} {
		name := "propagation-" + itoa(sz.w) + "x" + itoa(sz.h)
		t.Run(name, func(t *testing.T) {
			m := open(t, demo.FlowTwo, sz.w, sz.h)
			press(t, m, "v")
			golden.Fills(t, m.View().Content, sz.w, sz.h)
			golden.Check(t, name, m.View().Content)
		})
	}
}

func TestHelpAndCarryDialogGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m := open(t, demo.FlowTwo, 100, 30)
	press(t, m, "?")
	golden.Fills(t, m.View().Content, 100, 30)
	golden.Check(t, "help-100x30", m.View().Content)
	press(t, m, "?", "tab", "tab", "p")
	if m.dialog == nil {
		t.Fatalf("p on the pending list shows no confirmation; screen:\n%s", screenText(m))
	}
	golden.Fills(t, m.View().Content, 100, 30)
	golden.Check(t, "carry-dialog-160x45-like-100x30", m.View().Content)
	press(t, m, "n")
	if m.dialog != nil {
		t.Error("n does not cancel the confirmation")
	}
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n))
}

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

// TestResizeNeverGarbles resizes the cockpit through many sizes, tiny
// ones included, on every screen and overlay: the view is always exactly
// the terminal's size and nothing panics.
func TestResizeNeverGarbles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m := open(t, demo.FlowTwo, 160, 45)
	sizes := [][2]int{{80, 24}, {100, 30}, {99, 30}, {1, 1}, {10, 3}, {40, 10}, {200, 60}, {120, 8}, {60, 50}, {160, 45}}
	for _, setup := range []struct {
		name string
		keys []string
	}{
		{"cockpit", nil},
		{"propagation", []string{"v"}},
		{"help", []string{"v", "?"}},
		{"dialog", []string{"?", "tab", "p"}},
		{"details", []string{"n", "enter"}},
		{"filter", []string{"esc", "tab", "/", "h", "o", "t"}},
		{"resolver", []string{"esc", "2"}},
		{"rollouts-back", []string{"1"}},
	} {
		press(t, m, setup.keys...)
		for _, sz := range sizes {
			send(t, m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			golden.Fills(t, m.View().Content, sz[0], sz[1])
		}
		if t.Failed() {
			t.Fatalf("after %s", setup.name)
		}
	}
}

func TestFilterMouseAndTheme(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m := open(t, demo.FlowTwo, 160, 45)
	// Filter the dev graph down to hotfixes.
	press(t, m, "/", "h", "o", "t", "f", "i", "x", "enter")
	dev := m.graphs[0]
	scr := screenText(m)
	if !strings.Contains(scr, "/hotfix") || strings.Contains(strings.SplitN(scr, "│", 2)[0], "Release 1.1.0") {
		t.Errorf("filtering the dev graph by hotfix:\n%s", scr)
	}
	if c, ok := dev.Selected(); !ok || !strings.Contains(c.Subject, "hotfix") {
		t.Errorf("selected %q after filtering; want a hotfix", c.Subject)
	}
	press(t, m, "/", "esc")
	if m.filterText != "" {
		t.Errorf("esc leaves the filter %q", m.filterText)
	}

	// A click on the fourth commit line of the prod graph (x past the
	// dev pane; y: two header lines and the pane title) selects it.
	send(t, m, tea.MouseClickMsg{X: 100, Y: headerLines + 1 + 3, Button: tea.MouseLeft})
	if m.focus != 1 {
		t.Fatalf("a click in the prod graph focuses pane %d", m.focus)
	}
	prodCommits := m.graphs[1].Commits()
	if got := m.graphs[1].SelectedID(); got != prodCommits[3].ID {
		t.Errorf("click selected %s; want the fourth commit %s", got, prodCommits[3].ID)
	}
	send(t, m, tea.MouseWheelMsg{X: 10, Y: 10, Button: tea.MouseWheelDown})

	// A click on the "2 resolver" tab of the header shows that screen.
	first := strings.SplitN(screenText(m), "\n", 2)[0]
	x := strings.Index(first, "2 resolver")
	send(t, m, tea.MouseClickMsg{X: len([]rune(first[:x])), Y: 0, Button: tea.MouseLeft})
	if m.screen != screenResolver {
		t.Errorf("a click on the resolver tab shows screen %d", m.screen)
	}
	send(t, m, tea.MouseClickMsg{X: len([]rune(first[:strings.Index(first, "1 cockpit")])), Y: 0, Button: tea.MouseLeft})
	if m.screen != screenCockpit {
		t.Fatalf("a click on the cockpit tab shows screen %d", m.screen)
	}

	// The carry key on a commit that does not wait says so.
	press(t, m, "p")
	if m.dialog != nil || !m.noteErr {
		t.Errorf("p on a prod commit: dialog %v, status %q", m.dialog != nil, m.note)
	}

	// A light terminal switches the theme.
	send(t, m, tea.BackgroundColorMsg{Color: lightWhite{}})
	if m.dark || m.st.Dark {
		t.Error("a light background leaves the dark theme")
	}
}

type lightWhite struct{}

func (lightWhite) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

func TestStaleAnswersAreDropped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m := open(t, demo.FlowTwo, 100, 30)
	before := len(m.pend.Items())
	send(t, m, pendingMsg{seq: m.seq.pending - 1})
	if len(m.pend.Items()) != before {
		t.Error("an answer to an older pending request replaced the list")
	}
	send(t, m, statusMsg{seq: m.seq.status - 1})
	if m.status == nil {
		t.Error("an older status answer cleared the status")
	}
}

// TestCarryThroughTheRoot carries the clean hotfix and then the
// conflicting one by keys, on a sandbox of its own: the clean pick lands
// and the graphs reload; the conflicting one opens the resolver.
func TestCarryThroughTheRoot(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m, sb, _ := openOwn(t, 160, 45)

	hotfix := sb.Commits["hotfix-health"]
	press(t, m, "tab", "tab")
	if it, _ := m.pend.Selected(); it.Commit.ID != hotfix {
		t.Fatalf("the pending list starts at %s %q; want the clean hotfix %s", it.Commit.Short(), it.Commit.Subject, hotfix)
	}
	press(t, m, "p")
	if m.dialog == nil {
		t.Fatalf("no confirmation for the carry:\n%s", screenText(m))
	}
	press(t, m, "y")
	if m.noteErr || !strings.Contains(m.note, "carried") {
		t.Fatalf("after the carry the status says %q", m.note)
	}
	if prod := m.graphs[1].Commits(); len(prod) == 0 || !strings.Contains(prod[0].Subject, "health check must not hang") {
		t.Errorf("the prod graph does not start with the carried hotfix:\n%s", screenText(m))
	}
	// 8 still waiting for prod, then prod's own hotfix waiting for dev.
	if len(m.pend.Items()) != 9+1 {
		t.Errorf("%d pending after the carry; want 10", len(m.pend.Items()))
	}

	press(t, m, "p", "y")
	if m.screen != screenResolver {
		t.Fatalf("a conflicting carry did not open the resolver; status %q\n%s", m.note, screenText(m))
	}
	if !strings.Contains(screenText(m), "app/main.go") {
		t.Errorf("the resolver does not show the conflicted file:\n%s", screenText(m))
	}
	// Carrying while a session waits is refused with a reason.
	press(t, m, "1", "p")
	if m.dialog != nil || !m.noteErr || !strings.Contains(m.note, "stopped on conflicts") {
		t.Errorf("p with a session in progress: dialog %v, status %q", m.dialog != nil, m.note)
	}
}

func TestWatchEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m := open(t, demo.FlowTwo, 100, 30)
	before := m.seq.reload
	_, cmd := m.Update(eventMsg{model.Event{Source: "watch", Kind: watch.RefsChanged}})
	_, cmd2 := m.Update(eventMsg{model.Event{Source: "watch", Kind: watch.RefsChanged}})
	if m.seq.reload != before+2 || cmd == nil || cmd2 == nil {
		t.Fatalf("refs-changed events: reload seq %d → %d", before, m.seq.reload)
	}
	// Only the last of a burst reloads: an older settle is dropped.
	stale := m.seq.pending
	send(t, m, reloadMsg{seq: m.seq.reload - 1})
	if m.seq.pending != stale {
		t.Error("a settle timer of an earlier event reloaded")
	}
	_, cmd = m.Update(reloadMsg{seq: m.seq.reload})
	if m.seq.pending == stale || cmd == nil {
		t.Error("the last settle timer did not reload")
	}
	// With no resolution in progress a file change is nothing to take in.
	m.say("")
	send(t, m, eventMsg{model.Event{Source: "watch", Kind: watch.FileChanged}})
	if m.note != "" {
		t.Errorf("after a file-changed event with no session the status says %q", m.note)
	}
}

func TestTrainDialogAndDetailsGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m := open(t, demo.FlowTwo, 160, 45)
	press(t, m, "tab", "T")
	if m.dialog == nil {
		t.Fatalf("T shows no confirmation; status %q", m.note)
	}
	golden.Fills(t, m.View().Content, 160, 45)
	golden.Check(t, "train-dialog-160x45", m.View().Content)
	press(t, m, "esc")
	if m.dialog != nil {
		t.Fatal("esc does not cancel the train")
	}
	press(t, m, "shift+tab", "j", "j", "enter")
	if m.details == nil {
		t.Fatal("enter shows no details")
	}
	golden.Fills(t, m.View().Content, 160, 45)
	golden.Check(t, "details-160x45", m.View().Content)
}

// TestCarryBack carries prod's own hotfix back to dev, on a sandbox of its
// own: it is listed after the promotions to prod with the arrow pointing
// upstream and its dry run, p on the prod graph and on that row asks the
// same confirmation, and the conflicting pick opens the resolver on dev.
func TestCarryBack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m, sb, _ := openOwn(t, 160, 45)
	id := sb.Commits["hotfix-body-prod"]
	items := m.pend.Items()
	last := items[len(items)-1]
	if last.Commit.ID != id || !last.Back || last.From != "prod" || last.To != "dev" {
		t.Fatalf("the pending list ends with %+v; want prod's hotfix %s back to dev", last, model.ShortID(id))
	}
	for _, it := range items[:len(items)-1] {
		if it.Back {
			t.Errorf("%s back to %s is listed before the promotions downstream", it.Commit.Short(), it.To)
		}
	}
	if last.Check != pending.Conflict {
		t.Errorf("the dry run of the back-carry says %s; want conflict", last.Check)
	}
	// The row, scrolled to, points upstream.
	press(t, m, "tab", "tab", "G")
	if it, _ := m.pend.Selected(); it.Commit.ID != id {
		t.Fatalf("G on the pending list selects %s", it.Commit.Short())
	}
	row := ""
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.Contains(l, model.ShortID(id)+" hotfix: cap request bodies") {
			row = l
		}
	}
	if !strings.Contains(row, "← dev") || !strings.Contains(row, "conflict") {
		t.Errorf("the back-carry row reads %q; want ← dev and its dry run", row)
	}
	press(t, m, "p")
	want := "Carry " + model.ShortID(id) + " back to dev?"
	if m.dialog == nil || m.dialog.title != want {
		t.Fatalf("p on the back-carry row: status %q; want the confirmation %q", m.note, want)
	}
	press(t, m, "n")

	// The same from the prod graph.
	m.setFocus(1)
	if !m.graphs[1].Select(id) {
		t.Fatalf("%s is not in the prod graph", model.ShortID(id))
	}
	press(t, m, "p")
	if m.dialog == nil || m.dialog.title != want {
		t.Fatalf("p on the prod graph: status %q; want the confirmation %q", m.note, want)
	}
	if body := strings.Join(m.dialog.lines, "\n"); !strings.Contains(body, "cherry-pick onto dev at "+model.ShortID(m.head("dev"))) ||
		!strings.Contains(body, "the dry run conflicts in") {
		t.Errorf("the confirmation reads:\n%s", body)
	}
	press(t, m, "y")
	if m.screen != screenResolver || m.sess == nil || m.sess.Track != "dev" {
		t.Fatalf("the conflicting carry back did not open the resolver on dev; status %q\n%s", m.note, screenText(m))
	}
	if !strings.Contains(m.note, "back to dev stopped on conflicts") {
		t.Errorf("the status says %q", m.note)
	}
}
