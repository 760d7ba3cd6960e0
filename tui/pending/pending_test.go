package pending

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/theme"
)

var now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func items() []Item {
	return []Item{
		{Commit: model.Commit{ID: "aaaaaaa1", Kind: model.Hotfix, Subject: "hotfix: one", Date: now.Add(-48 * time.Hour)}, From: "dev", To: "prod"},
		{Commit: model.Commit{ID: "bbbbbbb2", Kind: model.Bugfix, Subject: "bugfix: \x1b[2Jtwo", Date: now.Add(-time.Hour)}, From: "dev", To: "prod"},
		{Commit: model.Commit{ID: "ccccccc3", Subject: "regular three", Author: "Grace", Date: now.Add(-3 * 24 * time.Hour)}, From: "dev", To: "prod"},
	}
}

func TestListChecksAndSelection(t *testing.T) {
	m := New(theme.New(true, false), theme.DefaultKeyMap(), func() time.Time { return now })
	m.SetSize(70, 5)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "loading…") {
		t.Errorf("before the first load the list says:\n%s", v)
	}
	m.SetItems(items())
	m.SetCheck("aaaaaaa1", "prod", Clean, nil)
	m.SetCheck("bbbbbbb2", "prod", Conflict, []string{"a.go"})
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	v := ansi.Strip(m.View())
	for _, want := range []string{"hotfix aaaaaaa hotfix: one", "clean", "conflict", "→ prod", "2d", "^[[2Jtwo"} {
		if !strings.Contains(v, want) {
			t.Errorf("list lacks %q:\n%s", want, v)
		}
	}
	for i, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w != 70 {
			t.Errorf("line %d is %d wide; want 70", i, w)
		}
	}
	if it, _ := m.Selected(); it.Commit.ID != "bbbbbbb2" {
		t.Errorf("after j the selection is %s", it.Commit.ID)
	}
	// A reload keeps the selection and the checks already made.
	m.SetItems(items())
	if it, _ := m.Selected(); it.Commit.ID != "bbbbbbb2" || it.Check != Conflict || len(it.Paths) != 1 {
		t.Errorf("after a reload the selection is %+v", it)
	}
	m.SetFilter("grace")
	if it, _ := m.Selected(); it.Commit.ID != "ccccccc3" {
		t.Errorf("filter by author selected %s", it.Commit.ID)
	}
	m.SetFilter("nothing like it")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "nothing matches the filter") {
		t.Errorf("empty filter result shows:\n%s", v)
	}
	m.SetFilter("")
	m.ClickLine(3)
	if it, _ := m.Selected(); it.Commit.ID != "ccccccc3" {
		t.Errorf("click on the third item selected %s", it.Commit.ID)
	}
}

// TestBackRows: a commit carried back upstream points there, and the
// columns stay put at the widths the cockpit gives the list.
func TestBackRows(t *testing.T) {
	its := append(items(), Item{Commit: model.Commit{ID: "ddddddd4", Kind: model.Hotfix, Subject: "hotfix: cap bodies", Date: now.Add(-5 * 24 * time.Hour)},
		From: "prod", To: "dev", Back: true, Check: Conflict})
	for _, w := range []int{95, 55, 80} {
		m := New(theme.New(true, false), theme.DefaultKeyMap(), func() time.Time { return now })
		m.SetSize(w, 6)
		m.SetItems(its)
		lines := strings.Split(ansi.Strip(m.View()), "\n")
		for i, l := range lines {
			if lw := ansi.StringWidth(l); lw != w {
				t.Errorf("width %d: line %d is %d wide", w, i, lw)
			}
		}
		back, down := lines[4], lines[1]
		if !strings.Contains(back, "← dev") || !strings.Contains(back, "conflict") {
			t.Errorf("width %d: the back row reads %q", w, back)
		}
		if a, b := strings.Index(back, "←"), strings.Index(down, "→"); a != b {
			t.Errorf("width %d: the arrows are in columns %d and %d:\n%s\n%s", w, a, b, down, back)
		}
	}
}
