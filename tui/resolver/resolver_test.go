package resolver

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/demo"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/internal/golden"
	"github.com/switchyard/switchyard/tui/internal/screentest"
	"github.com/switchyard/switchyard/tui/theme"
)

var anchor = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// conflicted builds the demo sandbox and carries its conflicting hotfix
// to prod, which stops on a conflict in app/main.go.
func conflicted(t *testing.T) *engine.Engine {
	t.Helper()
	ctx := context.Background()
	sb, err := demo.Build(ctx, demo.Options{Dir: t.TempDir(), Anchor: anchor})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(ctx, engine.OpenOptions{Dir: sb.Src, Now: func() time.Time { return anchor }, PatchIDCache: "-"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Carry(ctx, engine.CarryOptions{To: "prod", Commits: []string{sb.Commits["hotfix-body"]}})
	if err != nil && !errors.Is(err, sequence.ErrUnresolved) {
		t.Fatalf("Carry(hotfix-body onto prod) = %v", err)
	}
	if out != nil && out.Done {
		t.Fatal("Carry(hotfix-body onto prod) finished; want a conflict")
	}
	return e
}

// run executes cmd and the commands it leads to, feeding every message
// back to the screen, as the Bubble Tea runtime would; confirmations are
// answered yes.
func run(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	screentest.Run(t, cmd, func(msg tea.Msg) tea.Cmd {
		if req, ok := msg.(ConfirmRequest); ok {
			return req.Action
		}
		return m.Update(msg)
	})
}

func newScreen(t *testing.T, e Engine, w, h int) *Model {
	m := New(e, theme.New(true, false), theme.DefaultKeyMap())
	m.SetSize(w, h)
	run(t, m, m.Init())
	return m
}

func TestGoldenConflict(t *testing.T) {
	e := conflicted(t)
	for _, sz := range []struct {
		name string
		w, h int
	}{{"160x45", 160, 45}, {"100x30", 100, 30}} {
		t.Run(sz.name, func(t *testing.T) {
			m := newScreen(t, e, sz.w, sz.h)
			v := m.View()
			golden.FitsWithin(t, v, sz.w, sz.h)
			golden.Check(t, "conflict-"+sz.name, v)
		})
	}
}

func TestResolveAndContinue(t *testing.T) {
	e := conflicted(t)
	m := newScreen(t, e, 100, 30)
	if !m.Active() {
		t.Fatal("no session after the conflicting carry")
	}
	run(t, m, m.Update(screentest.Press("t")))
	if m.err != nil {
		t.Fatalf("take theirs: %v", m.err)
	}
	n, of := m.sess.Resolved()
	if n != of {
		t.Fatalf("after t: %d of %d files resolved; want all", n, of)
	}
	golden.Check(t, "resolved-100x30", m.View())
	if p := m.previews["app/main.go"].Text; !strings.Contains(p, "http.MaxBytesHandler(mux, 4<<20)") || hasMarkers(p) {
		t.Errorf("preview after taking theirs:\n%s", p)
	}

	run(t, m, m.Update(screentest.Press("u")))
	if n, _ := m.sess.Resolved(); n != 0 {
		t.Fatalf("after u: %d files resolved; want 0", n)
	}
	run(t, m, m.Update(screentest.Press("c")))
	if m.note == "" || !strings.Contains(m.note, "unresolved") {
		t.Errorf("continue with conflicts left: note %q; want it refused", m.note)
	}

	run(t, m, m.Update(screentest.Press("o")))
	var req ConfirmRequest
	if msg := m.Update(screentest.Press("c"))(); true {
		var ok bool
		if req, ok = msg.(ConfirmRequest); !ok {
			t.Fatalf("c gave %T; want a ConfirmRequest", msg)
		}
	}
	if !strings.Contains(req.Prompt, "prod") || len(req.Detail) == 0 {
		t.Errorf("confirmation %+v does not say what will happen", req)
	}
	run(t, m, req.Action)
	if m.err != nil {
		t.Fatalf("continue: %v", m.err)
	}
	if m.Active() {
		t.Fatal("session still there after continuing")
	}
	golden.Check(t, "none-100x30", m.View())
}

func TestAbort(t *testing.T) {
	e := conflicted(t)
	m := newScreen(t, e, 100, 30)
	run(t, m, m.Update(screentest.Press("A")))
	if m.err != nil || m.Active() {
		t.Fatalf("after abort: err %v, active %v", m.err, m.Active())
	}
	s, err := e.Session(context.Background())
	if err != nil || s != nil {
		t.Fatalf("engine session after abort = %v, %v; want none", s, err)
	}
}

// TestEditReadBack checks the editor round trip: the file is put in
// place (the working tree file, or a copy of the preview without one), a
// stand-in for the editor resolves it, and it is read back.
func TestEditReadBack(t *testing.T) {
	e := conflicted(t)
	m := newScreen(t, e, 100, 30)
	path := m.selectedFile().Path
	msg := prepareEdit(e.Root(), m.sess.Worktree, path, m.previews[path].Text)()
	ready, ok := msg.(editReadyMsg)
	if !ok {
		t.Fatalf("prepareEdit gave %T", msg)
	}
	// Stand in for the editor: take our side by hand.
	h := m.selectedHunk()
	data, err := os.ReadFile(ready.file)
	if err != nil {
		t.Fatal(err)
	}
	edited := resolveByHand(string(data), string(h.Ours))
	if err := os.WriteFile(ready.file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, m, func() tea.Msg { return editDoneMsg{path: ready.path, file: ready.file, temp: ready.temp} })
	if m.err != nil {
		t.Fatalf("read back: %v", m.err)
	}
	if n, of := m.sess.Resolved(); n != of {
		t.Fatalf("after the edit: %d of %d resolved (note %q)", n, of, m.note)
	}
}

// resolveByHand replaces each conflict block of text with ours.
func resolveByHand(text, ours string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.SplitAfter(text, "\n") {
		switch {
		case strings.HasPrefix(l, "<<<<<<<"):
			in = true
			b.WriteString(ours)
		case strings.HasPrefix(l, ">>>>>>>"):
			in = false
		case !in:
			b.WriteString(l)
		}
	}
	return b.String()
}

func TestEditorArgv(t *testing.T) {
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", "code --wait  -n")
	if got := strings.Join(editorArgv(), "|"); got != "code|--wait|-n" {
		t.Errorf("editorArgv() = %s; want code|--wait|-n", got)
	}
	t.Setenv("EDITOR", "")
	if got := strings.Join(editorArgv(), "|"); got != "vi" {
		t.Errorf("editorArgv() with no editor = %s; want vi", got)
	}
}

// TestSmallAndResized renders a session at sizes down to tiny ones: the
// view must fit and must not panic.
func TestSmallAndResized(t *testing.T) {
	e := conflicted(t)
	m := newScreen(t, e, 80, 24)
	for w := 1; w <= 170; w += 13 {
		for h := 1; h <= 50; h += 7 {
			m.SetSize(w, h)
			golden.FitsWithin(t, m.View(), w, h)
		}
	}
}

func TestInertText(t *testing.T) {
	s := &sequence.Session{Op: sequence.OpCarry, Track: "prod", Ref: "refs/heads/prod", Current: 0,
		Steps: []sequence.Step{{Commit: "0123456789abcdef", Subject: "evil \x1b[31mred\x1b]0;title\a", State: sequence.Stopped}},
		Files: []*sequence.File{{Path: "a\x1b[2J.go", Kind: "content", Lines: true, Chunks: []sequence.Chunk{
			{Text: []byte("package a\n")},
			{Hunk: &sequence.Hunk{Base: []byte("x\n"), Ours: []byte("y \x1b[5m\n"), Theirs: []byte("z\x07\n")}},
		}}}}
	m := New(nil, theme.New(true, false), theme.DefaultKeyMap())
	m.SetSize(100, 30)
	m.seq = 1
	m.Update(SessionMsg{Seq: 1, Session: s, Previews: map[string]Preview{"a\x1b[2J.go": newPreview("package a\n<<<<<<< ours\ny \x1b[5m\n=======\nz\x07\n>>>>>>> theirs\n", false)}})
	v := m.View()
	if strings.ContainsAny(v, "\x07") || strings.Contains(v, "\x1b[31m") || strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\x1b]0") {
		t.Errorf("view passes escape sequences through:\n%q", v)
	}
	if !strings.Contains(v, model.InertLine("evil \x1b[31mred")) {
		t.Errorf("view does not show the subject made inert:\n%s", v)
	}
}

func TestStaleLoadDropped(t *testing.T) {
	m := New(nil, theme.New(true, false), theme.DefaultKeyMap())
	m.SetSize(100, 30)
	m.seq = 2
	m.Update(SessionMsg{Seq: 1, Session: &sequence.Session{Steps: []sequence.Step{{}}}})
	if m.Active() || m.loaded {
		t.Error("an answer to an older load was taken")
	}
}

// TestEditWorktree: with prod checked out, git's conflict state is in the
// working tree; the editor edits the file there and Sync reads it back.
func TestEditWorktree(t *testing.T) {
	ctx := context.Background()
	sb, err := demo.Build(ctx, demo.Options{Dir: t.TempDir(), Anchor: anchor})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "-C", sb.Src, "checkout", "-q", "prod").CombinedOutput(); err != nil {
		t.Fatalf("git checkout prod: %v\n%s", err, out)
	}
	e, err := engine.Open(ctx, engine.OpenOptions{Dir: sb.Src, Now: func() time.Time { return anchor }, PatchIDCache: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Carry(ctx, engine.CarryOptions{To: "prod", Commits: []string{sb.Commits["hotfix-body"]}}); err != nil && !errors.Is(err, sequence.ErrUnresolved) {
		t.Fatal(err)
	}
	m := newScreen(t, e, 100, 30)
	if m.sess == nil || !m.sess.Worktree {
		t.Fatalf("session %+v; want one mirrored in the working tree", m.sess)
	}
	path := m.selectedFile().Path
	ready, ok := prepareEdit(e.Root(), true, path, m.previews[path].Text)().(editReadyMsg)
	if !ok || ready.temp || ready.file != filepath.Join(e.Root(), path) {
		t.Fatalf("prepareEdit = %+v; want the working tree file itself", ready)
	}
	data, err := os.ReadFile(ready.file)
	if err != nil {
		t.Fatal(err)
	}
	if !hasMarkers(string(data)) {
		t.Fatalf("%s has no conflict markers in the working tree:\n%s", path, data)
	}

	// Half an edit: markers left. It is read back as still unresolved.
	if err := os.WriteFile(ready.file, append([]byte("// half done\n"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, m, func() tea.Msg { return editDoneMsg{path: path, file: ready.file} })
	if m.err != nil || !strings.Contains(m.note, "still has conflict markers") {
		t.Fatalf("markers left: err %v, note %q", m.err, m.note)
	}
	if err := os.WriteFile(ready.file, []byte(resolveByHand(string(data), string(m.selectedHunk().Theirs))), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, m, func() tea.Msg { return editDoneMsg{path: path, file: ready.file} })
	if m.err != nil {
		t.Fatalf("read back: %v", m.err)
	}
	if n, of := m.sess.Resolved(); n != of {
		t.Fatalf("after the edit: %d of %d resolved (note %q)", n, of, m.note)
	}
}
