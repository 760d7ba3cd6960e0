package merge

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

var hunkRe = regexp.MustCompile(`(?m)^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

// gitDiffEdits runs git diff --histogram (no indent heuristic, as merges
// use) on two files and returns its hunks as Edits.
func gitDiffEdits(t testing.TB, a, b string) []Edit {
	t.Helper()
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.WriteFile(pa, []byte(a), 0o644)
	os.WriteFile(pb, []byte(b), 0o644)
	cmd := exec.Command("git", "diff", "--no-index", "--histogram", "--no-indent-heuristic", "-U0", pa, pb)
	cmd.Env = gitEnv()
	out, _ := cmd.Output()
	var edits []Edit
	for _, m := range hunkRe.FindAllStringSubmatch(string(out), -1) {
		num := func(s string, def int) int {
			if s == "" {
				return def
			}
			n, _ := strconv.Atoi(s)
			return n
		}
		s1, c1, s2, c2 := num(m[1], 0), num(m[2], 1), num(m[3], 0), num(m[4], 1)
		if c1 > 0 {
			s1--
		}
		if c2 > 0 {
			s2--
		}
		edits = append(edits, Edit{s1, s1 + c1, s2, s2 + c2})
	}
	return edits
}

func TestDiffRandomParity(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	alphabet := []string{"a", "b", "c", "d", "}", "", "{", "x = 1", "return"}
	n := 300
	if testing.Short() {
		n = 50
	}
	for range n {
		base := make([]string, 3+rng.Intn(15))
		for j := range base {
			base[j] = alphabet[rng.Intn(len(alphabet))]
		}
		a := render(base, "\n", false)
		b := render(randomVersion(rng, base, alphabet), "\n", false)
		want := gitDiffEdits(t, a, b)
		got := Diff(SplitLines([]byte(a)), SplitLines([]byte(b)))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Diff(%q, %q) = %v; want %v", a, b, got, want)
		}
	}
}

// TestDiffRepetitiveParity diffs files made mostly of a few lines repeated
// many times, where the histogram gives up and the classic diff with its
// discards and cost cut-offs takes over, against git.
func TestDiffRepetitiveParity(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	n := 60
	if testing.Short() {
		n = 15
	}
	for range n {
		alpha := make([]string, 2+rng.Intn(20))
		for i := range alpha {
			alpha[i] = fmt.Sprintf("w%d", i)
		}
		size := 100 + rng.Intn(4000)
		uniq := rng.Intn(4)
		var a, b []string
		for range size {
			if rng.Intn(20) < uniq {
				a = append(a, fmt.Sprintf("u%d", rng.Intn(size)))
			} else {
				a = append(a, alpha[rng.Intn(len(alpha))])
			}
		}
		del, ins := rng.Intn(50), rng.Intn(50)
		for _, l := range a {
			switch r := rng.Intn(100); {
			case r < del:
			case r < del+ins:
				b = append(b, alpha[rng.Intn(len(alpha))], l)
			case r < del+ins+3:
				b = append(b, fmt.Sprintf("v%d", rng.Intn(size)))
			default:
				b = append(b, l)
			}
		}
		as, bs := render(a, "\n", false), render(b, "\n", false)
		want := gitDiffEdits(t, as, bs)
		got := Diff(SplitLines([]byte(as)), SplitLines([]byte(bs)))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Diff(%d lines of %d kinds, %d lines) = %d edits; want %d (git)", len(a), len(alpha), len(b), len(got), len(want))
		}
	}
}
