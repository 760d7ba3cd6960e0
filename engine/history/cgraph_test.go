package history

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/switchyard/switchyard/engine/testrepo"
)

// TestCGraphMatchesGoGit reads every commit through the direct reader and
// through go-git's, on a single file and on a split chain, with an octopus
// merge (extra edges).
func TestCGraphMatchesGoGit(t *testing.T) {
	r := testrepo.New(t)
	base := r.Commit("main", "base", map[string]string{"x": "0\n"})
	var tips []string
	for i := 0; i < 3; i++ {
		r.Git("checkout", "-q", "-b", fmt.Sprintf("t%d", i), base)
		tips = append(tips, r.Commit(fmt.Sprintf("t%d", i), "topic", map[string]string{fmt.Sprintf("t%d", i): "t\n"}))
	}
	r.Checkout("main")
	r.Git(append([]string{"merge", "-q", "-m", "octopus"}, tips...)...)
	r.Git("commit-graph", "write", "--reachable")
	check := func(name string) {
		t.Helper()
		cg, err := openCGraph(r.Dir + "/.git")
		if err != nil || cg == nil {
			t.Fatalf("%s: openCGraph = %v, %v", name, cg, err)
		}
		g, err := NewGraph(nil, r.Dir+"/.git")
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Fields(r.Git("rev-list", "--all"))
		for _, s := range all {
			id := plumbing.NewHash(s)
			pos, ok := cg.lookup(id)
			if !ok {
				t.Fatalf("%s: %s not found", name, s)
			}
			got, ok := cg.node(id, pos)
			if !ok {
				t.Fatalf("%s: node %s unreadable", name, s)
			}
			i, err := g.idx.GetIndexByHash(id)
			if err != nil {
				t.Fatal(err)
			}
			d, err := g.idx.GetCommitDataByIndex(i)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprint(d.ParentHashes, d.Generation, d.When.Unix(), d.TreeHash)
			if have := fmt.Sprint(got.Parents, got.Gen, got.When, got.Tree); have != want {
				t.Errorf("%s: node %s = %s; want %s", name, s, have, want)
			}
		}
		if _, ok := cg.lookup(plumbing.NewHash(strings.Repeat("f", 40))); ok {
			t.Errorf("%s: found a commit that does not exist", name)
		}
	}
	check("file")
	r.Commit("main", "more", map[string]string{"y": "1\n"})
	r.Git("commit-graph", "write", "--reachable", "--split=no-merge")
	r.Git("rm", "-q", "--cached", "y")
	check("chain")
}

// TestSplitOverPositions compares Split with the commit-graph fast path
// against the plain walk, for every pair of branch tips, with commits both
// in and out of the commit-graph.
func TestSplitOverPositions(t *testing.T) {
	r := fixture(t)
	r.Git("commit-graph", "write", "--reachable")
	r.Commit("prod", "after the graph", map[string]string{"n.txt": "n\n"})
	r.Commit("dev", "after the graph too", map[string]string{"m.txt": "m\n"})
	gitDir := r.Dir + "/.git"
	open := openHistory(t, r, "-").open
	fast, err := NewGraph(open, gitDir)
	if err != nil || fast.cg == nil {
		t.Fatalf("NewGraph = %v; cg %v", err, fast.cg)
	}
	slow, _ := NewGraph(open, gitDir)
	slow.cg = nil
	revs := []string{"dev", "prod", "topic", "dev~3", "prod~2", "dev~12"}
	ctx := context.Background()
	ids := func(ns []*Node) string {
		var s []string
		for _, n := range ns {
			s = append(s, n.ID.String()[:7])
		}
		return strings.Join(s, " ")
	}
	for _, a := range revs {
		for _, b := range revs {
			ha, hb := plumbing.NewHash(r.Rev(a)), plumbing.NewHash(r.Rev(b))
			fa, fb, err := fast.Split(ctx, ha, hb)
			if err != nil {
				t.Fatal(err)
			}
			sa, sb, err := slow.Split(ctx, ha, hb)
			if err != nil {
				t.Fatal(err)
			}
			if ids(fa) != ids(sa) || ids(fb) != ids(sb) {
				t.Errorf("Split(%s, %s) = %s | %s; want %s | %s", a, b, ids(fa), ids(fb), ids(sa), ids(sb))
			}
			want := strings.Fields(r.Git("rev-list", b+".."+a))
			if len(fa) != len(want) {
				t.Errorf("Split(%s, %s) lists %d commits; git rev-list %s..%s has %d", a, b, len(fa), b, a, len(want))
			}
		}
	}
}

// A linked worktree's git dir finds the commit-graph and packs of the
// common dir.
func TestLinkedWorktreeUsesCommonDir(t *testing.T) {
	r := fixture(t)
	r.Git("repack", "-a", "-d", "-q")
	r.Git("commit-graph", "write", "--reachable")
	wt := t.TempDir() + "/wt"
	r.Git("worktree", "add", "-q", "--detach", wt, "dev")
	gitDir := strings.TrimSpace(r.Git("-C", wt, "rev-parse", "--git-dir"))
	g, err := NewGraph(nil, gitDir)
	if err != nil {
		t.Fatal(err)
	}
	if g.cg == nil || g.idx == nil {
		t.Errorf("worktree %s: no commit-graph found", gitDir)
	}
	if packs := newSharedPacks(gitDir).load(); len(packs) != 1 {
		t.Errorf("worktree %s: %d packs; want 1", gitDir, len(packs))
	}
}
