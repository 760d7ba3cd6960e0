package merge

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/memory"
)

// overlay reads objects from a repository and keeps written ones in
// memory, so real repositories are never modified.
type overlay struct {
	storer.EncodedObjectStorer // the repository, read only
	mem                        *memory.ObjectStorage
}

func newOverlay(base storer.EncodedObjectStorer) *overlay {
	return &overlay{EncodedObjectStorer: base, mem: &memory.NewStorage().ObjectStorage}
}

func (o *overlay) NewEncodedObject() plumbing.EncodedObject { return o.mem.NewEncodedObject() }

func (o *overlay) SetEncodedObject(obj plumbing.EncodedObject) (plumbing.Hash, error) {
	return o.mem.SetEncodedObject(obj)
}

func (o *overlay) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if obj, err := o.mem.EncodedObject(t, h); err == nil {
		return obj, nil
	}
	return o.EncodedObjectStorer.EncodedObject(t, h)
}

func (o *overlay) HasEncodedObject(h plumbing.Hash) error {
	if o.mem.HasEncodedObject(h) == nil {
		return nil
	}
	return o.EncodedObjectStorer.HasEncodedObject(h)
}

func (o *overlay) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	if n, err := o.mem.EncodedObjectSize(h); err == nil {
		return n, nil
	}
	return o.EncodedObjectStorer.EncodedObjectSize(h)
}

// writeLoose stores an object as a loose object in a git directory.
func writeLoose(gitDir string, obj plumbing.EncodedObject) error {
	r, err := obj.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	h := obj.Hash().String()
	p := filepath.Join(gitDir, "objects", h[:2], h[2:])
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	fmt.Fprintf(zw, "%s %d\x00", obj.Type(), len(data))
	zw.Write(data)
	zw.Close()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, buf.Bytes(), 0o444)
}

// syntheticCommit writes a commit of tree with one parent into gitDir, so
// that merge-tree sees parent as the merge base.
func syntheticCommit(gitDir string, tree, parent plumbing.Hash, msg string) (plumbing.Hash, error) {
	sig := object.Signature{Name: "Parity", Email: "parity@switchyard.invalid", When: time.Unix(1700000000, 0).UTC()}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: []plumbing.Hash{parent}}
	obj := &plumbing.MemoryObject{}
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return obj.Hash(), writeLoose(gitDir, obj)
}

type parityPick struct {
	c, onto *object.Commit
	days    int
}

// TestParityRealRepo compares Pick with git merge-tree on a real
// repository: SWITCHYARD_PARITY_REPO=/path/to/repo (a git directory or
// worktree), SWITCHYARD_PARITY_N sampled commits (default 300, drawn with
// SWITCHYARD_PARITY_SEED, default 42), each picked onto the first-parent
// main-line commit 7, 30 and 180 days older (SWITCHYARD_PARITY_DAYS, a
// comma-separated list; a negative number of days picks onto the oldest
// main-line commit that much newer).
func TestParityRealRepo(t *testing.T) {
	repoPath := os.Getenv("SWITCHYARD_PARITY_REPO")
	if repoPath == "" {
		t.Skip("set SWITCHYARD_PARITY_REPO to run")
	}
	n := 300
	if s := os.Getenv("SWITCHYARD_PARITY_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("SWITCHYARD_PARITY_N: %v", err)
		}
		n = v
	}
	seed := int64(42)
	if s := os.Getenv("SWITCHYARD_PARITY_SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("SWITCHYARD_PARITY_SEED: %v", err)
		}
		seed = v
	}
	picks, src, scratch := parityPicks(t, repoPath, n, seed)
	ctx := context.Background()

	classes := map[string]int{}
	examples := map[string][]string{}
	agree := 0
	var oursTime, gitTime time.Duration
	for i, pk := range picks {
		parent := pk.c.ParentHashes[0]
		pc, err := object.GetCommit(src, parent)
		if err != nil {
			t.Fatal(err)
		}
		ov := newOverlay(src)
		start := time.Now()
		res, err := Pick(ctx, ov, pk.c, pk.onto, Options{})
		oursTime += time.Since(start)
		if err != nil {
			t.Fatalf("pick %d: %v", i, err)
		}

		o, err := syntheticCommit(scratch, pk.onto.TreeHash, parent, "ours")
		if err != nil {
			t.Fatal(err)
		}
		th, err := syntheticCommit(scratch, pk.c.TreeHash, parent, "theirs")
		if err != nil {
			t.Fatal(err)
		}
		// Labels: merge-tree names the sides by the arguments.
		if !res.Clean() {
			ov = newOverlay(src)
			res, err = Trees(ctx, ov, pc.TreeHash, pk.onto.TreeHash, pk.c.TreeHash,
				Options{OursLabel: o.String(), TheirsLabel: th.String()})
			if err != nil {
				t.Fatal(err)
			}
		}
		start = time.Now()
		cmd := exec.Command("git", "--git-dir="+scratch, "merge-tree", "--write-tree", o.String(), th.String())
		cmd.Env = gitEnv()
		out, err := cmd.Output()
		gitTime += time.Since(start)
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code > 1 {
			t.Fatalf("git merge-tree exit %d", code)
		}
		want := parseMergeTree(string(out), code == 0)
		sort.Strings(want.stages)
		gotStages := stageLines(res.Conflicts)
		wantPaths, gotPaths := stagePaths(want.stages), stagePaths(gotStages)

		var class string
		switch {
		case res.Tree.String() == want.tree && strings.Join(gotStages, "\n") == strings.Join(want.stages, "\n"):
			agree++
			continue
		case res.Clean() != want.clean:
			class = fmt.Sprintf("clean=%v, git clean=%v", res.Clean(), want.clean)
		case wantPaths != gotPaths:
			class = "different conflicted paths"
		case res.Tree.String() != want.tree && want.clean:
			class = "clean, different tree"
		case res.Tree.String() != want.tree:
			class = "same conflicted paths, different tree"
		default:
			class = "same tree, different stages"
		}
		classes[class]++
		// Keep our objects for inspection with git.
		objs, _ := ov.mem.IterEncodedObjects(plumbing.AnyObject)
		objs.ForEach(func(obj plumbing.EncodedObject) error { return writeLoose(scratch, obj) })
		diff, _ := exec.Command("git", "--git-dir="+scratch, "diff-tree", "-r", "--name-status", want.tree, res.Tree.String()).Output()
		ex := fmt.Sprintf("pick %s onto %s (-%dd): git conflicts [%s] ours [%s]; tree diff:\n%s",
			pk.c.Hash.String()[:10], pk.onto.Hash.String()[:10], pk.days, wantPaths, gotPaths, firstLines(string(diff), 6))
		if len(examples[class]) < 5 {
			examples[class] = append(examples[class], ex)
		}
	}
	total := len(picks)
	t.Logf("parity: %d/%d picks agree (%.2f%%) on tree oid and index stages", agree, total, 100*float64(agree)/float64(max(total, 1)))
	for c, k := range classes {
		t.Logf("disagreement class %q: %d", c, k)
		for _, ex := range examples[c] {
			t.Logf("  %s", ex)
		}
	}
	if total > 0 {
		t.Logf("timing: Pick %v/pick (%d ns), git merge-tree %v/merge (%d ns, process included)",
			oursTime/time.Duration(total), (oursTime / time.Duration(total)).Nanoseconds(),
			gitTime/time.Duration(total), (gitTime / time.Duration(total)).Nanoseconds())
	}
}

func stagePaths(lines []string) string {
	set := map[string]bool{}
	for _, l := range lines {
		if _, p, ok := strings.Cut(l, "\t"); ok {
			set[p] = true
		}
	}
	var ps []string
	for p := range set {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return strings.Join(ps, " ")
}

func firstLines(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) > n {
		ls = append(ls[:n], fmt.Sprintf("... %d more", len(ls)-n))
	}
	return strings.Join(ls, "\n")
}

// parityPicks samples picks deterministically and prepares a scratch git
// directory that borrows the repository's objects through alternates.
func parityPicks(t testing.TB, repoPath string, n int, seed int64) ([]parityPick, storer.EncodedObjectStorer, string) {
	t.Helper()
	repo, err := git.PlainOpen(repoPath)
	if err != nil {
		t.Fatalf("open %s: %v", repoPath, err)
	}
	gitDirB, err := exec.Command("git", "-C", repoPath, "rev-parse", "--absolute-git-dir").Output()
	if err != nil {
		gitDirB = []byte(repoPath)
	}
	gitDir := strings.TrimSpace(string(gitDirB))
	scratch := filepath.Join(t.TempDir(), "scratch.git")
	if out, err := exec.Command("git", "init", "-q", "--bare", scratch).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	alt := filepath.Join(gitDir, "objects") + "\n"
	if err := os.WriteFile(filepath.Join(scratch, "objects", "info", "alternates"), []byte(alt), 0o644); err != nil {
		t.Fatal(err)
	}

	run := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"--git-dir=" + gitDir}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return string(out)
	}
	type mainline struct {
		h  plumbing.Hash
		ct int64
	}
	var main []mainline // newest first
	for _, l := range strings.Split(strings.TrimSpace(run("log", "--first-parent", "--format=%H %ct", "HEAD")), "\n") {
		h, ts, _ := strings.Cut(l, " ")
		ct, _ := strconv.ParseInt(ts, 10, 64)
		main = append(main, mainline{plumbing.NewHash(h), ct})
	}
	var all []string
	for _, l := range strings.Split(strings.TrimSpace(run("rev-list", "--no-merges", "--min-parents=1", "HEAD")), "\n") {
		all = append(all, l)
	}
	sort.Strings(all)
	rng := rand.New(rand.NewSource(seed))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	offsets := []int{7, 30, 180}
	if s := os.Getenv("SWITCHYARD_PARITY_DAYS"); s != "" {
		offsets = nil
		for _, f := range strings.Split(s, ",") {
			d, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				t.Fatalf("SWITCHYARD_PARITY_DAYS: %v", err)
			}
			offsets = append(offsets, d)
		}
	}
	var picks []parityPick
	for _, h := range all {
		if len(picks) >= len(offsets)*n {
			break
		}
		c, err := repo.CommitObject(plumbing.NewHash(h))
		if err != nil {
			t.Fatal(err)
		}
		ct := c.Committer.When.Unix()
		for _, days := range offsets {
			limit := ct - int64(days)*86400
			i := 0
			if days >= 0 {
				for i < len(main) && main[i].ct > limit {
					i++
				}
				if i == len(main) {
					continue
				}
			} else {
				// Onto a newer main-line commit: the oldest one at least
				// that much newer.
				i = len(main) - 1
				for i >= 0 && main[i].ct < limit {
					i--
				}
				if i < 0 {
					continue
				}
			}
			onto, err := repo.CommitObject(main[i].h)
			if err != nil {
				t.Fatal(err)
			}
			picks = append(picks, parityPick{c: c, onto: onto, days: days})
		}
	}
	return picks, repo.Storer, scratch
}

// BenchmarkPick measures Pick on the repository named by
// SWITCHYARD_PARITY_REPO (the same sample as TestParityRealRepo).
func BenchmarkPick(b *testing.B) {
	repoPath := os.Getenv("SWITCHYARD_PARITY_REPO")
	if repoPath == "" {
		b.Skip("set SWITCHYARD_PARITY_REPO to run")
	}
	picks, src, _ := parityPicks(b, repoPath, 50, 42)
	if len(picks) == 0 {
		b.Skip("no picks")
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		pk := picks[i%len(picks)]
		if _, err := Pick(ctx, newOverlay(src), pk.c, pk.onto, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
