// Package testrepo builds fixture git repositories for tests with the git
// CLI, in t.TempDir(), with fixed identities and deterministic dates so that
// commit ids are the same on every run and every machine.
//
// The git CLI is run with a clean environment: no global or system config,
// a fixed author and committer, and a clock that advances one minute per
// commit from 2024-01-01T00:00:00Z (see Repo.Tick to jump ahead).
//
//	r := testrepo.New(t)
//	a := r.Commit("dev", "first", map[string]string{"a.txt": "one\n"})
//	r.Git("branch", "prod", a)
package testrepo

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// epoch is the date of the first commit a Repo makes.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Repo is a fixture repository with a work tree.
type Repo struct {
	t testing.TB
	// Dir is the work tree root (the git dir is Dir/.git).
	Dir string
	// Now is the date the next commit gets; each Commit advances it by one
	// minute.
	Now time.Time
}

// New makes an empty repository (initial branch "main", nothing committed)
// in a fresh t.TempDir().
func New(t testing.TB) *Repo {
	t.Helper()
	return At(t, t.TempDir())
}

// At makes an empty repository in dir, which must exist.
func At(t testing.TB, dir string) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: dir, Now: epoch}
	r.Git("init", "-q", "-b", "main")
	return r
}

// Open wraps an existing repository (for example a clone made by Git) so
// that commands run in it with the fixture environment.
func Open(t testing.TB, dir string) *Repo {
	return &Repo{t: t, Dir: dir, Now: epoch}
}

// Env is the environment the git CLI runs with: fixed identity and dates, no
// user or system config. Tests running other programs on a fixture (the
// switchyard binary, git itself) can use it too.
func (r *Repo) Env() []string {
	date := r.Now.Format(time.RFC3339)
	env := []string{
		"GIT_AUTHOR_NAME=Ada Tester",
		"GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE=" + date,
		"GIT_COMMITTER_NAME=Ada Tester",
		"GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_COMMITTER_DATE=" + date,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"HOME=" + r.Dir,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_EDITOR=true",
		"LC_ALL=C",
		"TZ=UTC",
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "PATH" || k == "TMPDIR" {
			env = append(env, kv)
		}
	}
	return env
}

// Git runs git in the work tree and returns its standard output with the
// trailing newline removed. A failure fails the test.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	out, err := r.TryGit(args...)
	if err != nil {
		r.t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// TryGit runs git like Git but returns its error (with stderr) instead of
// failing the test.
func (r *Repo) TryGit(args ...string) (string, error) {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = r.Env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return strings.TrimRight(stdout.String(), "\n"), fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimRight(stdout.String(), "\n"), nil
}

// Tick advances the clock used for the next commit by d.
func (r *Repo) Tick(d time.Duration) { r.Now = r.Now.Add(d) }

// Checkout switches the work tree to branch, creating it at the current
// HEAD when it does not exist (an unborn branch when nothing is committed).
func (r *Repo) Checkout(branch string) {
	r.t.Helper()
	if _, err := r.TryGit("rev-parse", "--verify", "-q", "refs/heads/"+branch); err == nil {
		r.Git("checkout", "-q", branch)
		return
	}
	if _, err := r.TryGit("rev-parse", "--verify", "-q", "HEAD"); err == nil {
		r.Git("checkout", "-q", "-b", branch)
		return
	}
	r.Git("symbolic-ref", "HEAD", "refs/heads/"+branch)
}

// Commit checks out branch (creating it at HEAD when missing), writes files
// (a nil map or no files makes an empty commit; the content "" with a key
// prefixed by "-" deletes that path: {"-a.txt": ""}), commits with msg and
// returns the new commit id. The clock advances one minute.
func (r *Repo) Commit(branch, msg string, files map[string]string) string {
	r.t.Helper()
	r.Checkout(branch)
	r.Write(files)
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "--allow-empty-message", "-m", msg)
	r.Tick(time.Minute)
	return r.Git("rev-parse", "HEAD")
}

// Write writes files into the work tree without committing; a key prefixed
// by "-" removes that path instead.
func (r *Repo) Write(files map[string]string) {
	r.t.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if rm, ok := strings.CutPrefix(name, "-"); ok {
			if err := os.RemoveAll(filepath.Join(r.Dir, rm)); err != nil {
				r.t.Fatalf("remove %s: %v", rm, err)
			}
			continue
		}
		p := filepath.Join(r.Dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatalf("mkdir for %s: %v", name, err)
		}
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			r.t.Fatalf("write %s: %v", name, err)
		}
	}
}

// CherryPick checks out branch and cherry-picks id onto it (with -x when
// trailer is true), returning the new commit id. The clock advances one
// minute. A conflict fails the test; see TryGit for picks that may conflict.
func (r *Repo) CherryPick(branch, id string, trailer bool) string {
	r.t.Helper()
	r.Checkout(branch)
	args := []string{"cherry-pick", "--allow-empty", "--keep-redundant-commits"}
	if trailer {
		args = append(args, "-x")
	}
	r.Git(append(args, id)...)
	r.Tick(time.Minute)
	return r.Git("rev-parse", "HEAD")
}

// Rev resolves a revision to a full commit id.
func (r *Repo) Rev(rev string) string {
	r.t.Helper()
	return r.Git("rev-parse", "--verify", rev+"^{commit}")
}
