package merge

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

func splitText(s string) [][]byte {
	var out [][]byte
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			out = append(out, []byte(l))
		}
	}
	return out
}

// applyEdits rebuilds the new file from the old one and the edits.
func applyEdits(a, b [][]byte, edits []Edit) ([][]byte, error) {
	var out [][]byte
	i := 0
	for _, e := range edits {
		if e.A0 < i || e.A1 < e.A0 || e.B1 < e.B0 || (e.A0 == e.A1 && e.B0 == e.B1) {
			return nil, fmt.Errorf("bad edit %+v after line %d", e, i)
		}
		out = append(out, a[i:e.A0]...)
		out = append(out, b[e.B0:e.B1]...)
		i = e.A1
	}
	return append(out, a[i:]...), nil
}

func TestDiffClassic(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want []Edit
	}{
		{"", "", nil},
		{"x\n", "x\n", nil},
		{"", "x\n", []Edit{{0, 0, 0, 1}}},
		{"x\n", "", []Edit{{0, 1, 0, 0}}},
		{"a\nb\nc\n", "a\nB\nc\n", []Edit{{1, 2, 1, 2}}},
		// An inserted copy of a repeated line slides down as far as it goes.
		{"a\nx\nx\nb\n", "a\nx\nx\nx\nb\n", []Edit{{3, 3, 3, 4}}},
		{"a", "a\n", []Edit{{0, 1, 0, 1}}},
	} {
		got := DiffClassic(splitText(c.a), splitText(c.b))
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("DiffClassic(%q, %q) = %v; want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestDiffClassicApplies checks on random files that the edits turn the
// old file into the new one and never touch equal lines on both sides.
func TestDiffClassicApplies(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	text := func(n, alphabet int) [][]byte {
		var out [][]byte
		for i := 0; i < n; i++ {
			out = append(out, []byte(fmt.Sprintf("l%d\n", rng.Intn(alphabet))))
		}
		return out
	}
	for i := 0; i < 300; i++ {
		alphabet := []int{2, 3, 10, 1000}[i%4]
		a, b := text(rng.Intn(200), alphabet), text(rng.Intn(200), alphabet)
		edits := DiffClassic(a, b)
		got, err := applyEdits(a, b, edits)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", b) {
			t.Fatalf("case %d: DiffClassic edits do not rebuild the new file", i)
		}
	}
}
