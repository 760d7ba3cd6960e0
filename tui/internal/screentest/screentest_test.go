package screentest

import (
	"slices"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestRunOrder: a sequence's commands run before what was queued, a
// batch's after it, and every answer is queued in turn.
func TestRunOrder(t *testing.T) {
	say := func(s string) tea.Cmd { return func() tea.Msg { return s } }
	var got []string
	Run(t, tea.Batch(say("a"), tea.Sequence(say("b"), say("c")), nil), func(msg tea.Msg) tea.Cmd {
		s, _ := msg.(string)
		got = append(got, s)
		if s == "b" {
			return say("b'")
		}
		return nil
	})
	if want := []string{"a", "b", "c", "b'"}; !slices.Equal(got, want) {
		t.Errorf("Run handed %q; want %q", got, want)
	}
}

func TestPress(t *testing.T) {
	for _, tt := range []struct {
		name string
		want tea.KeyPressMsg
	}{
		{"enter", tea.KeyPressMsg{Code: tea.KeyEnter}},
		{"esc", tea.KeyPressMsg{Code: tea.KeyEscape}},
		{"backspace", tea.KeyPressMsg{Code: tea.KeyBackspace}},
		{"j", tea.KeyPressMsg{Code: 'j', Text: "j"}},
	} {
		if got := Press(tt.name); got != tt.want {
			t.Errorf("Press(%q) = %v; want %v", tt.name, got, tt.want)
		}
	}
}
