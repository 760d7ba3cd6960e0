package graph

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/theme"
)

var epoch = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return epoch }

// linearCommits makes n commits c0 (newest) … c(n-1) (root), an hour apart.
func linearCommits(n int) []model.Commit {
	cs := make([]model.Commit, n)
	for i := range cs {
		id := fmt.Sprintf("%040x", i+1)
		var parents []string
		if i+1 < n {
			parents = []string{fmt.Sprintf("%040x", i+2)}
		}
		cs[i] = model.Commit{ID: id, Parents: parents, Subject: fmt.Sprintf("commit %d", i), Author: "Ada",
			Committed: epoch.Add(-time.Duration(i+1) * time.Hour)}
	}
	return cs
}

func newPane(w, h int) *Pane {
	p := NewPane("dev", theme.New(true, false), theme.DefaultKeyMap(), clock)
	p.SetSize(w, h)
	return p
}

func TestPaneViewFitsAndIsInert(t *testing.T) {
	p := newPane(50, 5)
	cs := linearCommits(3)
	cs[0].Subject = "evil \x1b[31mred\x1b]0;title\x07 subject"
	cs[1].Kind = model.Hotfix
	p.Append(cs, false)
	p.SetMarks(Marks{Missing: map[string]bool{cs[1].ID: true}, Refs: map[string][]string{cs[0].ID: {"dev"}}})
	v := p.View()
	if strings.Contains(v, "\x1b]") || strings.Contains(ansi.Strip(v), "\x1b") {
		t.Errorf("view lets an escape sequence through: %q", v)
	}
	lines := strings.Split(ansi.Strip(v), "\n")
	if len(lines) != 5 {
		t.Fatalf("view has %d lines; want 5", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 50 {
			t.Errorf("line %d is %d wide; want 50: %q", i, w, l)
		}
	}
	for _, want := range []string{"* ", "(dev)", "^[[31mred", "! 0000000"} {
		if !strings.Contains(ansi.Strip(v), want) {
			t.Errorf("view lacks %q:\n%s", want, ansi.Strip(v))
		}
	}
}

func TestPaneMovesAndPages(t *testing.T) {
	p := newPane(60, 10)
	p.Append(linearCommits(50), true)
	if !p.WantMore() {
		t.Fatal("a pane with 50 of more commits does not ask for more near the end")
	}
	if p.WantMore() {
		t.Error("WantMore asked twice for the same page")
	}
	p.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	p.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	if got := p.SelectedID(); got != fmt.Sprintf("%040x", 3) {
		t.Errorf("after j j selected %s; want the third commit", got)
	}
	p.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
	c, _ := p.Selected()
	if c.Subject != "commit 11" {
		t.Errorf("after page down selected %q; want commit 11", c.Subject)
	}
	p.Scroll(20)
	c, _ = p.Selected()
	if c.Subject != "commit 22" {
		t.Errorf("after scrolling 20 lines selected %q; want commit 22 (top of the view)", c.Subject)
	}
	p.ClickLine(3)
	c, _ = p.Selected()
	if c.Subject != "commit 25" {
		t.Errorf("click on line 3 selected %q; want commit 25", c.Subject)
	}
}

func TestPaneFilterAndReload(t *testing.T) {
	p := newPane(60, 10)
	cs := linearCommits(30)
	p.Append(cs, false)
	p.SetFilter("commit 2")
	v := ansi.Strip(p.View())
	if strings.Contains(v, "commit 3 ") || !strings.Contains(v, "commit 21") {
		t.Errorf("filtered view:\n%s", v)
	}
	p.SetFilter("")
	p.Select(cs[7].ID)
	p.Reset()
	p.Append(cs, false)
	if p.SelectedID() != cs[7].ID {
		t.Errorf("after a reload the selection is %s; want %s", p.SelectedID(), cs[7].ID)
	}
}

func TestAge(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{30 * time.Second, "30s"}, {5 * time.Minute, "5m"}, {30 * time.Hour, "30h"}, {72 * time.Hour, "3d"}, {30 * 24 * time.Hour, "4w"}, {800 * 24 * time.Hour, "2y"}} {
		if got := Age(tt.d); got != tt.want {
			t.Errorf("Age(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
}

// bigHistory reads the commits of a large real repository (git/git) in
// graph order with the git CLI; benchmarks skip without it.
func bigHistory(b *testing.B) []model.Commit {
	dir := os.Getenv("SWITCHYARD_BENCH_REPO")
	if dir == "" {
		b.Skip("set SWITCHYARD_BENCH_REPO to the git directory of a large repository (e.g. a clone of git/git)")
	}
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("no repository at %s (SWITCHYARD_BENCH_REPO)", dir)
	}
	out, err := exec.Command("git", "--git-dir", dir, "log", "--topo-order", "--format=%H %ct %P%x00%an%x00%s", "HEAD").Output()
	if err != nil {
		b.Skipf("git log: %v", err)
	}
	var cs []model.Commit
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		head, rest, _ := strings.Cut(line, "\x00")
		author, subject, _ := strings.Cut(rest, "\x00")
		f := strings.Fields(head)
		ct, _ := strconv.ParseInt(f[1], 10, 64)
		cs = append(cs, model.Commit{ID: f[0], Parents: f[2:], Author: author, Subject: subject, Committed: time.Unix(ct, 0)})
	}
	return cs
}

// BenchmarkFirstFrame lays out the first page of a large history and draws
// the first screen, as the cockpit does when the first page arrives.
func BenchmarkFirstFrame(b *testing.B) {
	cs := bigHistory(b)
	page := cs[:200]
	b.ReportAllocs()
	for b.Loop() {
		p := NewPane("master", theme.New(true, true), theme.DefaultKeyMap(), clock)
		p.SetSize(78, 40)
		p.Append(page, true)
		_ = p.View()
	}
}

// BenchmarkPageScroll scrolls a page at a time through the whole history
// with every commit loaded: one iteration is one page down and one frame.
func BenchmarkPageScroll(b *testing.B) {
	cs := bigHistory(b)
	p := NewPane("master", theme.New(true, true), theme.DefaultKeyMap(), clock)
	p.SetSize(78, 40)
	p.Append(cs, false)
	b.Logf("%d commits, %d rows", len(cs), len(p.layout.Rows))
	pgdn := tea.KeyPressMsg{Code: tea.KeyPgDown}
	top := tea.KeyPressMsg{Code: tea.KeyHome}
	b.ReportAllocs()
	for b.Loop() {
		if p.selectedCommit() >= len(cs)-50 {
			p.Update(top)
		}
		p.Update(pgdn)
		_ = p.View()
	}
}

// BenchmarkLayoutAll lays out the whole history (the cost of loading every
// page).
func BenchmarkLayoutAll(b *testing.B) {
	cs := bigHistory(b)
	nodes := make([]Node, len(cs))
	for i, c := range cs {
		nodes[i] = Node{ID: c.ID, Parents: c.Parents}
	}
	b.ReportAllocs()
	for b.Loop() {
		var l Layout
		l.Add(nodes...)
	}
}

func TestClipLanes(t *testing.T) {
	for _, tt := range []struct {
		g    string
		w    int
		want string
		star int
	}{
		{"* |", 8, "* |", 0},
		{"| * | | | | | | |", 8, "| * | |~", 2},
		{"| | | | | * |", 8, "| | ~| *", 7},
		{"| | | | | | | | *", 8, "| | ~| *", 7},
		{"| | | | | |/| |", 8, "| | | |~", -1},
	} {
		g, star := clipLanes(tt.g, tt.w)
		if g != tt.want || star != tt.star {
			t.Errorf("clipLanes(%q, %d) = %q, %d; want %q, %d", tt.g, tt.w, g, star, tt.want, tt.star)
		}
	}
}
