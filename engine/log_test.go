package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/testrepo"
)

// logRepo builds a history of n commits on dev with a topic branch merged
// every tenth commit, and prod behind it.
func logRepo(tb testing.TB, n int, graph bool) *testrepo.Repo {
	r := testrepo.New(tb)
	r.Commit("dev", "base", map[string]string{"x": "0\n"})
	for i := 0; i < n; i++ {
		if i%10 == 5 {
			r.Git("checkout", "-q", "-b", fmt.Sprintf("topic%d", i), "dev~2")
			r.Commit(fmt.Sprintf("topic%d", i), "topic", map[string]string{fmt.Sprintf("t%d", i): "t\n"})
			r.Checkout("dev")
			r.Git("merge", "-q", "--no-ff", "-m", "merge", fmt.Sprintf("topic%d", i))
			continue
		}
		r.Commit("dev", fmt.Sprintf("change %d", i), map[string]string{"x": fmt.Sprintf("%d\n", i)})
		if i == n/2 {
			r.Git("branch", "prod", "dev")
		}
	}
	if graph {
		r.Git("commit-graph", "write", "--reachable")
	}
	return r
}

// gitTopo is git's own order: the ids git log --graph draws.
func gitTopo(tb testing.TB, gitDir string, n int, revs ...string) []string {
	args := append([]string{"--git-dir", gitDir, "log", "--topo-order", "--format=%H"}, revs...)
	if n > 0 {
		args = append(args, "-n", strconv.Itoa(n))
	}
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		tb.Fatalf("git log: %v", err)
	}
	return strings.Fields(string(out))
}

// TestLogTopoOrder: pages of Log, joined, list exactly what git log
// --topo-order lists, in its order, with and without a commit-graph.
func TestLogTopoOrder(t *testing.T) {
	for _, graph := range []bool{false, true} {
		r := logRepo(t, 60, graph)
		// a commit-graph that does not cover the newest commits
		r.Commit("dev", "after the graph", map[string]string{"y": "1\n"})
		r.Git("checkout", "-q", "-b", "late", "dev~3")
		r.Commit("late", "late topic", map[string]string{"z": "1\n"})
		r.Checkout("dev")
		r.Git("merge", "-q", "--no-ff", "-m", "merge late", "late")
		gitDir := filepath.Join(r.Dir, ".git")
		for _, tc := range []struct {
			tracks []string
			limit  int
		}{
			{[]string{"dev"}, 200}, {[]string{"dev"}, 7}, {[]string{"dev", "prod"}, 5}, {nil, 3}, {[]string{"prod"}, 1},
		} {
			e := openAt(t, r, r.Now)
			var got []string
			cursor := ""
			for pages := 0; ; pages++ {
				page, err := e.Log(context.Background(), LogOptions{Tracks: tc.tracks, Limit: tc.limit, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Commits) > tc.limit {
					t.Fatalf("page of %d commits; want at most %d", len(page.Commits), tc.limit)
				}
				for _, c := range page.Commits {
					got = append(got, c.ID)
				}
				if page.Next == "" {
					break
				}
				cursor = page.Next
				if pages > 200 {
					t.Fatal("Log does not end")
				}
			}
			revs := tc.tracks
			if revs == nil {
				revs = []string{"dev", "prod"}
			}
			if want := gitTopo(t, gitDir, 0, revs...); !slices.Equal(got, want) {
				t.Errorf("graph=%v: Log(%v, limit %d) =\n%v\nwant (git log --topo-order)\n%v", graph, tc.tracks, tc.limit, got, want)
			}
		}
	}
}

// TestLogCursorWithoutState: a cursor continues the same walk in a fresh
// engine (one that never saw the first page).
func TestLogCursorWithoutState(t *testing.T) {
	r := logRepo(t, 30, true)
	ctx := context.Background()
	page, err := openAt(t, r, r.Now).Log(ctx, LogOptions{Tracks: []string{"dev"}, Limit: 9})
	if err != nil {
		t.Fatal(err)
	}
	next, err := openAt(t, r, r.Now).Log(ctx, LogOptions{Limit: 9, Cursor: page.Next})
	if err != nil {
		t.Fatal(err)
	}
	want := gitTopo(t, filepath.Join(r.Dir, ".git"), 18, "dev")
	var got []string
	for _, c := range append(page.Commits, next.Commits...) {
		got = append(got, c.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("two pages =\n%v\nwant\n%v", got, want)
	}
}

// importRepo builds n commits on dev with git fast-import: every fifth a
// merge of a two-commit topic forked from the first parent three commits
// back, so the graph has many lines of descent. It ends with a
// commit-graph.
func importRepo(tb testing.TB, n int) *testrepo.Repo {
	r := testrepo.New(tb)
	var in bytes.Buffer
	mark := 0
	var dev []int // marks on dev's first-parent line
	commit := func(ref string, from int, merge int) int {
		mark++
		fmt.Fprintf(&in, "commit %s\nmark :%d\ncommitter T <t@example.com> %d +0000\ndata 8\ncommit %d\n", ref, mark, 1_600_000_000+60*mark, mark%10)
		if from > 0 {
			fmt.Fprintf(&in, "from :%d\n", from)
		}
		if merge > 0 {
			fmt.Fprintf(&in, "merge :%d\n", merge)
		}
		fmt.Fprintf(&in, "M 644 inline f%d\ndata 2\n%d\n\n", mark%50, mark%10)
		return mark
	}
	dev = append(dev, commit("refs/heads/dev", 0, 0))
	for len(dev) < n {
		head := dev[len(dev)-1]
		if len(dev)%5 == 4 && len(dev) > 3 {
			t1 := commit("refs/heads/topic", dev[len(dev)-3], 0)
			t2 := commit("refs/heads/topic", t1, 0)
			dev = append(dev, commit("refs/heads/dev", head, t2))
			continue
		}
		dev = append(dev, commit("refs/heads/dev", head, 0))
	}
	cmd := exec.Command("git", "fast-import", "--quiet", "--force")
	cmd.Dir, cmd.Env, cmd.Stdin = r.Dir, r.Env(), &in
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("git fast-import: %v\n%s", err, out)
	}
	r.Git("commit-graph", "write", "--reachable")
	return r
}

// BenchmarkLogFirstPage is the first page of the graph view (200 commits)
// on a fixture of 20,000 commits with a commit-graph, each time in a fresh
// engine (opening it is not timed).
func BenchmarkLogFirstPage(b *testing.B) {
	r := importRepo(b, 20000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		e, err := Open(ctx, OpenOptions{Dir: r.Dir, PatchIDCache: "-"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		page, err := e.Log(ctx, LogOptions{Tracks: []string{"dev"}, Limit: 200})
		if err != nil || len(page.Commits) != 200 {
			b.Fatalf("Log = %d commits, %v", len(page.Commits), err)
		}
	}
}

// TestLogImportedMatchesGit checks the benchmark's fixture against git, in
// pages of 500.
func TestLogImportedMatchesGit(t *testing.T) {
	r := importRepo(t, 3000)
	e := openAt(t, r, r.Now)
	var got []string
	for cursor := ""; ; {
		page, err := e.Log(context.Background(), LogOptions{Tracks: []string{"dev"}, Limit: 500, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Commits {
			got = append(got, c.ID)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if want := gitTopo(t, filepath.Join(r.Dir, ".git"), 0, "dev"); !slices.Equal(got, want) {
		t.Errorf("Log lists %d commits, git %d; the order differs", len(got), len(want))
	}
}

// TestBenchLogVsGit times the first page of Log against git log --graph -n
// 200 on a large repository, side by side, each a median of several cold
// runs (a fresh engine, no cache on disk), and checks the order is git's:
//
//	SWITCHYARD_BENCH_REPO=<git dir> go test ./engine -run TestBenchLogVsGit -v
//
// SWITCHYARD_BENCH_REV picks the revision (default HEAD), SWITCHYARD_BENCH_N
// the number of runs (default 9). Nothing is written to the repository.
func TestBenchLogVsGit(t *testing.T) {
	dir := os.Getenv("SWITCHYARD_BENCH_REPO")
	if dir == "" {
		t.Skip("set SWITCHYARD_BENCH_REPO to a large repository's git directory")
	}
	rev := os.Getenv("SWITCHYARD_BENCH_REV")
	if rev == "" {
		rev = "HEAD"
	}
	n := 9
	if s := os.Getenv("SWITCHYARD_BENCH_N"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			n = v
		}
	}
	const limit = 200
	ctx := context.Background()
	format := "--format=%H%x00%P%x00%an%x00%ae%x00%at%x00%ct%x00%s"
	gitRun := func() time.Duration {
		start := time.Now()
		out, err := exec.Command("git", "--git-dir", dir, "log", "--graph", "-n", strconv.Itoa(limit), format, rev).Output()
		d := time.Since(start)
		if err != nil || len(out) == 0 {
			t.Fatalf("git log: %v", err)
		}
		return d
	}
	var page *LogPage
	// logRun opens a fresh engine and lists the first page; it returns
	// the time of both and of Log alone.
	logRun := func(cache string) (all, log time.Duration) {
		start := time.Now()
		e, err := Open(ctx, OpenOptions{Dir: dir, PatchIDCache: cache})
		opened := time.Now()
		if err == nil {
			page, err = e.Log(ctx, LogOptions{Tracks: []string{rev}, Limit: limit})
		}
		end := time.Now()
		if err != nil {
			t.Fatal(err)
		}
		return end.Sub(start), end.Sub(opened)
	}
	warmCache := filepath.Join(t.TempDir(), "patch-ids")
	logRun(warmCache) // fills the on-disk commit cache
	var gitT, coldT, coldLogT, warmT, warmLogT []time.Duration
	for i := 0; i < n; i++ {
		gitT = append(gitT, gitRun())
		a, l := logRun("-")
		coldT, coldLogT = append(coldT, a), append(coldLogT, l)
		a, l = logRun(warmCache)
		warmT, warmLogT = append(warmT, a), append(warmLogT, l)
	}
	median := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	commitGraph := "no commit-graph"
	if e, err := Open(ctx, OpenOptions{Dir: dir, PatchIDCache: "-"}); err == nil {
		if h, err := e.History(); err == nil && h.Graph().HasCommitGraph() {
			commitGraph = "commit-graph"
		}
	}
	t.Logf("%s, %s, first page of %d, median of %d:", rev, commitGraph, limit, n)
	t.Logf("  git log --graph -n %d           %8.1f ms", limit, ms(median(gitT)))
	t.Logf("  Open + Log, no cache on disk   %8.1f ms (Log %.1f ms)", ms(median(coldT)), ms(median(coldLogT)))
	t.Logf("  Open + Log, commit cache       %8.1f ms (Log %.1f ms)", ms(median(warmT)), ms(median(warmLogT)))
	var got []string
	for _, c := range page.Commits {
		got = append(got, c.ID)
	}
	if want := gitTopo(t, dir, limit, rev); !slices.Equal(got, want) {
		t.Errorf("Log's first page is not git log --topo-order's")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// TestLogTips: tips given as revisions resolve as git resolves them, with
// and without a commit-graph.
func TestLogTips(t *testing.T) {
	for _, graph := range []bool{false, true} {
		r := logRepo(t, 12, false)
		r.Git("tag", "-a", "-m", "release", "v1", "dev~2")
		r.Git("tag", "light", "dev~3")
		if graph {
			r.Git("commit-graph", "write", "--reachable")
		}
		e := openAt(t, r, r.Now)
		for _, rev := range []string{"dev", "HEAD", "v1", "light", "refs/heads/prod", "dev~1", "dev~6^2", r.Rev("dev~4"), r.Rev("dev~4")[:10]} {
			page, err := e.Log(context.Background(), LogOptions{Tracks: []string{rev}, Limit: 1})
			if err != nil {
				t.Errorf("graph=%v: Log(%s) error %v", graph, rev, err)
				continue
			}
			if want := r.Rev(rev); len(page.Commits) != 1 || page.Commits[0].ID != want {
				t.Errorf("graph=%v: Log(%s) starts at %v; want %s", graph, rev, page.Commits, want)
			}
		}
		if _, err := e.Log(context.Background(), LogOptions{Tracks: []string{"nosuch"}}); err == nil {
			t.Errorf("graph=%v: Log(nosuch) = nil error", graph)
		}
	}
}
