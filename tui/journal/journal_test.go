package journal

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
	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/internal/golden"
	"github.com/switchyard/switchyard/tui/internal/screentest"
	"github.com/switchyard/switchyard/tui/theme"
)

func TestMain(m *testing.M) {
	time.Local = time.UTC // goldens must not depend on the machine's zone
	os.Exit(m.Run())
}

// file reads a real journal file, as the engine's facade does.
type file struct{ j *journal.Journal }

func (f file) ReadJournal(ctx context.Context, flt journal.Filter) ([]journal.Entry, error) {
	es, _, err := f.j.Read(ctx, flt)
	return es, err
}

func (f file) Subscribe(context.Context) <-chan model.Event { return nil }

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixture writes a journal with a day of release work.
func fixture(t *testing.T) file {
	t.Helper()
	j, err := journal.Open(filepath.Join(t.TempDir(), "journal.jsonl"), "ada")
	if err != nil {
		t.Fatal(err)
	}
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	entries := []journal.Entry{
		{Time: at(0), Kind: "pick", Action: "started", Track: "prod", Commit: "53ae6b3c0ffee0000000000000000000000000", Message: "carry 53ae6b3 onto prod"},
		{Time: at(1), Kind: "pick", Action: "stopped", Track: "prod", Commit: "53ae6b3c0ffee0000000000000000000000000", Message: "conflict in app/main.go"},
		{Time: at(4), Kind: "resolve", Action: "hunk", Track: "prod", Message: "app/main.go hunk 1: theirs", Detail: map[string]any{"path": "app/main.go", "hunk": 1, "choice": "theirs"}},
		{Time: at(5), Kind: "pick", Action: "committed", Track: "prod", Commit: "97cca03aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Message: "hotfix: reject request bodies over 4 MiB"},
		{Time: at(7), Kind: "build", Action: "succeeded", Track: "prod", Build: 5, Actor: "ci"},
		{Time: at(9), Kind: "rollout", Action: "started", Env: "staging", Build: 5, Actor: "grace", Message: "rollout of build 5 over 4"},
		{Time: at(12), Kind: "rollout", Action: "aborted", Env: "staging", Build: 5, Actor: "grace", Message: "aborted from the cockpit; blue (build 4) serves 100%"},
		{Time: at(15), Kind: "rollout", Action: "started", Env: "integration", Build: 7, Actor: "\x1b[31mmallory\x1b[0m", Message: "evil \x1b]0;pwned\a title"},
	}
	for _, e := range entries {
		if _, err := j.Append(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	return file{j}
}

// run executes cmd and feeds its answers back, as the runtime would;
// ticks are left out.
func run(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	screentest.Run(t, cmd, m.Update)
}

func screen(t *testing.T, w, h int) *Model {
	m := New(fixture(t), theme.New(true, false), theme.DefaultKeyMap())
	m.SetSize(w, h)
	run(t, m, m.Reload())
	return m
}

func TestGolden(t *testing.T) {
	for _, sz := range []struct {
		name string
		w, h int
	}{{"160x45", 160, 45}, {"100x30", 100, 30}} {
		t.Run(sz.name, func(t *testing.T) {
			m := screen(t, sz.w, sz.h)
			v := m.View()
			golden.FitsWithin(t, v, sz.w, sz.h)
			golden.Check(t, "all-"+sz.name, v)

			m.Update(screentest.Press("/"))
			screentest.Type(m.Update, "env:staging")
			v = m.View()
			golden.FitsWithin(t, v, sz.w, sz.h)
			golden.Check(t, "filter-"+sz.name, v)

			m.Update(screentest.Press("enter"))
			m.Update(screentest.Press("j"))
			m.Update(screentest.Press("enter"))
			v = m.View()
			golden.FitsWithin(t, v, sz.w, sz.h)
			golden.Check(t, "details-"+sz.name, v)
		})
	}
}

func TestNewestFirst(t *testing.T) {
	m := screen(t, 160, 45)
	if len(m.shown) != 8 {
		t.Fatalf("%d entries shown; want 8", len(m.shown))
	}
	for i := 1; i < len(m.shown); i++ {
		if m.rows[m.shown[i]].e.Time.After(m.rows[m.shown[i-1]].e.Time) {
			t.Fatalf("entry %d is newer than entry %d", i, i-1)
		}
	}
}

func TestFilter(t *testing.T) {
	tests := []struct {
		filter string
		want   int
	}{
		{"", 8},
		{"kind:rollout", 3},
		{"kind:rollout env:staging", 2},
		{"ABORTED", 1},
		{"actor:ci", 1},
		{"build:5", 3},
		{"app/main.go", 2},
		{"53ae6b3", 2},
		{"nothing-like-this", 0},
	}
	m := screen(t, 100, 30)
	for _, tt := range tests {
		m.filter = tt.filter
		m.refilter()
		if len(m.shown) != tt.want {
			t.Errorf("filter %q shows %d entries; want %d", tt.filter, len(m.shown), tt.want)
		}
	}
}

func TestFilterTyping(t *testing.T) {
	m := screen(t, 100, 30)
	m.Update(screentest.Press("/"))
	if !m.InputActive() {
		t.Fatal("/ did not start the filter")
	}
	screentest.Type(m.Update, "q1")
	if m.filter != "q1" {
		t.Errorf("filter %q; want keys like q and 1 taken as text", m.filter)
	}
	m.Update(screentest.Press("backspace"))
	m.Update(screentest.Press("esc"))
	if m.InputActive() || m.filter != "" || len(m.shown) != 8 {
		t.Errorf("esc left filter %q active %v shown %d", m.filter, m.InputActive(), len(m.shown))
	}
}

func TestInert(t *testing.T) {
	m := screen(t, 160, 45)
	m.Update(screentest.Press("enter"))
	v := m.View()
	if strings.Contains(v, "\x1b[31m") || strings.Contains(v, "\x1b]0") || strings.Contains(v, "\a") {
		t.Errorf("escape sequences from the journal pass through:\n%q", v)
	}
}

func TestKeepsSelectionOnReload(t *testing.T) {
	f := fixture(t)
	m := New(f, theme.New(true, false), theme.DefaultKeyMap())
	m.SetSize(100, 30)
	run(t, m, m.Reload())
	m.Update(screentest.Press("j"))
	m.Update(screentest.Press("j"))
	want := m.selected().e.Message
	if _, err := f.j.Append(context.Background(), journal.Entry{Time: t0.Add(time.Hour), Kind: "train", Action: "started", Track: "prod"}); err != nil {
		t.Fatal(err)
	}
	run(t, m, m.Reload())
	if got := m.selected().e.Message; got != want {
		t.Errorf("after reload the selection is on %q; want %q", got, want)
	}
}

func TestResize(t *testing.T) {
	m := screen(t, 80, 24)
	m.Update(screentest.Press("enter"))
	for w := 1; w <= 170; w += 9 {
		for h := 1; h <= 50; h += 5 {
			m.SetSize(w, h)
			golden.FitsWithin(t, m.View(), w, h)
		}
	}
}

// The engine is what the root hands the screen.
var _ Engine = (*engine.Engine)(nil)

// TestEntryEventReloads: a journal event brings the new entry in; a burst
// during a read costs one more read, not one per event.
func TestEntryEventReloads(t *testing.T) {
	f := fixture(t)
	m := New(f, theme.New(true, false), theme.DefaultKeyMap())
	m.SetSize(100, 30)
	run(t, m, m.Reload())
	if _, err := f.j.Append(context.Background(), journal.Entry{Time: t0.Add(time.Hour), Kind: "train", Action: "started", Track: "prod"}); err != nil {
		t.Fatal(err)
	}
	if cmd := m.Update(eventMsg{ev: model.Event{Source: "rollout"}, ok: true}); cmd != nil || m.loading {
		t.Error("a rollout event started a read of the journal")
	}
	load := m.Update(eventMsg{ev: model.Event{Source: "journal", Kind: "entry"}, ok: true})
	if !m.loading {
		t.Fatal("a journal event did not start a read")
	}
	m.Update(eventMsg{ev: model.Event{Source: "journal", Kind: "entry"}, ok: true})
	run(t, m, load)
	if got := m.rows[0].what; got != "train started" {
		t.Errorf("newest entry %q; want the train just journaled", got)
	}
	if m.loading {
		t.Error("still loading after the reads ran")
	}
}

func TestClick(t *testing.T) {
	m := screen(t, 100, 30)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	for y, l := range lines {
		if strings.Contains(l, "build succeeded") {
			m.Click(5, y)
			break
		}
	}
	if r := m.selected(); r == nil || r.what != "build succeeded" {
		t.Errorf("click on the build row selected %v", r)
	}
}
