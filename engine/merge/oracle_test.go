package merge

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// gitRepo is a scratch repository driven through the git CLI, the oracle.
type gitRepo struct {
	t   testing.TB
	dir string // the git directory (bare)
}

// gitEnv fixes identities and dates so hashes are deterministic, and keeps
// the user's configuration out of the way.
func gitEnv() []string {
	return append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"HOME=/nonexistent",
		"GIT_AUTHOR_NAME=Switchyard Test",
		"GIT_AUTHOR_EMAIL=test@switchyard.invalid",
		"GIT_COMMITTER_NAME=Switchyard Test",
		"GIT_COMMITTER_EMAIL=test@switchyard.invalid",
		"GIT_AUTHOR_DATE=2024-01-02T03:04:05Z",
		"GIT_COMMITTER_DATE=2024-01-02T03:04:05Z",
		"LC_ALL=C",
	)
}

func newGitRepo(t testing.TB) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := filepath.Join(t.TempDir(), "repo.git")
	r := &gitRepo{t: t, dir: dir}
	r.git(nil, "init", "-q", "--bare", dir)
	return r
}

// git runs git in the repository and returns its stdout; it fails the test
// on a non-zero exit.
func (r *gitRepo) git(stdin []byte, args ...string) string {
	r.t.Helper()
	out, code, errOut := r.gitCode(stdin, args...)
	if code != 0 {
		r.t.Fatalf("git %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func (r *gitRepo) gitCode(stdin []byte, args ...string) (string, int, string) {
	r.t.Helper()
	full := append([]string{"--git-dir=" + r.dir}, args...)
	if args[0] == "init" {
		full = args
	}
	cmd := exec.Command("git", full...)
	cmd.Env = gitEnv()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			r.t.Fatalf("git %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return stdout.String(), code, stderr.String()
}

func (r *gitRepo) blob(content string) string {
	return strings.TrimSpace(r.git([]byte(content), "hash-object", "-w", "--stdin"))
}

// fileSpec describes one file of a fixture tree.
type fileSpec struct {
	mode    string // "100644" if empty
	content string // for symlinks, the target
}

// tree writes a tree from path → spec (nested directories allowed).
func (r *gitRepo) tree(files map[string]fileSpec) string {
	type node struct {
		files map[string]fileSpec
		dirs  map[string]map[string]fileSpec
	}
	n := node{files: map[string]fileSpec{}, dirs: map[string]map[string]fileSpec{}}
	for p, s := range files {
		if i := strings.IndexByte(p, '/'); i >= 0 {
			d := p[:i]
			if n.dirs[d] == nil {
				n.dirs[d] = map[string]fileSpec{}
			}
			n.dirs[d][p[i+1:]] = s
		} else {
			n.files[p] = s
		}
	}
	var lines []string
	for name, s := range n.files {
		mode := s.mode
		if mode == "" {
			mode = "100644"
		}
		if mode == "160000" {
			// A submodule: content is the commit's hash.
			lines = append(lines, fmt.Sprintf("%s commit %s\t%s", mode, s.content, name))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s blob %s\t%s", mode, r.blob(s.content), name))
	}
	for name, sub := range n.dirs {
		lines = append(lines, fmt.Sprintf("040000 tree %s\t%s", r.tree(sub), name))
	}
	sort.Strings(lines)
	in := strings.Join(lines, "\n")
	if in != "" {
		in += "\n"
	}
	return strings.TrimSpace(r.git([]byte(in), "mktree"))
}

func (r *gitRepo) commit(tree, msg string, parents ...string) string {
	args := []string{"commit-tree", tree, "-m", msg}
	for _, p := range parents {
		args = append(args, "-p", p)
	}
	return strings.TrimSpace(r.git(nil, args...))
}

// mergeTreeResult is what git merge-tree --write-tree reports.
type mergeTreeResult struct {
	tree   string
	clean  bool
	stages []string // "<mode> <oid> <stage>\t<path>", as printed
	msgs   string
}

// mergeTree runs git merge-tree --write-tree on two commits.
func (r *gitRepo) mergeTree(ours, theirs string, style Style) mergeTreeResult {
	r.t.Helper()
	out, code, errOut := r.gitCode(nil, "-c", "merge.conflictStyle="+style.String(),
		"merge-tree", "--write-tree", "--messages", ours, theirs)
	if code != 0 && code != 1 {
		r.t.Fatalf("git merge-tree: exit %d: %s", code, errOut)
	}
	return parseMergeTree(out, code == 0)
}

func parseMergeTree(out string, clean bool) mergeTreeResult {
	res := mergeTreeResult{clean: clean}
	head, msgs, _ := strings.Cut(out, "\n\n")
	res.msgs = msgs
	lines := strings.Split(strings.TrimRight(head, "\n"), "\n")
	res.tree = lines[0]
	res.stages = lines[1:]
	return res
}

// catBlob reads path from a tree.
func (r *gitRepo) catPath(tree, path string) string {
	return r.git(nil, "cat-file", "blob", tree+":"+path)
}

// fileOracle merges three versions of file "f" with git merge-tree and
// returns the merged content and the labels git used.
func fileOracle(t testing.TB, r *gitRepo, base, ours, theirs string, style Style) (string, Options) {
	t.Helper()
	b := r.commit(r.tree(map[string]fileSpec{"f": {content: base}}), "base")
	o := r.commit(r.tree(map[string]fileSpec{"f": {content: ours}}), "ours", b)
	th := r.commit(r.tree(map[string]fileSpec{"f": {content: theirs}}), "theirs", b)
	res := r.mergeTree(o, th, style)
	opts := Options{Style: style, OursLabel: o, TheirsLabel: th, BaseLabel: r.abbrev(b)}
	return r.catPath(res.tree, "f"), opts
}

func (r *gitRepo) abbrev(oid string) string {
	return strings.TrimSpace(r.git(nil, "rev-parse", "--short", oid))
}

// mergeBoth commits the three versions (base the parent of the other two),
// merges them with git merge-tree and with Trees over s, and returns both
// results; git's stage lines come sorted.
func (r *gitRepo) mergeBoth(t *testing.T, s storer.EncodedObjectStorer, base, ours, theirs files, style Style) (*Result, mergeTreeResult) {
	t.Helper()
	b := r.commit(r.tree(base), "base")
	o := r.commit(r.tree(ours), "ours", b)
	th := r.commit(r.tree(theirs), "theirs", b)
	want := r.mergeTree(o, th, style)
	sort.Strings(want.stages)
	var trees [3]plumbing.Hash
	for i, c := range []string{b, o, th} {
		cm, err := object.GetCommit(s, plumbing.NewHash(c))
		if err != nil {
			t.Fatal(err)
		}
		trees[i] = cm.TreeHash
	}
	got, err := Trees(context.Background(), s, trees[0], trees[1], trees[2], Options{Style: style, OursLabel: o, TheirsLabel: th, BaseLabel: r.abbrev(b)})
	if err != nil {
		t.Fatalf("Trees: %v", err)
	}
	return got, want
}
