package tui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/tui/graph"
	"github.com/switchyard/switchyard/tui/theme"
)

// benchRepo is a large real repository (git/git: ~80,000 commits); the
// benchmarks skip without it. Nothing is written to it.
func benchRepo(b *testing.B) string {
	dir := os.Getenv("SWITCHYARD_BENCH_REPO")
	if dir == "" {
		b.Skip("set SWITCHYARD_BENCH_REPO to the git directory of a large repository (e.g. a clone of git/git)")
	}
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("no repository at %s (SWITCHYARD_BENCH_REPO)", dir)
	}
	return dir
}

// borrow clones src into a temp dir without a checkout (objects are
// hard-linked on the same file system), so the engine opens a bare mirror
// without anything written to it.
func borrow(b *testing.B, src string) string {
	work := filepath.Join(b.TempDir(), "repo")
	if out, err := exec.Command("git", "clone", "-q", "--local", "--no-checkout", src, work).CombinedOutput(); err != nil {
		b.Skipf("git clone: %v\n%s", err, out)
	}
	return work
}

// BenchmarkFirstScreen is what the cockpit does before its first graph
// frame on a large repository: the engine's first log page (200 commits,
// as git log --graph -n 200), the lane layout and the drawn pane.
func BenchmarkFirstScreen(b *testing.B) {
	dir := borrow(b, benchRepo(b))
	ctx := context.Background()
	e, err := engine.Open(ctx, engine.OpenOptions{Dir: dir, PatchIDCache: "-"})
	if err != nil {
		b.Skipf("engine.Open(%s): %v", dir, err)
	}
	st, keys := theme.New(true, true), theme.DefaultKeyMap()
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	b.ReportAllocs()
	for b.Loop() {
		page, err := e.Log(ctx, engine.LogOptions{Tracks: []string{"master"}, Limit: pageSize})
		if err != nil {
			b.Fatal(err)
		}
		p := graph.NewPane("master", st, keys, now)
		p.SetSize(78, 38)
		p.Append(page.Commits, page.Next != "")
		_ = p.View()
	}
}
