package testrepo

import (
	"testing"
	"time"
)

func TestCommitIsDeterministic(t *testing.T) {
	ids := make([]string, 2)
	for i := range ids {
		r := New(t)
		r.Commit("dev", "first", map[string]string{"a.txt": "one\n"})
		ids[i] = r.Commit("dev", "second", map[string]string{"a.txt": "two\n", "b/c.txt": "x\n"})
	}
	if ids[0] != ids[1] {
		t.Fatalf("same fixture built twice gave %s and %s; want the same id", ids[0], ids[1])
	}
}

func TestCommitBranchesDatesAndPicks(t *testing.T) {
	r := New(t)
	a := r.Commit("dev", "a", map[string]string{"a.txt": "1\n"})
	r.Git("branch", "prod", a)
	r.Tick(24 * time.Hour)
	b := r.Commit("dev", "b hotfix", map[string]string{"b.txt": "1\n"})
	p := r.CherryPick("prod", b, true)
	if got := r.Rev("prod~1"); got != a {
		t.Errorf("prod~1 = %s; want %s", got, a)
	}
	if msg := r.Git("log", "-1", "--format=%B", p); msg != "b hotfix\n\n(cherry picked from commit "+b+")" {
		t.Errorf("pick message = %q", msg)
	}
	if d := r.Git("log", "-1", "--format=%aI", b); d != "2024-01-02T00:01:00+00:00" {
		t.Errorf("author date of b = %s; want 2024-01-02T00:01:00+00:00", d)
	}
	r.Commit("dev", "rm", map[string]string{"-a.txt": ""})
	if out, err := r.TryGit("cat-file", "-e", "dev:a.txt"); err == nil {
		t.Errorf("a.txt still on dev: %q", out)
	}
	e := r.Commit("dev", "empty", nil)
	if got := r.Git("rev-parse", e+"^{tree}"); got != r.Git("rev-parse", e+"~1^{tree}") {
		t.Errorf("empty commit changed the tree")
	}
}

func TestCheckoutUnborn(t *testing.T) {
	r := New(t)
	r.Checkout("dev")
	if got := r.Git("symbolic-ref", "HEAD"); got != "refs/heads/dev" {
		t.Errorf("HEAD = %s; want refs/heads/dev", got)
	}
}
