package resolver

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
)

// remaining counts the steps after the current one still to apply.
func (m *Model) remaining() int {
	n := 0
	for i, st := range m.sess.Steps {
		if i > m.sess.Current && st.State == sequence.Pending {
			n++
		}
	}
	return n
}

// what names the sequence for prompts: "the carry onto prod".
func (m *Model) what() string {
	s := m.sess
	target := s.Track
	if target == "" {
		target = shortRef(s.Ref)
	}
	if s.Op == sequence.OpTrain {
		return "the train of " + model.InertLine(target)
	}
	return "the carry onto " + model.InertLine(target)
}

func (m *Model) stepLine() string {
	st := m.sess.Step()
	if st == nil {
		return "no current step"
	}
	return fmt.Sprintf("%s %q", short(st.Commit), model.InertLine(st.Subject))
}

func (m *Model) refMoves() string {
	s := m.sess
	return fmt.Sprintf("%s moves from %s when the last step is done, unless someone moved it meanwhile", model.InertLine(shortRef(s.Ref)), short(s.Start))
}

// rest says what happens to the steps after this one.
func rest(n int) string {
	if n == 0 {
		return "this is the last step"
	}
	return fmt.Sprintf("then apply the remaining %d step(s); a new conflict stops here again", n)
}

func (m *Model) confirmContinue() tea.Cmd {
	if !m.ready() {
		return nil
	}
	if n, of := m.sess.Resolved(); n < of {
		m.warn(fmt.Sprintf("%d of %d files still unresolved; resolve them before continuing", of-n, of))
		return nil
	}
	e := m.eng
	n := m.remaining()
	detail := []string{"commit " + m.stepLine() + " with its resolutions"}
	if r := recordedCount(m.sess.Files); r > 0 {
		detail = append(detail, fmt.Sprintf("%d hunk(s) keep the resolution recorded from an earlier identical conflict", r))
	}
	detail = append(detail, rest(n), m.refMoves())
	return confirm(fmt.Sprintf("Continue %s?", m.what()), detail, m.markBusy("continuing"), action("continue", "continued", func(ctx context.Context) (*sequence.Outcome, error) {
		return e.Continue(ctx)
	}))
}

func (m *Model) confirmSkip() tea.Cmd {
	if !m.ready() {
		return nil
	}
	e := m.eng
	n := m.remaining()
	return confirm(fmt.Sprintf("Skip this commit in %s?", m.what()), []string{
		"drop " + m.stepLine() + " and its resolutions from this sequence",
		rest(n),
		m.refMoves(),
	}, m.markBusy("skipping"), action("skip", "skipped", func(ctx context.Context) (*sequence.Outcome, error) {
		return e.Skip(ctx)
	}))
}

func (m *Model) confirmAbort() tea.Cmd {
	if !m.ready() {
		return nil
	}
	e := m.eng
	s := m.sess
	applied := 0
	for _, st := range s.Steps {
		if st.State == sequence.Applied {
			applied++
		}
	}
	return confirm(fmt.Sprintf("Abort %s?", m.what()), []string{
		fmt.Sprintf("throw away every resolution and the %d step(s) applied so far", applied),
		fmt.Sprintf("%s stays at %s", model.InertLine(shortRef(s.Ref)), short(s.Start)),
	}, m.markBusy("aborting"), action("abort", "aborted; nothing moved", func(ctx context.Context) (*sequence.Outcome, error) {
		return nil, e.Abort(ctx)
	}))
}

// busyMsg marks the screen busy once the person confirmed.
type busyMsg struct{ what string }

func (m *Model) markBusy(what string) tea.Cmd {
	return func() tea.Msg { return busyMsg{what} }
}

// confirm asks the root for a confirmation; on yes, the screen turns busy
// and the action runs.
func confirm(prompt string, detail []string, busy, act tea.Cmd) tea.Cmd {
	req := ConfirmRequest{Prompt: prompt, Detail: detail, Action: tea.Sequence(busy, act)}
	return func() tea.Msg { return req }
}

func short(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	if id == "" {
		return "(none)"
	}
	return id
}

func shortRef(ref string) string {
	const heads = "refs/heads/"
	if len(ref) > len(heads) && ref[:len(heads)] == heads {
		return ref[len(heads):]
	}
	return ref
}
