package history

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/switchyard/switchyard/engine/testrepo"
)

// skewRepo: two topics merged into main, one of whose commits is dated
// a day before its parent.
func skewRepo(t *testing.T) *testrepo.Repo {
	r := testrepo.New(t)
	base := r.Commit("main", "base", map[string]string{"x": "0\n"})
	r.Commit("main", "m1", map[string]string{"x": "1\n"})
	r.Git("checkout", "-q", "-b", "a", base)
	r.Commit("a", "a1", map[string]string{"a": "1\n"})
	r.Tick(-24 * time.Hour)
	r.Commit("a", "a2 (skewed)", map[string]string{"a": "2\n"})
	r.Tick(48 * time.Hour)
	r.Commit("a", "a3", map[string]string{"a": "3\n"})
	r.Git("checkout", "-q", "-b", "b", base)
	r.Commit("b", "b1", map[string]string{"b": "1\n"})
	r.Checkout("main")
	r.Git("merge", "-q", "--no-ff", "-m", "merge a", "a")
	r.Commit("main", "m2", map[string]string{"x": "2\n"})
	r.Git("merge", "-q", "--no-ff", "-m", "merge b", "b")
	return r
}

func topoAll(t *testing.T, g *Graph, tip string, page int) []string {
	t.Helper()
	ctx := context.Background()
	w, err := g.Topo(ctx, []plumbing.Hash{plumbing.NewHash(tip)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for !w.Done() {
		ids, err := w.Next(ctx, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			out = append(out, id.String())
		}
	}
	if w.Listed() != len(out) {
		t.Errorf("Listed() = %d; want %d", w.Listed(), len(out))
	}
	return out
}

// TestTopoWalkSkew: with a commit-graph the order is git's even when commit
// dates are skewed; without one every commit is still listed exactly once.
func TestTopoWalkSkew(t *testing.T) {
	r := skewRepo(t)
	want := strings.Fields(r.Git("log", "--topo-order", "--format=%H", "main"))
	g := openHistory(t, r, "-").Graph()
	got := topoAll(t, g, r.Rev("main"), 3)
	if have, want := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)); !slices.Equal(have, want) {
		t.Errorf("without a commit-graph, listed %v; want each of %v once", got, want)
	}
	r.Git("commit-graph", "write", "--reachable")
	g = openHistory(t, r, "-").Graph()
	if got := topoAll(t, g, r.Rev("main"), 2); !slices.Equal(got, want) {
		t.Errorf("with a commit-graph, Topo = %v; want %v", got, want)
	}
}

// TestTopoWalkPark: a parked walk resumes where it stopped.
func TestTopoWalkPark(t *testing.T) {
	r := skewRepo(t)
	r.Git("commit-graph", "write", "--reachable")
	g := openHistory(t, r, "-").Graph()
	ctx := context.Background()
	w, err := g.Topo(ctx, []plumbing.Hash{plumbing.NewHash(r.Rev("main"))})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := w.Next(ctx, 4)
	g.Park("k", w)
	if g.Resume("nope") != nil {
		t.Error("Resume(unknown key) returned a walk")
	}
	w2 := g.Resume("k")
	if w2 != w || g.Resume("k") != nil {
		t.Fatalf("Resume(k) = %p, want %p once", w2, w)
	}
	rest, _ := w2.Next(ctx, 100)
	var got []string
	for _, id := range append(first, rest...) {
		got = append(got, id.String())
	}
	if want := strings.Fields(r.Git("log", "--topo-order", "--format=%H", "main")); !slices.Equal(got, want) {
		t.Errorf("parked walk = %v; want %v", got, want)
	}
}
