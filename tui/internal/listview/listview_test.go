package listview

import (
	"strings"
	"testing"
)

func TestFollow(t *testing.T) {
	tests := []struct {
		top, sel, rows, n int
		want              int
	}{
		{0, 0, 5, 20, 0},    // on screen already
		{0, 4, 5, 20, 0},    // last row on screen
		{0, 5, 5, 20, 1},    // one below: scroll by one
		{10, 3, 5, 20, 3},   // above: scroll up to it
		{0, 19, 5, 20, 15},  // the last item at the bottom
		{18, 19, 5, 20, 15}, // past the end: pulled back
		{3, 2, 5, 4, 0},     // a list shorter than the window
		{7, 0, 5, 0, 0},     // an empty list
	}
	for _, tt := range tests {
		if got := Follow(tt.top, tt.sel, tt.rows, tt.n); got != tt.want {
			t.Errorf("Follow(%d, %d, %d, %d) = %d; want %d", tt.top, tt.sel, tt.rows, tt.n, got, tt.want)
		}
	}
}

func TestPad(t *testing.T) {
	got := Pad([]string{"ab"}, 2, 3)
	if want := []string{"ab", "  ", "  "}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Pad = %q; want %q", got, want)
	}
	if got := Pad([]string{"a", "b", "c"}, 1, 2); len(got) != 3 {
		t.Errorf("Pad of 3 lines to 2 = %q; want the 3 lines unchanged", got)
	}
}

func TestEmpty(t *testing.T) {
	tests := []struct {
		loading, filtered bool
		want              string
	}{
		{false, false, "no commits"},
		{true, false, "loading…"},
		{true, true, "loading…"},
		{false, true, "nothing matches the filter"},
	}
	for _, tt := range tests {
		if got := Empty("no commits", tt.loading, tt.filtered); got != tt.want {
			t.Errorf("Empty(no commits, %v, %v) = %q; want %q", tt.loading, tt.filtered, got, tt.want)
		}
	}
}
