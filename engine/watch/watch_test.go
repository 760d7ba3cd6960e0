package watch

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchyard/switchyard/model"
)

// collect starts a watcher over a fake git dir and returns its events.
func collect(t *testing.T) (gitDir string, w *Watcher, events chan model.Event) {
	t.Helper()
	gitDir = t.TempDir()
	for _, d := range []string{"refs/heads", "refs/tags", "objects"} {
		if err := os.MkdirAll(filepath.Join(gitDir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	events = make(chan model.Event, 100)
	ctx, cancel := context.WithCancel(context.Background())
	var err error
	w, err = Start(ctx, Options{GitDir: gitDir, Quiet: 200 * time.Millisecond, Publish: func(ev model.Event) { events <- ev }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-w.Done() })
	return gitDir, w, events
}

// next waits (boundedly) for the next event.
func next(t *testing.T, events chan model.Event) model.Event {
	t.Helper()
	select {
	case ev := <-events:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return model.Event{}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBurstOfRefMovesIsOneEvent(t *testing.T) {
	gitDir, _, events := collect(t)
	// A fetch: many refs, lock files renamed into place, a new folder.
	for i, name := range []string{"refs/heads/dev", "refs/heads/prod", "refs/remotes/origin/dev", "packed-refs"} {
		lock := filepath.Join(gitDir, name+".lock")
		write(t, lock, string(rune('a'+i)))
		if err := os.Rename(lock, filepath.Join(gitDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	ev := next(t, events)
	if ev.Source != "watch" || ev.Kind != RefsChanged {
		t.Fatalf("event = %+v; want watch/%s", ev, RefsChanged)
	}
	select {
	case ev := <-events:
		t.Errorf("a burst gave a second event %+v", ev)
	case <-time.After(300 * time.Millisecond):
	}
	// A ref in the folder created during the burst is watched too.
	write(t, filepath.Join(gitDir, "refs/remotes/origin/prod"), "x")
	if ev := next(t, events); ev.Kind != RefsChanged {
		t.Errorf("event = %+v; want %s for a ref in a new folder", ev, RefsChanged)
	}
}

func TestOtherGitFilesAreIgnored(t *testing.T) {
	gitDir, _, events := collect(t)
	write(t, filepath.Join(gitDir, "objects/ab"), "x")
	write(t, filepath.Join(gitDir, "config"), "x")
	write(t, filepath.Join(gitDir, "HEAD.lock"), "x")
	select {
	case ev := <-events:
		t.Errorf("unexpected event %+v", ev)
	case <-time.After(300 * time.Millisecond):
	}
	write(t, filepath.Join(gitDir, "HEAD"), "ref: refs/heads/dev\n")
	if ev := next(t, events); ev.Kind != RefsChanged {
		t.Errorf("HEAD change gave %+v", ev)
	}
}

func TestConflictedFileEdits(t *testing.T) {
	_, w, events := collect(t)
	work := t.TempDir()
	file := filepath.Join(work, "app", "main.go")
	other := filepath.Join(work, "app", "other.go")
	write(t, file, "<<<<<<<\n")
	w.SetFiles([]string{file})
	write(t, other, "x")
	select {
	case ev := <-events:
		t.Errorf("an unwatched file gave %+v", ev)
	case <-time.After(300 * time.Millisecond):
	}
	// An editor saving by rename.
	write(t, file+".swp", "resolved\n")
	if err := os.Rename(file+".swp", file); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, events); ev.Kind != FileChanged {
		t.Errorf("editing a conflicted file gave %+v; want %s", ev, FileChanged)
	}
	w.SetFiles(nil)
	write(t, file, "again\n")
	select {
	case ev := <-events:
		t.Errorf("a file no longer watched gave %+v", ev)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestOptionsValidate(t *testing.T) {
	if _, err := Start(context.Background(), Options{}); err == nil {
		t.Error("Start with no options succeeded")
	}
}
