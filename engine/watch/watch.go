// Package watch notices changes made on disk outside Switchyard — a commit
// or a fetch from another terminal, an edit to a conflicted file — and
// publishes them as engine events, a burst of changes as one event.
//
// It watches the git directory's HEAD, packed-refs and FETCH_HEAD, every
// folder under refs/, and the files it is told to (the conflicted files of
// a resolution in progress). Events are model.Event{Source: "watch"} with
// Kind "refs-changed" or "file-changed".
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/switchyard/switchyard/model"
)

// Event kinds published.
const (
	RefsChanged = "refs-changed"
	FileChanged = "file-changed"
)

// DefaultQuiet is how long the watcher waits after the last change of a
// burst before it publishes.
const DefaultQuiet = 150 * time.Millisecond

// Options says what to watch and where to report.
type Options struct {
	// GitDir is the repository's git directory (the common one for a
	// linked work tree).
	GitDir string
	// Publish receives the events (the engine broker's Publish).
	Publish func(model.Event)
	// Quiet is the coalescing window; default DefaultQuiet.
	Quiet time.Duration
}

// Validate reports missing options.
func (o Options) Validate() error {
	if o.GitDir == "" {
		return errors.New("watch: no git directory given")
	}
	if o.Publish == nil {
		return errors.New("watch: nowhere to publish")
	}
	return nil
}

// Watcher is a running watch. Stop it by cancelling the context given to
// Start.
type Watcher struct {
	opts  Options
	fw    *fsnotify.Watcher
	mu    sync.Mutex
	files map[string]bool // absolute paths of watched work-tree files
	dirs  map[string]int  // work-tree folders watched for those files
	done  chan struct{}
}

// gitFiles are the files in the git directory whose change means refs moved.
var gitFiles = map[string]bool{"HEAD": true, "packed-refs": true, "FETCH_HEAD": true, "ORIG_HEAD": true, "CHERRY_PICK_HEAD": true}

// Start begins watching; it stops when ctx ends.
func Start(ctx context.Context, opts Options) (*Watcher, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.Quiet <= 0 {
		opts.Quiet = DefaultQuiet
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	w := &Watcher{opts: opts, fw: fw, files: map[string]bool{}, dirs: map[string]int{}, done: make(chan struct{})}
	if err := fw.Add(opts.GitDir); err != nil {
		fw.Close()
		return nil, fmt.Errorf("watch %s: %w", opts.GitDir, err)
	}
	if err := w.addTree(filepath.Join(opts.GitDir, "refs")); err != nil {
		fw.Close()
		return nil, err
	}
	go w.loop(ctx)
	return w, nil
}

// Done is closed when the watcher has stopped.
func (w *Watcher) Done() <-chan struct{} { return w.done }

// addTree watches a folder and every folder below it.
func (w *Watcher) addTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			if err := w.fw.Add(p); err != nil {
				return fmt.Errorf("watch %s: %w", p, err)
			}
		}
		return nil
	})
}

// SetFiles replaces the work-tree files watched for edits (absolute
// paths); nil stops watching files.
func (w *Watcher) SetFiles(paths []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	want := map[string]bool{}
	for _, p := range paths {
		want[filepath.Clean(p)] = true
	}
	for p := range w.files {
		if !want[p] {
			delete(w.files, p)
			d := filepath.Dir(p)
			if w.dirs[d]--; w.dirs[d] <= 0 {
				delete(w.dirs, d)
				_ = w.fw.Remove(d)
			}
		}
	}
	for p := range want {
		if w.files[p] {
			continue
		}
		d := filepath.Dir(p)
		if w.dirs[d] == 0 {
			// Editors save by writing a new file and renaming it over
			// the old one, so the folder is watched, not the file.
			if err := w.fw.Add(d); err != nil {
				continue
			}
		}
		w.files[p] = true
		w.dirs[d]++
	}
}

// classify says what a change of path means: a kind, or "" to ignore it.
func (w *Watcher) classify(ev fsnotify.Event) string {
	p := filepath.Clean(ev.Name)
	if strings.HasSuffix(p, ".lock") {
		return ""
	}
	refs := filepath.Join(w.opts.GitDir, "refs")
	if p == refs || strings.HasPrefix(p, refs+string(filepath.Separator)) {
		return RefsChanged
	}
	if filepath.Dir(p) == filepath.Clean(w.opts.GitDir) && gitFiles[filepath.Base(p)] {
		return RefsChanged
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.files[p] {
		return FileChanged
	}
	return ""
}

func (w *Watcher) loop(ctx context.Context) {
	defer close(w.done)
	defer w.fw.Close()
	pending := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			// A new folder under refs/ (refs/remotes/origin/x/) is
			// watched as it appears.
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() && w.classify(ev) == RefsChanged {
					_ = w.addTree(ev.Name)
				}
			}
			if kind := w.classify(ev); kind != "" {
				pending[kind] = true
				timer.Reset(w.opts.Quiet)
			}
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			w.opts.Publish(model.Event{Time: time.Now(), Source: "watch", Kind: "error", Text: err.Error()})
		case <-timer.C:
			for _, kind := range []string{RefsChanged, FileChanged} {
				if pending[kind] {
					w.opts.Publish(model.Event{Time: time.Now(), Source: "watch", Kind: kind})
				}
			}
			clear(pending)
		}
	}
}
