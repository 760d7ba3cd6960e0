package history

import (
	"context"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/switchyard/switchyard/engine/testrepo"
)

func openHistory(t testing.TB, r *testrepo.Repo, cache string) *History {
	t.Helper()
	open := func() (storer.EncodedObjectStorer, error) {
		repo, err := git.PlainOpen(r.Dir)
		if err != nil {
			return nil, err
		}
		return repo.Storer, nil
	}
	h, err := New(Options{GitDir: r.Dir + "/.git", Open: open, CachePath: cache, Workers: 2})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

// cherry runs git cherry upstream head and returns the + and - ids.
func cherry(t testing.TB, r *testrepo.Repo, upstream, head string) (plus, minus []string) {
	t.Helper()
	out := r.Git("cherry", upstream, head)
	for _, line := range strings.Split(out, "\n") {
		if line == "" {
			continue
		}
		sign, id, _ := strings.Cut(line, " ")
		if sign == "+" {
			plus = append(plus, id)
		} else {
			minus = append(minus, id)
		}
	}
	return plus, minus
}

// fixture builds dev and prod with picks (-x and not), an amended pick, a
// conflicting pick resolved by hand, merges, empty commits, mode changes,
// binary files, renames and a hotfix committed on prod.
func fixture(t testing.TB) *testrepo.Repo {
	r := testrepo.New(t)
	base := r.Commit("dev", "base", map[string]string{
		"a.txt":     "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
		"b.txt":     "alpha\nbeta\ngamma\n",
		"dir/c.txt": "c\n",
		"bin.dat":   "\x00\x01\x02",
		"space.txt": "x y\n",
	})
	r.Git("branch", "prod", base)
	c1 := r.Commit("dev", "feature one", map[string]string{"a.txt": "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n"})
	c2 := r.Commit("dev", "bugfix: b", map[string]string{"b.txt": "alpha\nBETA\ngamma\n"})
	c3 := r.Commit("dev", "hotfix: dir", map[string]string{"dir/c.txt": "C\n", "dir/d.txt": "d\n"})
	r.Commit("dev", "empty one", nil)
	c5 := r.Commit("dev", "binary", map[string]string{"bin.dat": "\x00\x09\x09"})
	r.Git("update-index", "--chmod=+x", "b.txt")
	r.Git("commit", "-q", "-m", "mode")
	c6 := r.Rev("HEAD")
	r.Tick(time.Minute)
	r.Commit("dev", "rename", map[string]string{"-dir/d.txt": "", "dir/e.txt": "d\n"})
	// side branch merged into dev
	r.Checkout("dev")
	r.Git("checkout", "-q", "-b", "topic")
	r.Commit("topic", "topic work", map[string]string{"t.txt": "t\n"})
	r.Checkout("dev")
	r.Git("merge", "-q", "--no-ff", "-m", "merge topic", "topic")
	r.Tick(time.Minute)
	// a submodule link and a file name with spaces, picked by patch only
	r.Write(map[string]string{"name with space.txt": "s p a c e\n"})
	r.Git("add", "-A")
	r.Git("update-index", "--add", "--cacheinfo", "160000,"+base+",sub")
	r.Git("commit", "-q", "-m", "submodule and spaces")
	c8 := r.Rev("HEAD")
	r.Tick(time.Minute)
	r.Git("update-index", "--cacheinfo", "160000,"+c1+",sub")
	r.Git("commit", "-q", "-m", "move submodule")
	r.Tick(time.Minute)
	late := r.Commit("dev", "late change", map[string]string{"a.txt": "1\n2\nthree\n4\n5\n6\n7\n8\nnine\n10\n"})
	r.Commit("dev", "whitespace", map[string]string{"space.txt": "x  y\n"})

	// prod: picks
	r.CherryPick("prod", c2, true)
	r.CherryPick("prod", c3, false)
	r.CherryPick("prod", c5, true)
	r.CherryPick("prod", c6, true)
	r.CherryPick("prod", c8, false)
	// amended pick: same change plus more, keeps the trailer
	r.CherryPick("prod", c1, true)
	r.Write(map[string]string{"a.txt": "1\n2\nthree\n4\n5\n6\n7\n8\n9\nten\n"})
	r.Git("commit", "-q", "-a", "--amend", "--no-edit")
	// a pick with a changed patch and no trailer: pending for git cherry
	r.Commit("prod", "late change, by hand", map[string]string{"a.txt": "1\n2\nthree\n4\n5\n6\n7\n8\nnine\nten\n"})
	_ = late
	r.Commit("prod", "empty on prod", nil)
	r.Commit("prod", "hotfix on prod", map[string]string{"p.txt": "p\n"})
	return r
}

func sorted(cs []string) []string { sort.Strings(cs); return cs }

func TestCompareMatchesGitCherry(t *testing.T) {
	r := fixture(t)
	h := openHistory(t, r, "")
	ctx := context.Background()
	dev, prod := plumbing.NewHash(r.Rev("dev")), plumbing.NewHash(r.Rev("prod"))
	for _, run := range []string{"cold", "warm"} {
		if run == "warm" {
			h = openHistory(t, r, "") // reads the cache written by the cold run
		}
		res, err := h.Compare(ctx, dev, prod)
		if err != nil {
			t.Fatalf("%s: Compare: %v", run, err)
		}
		plus, minus := cherry(t, r, "prod", "dev")
		var pending, carriedPatch, carriedTrailer []string
		for _, c := range res.Pending {
			pending = append(pending, c.Hash.String())
		}
		for _, c := range res.Carried {
			if c.How == HowPatchID {
				carriedPatch = append(carriedPatch, c.From.Hash.String())
			} else {
				carriedTrailer = append(carriedTrailer, c.From.Hash.String())
			}
		}
		// git cherry's + set is pending plus the trailer-only carries.
		if got, want := strings.Join(sorted(append(append([]string{}, pending...), carriedTrailer...)), " "), strings.Join(sorted(plus), " "); got != want {
			t.Errorf("%s: Compare(dev, prod) pending+trailer = %s; want git cherry + %s", run, got, want)
		}
		if got, want := strings.Join(sorted(carriedPatch), " "), strings.Join(sorted(minus), " "); got != want {
			t.Errorf("%s: Compare(dev, prod) carried by patch-id = %s; want git cherry - %s", run, got, want)
		}
		if len(carriedTrailer) != 1 {
			t.Errorf("%s: carried by trailer = %v; want the amended pick only", run, carriedTrailer)
		}
		// Reverse direction: only-in-to is git cherry dev prod's + set minus
		// commits with a trailer naming a dev commit.
		plusR, _ := cherry(t, r, "dev", "prod")
		var wantOnly []string
		for _, id := range plusR {
			if len(PickedFrom(r.Git("log", "-1", "--format=%B", id))) == 0 {
				wantOnly = append(wantOnly, id)
			}
		}
		var gotOnly []string
		for _, c := range res.OnlyInTo {
			gotOnly = append(gotOnly, c.Hash.String())
		}
		if got, want := strings.Join(sorted(gotOnly), " "), strings.Join(sorted(wantOnly), " "); got != want {
			t.Errorf("%s: Compare(dev, prod) only in prod = %s; want %s", run, got, want)
		}
		if res.MergesFrom != 1 {
			t.Errorf("%s: merges on dev side = %d; want 1", run, res.MergesFrom)
		}
	}
}

// TestPatchIDMatchesGit compares full patch-ids with git patch-id for every
// non-merge commit of the fixture with a text diff. git 2.39's patch-id
// command does not hash mode lines the way its diff machinery (and so git
// cherry) does; commits adding, deleting or changing the mode of files are
// checked by TestCompareMatchesGitCherry instead.
func TestPatchIDMatchesGit(t *testing.T) {
	r := fixture(t)
	h := openHistory(t, r, "-")
	ctx := context.Background()
	for _, id := range strings.Fields(r.Git("rev-list", "--no-merges", "dev", "prod")) {
		show := r.Git("show", "--format=", "--no-renames", id)
		if strings.Contains(show, "Binary files") || show == "" ||
			strings.Contains(show, "new file mode") || strings.Contains(show, "deleted file mode") || strings.Contains(show, "old mode") {
			continue
		}
		want := pipe(t, r, show+"\n", "patch-id", "--unstable")
		got, ok, err := h.PatchID(ctx, plumbing.NewHash(id))
		if err != nil || !ok {
			t.Fatalf("PatchID(%s) = %v, %v", id, ok, err)
		}
		if wantID, _, _ := strings.Cut(want, " "); plumbing.Hash(got).String() != wantID {
			t.Errorf("PatchID(%s) = %x; want %s", id, got, wantID)
		}
	}
}

// TestComparePacked runs the comparison over packed objects (read through
// the shared pack indexes), a pack plus loose objects, and a commit-graph.
func TestComparePacked(t *testing.T) {
	r := fixture(t)
	ctx := context.Background()
	dev, prod := plumbing.NewHash(r.Rev("dev")), plumbing.NewHash(r.Rev("prod"))
	loose := openHistory(t, r, "-")
	want, err := loose.Compare(ctx, dev, prod)
	if err != nil {
		t.Fatal(err)
	}
	summary := func(c *Cherry) string {
		var b strings.Builder
		for _, x := range c.Pending {
			b.WriteString("p" + x.Hash.String()[:7] + " ")
		}
		for _, x := range c.Carried {
			b.WriteString("c" + x.From.Hash.String()[:7] + x.To.Hash.String()[:7] + string(x.How) + " ")
		}
		for _, x := range c.OnlyInTo {
			b.WriteString("o" + x.Hash.String()[:7] + " ")
		}
		return b.String()
	}
	r.Git("repack", "-a", "-d", "-q")
	r.Git("commit-graph", "write", "--reachable")
	r.Commit("prod", "after the pack", map[string]string{"late.txt": "late\n"}) // loose
	want2 := r.Rev("prod")
	for _, name := range []string{"packed", "packed+loose"} {
		to := prod
		if name == "packed+loose" {
			to = plumbing.NewHash(want2)
		}
		h := openHistory(t, r, "-")
		got, err := h.Compare(ctx, dev, to)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w := summary(want)
		if name == "packed+loose" {
			w += "o" + want2[:7] + " "
		}
		if summary(got) != w {
			t.Errorf("%s: Compare = %s; want %s", name, summary(got), w)
		}
	}
}

// TestCompareSameFilesDifferentBlobs covers commits whose header ids
// collide: a pick onto a file that changed elsewhere (other blobs, same
// patch-id), two different edits of one file (other blobs, other
// patch-ids) and a pick of an untouched file (same blobs).
func TestCompareSameFilesDifferentBlobs(t *testing.T) {
	r := testrepo.New(t)
	var lines []string
	for i := 1; i <= 20; i++ {
		lines = append(lines, strconv.Itoa(i))
	}
	text := func(edit map[int]string) string {
		out := append([]string(nil), lines...)
		for i, l := range edit {
			out[i-1] = l
		}
		return strings.Join(out, "\n") + "\n"
	}
	base := r.Commit("dev", "base", map[string]string{"f.txt": text(nil), "g.txt": "g\n"})
	r.Git("branch", "prod", base)
	r.Commit("prod", "prod: top", map[string]string{"f.txt": text(map[int]string{1: "one"})})
	moved := r.Commit("dev", "dev: line 15", map[string]string{"f.txt": text(map[int]string{15: "fifteen"})})
	other := r.Commit("dev", "dev: line 18", map[string]string{"f.txt": text(map[int]string{15: "fifteen", 18: "X"})})
	same := r.Commit("dev", "dev: g", map[string]string{"g.txt": "G\n"})
	r.CherryPick("prod", moved, false)
	r.Commit("prod", "prod: line 18", map[string]string{"f.txt": text(map[int]string{1: "one", 15: "fifteen", 18: "Y"})})
	r.CherryPick("prod", same, false)
	ctx := context.Background()
	for _, run := range []string{"cold", "warm"} { // warm: the cache the cold run wrote
		h := openHistory(t, r, "")
		res, err := h.Compare(ctx, plumbing.NewHash(r.Rev("dev")), plumbing.NewHash(r.Rev("prod")))
		if err != nil {
			t.Fatalf("%s: Compare: %v", run, err)
		}
		plus, minus := cherry(t, r, "prod", "dev")
		var pending, carried []string
		for _, c := range res.Pending {
			pending = append(pending, c.Hash.String())
		}
		for _, c := range res.Carried {
			carried = append(carried, c.From.Hash.String())
		}
		if got, want := strings.Join(sorted(pending), " "), strings.Join(sorted(plus), " "); got != want {
			t.Errorf("%s: pending = %s; want git cherry + %s", run, got, want)
		}
		if got, want := strings.Join(sorted(carried), " "), strings.Join(sorted(minus), " "); got != want {
			t.Errorf("%s: carried = %s; want git cherry - %s", run, got, want)
		}
		if want := []string{other}; strings.Join(pending, " ") != strings.Join(want, " ") {
			t.Errorf("%s: pending = %v; want only %s", run, pending, other)
		}
	}
}

// TestPackReaderMatchesGit reads every object of a repacked fixture through
// the pack reader, with offset deltas and with reference deltas, and
// compares type and content with git cat-file.
func TestPackReaderMatchesGit(t *testing.T) {
	r := fixture(t)
	for i := 0; i < 30; i++ { // enough versions of one file for deltas
		r.Commit("dev", fmt.Sprintf("grow %d", i), map[string]string{"a.txt": strings.Repeat(fmt.Sprintf("line %d\n", i%7), 50+i)})
	}
	for _, mode := range []string{"ofs", "ref"} {
		r.Git("-c", "repack.useDeltaBaseOffset="+strconv.FormatBool(mode == "ofs"), "repack", "-a", "-d", "-F", "-q")
		cmd := exec.Command("git", "cat-file", "--batch-all-objects", "--batch")
		cmd.Dir, cmd.Env = r.Dir, r.Env()
		out, err := cmd.Output() // raw: Git trims trailing newlines
		if err != nil {
			t.Fatal(err)
		}
		all := string(out)
		packs := newSharedPacks(r.Dir + "/.git")
		p := newPackStorer(packs, nil)
		n := 0
		for len(all) > 0 {
			head, rest, _ := strings.Cut(all, "\n")
			f := strings.Fields(head)
			size, _ := strconv.Atoi(f[2])
			want := rest[:size]
			all = rest[size+1:]
			typ, data, ok := p.read(plumbing.NewHash(f[0]))
			if !ok {
				t.Errorf("%s: read(%s) failed", mode, f[0])
				continue
			}
			if typ.String() != f[1] || string(data) != want {
				t.Errorf("%s: read(%s) = %s of %d bytes; want %s of %d", mode, f[0], typ, len(data), f[1], size)
			}
			n++
		}
		if n < 50 {
			t.Errorf("%s: %d objects read; want the whole fixture", mode, n)
		}
	}
}
