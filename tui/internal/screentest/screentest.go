// Package screentest drives a screen in tests as the Bubble Tea runtime
// would: it runs commands, feeds their messages back to the screen, and
// turns key names into key presses.
package screentest

import (
	"reflect"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// maxCommands bounds how many commands Run executes before it decides a
// screen keeps asking for more and fails the test.
const maxCommands = 100

// Run executes cmd and the commands it leads to, handing every message to
// update, whose answer is queued in turn. Batches are queued, a sequence's
// commands run before what was queued, nil commands and nil messages are
// passed over. Run fails the test after more than 100 commands.
func Run(t testing.TB, cmd tea.Cmd, update func(tea.Msg) tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > maxCommands {
			t.Fatal("too many commands")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			if seq, ok := sequenceCmds(msg); ok {
				queue = append(seq, queue...)
				continue
			}
			queue = append(queue, update(msg))
		}
	}
}

// sequenceCmds unpacks tea.Sequence's message, whose type is unexported:
// a slice of commands.
func sequenceCmds(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return nil, false
	}
	out := make([]tea.Cmd, v.Len())
	for i := range out {
		out[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return out, true
}

// Press is the press of the key named k: "enter", "esc", "backspace", or
// the single character k.
func Press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// Type presses the characters of s one after the other, handing each
// press to update and dropping the commands it answers.
func Type(update func(tea.Msg) tea.Cmd, s string) {
	for _, r := range s {
		update(Press(string(r)))
	}
}
