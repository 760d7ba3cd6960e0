package merge

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TestPickMatchesCherryPick compares Pick with git cherry-pick in a
// worktree: same conflicted file content (labels included), and the same
// tree for a clean pick.
func TestPickMatchesCherryPick(t *testing.T) {
	r := newGitRepo(t)
	b := r.commit(r.tree(files{"f": {content: lines(1, 10, nil)}, "g": {content: "g\n"}}), "base")
	onto := r.commit(r.tree(files{"f": {content: lines(1, 10, map[int]string{5: "ONTO\n"})}, "g": {content: "g\n"}}), "onto", b)
	conflicting := r.commit(r.tree(files{"f": {content: lines(1, 10, map[int]string{5: "PICK\n"})}, "g": {content: "g\n"}}), "fix: the fifth line\n\nbody", b)
	clean := r.commit(r.tree(files{"f": {content: lines(1, 10, nil)}, "g": {content: "g2\n"}}), "clean one", b)

	wt := filepath.Join(t.TempDir(), "wt")
	run := func(args ...string) (string, error) {
		cmd := exec.Command("git", append([]string{"-C", wt}, args...)...)
		cmd.Env = gitEnv()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := exec.Command("git", "clone", "-q", r.dir, wt).CombinedOutput(); err != nil {
		t.Fatalf("clone: %v %s", err, out)
	}
	repo, err := git.PlainOpen(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	commit := func(h string) *object.Commit {
		c, err := object.GetCommit(repo.Storer, plumbing.NewHash(h))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx := context.Background()

	for _, tc := range []struct {
		name  string
		pick  string
		clean bool
	}{{"conflicting", conflicting, false}, {"clean", clean, true}} {
		if out, err := run("checkout", "-q", "--detach", onto); err != nil {
			t.Fatalf("checkout: %v %s", err, out)
		}
		_, err := run("cherry-pick", "--no-commit", tc.pick)
		if (err == nil) != tc.clean {
			t.Fatalf("git cherry-pick %s: err = %v", tc.name, err)
		}
		res, perr := Pick(ctx, repo.Storer, commit(tc.pick), commit(onto), Options{})
		if perr != nil {
			t.Fatal(perr)
		}
		if res.Clean() != tc.clean {
			t.Errorf("Pick(%s onto onto).Clean() = %v; want %v", tc.name, res.Clean(), tc.clean)
		}
		want, _ := os.ReadFile(filepath.Join(wt, "f"))
		got := r.catPath(res.Tree.String(), "f")
		if got != string(want) {
			t.Errorf("Pick(%s onto onto) f =\n%s\nwant\n%s", tc.name, got, want)
		}
		if tc.clean {
			tree, _ := run("write-tree")
			if strings.TrimSpace(tree) != res.Tree.String() {
				t.Errorf("Pick(%s onto onto) = tree %s; want %s", tc.name, res.Tree, tree)
			}
		}
		run("cherry-pick", "--abort")
		run("reset", "-q", "--hard")
	}
}
