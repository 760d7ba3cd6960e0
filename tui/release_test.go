package tui

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/demo"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/internal/golden"
)

// TestCarryFromTheGraphs: p on a graph carries the selected commit when
// it waits downstream, or back upstream when it is only on its track (a
// hotfix committed on prod), and otherwise says why not.
func TestCarryFromTheGraphs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m := open(t, demo.FlowTwo, 160, 45)
	sb := sandbox(t, demo.FlowTwo)
	dev, prod := m.graphs[0], m.graphs[1]
	for _, tc := range []struct {
		name   string
		focus  focus
		commit string // selected in the focused graph; "" leaves it
		dialog string // the confirmation's title, or
		note   string // the status line's reason
	}{
		{"pending hotfix on dev", 0, sb.Commits["hotfix-health"], "Carry " + model.ShortID(sb.Commits["hotfix-health"]) + " to prod?", ""},
		{"regular commit waiting on dev", 0, dev.Commits()[0].ID, "Carry " + dev.Commits()[0].Short() + " to prod?", ""},
		{"shared history", 0, dev.Commits()[len(dev.Commits())-1].ID, "", " is already on prod"},
		{"carried hotfix", 0, firstCarried(m), "", "is already on prod as "},
		{"prod's own hotfix goes back to dev", 1, sb.Commits["hotfix-body-prod"], "Carry " + model.ShortID(sb.Commits["hotfix-body-prod"]) + " back to dev?", ""},
		{"shared history on prod", 1, prod.Commits()[len(prod.Commits())-1].ID, "", "is on prod, the last track"},
		{"environments", focusEnvs, "", "", "select a commit in a graph or in the pending list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m.setFocus(tc.focus)
			if tc.commit != "" && !m.graphs[tc.focus].Select(tc.commit) {
				t.Fatalf("commit %s is not in graph %d", tc.commit, tc.focus)
			}
			m.say("")
			press(t, m, "p")
			switch {
			case tc.dialog != "":
				if m.dialog == nil || m.dialog.title != tc.dialog {
					t.Fatalf("p: status %q, dialog %v; want the confirmation %q", m.note, m.dialog != nil, tc.dialog)
				}
				to := strings.Fields(tc.dialog)[len(strings.Fields(tc.dialog))-1]
				if body := strings.Join(m.dialog.lines, "\n"); !strings.Contains(body, "cherry-pick onto "+strings.TrimSuffix(to, "?")+" at ") {
					t.Errorf("the confirmation does not say where it picks:\n%s", body)
				}
				press(t, m, "n")
			default:
				if m.dialog != nil || !m.noteErr || !strings.Contains(m.note, tc.note) {
					t.Errorf("p: dialog %v, status %q; want a reason containing %q", m.dialog != nil, m.note, tc.note)
				}
			}
		})
	}
}

func firstCarried(m *Model) string {
	for _, p := range m.pairs {
		for _, c := range p.Carried {
			return c.Commit
		}
	}
	return ""
}

// TestReleaseLogPanel: R on the prod graph asks with the next build
// number, the confirmation opens the log panel, the engine's build events
// fill it, and the end of the build is told in the status line.
func TestReleaseLogPanel(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m := open(t, demo.FlowTwo, 100, 30)
	press(t, m, "tab", "R")
	if m.dialog == nil {
		t.Fatalf("R on the prod graph shows no confirmation; status %q", m.note)
	}
	head := m.head("prod")
	if want := "Build prod at " + model.ShortID(head) + " into the bin repo as app-5?"; m.dialog.title != want {
		t.Errorf("confirmation %q; want %q", m.dialog.title, want)
	}
	golden.Fills(t, m.View().Content, 100, 30)
	golden.Check(t, "release-dialog-100x30", m.View().Content)

	// Confirm without running the build: the sandbox is shared by the
	// package's tests. The engine's events and answer are fed instead.
	m.dialog.yes = nil
	press(t, m, "y")
	if !m.showLog || m.build == nil || m.busy == "" {
		t.Fatalf("confirming: log panel %v, busy %q", m.showLog, m.busy)
	}
	feed := func(kind, text string) {
		send(t, m, eventMsg{model.Event{Source: "build", Kind: kind, Track: "prod", Text: text,
			Data: model.Build{Name: "app", Number: 5, Track: "prod", Source: head}}})
	}
	feed("state", "started")
	feed("log", "switchyard: running [\"sh\" \"build.sh\"]")
	send(t, m, eventMsg{model.Event{Source: "build", Kind: "log", Track: "dev", Text: "another track's line"}})
	for i := range 30 {
		feed("log", "compiling part "+itoa(i+1)+" of 30")
	}
	for _, l := range []string{"linking app \x1b[31mred\x1b[0m", "built app 1.2.0 in dist/"} {
		feed("log", l)
	}
	golden.Fills(t, m.View().Content, 100, 30)
	golden.Check(t, "build-log-100x30", m.View().Content)
	for _, sz := range [][2]int{{80, 24}, {1, 1}, {10, 3}, {40, 10}, {160, 45}, {100, 30}} {
		send(t, m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		golden.Fills(t, m.View().Content, sz[0], sz[1])
	}
	if strings.Contains(screenText(m), "another track") {
		t.Error("the panel shows a line of another track's build")
	}
	if strings.Contains(m.View().Content, "\x1b[31m") {
		t.Error("a log line's escape sequence reached the terminal")
	}

	// Scrolling up stops following; G follows again; esc hides the panel
	// while the build goes on, and R shows it again.
	press(t, m, "k")
	if m.build.follow {
		t.Error("k leaves the panel following the tail")
	}
	press(t, m, "G", "esc")
	if m.showLog || !m.build.follow {
		t.Errorf("G then esc: shown %v, following %v", m.showLog, m.build.follow)
	}
	press(t, m, "R")
	if !m.showLog || m.dialog != nil {
		t.Errorf("R while building: panel %v, dialog %v; want the panel again", m.showLog, m.dialog != nil)
	}

	// Quitting while it builds asks for q once more.
	press(t, m, "esc", "q")
	if !m.quitArmed || !strings.Contains(m.note, "q again quits and aborts it") {
		t.Errorf("q while building: status %q", m.note)
	}
	press(t, m, "L")
	if m.quitArmed || !m.showLog {
		t.Errorf("another key after q: armed %v, panel %v", m.quitArmed, m.showLog)
	}

	// A failure names the log and its last lines, and keeps the panel.
	logPath := "/var/sb/src/.git/switchyard/builds/prod-5.log"
	send(t, m, releaseMsg{track: "prod", res: engine.Released{Log: logPath}, err: errors.New("build: exit status 2 (log: " + logPath + ")")})
	if !m.noteErr || !strings.Contains(m.note, "failed: build: exit status 2 · log "+logPath+" · last: ") ||
		!strings.Contains(m.note, "built app 1.2.0 in dist/") || strings.Contains(m.note, "(log: ") {
		t.Errorf("after a failed build the status says %q", m.note)
	}
	if !m.showLog || m.busy != "" {
		t.Errorf("after a failed build: panel %v, busy %q", m.showLog, m.busy)
	}
	press(t, m, "esc")
	if m.showLog {
		t.Error("esc does not close the finished build's log")
	}
	press(t, m, "L")
	if !m.showLog {
		t.Error("L does not show the last build's log")
	}
}

// TestReleaseWithoutBuildConfig: without a [build] table R says what to
// add, in one line.
func TestReleaseWithoutBuildConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	sb := sandbox(t, demo.FlowTwo)
	cfg := filepath.Join(t.TempDir(), "switchyard.toml")
	text := "[[track]]\nname = \"dev\"\n\n[[track]]\nname = \"prod\"\n\n[bin]\npath = \"" + filepath.ToSlash(sb.Bin) + "\"\nname = \"app\"\n"
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(context.Background(), engine.OpenOptions{Dir: sb.Src, Config: cfg, Now: clock, PatchIDCache: "-"})
	if err != nil {
		t.Fatal(err)
	}
	m := New(e, Options{Now: clock, NoColor: true, NoEvents: true})
	t.Cleanup(m.Close)
	send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	run(t, m, m.Init())
	press(t, m, "R")
	if m.dialog != nil || !m.noteErr || !strings.Contains(m.note, "no [build] in switchyard.toml: add [build] with command") {
		t.Errorf("R without [build]: dialog %v, status %q", m.dialog != nil, m.note)
	}
	if strings.Contains(m.note, "\n") {
		t.Errorf("the status is more than one line: %q", m.note)
	}
}

// TestReleaseBuilds cuts a real build of prod on a sandbox of its own:
// the bin branch gets the build and the status line says it is live.
func TestReleaseBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox and runs a build")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("the demo's build script needs sh")
	}
	m, _, e := openOwn(t, 160, 45)
	press(t, m, "tab", "R", "y")
	if m.noteErr || !strings.Contains(m.note, "built app-5 of prod") || !strings.Contains(m.note, "the app symlink of prod names it; deploy it to staging, production on 3 rollouts") {
		t.Fatalf("after the build the status says %q", m.note)
	}
	if !strings.Contains(strings.Join(m.build.lines, "\n"), "built app") {
		t.Errorf("the log panel lacks the build's output: %q", m.build.lines)
	}
	live, err := e.LiveBuild(context.Background(), "prod")
	if err != nil || live.Number != 5 || live.Source != m.head("prod") {
		t.Errorf("LiveBuild(prod) = %+v, %v; want build 5 of the prod head", live, err)
	}
}

func TestQuoteArgs(t *testing.T) {
	got := quoteArgs([]string{"sh", "-c", "make dist && echo it's done", ""})
	if want := `sh -c 'make dist && echo it'\''s done' ''`; got != want {
		t.Errorf("quoteArgs = %s; want %s", got, want)
	}
}

func TestShortPath(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		t.Skip("no home folder")
	}
	for _, tc := range []struct {
		path  string
		limit int
		want  string
	}{
		{filepath.Join(home, "work", "src"), 0, filepath.Join("~", "work", "src")},
		{"/srv/releases/2026/spark/src", 0, "/srv/releases/2026/spark/src"},
		{"/srv/releases/2026/spark/src", 12, "/…/spark/src"},
		{filepath.Join(home, "a", "b", "c", "src"), 8, filepath.Join("~", "…", "c", "src")},
		{"/a/src", 3, "/a/src"},
	} {
		if got := shortPath(tc.path, tc.limit); got != tc.want {
			t.Errorf("shortPath(%q, %d) = %q; want %q", tc.path, tc.limit, got, tc.want)
		}
	}
}

// TestRefreshOnEveryScreen: ctrl+r, listed among the keys of every
// screen, reloads on each.
func TestRefreshOnEveryScreen(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo sandbox")
	}
	m := open(t, demo.FlowTwo, 100, 30)
	// The journal's first show subscribes to the engine and waits for
	// events, which the synchronous test runner cannot: only reloads.
	m.started[screenJournal] = true
	for _, s := range []string{"1", "2", "4"} {
		press(t, m, s)
		before := m.seq.status
		m.say("")
		send(t, m, tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
		if m.seq.status == before || m.note != "reloading" {
			t.Errorf("ctrl+r on screen %s: status seq %d → %d, note %q", s, before, m.seq.status, m.note)
		}
	}
}
