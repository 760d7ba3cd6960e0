package theme

import (
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// TestKeyMapFollowsDesign pins every key of the design's key map.
func TestKeyMapFollowsDesign(t *testing.T) {
	k := DefaultKeyMap()
	tests := []struct {
		name string
		b    key.Binding
		keys []string
	}{
		{"help", k.Help, []string{"?"}},
		{"quit", k.Quit, []string{"q"}},
		{"next pane", k.NextPane, []string{"tab"}},
		{"previous pane", k.PrevPane, []string{"shift+tab"}},
		{"cockpit", k.Cockpit, []string{"1"}},
		{"resolver", k.Resolver, []string{"2"}},
		{"rollouts", k.Rollouts, []string{"3"}},
		{"journal", k.Journal, []string{"4"}},
		{"up", k.Up, []string{"k", "up"}},
		{"down", k.Down, []string{"j", "down"}},
		{"filter", k.Filter, []string{"/"}},
		{"details", k.Details, []string{"enter"}},
		{"carry", k.Carry, []string{"p"}},
		{"train", k.Train, []string{"T"}},
		{"next hunk", k.NextHunk, []string{"n"}},
		{"previous hunk", k.PrevHunk, []string{"N"}},
		{"ours", k.Ours, []string{"o"}},
		{"theirs", k.Theirs, []string{"t"}},
		{"both", k.Both, []string{"b"}},
		{"base", k.Base, []string{"B"}},
		{"edit", k.Edit, []string{"e"}},
		{"undo", k.Undo, []string{"u"}},
		{"continue", k.Continue, []string{"c"}},
		{"skip", k.Skip, []string{"s"}},
		{"abort", k.Abort, []string{"A"}},
		{"deploy", k.Deploy, []string{"d"}},
		{"promote", k.Promote, []string{">"}},
		{"abort rollout", k.AbortRollout, []string{"x"}},
		{"approve", k.Approve, []string{"y"}},
		{"confirm", k.Confirm, []string{"y", "enter"}},
		{"cancel", k.Cancel, []string{"n", "esc"}},
	}
	for _, tt := range tests {
		for _, want := range tt.keys {
			if !slices.Contains(tt.b.Keys(), want) {
				t.Errorf("%s keys = %v; want it to include %q", tt.name, tt.b.Keys(), want)
			}
		}
		if tt.b.Help().Desc == "" {
			t.Errorf("%s has no help text", tt.name)
		}
	}
}

func TestPlainStylesHaveNoColour(t *testing.T) {
	s := New(true, false)
	for name, st := range map[string]lipgloss.Style{
		"hotfix": s.Hotfix, "selected": s.Selected, "status error": s.StatusError, "pane": s.PaneActive,
	} {
		if _, ok := st.GetForeground().(lipgloss.NoColor); !ok {
			t.Errorf("%s foreground = %v; want no colour", name, st.GetForeground())
		}
		if _, ok := st.GetBackground().(lipgloss.NoColor); !ok {
			t.Errorf("%s background = %v; want no colour", name, st.GetBackground())
		}
	}
	if !s.Selected.GetReverse() {
		t.Error("plain selection is not reversed; it would be invisible without colour")
	}
}

func TestLightAndDarkDiffer(t *testing.T) {
	light, dark := New(false, true), New(true, true)
	if light.Normal.GetForeground() == dark.Normal.GetForeground() {
		t.Error("light and dark themes use the same text colour")
	}
	out := dark.Hotfix.Render("hotfix")
	if !strings.Contains(out, "hotfix") {
		t.Errorf("render = %q", out)
	}
}

func TestStep(t *testing.T) {
	k := DefaultKeyMap()
	r := func(s string) tea.KeyPressMsg { return tea.KeyPressMsg{Code: []rune(s)[0], Text: s} }
	tests := []struct {
		msg    tea.KeyPressMsg
		d      int
		wantOK bool
	}{
		{r("k"), -1, true},
		{tea.KeyPressMsg{Code: tea.KeyDown}, 1, true},
		{tea.KeyPressMsg{Code: tea.KeyPgUp}, -7, true},
		{tea.KeyPressMsg{Code: tea.KeyPgDown}, 7, true},
		{r("g"), -40, true},
		{r("G"), 40, true},
		{r("x"), 0, false},
	}
	for _, tt := range tests {
		if d, ok := k.Step(tt.msg, 7, 40); d != tt.d || ok != tt.wantOK {
			t.Errorf("Step(%s, 7, 40) = %d, %v; want %d, %v", tt.msg, d, ok, tt.d, tt.wantOK)
		}
	}
}
