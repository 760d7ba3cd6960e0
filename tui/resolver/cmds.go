package resolver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchyard/switchyard/engine/merge"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
)

// Engine is the part of the engine the resolver drives; *engine.Engine
// implements it. Every method is called from a tea.Cmd, never from Update.
type Engine interface {
	Session(ctx context.Context) (*sequence.Session, error)
	ResolveHunk(ctx context.Context, path string, n int, c sequence.Choice, text []byte) error
	ResolveFile(ctx context.Context, path string, c sequence.Choice, text []byte) error
	UndoResolution(ctx context.Context) (string, error)
	Continue(ctx context.Context) (*sequence.Outcome, error)
	Skip(ctx context.Context) (*sequence.Outcome, error)
	Abort(ctx context.Context) error
	SyncWorktree(ctx context.Context) ([]string, error)
	Prerequisites(ctx context.Context) ([]model.Commit, error)
	Root() string
}

// callTimeout bounds one engine call made for the screen.
const callTimeout = 30 * time.Second

// ConfirmRequest asks the root model to show a confirmation dialog: the
// prompt, what will happen, and the command to run when the person
// confirms (y/enter). Cancelling (n/esc) drops Action.
type ConfirmRequest struct {
	Prompt string
	Detail []string
	Action tea.Cmd
}

// SessionMsg answers a load: the session (nil when no pick or train is in
// progress) with each conflicted file's preview, or the error.
type SessionMsg struct {
	Seq      int
	Session  *sequence.Session
	Previews map[string]Preview
	// Prereqs are earlier commits missing on the target that touch the
	// conflicted files: usually why the pick does not apply.
	Prereqs []model.Commit
	Err     error
}

// Preview is a file as resolved so far.
type Preview struct {
	Text    string
	Deleted bool
	// lines and binary are worked out once, in the command, not on each
	// render.
	lines  [][]byte
	binary bool
}

func newPreview(text string, deleted bool) Preview {
	return Preview{Text: text, Deleted: deleted, lines: splitLines(text), binary: merge.IsBinary([]byte(text))}
}

// ActionMsg reports an engine action (a resolution, undo, continue, skip,
// abort, a read-back after editing). The screen reloads after it.
type ActionMsg struct {
	What    string
	Note    string // what to tell the person when it worked
	Outcome *sequence.Outcome
	Err     error
}

// editReadyMsg says the file for $EDITOR is in place.
type editReadyMsg struct {
	path string // the session path of the file
	file string // the file the editor opens
	temp bool   // file is a temporary copy to be read back and removed
}

// editDoneMsg is sent when the editor exits.
type editDoneMsg struct {
	path string
	file string
	temp bool
	err  error
}

func load(e Engine, seq int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		s, err := e.Session(ctx)
		if errors.Is(err, sequence.ErrNoSession) {
			s, err = nil, nil
		}
		msg := SessionMsg{Seq: seq, Session: s, Err: err}
		if s != nil {
			msg.Previews = make(map[string]Preview, len(s.Files))
			for _, f := range s.Files {
				data, del := s.Preview(f)
				msg.Previews[f.Path] = newPreview(string(data), del)
			}
			// Hints only: a failure to compute them is not worth a message.
			msg.Prereqs, _ = e.Prerequisites(ctx)
		}
		return msg
	}
}

func action(what, note string, fn func(ctx context.Context) (*sequence.Outcome, error)) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		out, err := fn(ctx)
		return ActionMsg{What: what, Note: note, Outcome: out, Err: err}
	}
}

// editorArgv splits $VISUAL or $EDITOR into an argument list (it may carry
// arguments, "code --wait"); the file is appended as its own argument,
// never spliced into a shell string.
func editorArgv() []string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if f := strings.Fields(os.Getenv(v)); len(f) > 0 {
			return f
		}
	}
	return []string{"vi"}
}

// prepareEdit puts the file in place for the editor: the working tree file
// itself when the session mirrors git's state there, otherwise a temporary
// copy of the preview that is read back as an edited resolution.
func prepareEdit(root string, worktree bool, path, preview string) tea.Cmd {
	return func() tea.Msg {
		if worktree {
			full := filepath.Join(root, filepath.FromSlash(path))
			return editReadyMsg{path: path, file: full}
		}
		f, err := os.CreateTemp("", "switchyard-*-"+filepath.Base(path))
		if err == nil {
			_, err = f.WriteString(preview)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return ActionMsg{What: "edit " + path, Err: err}
		}
		return editReadyMsg{path: path, file: f.Name(), temp: true}
	}
}

// runEditor hands the terminal to the editor.
func runEditor(r editReadyMsg) tea.Cmd {
	argv := append(editorArgv(), r.file)
	c := exec.Command(argv[0], argv[1:]...)
	return tea.ExecProcess(c, func(err error) tea.Msg {
		return editDoneMsg{path: r.path, file: r.file, temp: r.temp, err: err}
	})
}

// readBack takes the edit into the session: a temporary copy becomes the
// file's edited resolution; a working tree file is taken in by Sync.
func readBack(e Engine, d editDoneMsg) tea.Cmd {
	return func() tea.Msg {
		what := "edit " + d.path
		if d.temp {
			defer os.Remove(d.file)
		}
		if d.err != nil {
			return ActionMsg{What: what, Err: fmt.Errorf("editor: %w", d.err)}
		}
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		if d.temp {
			data, err := os.ReadFile(d.file)
			if err != nil {
				return ActionMsg{What: what, Err: err}
			}
			if hasMarkers(string(data)) {
				return ActionMsg{What: what, Err: fmt.Errorf("%s still has conflict markers; the edit was not taken", d.path)}
			}
			err = e.ResolveFile(ctx, d.path, sequence.Edited, data)
			return ActionMsg{What: what, Note: d.path + " resolved as edited", Err: err}
		}
		markers, err := e.SyncWorktree(ctx)
		if err != nil {
			return ActionMsg{What: what, Err: err}
		}
		for _, m := range markers {
			if m == d.path {
				return ActionMsg{What: what, Note: d.path + " still has conflict markers; edit it again or choose a side"}
			}
		}
		return ActionMsg{What: what, Note: d.path + " read back"}
	}
}

// hasMarkers reports whether text still holds a conflict marker line.
func hasMarkers(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if isMarker(l) {
			return true
		}
	}
	return false
}
