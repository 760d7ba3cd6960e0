package binrepo

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/switchyard/switchyard/engine/testrepo"
)

var sig = object.Signature{Name: "Ada Tester", Email: "ada@example.com", When: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}

// bareBin makes an empty bare bin repo.
func bareBin(t *testing.T) (*testrepo.Repo, *Repo) {
	t.Helper()
	dir := t.TempDir()
	g := testrepo.Open(t, dir)
	g.Git("init", "-q", "--bare")
	r, err := Open(context.Background(), dir, "app")
	if err != nil {
		t.Fatal(err)
	}
	return g, r
}

// writeFiles makes an output folder: keys ending in "@" are symlinks to the
// value, "*" executables, "/" empty folders, "|" fifos.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		kind := name[len(name)-1]
		clean := strings.TrimRight(name, "@*/|")
		p := filepath.Join(dir, filepath.FromSlash(clean))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch kind {
		case '@':
			err = os.Symlink(content, p)
		case '*':
			err = os.WriteFile(p, []byte(content), 0o755)
		case '/':
			err = os.MkdirAll(p, 0o755)
		case '|':
			if err = mkfifo(p); errors.Is(err, errors.ErrUnsupported) {
				t.Skip("no fifos here")
			}
		default:
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var goodOutput = map[string]string{
	"README":       "hello\n",
	"bin/run*":     "#!/bin/sh\necho run\n",
	"lib/x.so":     "\x00\x01binary\x02",
	"current@":     "README",
	"lib/up@":      "../README",
	"self@":        ".",
	"via@":         "self/README",
	"empty/":       "",
	"dangling@":    "lib/not-there",
	"deep/a/b/c@":  "../../../bin/run",
	"big.bin":      strings.Repeat("0123456789abcdef", 3<<16), // 3 MiB
	"spaces in it": "x\n",
}

func commitBuild(t *testing.T, r *Repo, branch string, n int, out string) (plumbing.Hash, error) {
	t.Helper()
	ctx := context.Background()
	head, err := r.Head(ctx, branch)
	if err != nil {
		t.Fatal(err)
	}
	return r.Commit(ctx, CommitOptions{
		Branch:    branch,
		Manifest:  Manifest{Number: n, Track: branch, Source: strings.Repeat("ab", 20), Time: sig.When, Builder: "Ada Tester <ada@example.com>"},
		Output:    out,
		Expect:    head,
		Signature: sig,
	})
}

func TestCommitBuild(t *testing.T) {
	ctx := context.Background()
	g, r := bareBin(t)
	out := writeFiles(t, goodOutput)
	h, err := commitBuild(t, r, "prod", 1, out)
	if err != nil {
		t.Fatalf("Commit = %v", err)
	}
	if got := g.Git("rev-parse", "prod"); got != h.String() {
		t.Fatalf("prod at %s; want the new commit %s", got, h)
	}
	if got := g.Git("ls-tree", "--format=%(objectmode) %(objecttype) %(path)", "prod"); got != "120000 blob app\n040000 tree app-1" {
		t.Errorf("ls-tree prod =\n%s\nwant the app symlink and the app-1 folder", got)
	}
	if got := g.Git("cat-file", "-p", "prod:app"); got != "app-1" {
		t.Errorf("symlink target = %q; want app-1", got)
	}
	wantModes := map[string]string{
		"app-1/README": "100644", "app-1/bin/run": "100755", "app-1/current": "120000",
		"app-1/lib/up": "120000", "app-1/manifest.json": "100644", "app-1/deep/a/b/c": "120000",
	}
	lsr := g.Git("ls-tree", "-r", "prod")
	for path, mode := range wantModes {
		line := lineFor(lsr, path)
		if !strings.HasPrefix(line, mode) {
			t.Errorf("%s: %q; want mode %s", path, line, mode)
		}
	}
	if strings.Contains(lsr, "empty") {
		t.Errorf("empty folder committed:\n%s", lsr)
	}
	var m Manifest
	if err := json.Unmarshal([]byte(g.Git("cat-file", "-p", "prod:app-1/manifest.json")), &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != "app" || m.Number != 1 || m.Track != "prod" || m.Builder == "" || !m.Time.Equal(sig.When) {
		t.Errorf("manifest = %+v", m)
	}
	g.Git("fsck", "--strict", "--no-dangling")
	if tmp, _ := filepath.Glob(filepath.Join(r.gitDir, "objects", "tmp_obj_*")); len(tmp) != 0 {
		t.Errorf("temporary object files left: %v", tmp)
	}

	// The folder is the tree git itself makes of the same files.
	oracle := testrepo.New(t)
	if err := os.CopyFS(oracle.Dir, os.DirFS(out)); err != nil {
		t.Fatal(err)
	}
	copyTree(t, out, oracle.Dir)
	if err := os.WriteFile(filepath.Join(oracle.Dir, "manifest.json"), []byte(g.Git("cat-file", "-p", "prod:app-1/manifest.json")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	oracle.Git("add", "-A")
	if got, want := g.Git("rev-parse", "prod:app-1"), oracle.Git("write-tree"); got != want {
		t.Errorf("app-1 tree = %s; git write-tree of the same files = %s", got, want)
	}

	// A second build moves the symlink in one more commit.
	h2, err := commitBuild(t, r, "prod", 2, writeFiles(t, map[string]string{"README": "two\n"}))
	if err != nil {
		t.Fatalf("Commit(2) = %v", err)
	}
	if got := g.Git("rev-list", "--count", "prod"); got != "2" {
		t.Errorf("prod has %s commits; want 2", got)
	}
	if got := g.Git("cat-file", "-p", "prod:app"); got != "app-2" {
		t.Errorf("symlink = %q; want app-2", got)
	}
	builds, err := r.Builds(ctx, "prod")
	if err != nil || len(builds) != 2 {
		t.Fatalf("Builds = %v, %v; want 2", builds, err)
	}
	if builds[0].Number != 1 || builds[0].BinCommit != h.String() || builds[1].Number != 2 || builds[1].BinCommit != h2.String() {
		t.Errorf("Builds = %+v; want 1 at %s, 2 at %s", builds, h, h2)
	}
	live, err := r.Live(ctx, "prod")
	if err != nil || live.Number != 2 {
		t.Errorf("Live = %+v, %v; want build 2", live, err)
	}
	if n, err := r.Next(ctx, "prod"); n != 3 || err != nil {
		t.Errorf("Next = %d, %v; want 3", n, err)
	}
	if n, err := r.Next(ctx, "dev"); n != 1 || err != nil {
		t.Errorf("Next(dev) = %d, %v; want 1", n, err)
	}
	if b, err := r.Builds(ctx, "dev"); len(b) != 0 || err != nil {
		t.Errorf("Builds(dev) = %v, %v; want none", b, err)
	}
	if _, err := r.Live(ctx, "dev"); !errors.Is(err, ErrNoLive) {
		t.Errorf("Live(dev) = %v; want ErrNoLive", err)
	}

	// Numbers only grow.
	for _, n := range []int{1, 2} {
		if _, err := commitBuild(t, r, "prod", n, out); !errors.Is(err, ErrNotNewer) {
			t.Errorf("Commit(%d) again = %v; want ErrNotNewer", n, err)
		}
	}
	if got := g.Git("rev-parse", "prod"); got != h2.String() {
		t.Errorf("prod moved by refused commits")
	}
	g.Git("fsck", "--strict", "--no-dangling")
}

func lineFor(ls, path string) string {
	for _, l := range strings.Split(ls, "\n") {
		if strings.HasSuffix(l, "\t"+path) {
			return l
		}
	}
	return ""
}

// copyTree copies symlinks and modes, which os.CopyFS does not keep.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if fi.Mode()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			os.Remove(dst)
			if err := os.Symlink(target, dst); err != nil {
				t.Fatal(err)
			}
		} else if fi.Mode().IsRegular() {
			os.Chmod(dst, fi.Mode().Perm())
		}
		return nil
	})
}

func TestUnsafeOutput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"absolute symlink", map[string]string{"a": "x", "l@": "/etc/passwd"}},
		{"dot-dot symlink", map[string]string{"l@": "../outside"}},
		{"nested dot-dot", map[string]string{"d/l@": "../../outside"}},
		{"through a link to the root", map[string]string{"s@": ".", "l@": "s/../outside"}},
		{"through a nested link", map[string]string{"d/s@": "..", "d/l@": "s/../x"}},
		{"link loop", map[string]string{"a@": "b", "b@": "a"}},
		{"fifo", map[string]string{"a": "x", "pipe|": ""}},
		{"git folder", map[string]string{".git/config": "x"}},
		{"git folder any case", map[string]string{"sub/.GIT": "x"}},
		{"own manifest", map[string]string{"manifest.json": "{}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, r := bareBin(t)
			_, err := commitBuild(t, r, "prod", 1, writeFiles(t, tt.files))
			if !errors.Is(err, ErrUnsafeOutput) {
				t.Fatalf("Commit(%v) = %v; want ErrUnsafeOutput", tt.files, err)
			}
			if _, err := g.TryGit("rev-parse", "--verify", "-q", "prod"); err == nil {
				t.Errorf("prod created by a refused build")
			}
		})
	}
}

func TestRefMoved(t *testing.T) {
	ctx := context.Background()
	g, r := bareBin(t)
	h1, err := commitBuild(t, r, "prod", 1, writeFiles(t, map[string]string{"a": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	// Someone else moves prod (here back to an empty commit) after the
	// release read it.
	other := g.Git("commit-tree", "-m", "someone else", g.Git("mktree"))
	g.Git("update-ref", "refs/heads/prod", other)
	h2, err := r.Commit(ctx, CommitOptions{Branch: "prod", Manifest: Manifest{Number: 2}, Output: writeFiles(t, map[string]string{"a": "2"}), Expect: h1, Signature: sig})
	if !errors.Is(err, ErrRefMoved) {
		t.Fatalf("Commit on a moved branch = %v; want ErrRefMoved", err)
	}
	if got := g.Git("rev-parse", "prod"); got != other {
		t.Errorf("prod = %s; want the other writer's %s kept", got, other)
	}
	if h2.IsZero() || g.Git("cat-file", "-t", h2.String()) != "commit" {
		t.Errorf("the refused build commit %s is not kept in the object store", h2)
	}
	if _, err := os.Stat(filepath.Join(r.gitDir, "refs/heads/prod.lock")); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
	// A branch expected absent but present is moved too.
	if _, err := r.Commit(ctx, CommitOptions{Branch: "prod", Manifest: Manifest{Number: 3}, Output: writeFiles(t, map[string]string{"a": "3"}), Signature: sig}); !errors.Is(err, ErrRefMoved) {
		t.Errorf("Commit expecting no branch = %v; want ErrRefMoved", err)
	}
}

func TestPackedRefsAndLock(t *testing.T) {
	ctx := context.Background()
	g, r := bareBin(t)
	h1, err := commitBuild(t, r, "prod", 1, writeFiles(t, map[string]string{"a": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	g.Git("pack-refs", "--all", "--prune")
	if head, err := r.Head(ctx, "prod"); head != h1 || err != nil {
		t.Fatalf("Head after pack-refs = %s, %v; want %s", head, err, h1)
	}
	if _, err := r.Commit(ctx, CommitOptions{Branch: "prod", Manifest: Manifest{Number: 2}, Output: writeFiles(t, map[string]string{"a": "2"}), Expect: plumbing.ZeroHash, Signature: sig}); !errors.Is(err, ErrRefMoved) {
		t.Errorf("Commit expecting no branch over a packed one = %v; want ErrRefMoved", err)
	}
	lock := filepath.Join(r.gitDir, "refs/heads/prod.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := commitBuild(t, r, "prod", 2, writeFiles(t, map[string]string{"a": "2"})); !errors.Is(err, ErrLocked) {
		t.Errorf("Commit with a held lock = %v; want ErrLocked", err)
	}
	os.Remove(lock)
	h2, err := commitBuild(t, r, "prod", 2, writeFiles(t, map[string]string{"a": "2"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Git("rev-parse", "prod"); got != h2.String() {
		t.Errorf("prod = %s; want %s", got, h2)
	}
	g.Git("fsck", "--strict", "--no-dangling")
}

func TestWorkTreeBinRepo(t *testing.T) {
	ctx := context.Background()
	g := testrepo.New(t)
	g.Commit("main", "readme", map[string]string{"README": "bin\n"})
	r, err := Open(ctx, g.Dir, "app")
	if err != nil {
		t.Fatal(err)
	}
	h, err := commitBuild(t, r, "prod", 1, writeFiles(t, map[string]string{"a": "1"}))
	if err != nil {
		t.Fatalf("Commit beside a checked-out main = %v", err)
	}
	if got := g.Git("reflog", "show", "--format=%H %gs", "prod"); !strings.HasPrefix(got, h.String()+" switchyard: app-1") {
		t.Errorf("reflog of prod = %q; want the build", got)
	}
	if got := g.Git("status", "--porcelain"); got != "" {
		t.Errorf("work tree changed: %q", got)
	}
	g.Git("checkout", "-q", "prod")
	if _, err := commitBuild(t, r, "prod", 2, writeFiles(t, map[string]string{"a": "2"})); !errors.Is(err, ErrCheckedOut) {
		t.Errorf("Commit to the checked-out branch = %v; want ErrCheckedOut", err)
	}
	head, _ := r.Head(ctx, "prod")
	if _, err := r.Point(ctx, PointOptions{Branch: "prod", Number: 1, Expect: head, Signature: sig}); err != nil {
		t.Errorf("Point to the live build = %v; want a no-op", err)
	}
	if got := g.Git("rev-parse", "prod"); got != h.String() {
		t.Errorf("prod moved while checked out")
	}
}

func TestPoint(t *testing.T) {
	ctx := context.Background()
	g, r := bareBin(t)
	for n := 1; n <= 3; n++ {
		if _, err := commitBuild(t, r, "prod", n, writeFiles(t, map[string]string{"a": string(rune('0' + n))})); err != nil {
			t.Fatal(err)
		}
	}
	head, _ := r.Head(ctx, "prod")
	h, err := r.Point(ctx, PointOptions{Branch: "prod", Number: 2, Expect: head, Signature: sig})
	if err != nil {
		t.Fatalf("Point(2) = %v", err)
	}
	if got := g.Git("cat-file", "-p", "prod:app"); got != "app-2" {
		t.Errorf("symlink = %q; want app-2", got)
	}
	if got := g.Git("diff", "--name-only", head.String(), h.String()); got != "app" {
		t.Errorf("Point changed %q; want only app", got)
	}
	if again, err := r.Point(ctx, PointOptions{Branch: "prod", Number: 2, Expect: h, Signature: sig}); again != h || err != nil {
		t.Errorf("Point(2) again = %s, %v; want %s unchanged", again, err, h)
	}
	if _, err := r.Point(ctx, PointOptions{Branch: "prod", Number: 9, Expect: h, Signature: sig}); !errors.Is(err, ErrNoBuild) {
		t.Errorf("Point(9) = %v; want ErrNoBuild", err)
	}
	if _, err := r.Point(ctx, PointOptions{Branch: "prod", Number: 1, Expect: head, Signature: sig}); !errors.Is(err, ErrRefMoved) {
		t.Errorf("Point from a stale head = %v; want ErrRefMoved", err)
	}
	if live, err := r.Live(ctx, "prod"); live.Number != 2 || err != nil {
		t.Errorf("Live = %d, %v; want 2", live.Number, err)
	}
	g.Git("fsck", "--strict", "--no-dangling")
}

func TestPush(t *testing.T) {
	ctx := context.Background()
	g, r := bareBin(t)
	remoteDir := t.TempDir()
	remote := testrepo.Open(t, remoteDir)
	remote.Git("init", "-q", "--bare")
	g.Git("remote", "add", "origin", remoteDir)

	h1, err := commitBuild(t, r, "prod", 1, writeFiles(t, map[string]string{"a": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Push(ctx, "origin", "prod", plumbing.ZeroHash, h1); err != nil {
		t.Fatalf("Push(new branch) = %v", err)
	}
	if got := remote.Git("rev-parse", "prod"); got != h1.String() {
		t.Fatalf("remote prod = %s; want %s", got, h1)
	}
	h2, _ := commitBuild(t, r, "prod", 2, writeFiles(t, map[string]string{"a": "2"}))
	if err := r.Push(ctx, remoteDir, "prod", h1, h2); err != nil {
		t.Fatalf("Push(by path) = %v", err)
	}
	if got := remote.Git("rev-parse", "prod"); got != h2.String() {
		t.Fatalf("remote prod = %s; want %s", got, h2)
	}
	// Someone else moves the remote; the lease refuses.
	other := remote.Git("commit-tree", "-p", h2.String(), "-m", "other", remote.Git("mktree"))
	remote.Git("update-ref", "refs/heads/prod", other)
	h3, _ := commitBuild(t, r, "prod", 3, writeFiles(t, map[string]string{"a": "3"}))
	if err := r.Push(ctx, "origin", "prod", h2, h3); !errors.Is(err, ErrRemoteMoved) {
		t.Errorf("Push over a moved remote = %v; want ErrRemoteMoved", err)
	}
	if got := remote.Git("rev-parse", "prod"); got != other {
		t.Errorf("remote prod = %s; want the other writer's %s", got, other)
	}
	if err := r.Push(ctx, "origin", "dev", plumbing.ZeroHash, plumbing.ZeroHash); err == nil {
		t.Errorf("Push(zero commit) = nil; want an error")
	}
	remote.Git("fsck", "--strict", "--no-dangling")
}

func TestBadBranch(t *testing.T) {
	ctx := context.Background()
	_, r := bareBin(t)
	for _, b := range []string{"", "a b", "a..b", "x.lock", "-x", "a:b", "a~1"} {
		if _, err := r.Head(ctx, b); err == nil {
			t.Errorf("Head(%q) = nil; want an error", b)
		}
		if err := r.updateRef(b, plumbing.ZeroHash, plumbing.NewHash(strings.Repeat("1", 40)), sig, "x"); err == nil {
			t.Errorf("updateRef(%q) = nil; want an error", b)
		}
	}
	if _, err := r.Head(ctx, "release/2024"); err != nil {
		t.Errorf("Head(release/2024) = %v; want a valid name", err)
	}
}

func TestOpenRefused(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, t.TempDir(), "app"); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open(empty folder) = %v; want ErrNotRepository", err)
	}
	g, _ := bareBin(t)
	for _, name := range []string{"", "a/b", ".."} {
		if _, err := Open(ctx, g.Dir, name); err == nil {
			t.Errorf("Open(name %q) = nil; want an error", name)
		}
	}
}

func TestLiveNumber(t *testing.T) {
	ctx := context.Background()
	g, r := bareBin(t)
	if _, err := r.LiveNumber(ctx, "prod"); !errors.Is(err, ErrNoLive) {
		t.Errorf("LiveNumber(no branch) = %v; want ErrNoLive", err)
	}
	for n := 1; n <= 2; n++ {
		if _, err := commitBuild(t, r, "prod", n, writeFiles(t, map[string]string{"a": "x"})); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := r.LiveNumber(ctx, "prod"); n != 2 || err != nil {
		t.Errorf("LiveNumber = %d, %v; want 2", n, err)
	}
	// The symlink pointed by hand at a folder that is not a build.
	head := g.Git("rev-parse", "prod")
	other := g.Git("commit-tree", "-p", head, "-m", "by hand", g.Git("mktree", "--missing"))
	g.Git("update-ref", "refs/heads/prod", other)
	if _, err := r.LiveNumber(ctx, "prod"); !errors.Is(err, ErrNoLive) {
		t.Errorf("LiveNumber(no symlink) = %v; want ErrNoLive", err)
	}
}

func TestSync(t *testing.T) {
	ctx := context.Background()
	remoteDir := t.TempDir()
	remote := testrepo.Open(t, remoteDir)
	remote.Git("init", "-q", "--bare")
	ga, a := bareBin(t)
	ga.Git("remote", "add", "origin", remoteDir)
	_, b := bareBin(t) // another machine, pushing by path

	if h, moved, err := a.Sync(ctx, "origin", "prod", sig); err != nil || moved || !h.IsZero() {
		t.Fatalf("Sync(empty remote) = %s, %v, %v; want nothing", h, moved, err)
	}
	b1, _ := commitBuild(t, b, "prod", 1, writeFiles(t, map[string]string{"a": "1"}))
	if err := b.Push(ctx, remoteDir, "prod", plumbing.ZeroHash, b1); err != nil {
		t.Fatal(err)
	}
	h, moved, err := a.Sync(ctx, "origin", "prod", sig)
	if err != nil || !moved || h != b1 {
		t.Fatalf("Sync(remote ahead) = %s, %v, %v; want a fast-forward to %s", h, moved, err, b1)
	}
	if got := ga.Git("rev-parse", "prod"); got != b1.String() {
		t.Errorf("local prod = %s; want %s", got, b1)
	}
	if n, _ := a.Next(ctx, "prod"); n != 2 {
		t.Errorf("Next after Sync = %d; want 2", n)
	}
	a2, _ := commitBuild(t, a, "prod", 2, writeFiles(t, map[string]string{"a": "2"}))
	if h, moved, err := a.Sync(ctx, "origin", "prod", sig); err != nil || moved || h != a2 {
		t.Errorf("Sync(local ahead) = %s, %v, %v; want %s unchanged", h, moved, err, a2)
	}
	b2, _ := commitBuild(t, b, "prod", 2, writeFiles(t, map[string]string{"a": "other 2"}))
	if err := b.Push(ctx, remoteDir, "prod", b1, b2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Sync(ctx, remoteDir, "prod", sig); !errors.Is(err, ErrDiverged) {
		t.Errorf("Sync(diverged) = %v; want ErrDiverged", err)
	}
	if got := ga.Git("rev-parse", "prod"); got != a2.String() {
		t.Errorf("local prod = %s after a refused sync; want %s", got, a2)
	}
}

func TestBuildsShallow(t *testing.T) {
	ctx := context.Background()
	g, r := bareBin(t)
	for n := 1; n <= 3; n++ {
		if _, err := commitBuild(t, r, "prod", n, writeFiles(t, map[string]string{"a": strconv.Itoa(n)})); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	c := testrepo.Open(t, dir)
	c.Git("clone", "-q", "--bare", "--depth", "2", "--branch", "prod", "file://"+g.Dir, ".")
	s, err := Open(ctx, dir, "app")
	if err != nil {
		t.Fatal(err)
	}
	builds, err := s.Builds(ctx, "prod")
	if err != nil || len(builds) != 3 {
		t.Fatalf("Builds(shallow) = %v, %v; want 3", builds, err)
	}
	head := c.Git("rev-parse", "prod")
	if builds[2].BinCommit != head || builds[0].BinCommit != "" {
		t.Errorf("BinCommits = %q, %q; want unknown for old builds and %s for the newest", builds[0].BinCommit, builds[2].BinCommit, head)
	}
	if live, err := s.Live(ctx, "prod"); err != nil || live.Number != 3 {
		t.Errorf("Live(shallow) = %+v, %v", live, err)
	}
}

func TestNextNeverReuses(t *testing.T) {
	ctx := context.Background()
	g, r := bareBin(t)
	for n := 1; n <= 3; n++ {
		if _, err := commitBuild(t, r, "prod", n, writeFiles(t, map[string]string{"a": strconv.Itoa(n)})); err != nil {
			t.Fatal(err)
		}
	}
	// app-3 is removed by hand and the symlink put back on app-2.
	g.Git("read-tree", "prod")
	g.Git("rm", "-q", "--cached", "-r", "app-3")
	g.Git("update-index", "--add", "--cacheinfo", "120000,"+g.Git("rev-parse", "prod~1:app")+",app")
	removed := g.Git("commit-tree", "-p", "prod", "-m", "drop app-3", g.Git("write-tree"))
	g.Git("update-ref", "refs/heads/prod", removed)
	if n, err := r.Next(ctx, "prod"); n != 4 || err != nil {
		t.Errorf("Next after removing app-3 = %d, %v; want 4", n, err)
	}
	if live, err := r.LiveNumber(ctx, "prod"); live != 2 || err != nil {
		t.Errorf("LiveNumber = %d, %v; want 2", live, err)
	}
}

func TestCommitKeepLink(t *testing.T) {
	ctx := context.Background()
	_, r := bareBin(t)
	keep := func(n int) {
		t.Helper()
		head, err := r.Head(ctx, "prod")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Commit(ctx, CommitOptions{Branch: "prod", Manifest: Manifest{Number: n, Track: "prod"},
			Output: writeFiles(t, map[string]string{"a": strconv.Itoa(n)}), Expect: head, Signature: sig, KeepLink: true}); err != nil {
			t.Fatalf("Commit(build %d, KeepLink) = %v", n, err)
		}
	}
	keep(1)
	if n, err := r.LiveNumber(ctx, "prod"); !errors.Is(err, ErrNoLive) {
		t.Errorf("LiveNumber after a first build kept unlinked = %d, %v; want ErrNoLive", n, err)
	}
	if _, err := commitBuild(t, r, "prod", 2, writeFiles(t, map[string]string{"a": "2"})); err != nil {
		t.Fatal(err)
	}
	keep(3)
	if n, err := r.LiveNumber(ctx, "prod"); n != 2 || err != nil {
		t.Errorf("LiveNumber after build 3 kept unlinked = %d, %v; want 2", n, err)
	}
	builds, err := r.Builds(ctx, "prod")
	if err != nil || len(builds) != 3 {
		t.Fatalf("Builds = %v, %v; want 3 builds", builds, err)
	}
}
