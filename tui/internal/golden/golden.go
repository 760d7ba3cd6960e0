// Package golden compares rendered screens with files under testdata/.
//
// Screens are compared ANSI-stripped, so the files hold what a reader sees
// rather than the escape sequences of one terminal library version. Run the
// tests with -update to rewrite the files after an intended change.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Check compares the ANSI-stripped view with testdata/<name>.golden,
// rewriting the file instead when -update is given.
func Check(t testing.TB, name, view string) {
	t.Helper()
	got := ansi.Strip(view)
	// Trailing spaces are layout padding, invisible on screen; dropping
	// them keeps the files readable and diffs meaningful.
	lines := strings.Split(got, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	got = strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// FitsWithin fails when any line of view is wider than w cells or there
// are more than h lines: a pane must never garble the layout around it.
func FitsWithin(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("view has %d lines; want at most %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d columns wide; want at most %d: %q", i+1, n, w, ansi.Strip(l))
		}
	}
}

// Fills fails when view is not exactly w × h cells: a whole screen must
// cover the terminal, no more and no less.
func Fills(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%d×%d: view has %d lines; want %d", w, h, len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n != w {
			t.Errorf("%d×%d: line %d is %d cells wide; want %d: %q", w, h, i+1, n, w, ansi.Strip(l))
		}
	}
}
