package gitstate

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// gitRun runs git in dir with a fixed identity and dates.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir,
		"GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_AUTHOR_DATE=@1700000000 +0000",
		"GIT_COMMITTER_NAME=C", "GIT_COMMITTER_EMAIL=c@example.com", "GIT_COMMITTER_DATE=@1700000000 +0000")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func fixture(t *testing.T) string {
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("one\n"), 0o644)
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-q", "-m", "one")
	gitRun(t, dir, "branch", "side")
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("two\n"), 0o644)
	gitRun(t, dir, "commit", "-q", "-am", "two")
	return dir
}

var who = Ident{Name: "S", Email: "s@example.com", When: time.Unix(1700000100, 0).UTC()}

func TestUpdateRef(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		packed bool
		locked bool
		stale  bool
		want   error
	}{
		{name: "loose"},
		{name: "packed", packed: true},
		{name: "stale expected value", stale: true, want: ErrRefMoved},
		{name: "stale packed", packed: true, stale: true, want: ErrRefMoved},
		{name: "git holds the lock", locked: true, want: ErrLocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fixture(t)
			if tt.packed {
				gitRun(t, dir, "pack-refs", "--all")
			}
			r := Open(filepath.Join(dir, ".git"))
			main := plumbing.NewHash(gitRun(t, dir, "rev-parse", "main"))
			side := plumbing.NewHash(gitRun(t, dir, "rev-parse", "side"))
			if got, err := r.ReadRef("refs/heads/side"); err != nil || got != side {
				t.Fatalf("ReadRef(side) = %v, %v; want %v", got, err, side)
			}
			if tt.locked {
				os.WriteFile(filepath.Join(dir, ".git/refs/heads/side.lock"), nil, 0o644)
			}
			old := side
			if tt.stale {
				old = main
			}
			err := r.UpdateRef(ctx, "refs/heads/side", old, main, who, "switchyard: test")
			if !errors.Is(err, tt.want) {
				t.Fatalf("UpdateRef = %v; want %v", err, tt.want)
			}
			got := gitRun(t, dir, "rev-parse", "side")
			if tt.want != nil {
				if got != side.String() {
					t.Fatalf("side = %s after failed update; want %s", got, side)
				}
				return
			}
			if got != main.String() {
				t.Fatalf("side = %s; want %s", got, main)
			}
			if log := gitRun(t, dir, "reflog", "show", "--format=%H %gs", "side", "-n1"); log != main.String()+" switchyard: test" {
				t.Fatalf("reflog = %q", log)
			}
			gitRun(t, dir, "fsck", "--strict")
			// Delete, then make sure neither loose nor packed copy remains.
			if err := r.UpdateRef(ctx, "refs/heads/side", main, plumbing.ZeroHash, who, "drop"); err != nil {
				t.Fatal(err)
			}
			if out := gitRun(t, dir, "branch", "--list", "side"); out != "" {
				t.Fatalf("side still listed: %q", out)
			}
		})
	}
}

func TestWriteIndexConflictStages(t *testing.T) {
	ctx := context.Background()
	dir := fixture(t)
	r := Open(filepath.Join(dir, ".git"))
	hash := func(content string) plumbing.Hash {
		f := filepath.Join(t.TempDir(), "x")
		os.WriteFile(f, []byte(content), 0o644)
		return plumbing.NewHash(gitRun(t, dir, "hash-object", "-w", f))
	}
	x, err := r.ReadIndex()
	if err != nil {
		t.Fatal(err)
	}
	b, o, th := hash("base\n"), hash("ours\n"), hash("theirs\n")
	// Insert in scrambled order: the writer must sort by path then stage.
	x.Set("m.txt",
		Entry{Path: "m.txt", Mode: filemode.Regular, Hash: th, Stage: 3},
		Entry{Path: "m.txt", Mode: filemode.Regular, Hash: b, Stage: 1},
		Entry{Path: "m.txt", Mode: filemode.Regular, Hash: o, Stage: 2})
	x.Set("b.txt", Entry{Path: "b.txt", Mode: filemode.Regular, Hash: o, Stage: 2},
		Entry{Path: "b.txt", Mode: filemode.Regular, Hash: th, Stage: 3})
	if err := r.WriteIndex(ctx, x); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"100644 " + o.String() + " 2\tb.txt",
		"100644 " + th.String() + " 3\tb.txt",
		"100644 " + b.String() + " 1\tm.txt",
		"100644 " + o.String() + " 2\tm.txt",
		"100644 " + th.String() + " 3\tm.txt",
	}, "\n")
	if got := gitRun(t, dir, "ls-files", "-u"); got != want {
		t.Fatalf("ls-files -u =\n%s\nwant\n%s", got, want)
	}
	os.WriteFile(filepath.Join(dir, "m.txt"), []byte("x\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("x\n"), 0o644)
	if got := gitRun(t, dir, "status", "--porcelain"); got != "AA b.txt\nUU m.txt" {
		t.Fatalf("status = %q", got)
	}
	gitRun(t, dir, "fsck", "--strict")
	// Round trip through the reader.
	y, err := r.ReadIndex()
	if err != nil {
		t.Fatal(err)
	}
	if got := y.Unmerged(); strings.Join(got, ",") != "b.txt,m.txt" {
		t.Fatalf("Unmerged = %v", got)
	}
}

func TestCheckout(t *testing.T) {
	ctx := context.Background()
	dir := fixture(t)
	os.MkdirAll(filepath.Join(dir, "d"), 0o755)
	os.WriteFile(filepath.Join(dir, "d/x"), []byte("x\n"), 0o755)
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-q", "-m", "three")
	s := openStore(t, dir)
	w := &Worktree{Root: dir, Repo: Open(filepath.Join(dir, ".git")), Store: s}
	from := plumbing.NewHash(gitRun(t, dir, "rev-parse", "HEAD^{tree}"))
	to := plumbing.NewHash(gitRun(t, dir, "rev-parse", "side^{tree}"))

	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("local\n"), 0o644)
	if err := w.Checkout(ctx, from, to, nil); !errors.Is(err, ErrDirty) {
		t.Fatalf("Checkout over a local change = %v; want ErrDirty", err)
	}
	gitRun(t, dir, "checkout", "a.txt")
	if err := w.Checkout(ctx, from, to, nil); err != nil {
		t.Fatal(err)
	}
	gitRun(t, dir, "symbolic-ref", "HEAD", "refs/heads/side")
	if got := gitRun(t, dir, "status", "--porcelain"); got != "" {
		t.Fatalf("status after checkout = %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "d")); !os.IsNotExist(err) {
		t.Fatalf("folder d left behind: %v", err)
	}
	gitRun(t, dir, "fsck", "--strict")
}

func TestHasMarkers(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n", true},
		{"<<<<<<<\n", true},
		{"a <<<<<<< b\n", false},
		{"<<<<<<<< eight\n", false},
		{"plain\n", false},
	}
	for _, tt := range tests {
		if got := HasMarkers([]byte(tt.in)); got != tt.want {
			t.Errorf("HasMarkers(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

// TestGitExcluded: while Switchyard holds a lock, git's own writers of the
// same file fail, and the reverse.
func TestGitExcluded(t *testing.T) {
	ctx := context.Background()
	dir := fixture(t)
	r := Open(filepath.Join(dir, ".git"))
	tests := []struct {
		name string
		path string
		git  []string
	}{
		{"ref", filepath.Join(dir, ".git/refs/heads/side"), []string{"update-ref", "refs/heads/side", "main"}},
		{"index", filepath.Join(dir, ".git/index"), []string{"add", "a.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Acquire(ctx, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "a.txt"), []byte("changed\n"), 0o644)
			cmd := exec.Command("git", tt.git...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), ".lock") {
				t.Errorf("git %v while locked = %v %s; want a lock failure", tt.git, err, out)
			}
			l.Rollback()
			if _, err := os.Stat(tt.path + ".lock"); !os.IsNotExist(err) {
				t.Errorf("lock left after Rollback")
			}
		})
	}
	x, err := r.ReadIndex()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ".git/index.lock"), nil, 0o644)
	if err := r.WriteIndex(ctx, x); !errors.Is(err, ErrLocked) {
		t.Errorf("WriteIndex while git holds index.lock = %v; want ErrLocked", err)
	}
}
