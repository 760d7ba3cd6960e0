package merge

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

var fileCases = []struct {
	name               string
	base, ours, theirs string
}{
	{"clean disjoint", "a\nb\nc\nd\ne\nf\ng\n", "A\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nd\ne\nf\nG\n"},
	{"adjacent changes conflict", "a\nb\nc\nd\n", "a\nB\nc\nd\n", "a\nb\nC\nd\n"},
	{"same change both", "a\nb\nc\n", "a\nX\nc\n", "a\nX\nc\n"},
	{"conflict", "a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n"},
	{"zealous common edges", "a\nb\nc\n", "a\n1\n2\nX\n3\nc\n", "a\n1\n2\nY\n3\nc\n"},
	{"zealous split", "a\nb\nc\n", "a\nX1\ns\ns\ns\ns\nX2\nc\n", "a\nY1\ns\ns\ns\ns\nY2\nc\n"},
	{"zealous near split joined", "a\nb\nc\n", "a\nX1\ns\ns\nX2\nc\n", "a\nY1\ns\ns\nY2\nc\n"},
	{"no trailing newline", "a\nb\nc", "a\nb\nX", "a\nb\nY"},
	{"no trailing newline one side", "a\nb\nc\n", "a\nb\nX", "a\nb\nY\n"},
	{"crlf", "a\r\nb\r\nc\r\n", "a\r\nX\r\nc\r\n", "a\r\nY\r\nc\r\n"},
	{"crlf mixed", "a\r\nb\nc\r\n", "a\r\nX\r\nc\r\n", "a\r\nY\r\nc\r\n"},
	{"empty base add/add", "", "x\ny\nz\n", "x\nq\nz\n"},
	{"delete vs modify", "a\nb\nc\nd\n", "a\nd\n", "a\nb\nC\nd\n"},
	{"both delete all", "a\nb\n", "", ""},
	{"one empties", "a\nb\n", "", "a\nb\nc\n"},
	{"zdiff3 common", "a\nb\nc\n", "a\nP\nX\nQ\nc\n", "a\nP\nY\nQ\nc\n"},
	{"repeated lines", strings.Repeat("x\n", 80) + "end\n", strings.Repeat("x\n", 79) + "y\nend\n", "start\n" + strings.Repeat("x\n", 80) + "end\n"},
	{"slide", "a\n}\n\nb\n}\n", "a\n}\n\nn\n}\n\nb\n}\n", "a\n}\n\nb\n}\nz\n"},
}

// TestFileParity compares File with git merge-tree on single-file trees.
func TestFileParity(t *testing.T) {
	r := newGitRepo(t)
	for _, style := range []Style{MergeStyle, Diff3, ZDiff3} {
		for _, tc := range fileCases {
			want, opts := fileOracle(t, r, tc.base, tc.ours, tc.theirs, style)
			got := File([]byte(tc.base), []byte(tc.ours), []byte(tc.theirs), opts).Render(opts)
			if string(got) != want {
				t.Errorf("File(%s, %s) =\n%s\nwant\n%s", tc.name, style, got, want)
			}
		}
	}
}

// randomVersion mutates base lines at random.
func randomVersion(rng *rand.Rand, base []string, alphabet []string) []string {
	out := append([]string(nil), base...)
	for n := rng.Intn(4); n > 0; n-- {
		pos := rng.Intn(len(out) + 1)
		switch rng.Intn(3) {
		case 0: // insert
			k := 1 + rng.Intn(3)
			ins := make([]string, k)
			for i := range ins {
				ins[i] = alphabet[rng.Intn(len(alphabet))]
			}
			out = append(out[:pos], append(ins, out[pos:]...)...)
		case 1: // delete
			if pos < len(out) {
				k := min(1+rng.Intn(3), len(out)-pos)
				out = append(out[:pos], out[pos+k:]...)
			}
		case 2: // replace
			if pos < len(out) {
				out[pos] = alphabet[rng.Intn(len(alphabet))]
			}
		}
	}
	return out
}

func render(lines []string, eol string, noFinal bool) string {
	s := strings.Join(lines, eol)
	if len(lines) > 0 && !noFinal {
		s += eol
	}
	return s
}

// TestFileRandomParity compares File with git on random three-way merges.
func TestFileRandomParity(t *testing.T) {
	n := 150
	if testing.Short() {
		n = 30
	}
	r := newGitRepo(t)
	rng := rand.New(rand.NewSource(7))
	alphabet := []string{"a", "b", "c", "d", "}", "", "{", "x = 1", "return"}
	for i := range n {
		base := make([]string, 3+rng.Intn(15))
		for j := range base {
			base[j] = alphabet[rng.Intn(len(alphabet))]
		}
		eol := "\n"
		if i%7 == 3 {
			eol = "\r\n"
		}
		noFinal := i%5 == 2
		b := render(base, eol, noFinal)
		o := render(randomVersion(rng, base, alphabet), eol, noFinal && rng.Intn(2) == 0)
		th := render(randomVersion(rng, base, alphabet), eol, noFinal && rng.Intn(2) == 0)
		style := Style(i % 3)
		want, opts := fileOracle(t, r, b, o, th, style)
		got := File([]byte(b), []byte(o), []byte(th), opts).Render(opts)
		if string(got) != want {
			t.Errorf("case %d (%s): File(%q, %q, %q) =\n%q\nwant\n%q", i, style, b, o, th, got, want)
		}
	}
}

func TestDiff(t *testing.T) {
	split := func(s string) [][]byte { return SplitLines([]byte(s)) }
	tests := []struct {
		a, b string
		want []Edit
	}{
		{"a\nb\nc\n", "a\nb\nc\n", nil},
		{"a\nb\nc\n", "a\nc\n", []Edit{{1, 2, 1, 1}}},
		{"", "a\n", []Edit{{0, 0, 0, 1}}},
		{"a\n", "", []Edit{{0, 1, 0, 0}}},
		{"a\nb\n", "x\ny\n", []Edit{{0, 2, 0, 2}}},
	}
	for _, tc := range tests {
		got := Diff(split(tc.a), split(tc.b))
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("Diff(%q, %q) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func FuzzFile(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nX\nc\n"), []byte("a\nb\nY\n"))
	f.Add([]byte(""), []byte("x"), []byte("y\r\n"))
	f.Add([]byte("a\r\nb"), []byte("a\r\nc"), []byte("\x00"))
	f.Fuzz(func(t *testing.T, b, x, y []byte) {
		_ = File(b, x, y, Options{Style: ZDiff3}).Render(Options{Style: ZDiff3})
		_ = File(b, x, y, Options{Style: Diff3}).Render(Options{Style: Diff3})
		for _, c := range []struct {
			name       string
			b, o, t, w []byte
		}{
			{"File(b,x,x)", b, x, x, x},
			{"File(b,b,x)", b, b, x, x},
			{"File(b,x,b)", b, x, b, x},
		} {
			res := File(c.b, c.o, c.t, Options{})
			if res.Binary {
				continue
			}
			if !res.Clean() {
				t.Fatalf("%s not clean: %d conflicts", c.name, res.Conflicts)
			}
			if got := res.Render(Options{}); !bytes.Equal(got, c.w) {
				t.Fatalf("%s = %q; want %q", c.name, got, c.w)
			}
		}
	})
}
