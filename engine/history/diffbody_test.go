package history

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitDiffBody runs git diff --no-index with patch-id's settings (Myers, no
// indent heuristic, three lines of context) and returns its body lines.
func gitDiffBody(t *testing.T, dir string, a, b []byte) []string {
	t.Helper()
	pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(pa, a, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pb, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "-c", "diff.indentHeuristic=false", "-c", "diff.algorithm=myers",
		"diff", "--no-index", "--no-color", "-U3", "a", "b")
	cmd.Dir = dir
	cmd.Env = []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	out, _ := cmd.Output() // exit status 1 means "differs"
	var body []string
	inHunk := false
	for _, l := range strings.SplitAfter(string(out), "\n") {
		switch {
		case strings.HasPrefix(l, "@@"):
			inHunk = true
		case !inHunk || l == "" || strings.HasPrefix(l, `\ `):
		default:
			body = append(body, strings.TrimSuffix(l, "\n"))
		}
	}
	return body
}

func ourDiffBody(a, b []byte) []string {
	var body []string
	unifiedBody(splitLines(a), splitLines(b), 3, func(prefix byte, rec []byte) {
		body = append(body, string(prefix)+strings.TrimSuffix(string(rec), "\n"))
	})
	return body
}

func randomText(rng *rand.Rand, n, alphabet int) []byte {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "l%d\n", rng.Intn(alphabet))
	}
	return []byte(b.String())
}

func mutate(rng *rand.Rand, text []byte, alphabet int) []byte {
	lines := strings.SplitAfter(string(text), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	edits := 1 + rng.Intn(6)
	for e := 0; e < edits; e++ {
		pos := 0
		if len(lines) > 0 {
			pos = rng.Intn(len(lines))
		}
		switch rng.Intn(3) {
		case 0: // insert a run
			var run []string
			for k := rng.Intn(4) + 1; k > 0; k-- {
				run = append(run, fmt.Sprintf("l%d\n", rng.Intn(alphabet)))
			}
			lines = append(lines[:pos], append(run, lines[pos:]...)...)
		case 1: // delete a run
			end := min(len(lines), pos+rng.Intn(4)+1)
			lines = append(lines[:pos], lines[end:]...)
		default: // replace
			if len(lines) > 0 {
				lines[pos] = fmt.Sprintf("x%d\n", rng.Intn(alphabet))
			}
		}
	}
	return []byte(strings.Join(lines, ""))
}

// TestDiffBodyMatchesGit compares the patch-id diff body with git's on
// random files made of a few distinct lines, where equally short diffs
// abound and only git's exact choices (discarded lines, cost cutoffs,
// sliding) give the same output.
func TestDiffBodyMatchesGit(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(1))
	cases := 1500
	if testing.Short() {
		cases = 150
	}
	for i := 0; i < cases; i++ {
		alphabet := []int{2, 3, 5, 20, 400}[i%5]
		n := []int{0, 1, 8, 40, 300}[rng.Intn(5)]
		a := randomText(rng, n, alphabet)
		b := mutate(rng, a, alphabet)
		if i%7 == 0 {
			b = randomText(rng, n, alphabet) // unrelated rewrite
		}
		want := gitDiffBody(t, dir, a, b)
		got := ourDiffBody(a, b)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("case %d: body(%q, %q) =\n%s\nwant\n%s", i, a, b, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestDiffBodyNoNewlineAtEnd(t *testing.T) {
	dir := t.TempDir()
	for _, c := range [][2]string{
		{"a", "a\n"},
		{"a\nb", "a\nc"},
		{"", "x"},
		{"x\n", ""},
	} {
		want := gitDiffBody(t, dir, []byte(c[0]), []byte(c[1]))
		got := ourDiffBody([]byte(c[0]), []byte(c[1]))
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("body(%q, %q) = %q; want %q", c[0], c[1], got, want)
		}
	}
}

// TestDiffBodyMatchesGitLarge compares large, heavily edited files, where
// the classic diff's cost cutoffs and discarded-line heuristics decide.
func TestDiffBodyMatchesGitLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large diffs")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(5))
	for i := 0; i < 40; i++ {
		alphabet := []int{3, 30, 300, 3000}[i%4]
		n := []int{1000, 3000, 6000}[rng.Intn(3)]
		a := randomText(rng, n, alphabet)
		b := a
		for k := 0; k < 40; k++ {
			b = mutate(rng, b, alphabet)
		}
		if i%3 == 0 {
			b = randomText(rng, n, alphabet) // unrelated rewrite
		}
		want := gitDiffBody(t, dir, a, b)
		got := ourDiffBody(a, b)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("case %d (%d lines of %d kinds): body differs from git's", i, n, alphabet)
		}
	}
}
