package resolver

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/tui/internal/golden"
	"github.com/switchyard/switchyard/tui/internal/screentest"
	"github.com/switchyard/switchyard/tui/theme"
)

// richSession is a stopped train step with three conflicted files: a Go
// file with two hunks (the first offered from a recorded resolution), a
// modify/delete and a YAML file already resolved.
func richSession() (*sequence.Session, map[string]Preview) {
	recorded := &sequence.Resolution{Choice: sequence.Theirs, Text: []byte("\tlimit := 4 << 20 // bytes\n"), Recorded: true}
	goFile := &sequence.File{Path: "app/limits.go", Kind: "content", Lines: true,
		Base:   sequence.Side{Hash: "1111111111111111111111111111111111111111"},
		Ours:   sequence.Side{Hash: "2222222222222222222222222222222222222222"},
		Theirs: sequence.Side{Hash: "3333333333333333333333333333333333333333"},
		Chunks: []sequence.Chunk{
			{Text: []byte("package app\n\nfunc limits() {\n")},
			{Hunk: &sequence.Hunk{Base: []byte("\tlimit := 1 << 20\n"), Ours: []byte("\tlimit := 2 << 20\n"), Theirs: []byte("\tlimit := 4 << 20 // bytes\n"), Resolution: recorded}},
			{Text: []byte("\tif ok {\n")},
			{Hunk: &sequence.Hunk{
				Base:   []byte("\t\treturn \"old\"\n"),
				Ours:   []byte("\t\treturn \"ours\"\n\t\t// keep the old path\n"),
				Theirs: []byte("\t\tfor i := 0; i < 3; i++ {\n\t\t\ttry(i)\n\t\t}\n\t\treturn \"theirs\"\n")}},
			{Text: []byte("\t}\n}\n")},
		}}
	del := &sequence.File{Path: "docs/old.md", Kind: "modify/delete", Lines: false,
		Base:   sequence.Side{Hash: "4444444444444444444444444444444444444444"},
		Ours:   sequence.Side{},
		Theirs: sequence.Side{Hash: "5555555555555555555555555555555555555555"},
		Chunks: []sequence.Chunk{{Hunk: &sequence.Hunk{Base: []byte("# Old\n"), Theirs: []byte("# Old\n\nUpdated.\n")}}}}
	yml := &sequence.File{Path: "deploy/app.yaml", Kind: "content", Lines: true,
		Chunks: []sequence.Chunk{
			{Text: []byte("name: app\n")},
			{Hunk: &sequence.Hunk{Base: []byte("replicas: 2\n"), Ours: []byte("replicas: 3\n"), Theirs: []byte("replicas: 4\n"),
				Resolution: &sequence.Resolution{Choice: sequence.Ours, Text: []byte("replicas: 3\n")}}},
		}}
	s := &sequence.Session{Op: sequence.OpTrain, Track: "prod", Ref: "refs/heads/prod",
		Start: "abcdef0123456789abcdef0123456789abcdef01", Style: "diff3",
		Labels: [3]string{"base", "prod", "1234567 (Fix limits)"},
		Steps: []sequence.Step{
			{Commit: "aaaaaaa000000000000000000000000000000000", Subject: "Add metrics", State: sequence.Applied},
			{Commit: "1234567000000000000000000000000000000000", Subject: "Fix limits", State: sequence.Stopped},
			{Commit: "bbbbbbb000000000000000000000000000000000", Subject: "Tune replicas", State: sequence.Pending},
		},
		Current: 1,
		Files:   []*sequence.File{goFile, del, yml},
	}
	previews := map[string]Preview{}
	for _, f := range s.Files {
		d, deleted := s.Preview(f)
		previews[f.Path] = newPreview(string(d), deleted)
	}
	return s, previews
}

func fedScreen(w, h int) *Model {
	m := New(nil, theme.New(true, false), theme.DefaultKeyMap())
	m.SetSize(w, h)
	m.seq = 1
	s, p := richSession()
	m.Update(SessionMsg{Seq: 1, Session: s, Previews: p})
	return m
}

func TestGoldenRich(t *testing.T) {
	for _, sz := range []struct {
		name string
		w, h int
	}{{"160x45", 160, 45}, {"100x30", 100, 30}, {"80x24", 80, 24}} {
		t.Run(sz.name, func(t *testing.T) {
			m := fedScreen(sz.w, sz.h)
			// The first unresolved hunk is selected: the second of the Go file.
			if m.file != 0 || m.hunk != 1 {
				t.Fatalf("selected file %d hunk %d; want 0, 1", m.file, m.hunk)
			}
			v := m.View()
			golden.FitsWithin(t, v, sz.w, sz.h)
			golden.Check(t, "rich-"+sz.name, v)

			m.Update(screentest.Press("N")) // the recorded one
			v = m.View()
			golden.FitsWithin(t, v, sz.w, sz.h)
			golden.Check(t, "recorded-"+sz.name, v)

			m.Update(screentest.Press("n"))
			m.Update(screentest.Press("n")) // on into the modify/delete file
			v = m.View()
			golden.FitsWithin(t, v, sz.w, sz.h)
			golden.Check(t, "modify-delete-"+sz.name, v)
		})
	}
}

func TestNavigation(t *testing.T) {
	m := fedScreen(100, 30)
	steps := []struct {
		key        string
		file, hunk int
	}{
		{"n", 1, 0}, {"n", 2, 0}, {"n", 2, 0}, {"N", 1, 0}, {"N", 0, 1}, {"N", 0, 0}, {"N", 0, 0},
		{"j", 1, 0}, {"j", 2, 0}, {"j", 2, 0}, {"k", 1, 0},
	}
	for i, s := range steps {
		m.Update(screentest.Press(s.key))
		if m.file != s.file || m.hunk != s.hunk {
			t.Fatalf("step %d (%s): file %d hunk %d; want %d %d", i, s.key, m.file, m.hunk, s.file, s.hunk)
		}
	}
}

func TestHunkSpan(t *testing.T) {
	m := fedScreen(100, 30)
	f := m.sess.Files[0]
	lines := strings.Split(m.previews[f.Path].Text, "\n")
	m.hunk = 1
	start, end := m.hunkSpan(f)
	if !strings.HasPrefix(lines[start], "<<<<<<<") || !strings.HasPrefix(lines[end-1], ">>>>>>>") {
		t.Errorf("hunk 2 spans lines %d–%d: %q … %q; want the marker block", start, end, lines[start], lines[end-1])
	}
	m.hunk = 0
	start, end = m.hunkSpan(f)
	if end-start != 1 || lines[start] != "\tlimit := 4 << 20 // bytes" {
		t.Errorf("hunk 1 spans %d–%d (%q); want its one resolved line", start, end, lines[start])
	}
}

func TestColour(t *testing.T) {
	m := New(nil, theme.New(true, true), theme.DefaultKeyMap())
	got := m.highlight("\treturn \"x\" // y", languageFor("a.go"))
	want := m.st.Key.Render("return")
	if !strings.Contains(got, want) {
		t.Errorf("keyword not coloured: %q", got)
	}
	plain := New(nil, theme.New(true, false), theme.DefaultKeyMap()).highlight("return", languageFor("a.go"))
	if strings.Contains(plain, "\x1b[3") {
		t.Errorf("NO_COLOR styles give colours: %q", plain)
	}
}

func TestHorizontalScroll(t *testing.T) {
	m := fedScreen(100, 30)
	before := ansi.Strip(m.View())
	if !strings.Contains(before, `return "ours"`) {
		t.Fatalf("ours not shown:\n%s", before)
	}
	m.Update(screentest.Press("l"))
	after := ansi.Strip(m.View())
	if strings.Contains(after, `        return "ours"`) || !strings.Contains(after, `return "ours"`) {
		t.Errorf("l did not scroll the sides left by 8 columns:\n%s", after)
	}
	m.Update(screentest.Press("h"))
	if ansi.Strip(m.View()) != before {
		t.Error("h did not scroll back")
	}
}

func TestClick(t *testing.T) {
	m := fedScreen(100, 30)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	for y, l := range lines {
		if strings.Contains(l, "deploy/app.yaml") {
			m.Click(5, y)
			break
		}
	}
	if f := m.selectedFile(); f == nil || f.Path != "deploy/app.yaml" {
		t.Errorf("click on the row of deploy/app.yaml selected %v", f)
	}
}

// TestNoFiles: a stopped step with no conflicted files (all taken in from
// outside) must render and move without trouble.
func TestNoFiles(t *testing.T) {
	m := New(nil, theme.New(true, false), theme.DefaultKeyMap())
	m.SetSize(100, 30)
	m.seq = 1
	s, _ := richSession()
	s.Files = nil
	m.Update(SessionMsg{Seq: 1, Session: s})
	for _, k := range []string{"n", "N", "j", "k", "o", "l", "e"} {
		m.Update(screentest.Press(k))
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "no conflicted files") {
		t.Errorf("view:\n%s", v)
	}
}

// TestNewStepResets: when the next step stops, the selection starts at its
// first unresolved hunk, not where the last step's was.
func TestNewStepResets(t *testing.T) {
	m := fedScreen(100, 30)
	m.Update(screentest.Press("j")) // docs/old.md
	s, p := richSession()
	s.Current = 2
	s.Steps[1].State, s.Steps[2].State = sequence.Applied, sequence.Stopped
	m.seq++
	m.Update(SessionMsg{Seq: m.seq, Session: s, Previews: p})
	if m.file != 0 || m.hunk != 1 {
		t.Errorf("after a new step: file %d hunk %d; want 0, 1", m.file, m.hunk)
	}
}

// TestLongTrain: with many steps the strip shows the current one.
func TestLongTrain(t *testing.T) {
	m := New(nil, theme.New(true, false), theme.DefaultKeyMap())
	m.SetSize(80, 24)
	m.seq = 1
	s, p := richSession()
	s.Steps = nil
	for i := range 60 {
		st := sequence.Step{Commit: fmt.Sprintf("%07d%033d", i, 0), State: sequence.Applied}
		if i == 45 {
			st.State = sequence.Stopped
		} else if i > 45 {
			st.State = sequence.Pending
		}
		s.Steps = append(s.Steps, st)
	}
	s.Current = 45
	m.Update(SessionMsg{Seq: 1, Session: s, Previews: p})
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "● 0000045") {
		t.Errorf("current step not in the strip:\n%s", v)
	}
	golden.FitsWithin(t, m.View(), 80, 24)
}
