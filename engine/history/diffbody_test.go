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

func rawTree(entries []string) []byte { return []byte(strings.Join(entries, "")) }

func parseAll(t *testing.T, data []byte) []string {
	t.Helper()
	it := treeIter{data: data}
	var out []string
	for {
		e, ok, err := it.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, string(e.raw))
	}
}

// TestTrimCommon checks that trimCommon drops only whole entries that
// both trees have, at the start and at the end: a = p + a' + s and
// b = p + b' + s, entry by entry.
func TestTrimCommon(t *testing.T) {
	check := func(name string, a, b []string) {
		t.Helper()
		ra, rb := rawTree(a), rawTree(b)
		ta, tb := trimCommon(ra, rb)
		la, lb := parseAll(t, ra), parseAll(t, rb)
		pa, pb := parseAll(t, ta), parseAll(t, tb)
		// ta starts where the entries dropped at the start end.
		start, off := cap(ra)-cap(ta), 0
		for n := 0; n < start; off++ {
			n += len(la[off])
		}
		suf := len(la) - off - len(pa)
		if off+len(pb)+suf != len(lb) {
			t.Fatalf("%s: trimmed %d+%d entries of a, b keeps %d of %d", name, off, suf, len(pb), len(lb))
		}
		if strings.Join(la[:off], "") != strings.Join(lb[:off], "") ||
			strings.Join(la[len(la)-suf:], "") != strings.Join(lb[len(lb)-suf:], "") ||
			strings.Join(lb[off:off+len(pb)], "") != string(tb) {
			t.Fatalf("%s: trimCommon dropped entries that differ", name)
		}
	}
	id := func(last byte) string { return strings.Repeat("\x07", 19) + string([]byte{last}) }
	e := func(mode, name, id string) string { return mode + " " + name + "\x00" + id }
	// Only the last byte of an id differs.
	check("last id byte", []string{e("100644", "a", id(1)), e("100644", "b", id(1))},
		[]string{e("100644", "a", id(2)), e("100644", "b", id(1))})
	// b's one entry ends with the bytes of a's last entry.
	check("entry inside a name", []string{e("100644", "m", id(1)), e("100644", "n", id(1))},
		[]string{e("100644", "zz"+e("100644", "n", "")[:len(e("100644", "n", ""))-1], id(1))})

	rng := rand.New(rand.NewSource(3))
	entry := func(name string) string {
		id := make([]byte, 20)
		for i := range id {
			id[i] = byte(rng.Intn(4)) // NULs and spaces in ids too
		}
		mode := []string{"100644", "40000", "100755"}[rng.Intn(3)]
		return e(mode, name, string(id))
	}
	for c := 0; c < 500; c++ {
		var a []string
		for i := 0; i < rng.Intn(40); i++ {
			a = append(a, entry(fmt.Sprintf("f%03d", i)))
		}
		b := append([]string(nil), a...)
		for k := rng.Intn(4); k > 0 && len(b) > 0; k-- {
			i := rng.Intn(len(b))
			switch rng.Intn(4) {
			case 0:
				b[i] = entry(fmt.Sprintf("f%03d", i)) // new id or mode
			case 1:
				b[i] = b[i][:len(b[i])-1] + "\xff" // one byte of the id
			case 2:
				b = append(b[:i], b[i+1:]...)
			default:
				b = append(b[:i], append([]string{entry(fmt.Sprintf("f%03dx", i))}, b[i:]...)...)
			}
		}
		check(fmt.Sprintf("case %d", c), a, b)
	}
}
