// Package binrepo reads and writes the bin repo: the git repository builds
// are committed to. Each track has a branch of its name; on it, each build
// is a folder <name>-<n>/ holding the build output and a manifest.json, next
// to a symlink <name> (a real symlink entry, mode 120000) pointing at the
// live folder with a relative target. Nodes pull the branch; moving the
// symlink switches the version they run.
//
// A build is committed with the symlink moved to it (the plain flow: the
// release is the switch) or, with CommitOptions.KeepLink, left where it is,
// for a rollout to move later with Point (the bin traffic driver).
//
// # Writing
//
// Commits are written in the object store; no work tree is touched. A
// branch moves by compare-and-swap with git's own lock-file protocol
// (refs/heads/<b>.lock created exclusively, the old value checked against
// the loose ref or packed-refs, the new value renamed into place, the reflog
// appended), so a concurrent git or switchyard never loses an update: the
// loser gets ErrRefMoved and its commit stays in the object store.
//
// A branch that is checked out in a work tree of the bin repo is refused
// (ErrCheckedOut), as git refuses to push into a checked-out branch: moving
// it would leave that work tree and index describing the old commit. Use a
// bare bin repo, or keep another branch checked out.
//
// # Remotes
//
// Sync fast-forwards a branch to its remote before a build is added (and
// refuses branches that diverged); Push sends the new commit with a lease:
// only if the remote branch is still where the commit's parent was, never
// forced. A remote is a remote name of the bin repo or a URL or path. ssh
// remotes authenticate through the user's ssh agent, as go-git does.
//
// # Build numbers
//
// Numbers only grow per branch: Next is one above every build ever on the
// branch's first-parent history (a folder removed by hand does not give its
// number out again), and Commit refuses a number not above every build on
// the branch head. Numbers are not coordinated across branches; each track
// counts on its own.
package binrepo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/switchyard/switchyard/model"
)

// Sentinel errors callers branch on.
var (
	// ErrNotRepository: the bin repo folder is not a git repository.
	ErrNotRepository = errors.New("bin repo is not a git repository")
	// ErrRefMoved: the branch is not where the caller saw it.
	ErrRefMoved = errors.New("bin branch moved")
	// ErrLocked: another process holds the branch's lock file.
	ErrLocked = errors.New("bin branch is locked")
	// ErrCheckedOut: the branch is checked out in a work tree.
	ErrCheckedOut = errors.New("bin branch is checked out")
	// ErrUnsafeOutput: the build output cannot be committed as it is
	// (a symlink leaving its folder, a special file, a .git entry).
	ErrUnsafeOutput = errors.New("build output refused")
	// ErrNotNewer: the build number does not grow.
	ErrNotNewer = errors.New("build number does not grow")
	// ErrNoBuild: the branch has no such build.
	ErrNoBuild = errors.New("no such build")
	// ErrNoLive: the branch has no symlink pointing at a build.
	ErrNoLive = errors.New("no live build")
	// ErrRemoteMoved: the remote branch is not at the value the push
	// expected (push with lease refused).
	ErrRemoteMoved = errors.New("bin remote moved")
)

// ManifestFile is the manifest's name inside a build folder.
const ManifestFile = "manifest.json"

// Manifest describes a build; it is stored as <name>-<n>/manifest.json.
type Manifest struct {
	Name    string    `json:"name"`
	Number  int       `json:"number"`
	Track   string    `json:"track"`
	Source  string    `json:"source"` // source commit id
	Time    time.Time `json:"time"`
	Builder string    `json:"builder"` // who cut the build
}

// Build is the manifest as the model's build.
func (m Manifest) Build() model.Build {
	return model.Build{Name: m.Name, Number: m.Number, Track: m.Track, Source: m.Source, Time: m.Time}
}

// Repo is an open bin repo.
type Repo struct {
	dir    string
	gitDir string
	bare   bool
	name   string
	repo   *git.Repository
}

// Open opens the bin repo in dir whose artefact is called name.
func Open(ctx context.Context, dir, name string) (*Repo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." {
		return nil, fmt.Errorf("bin repo: %q is not a usable artefact name", name)
	}
	repo, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s: %w (create it with 'git init --bare %s')", dir, ErrNotRepository, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("open bin repo %s: %w", dir, err)
	}
	fs, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("open bin repo %s: not stored on disk", dir)
	}
	r := &Repo{dir: dir, gitDir: fs.Filesystem().Root(), name: name, repo: repo}
	if _, err := repo.Worktree(); errors.Is(err, git.ErrIsBareRepository) {
		r.bare = true
	}
	return r, nil
}

// Dir is the bin repo's folder.
func (r *Repo) Dir() string { return r.dir }

// Name is the artefact name.
func (r *Repo) Name() string { return r.name }

// Git is the go-git repository.
func (r *Repo) Git() *git.Repository { return r.repo }

// Head is the commit branch points at; the zero hash when it does not exist.
func (r *Repo) Head(ctx context.Context, branch string) (plumbing.Hash, error) {
	if err := ctx.Err(); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := checkBranch(branch); err != nil {
		return plumbing.ZeroHash, err
	}
	h, _, err := r.readRef(branchRef(branch))
	return h, err
}

// checkBranch refuses names git would not take for a branch.
func checkBranch(branch string) error {
	if err := branchRef(branch).Validate(); err != nil || branch == "" || strings.ContainsAny(branch, " \t") {
		return fmt.Errorf("bin branch %q: not a valid branch name (the bin branch is named after the track)", branch)
	}
	return nil
}

func branchRef(branch string) plumbing.ReferenceName { return plumbing.NewBranchReferenceName(branch) }

// folderRE matches a build folder name once the artefact name is removed.
var numberRE = regexp.MustCompile(`^[1-9][0-9]{0,8}$`)

// folderNumber returns n when entry is named <name>-<n>.
func (r *Repo) folderNumber(entry string) (int, bool) {
	rest, ok := strings.CutPrefix(entry, r.name+"-")
	if !ok || !numberRE.MatchString(rest) {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

// rootTree is the tree of commit h; an empty tree for the zero hash.
func (r *Repo) rootTree(h plumbing.Hash) (*object.Tree, error) {
	if h.IsZero() {
		return &object.Tree{}, nil
	}
	c, err := r.repo.CommitObject(h)
	if err != nil {
		return nil, fmt.Errorf("bin commit %s: %w", h, err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("bin commit %s: %w", h, err)
	}
	return t, nil
}

// builds lists the build folders of a tree: number → folder tree hash.
func (r *Repo) builds(t *object.Tree) map[int]plumbing.Hash {
	out := map[int]plumbing.Hash{}
	for _, e := range t.Entries {
		if e.Mode != 0o040000 {
			continue
		}
		if n, ok := r.folderNumber(e.Name); ok {
			out[n] = e.Hash
		}
	}
	return out
}

// Builds lists the builds on branch, oldest first, with the bin commit that
// added each (found by walking first parents). A missing branch has none.
func (r *Repo) Builds(ctx context.Context, branch string) ([]model.Build, error) {
	head, err := r.Head(ctx, branch)
	if err != nil || head.IsZero() {
		return nil, err
	}
	t, err := r.rootTree(head)
	if err != nil {
		return nil, err
	}
	folders := r.builds(t)
	out := make([]model.Build, 0, len(folders))
	for n, h := range folders {
		b, err := r.manifest(h, n, branch)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	sortBuilds(out)
	if err := r.findBinCommits(ctx, head, folders, out); err != nil {
		return nil, err
	}
	return out, nil
}

func sortBuilds(b []model.Build) {
	for i := 1; i < len(b); i++ {
		for j := i; j > 0 && b[j].Number < b[j-1].Number; j-- {
			b[j], b[j-1] = b[j-1], b[j]
		}
	}
}

// manifest reads the manifest of folder tree h; a folder without one (made
// by hand) is described by its name alone.
func (r *Repo) manifest(h plumbing.Hash, n int, branch string) (model.Build, error) {
	b := model.Build{Name: r.name, Number: n, Track: branch}
	t, err := r.repo.TreeObject(h)
	if err != nil {
		return b, fmt.Errorf("build %s: %w", model.BuildFolder(r.name, n), err)
	}
	f, err := t.File(ManifestFile)
	if errors.Is(err, object.ErrFileNotFound) {
		return b, nil
	}
	if err != nil {
		return b, fmt.Errorf("build %s: %w", model.BuildFolder(r.name, n), err)
	}
	text, err := f.Contents()
	if err != nil {
		return b, fmt.Errorf("build %s: %w", model.BuildFolder(r.name, n), err)
	}
	var m Manifest
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return b, fmt.Errorf("build %s: bad %s: %w", model.BuildFolder(r.name, n), ManifestFile, err)
	}
	b = m.Build()
	b.Name, b.Number = r.name, n // the folder is the truth
	if b.Track == "" {
		b.Track = branch
	}
	return b, nil
}

// findBinCommits sets BinCommit of each build to the first-parent commit
// whose tree first holds its folder; in a shallow repo, builds older than
// the history at hand keep it empty.
func (r *Repo) findBinCommits(ctx context.Context, head plumbing.Hash, folders map[int]plumbing.Hash, out []model.Build) error {
	need := map[int]bool{}
	for n := range folders {
		need[n] = true
	}
	found := map[int]string{}
	cur, err := r.repo.CommitObject(head)
	if err != nil {
		return fmt.Errorf("bin commit %s: %w", head, err)
	}
	for len(need) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		var parentBuilds map[int]plumbing.Hash
		var parent *object.Commit
		if cur.NumParents() > 0 {
			parent, err = cur.Parent(0)
			if errors.Is(err, plumbing.ErrObjectNotFound) {
				// A shallow bin repo: what came before is unknown.
				break
			}
			if err != nil {
				return fmt.Errorf("bin commit %s: %w", cur.Hash, err)
			}
			pt, err := parent.Tree()
			if err != nil {
				return fmt.Errorf("bin commit %s: %w", parent.Hash, err)
			}
			parentBuilds = r.builds(pt)
		}
		for n := range need {
			if _, ok := parentBuilds[n]; !ok {
				found[n] = cur.Hash.String()
				delete(need, n)
			}
		}
		if parent == nil {
			break
		}
		cur = parent
	}
	for i := range out {
		out[i].BinCommit = found[out[i].Number]
	}
	return nil
}

// Live is the build the symlink of branch points at, with the bin commit
// that added it.
func (r *Repo) Live(ctx context.Context, branch string) (model.Build, error) {
	head, err := r.Head(ctx, branch)
	if err != nil {
		return model.Build{}, err
	}
	n, err := r.liveNumber(head)
	if err != nil {
		return model.Build{}, fmt.Errorf("bin branch %s: %w", branch, err)
	}
	t, err := r.rootTree(head)
	if err != nil {
		return model.Build{}, err
	}
	h, ok := r.builds(t)[n]
	if !ok {
		return model.Build{}, fmt.Errorf("bin branch %s: %s points at %s: %w", branch, r.name, model.BuildFolder(r.name, n), ErrNoBuild)
	}
	b, err := r.manifest(h, n, branch)
	if err != nil {
		return model.Build{}, err
	}
	out := []model.Build{b}
	if err := r.findBinCommits(ctx, head, map[int]plumbing.Hash{n: h}, out); err != nil {
		return model.Build{}, err
	}
	return out[0], nil
}

// LiveNumber is the number of the build the symlink of branch points at,
// read from the branch head alone (cheap enough to poll); ErrNoLive when
// there is none.
func (r *Repo) LiveNumber(ctx context.Context, branch string) (int, error) {
	head, err := r.Head(ctx, branch)
	if err != nil {
		return 0, err
	}
	n, err := r.liveNumber(head)
	if err != nil {
		return 0, fmt.Errorf("bin branch %s: %w", branch, err)
	}
	return n, nil
}

// liveNumber reads the symlink at commit head.
func (r *Repo) liveNumber(head plumbing.Hash) (int, error) {
	if head.IsZero() {
		return 0, ErrNoLive
	}
	t, err := r.rootTree(head)
	if err != nil {
		return 0, err
	}
	e, err := t.FindEntry(r.name)
	if err != nil {
		return 0, ErrNoLive
	}
	if e.Mode != 0o120000 {
		return 0, fmt.Errorf("%w: %s is not a symlink (mode %o)", ErrNoLive, r.name, uint32(e.Mode))
	}
	blob, err := r.repo.BlobObject(e.Hash)
	if err != nil {
		return 0, err
	}
	rd, err := blob.Reader()
	if err != nil {
		return 0, err
	}
	defer rd.Close()
	buf := make([]byte, 256)
	k, _ := rd.Read(buf)
	target := strings.TrimSuffix(string(buf[:k]), "/")
	n, ok := r.folderNumber(target)
	if !ok {
		return 0, fmt.Errorf("%w: %s points at %q, not a build folder", ErrNoLive, r.name, target)
	}
	return n, nil
}

// Next is the number the next build on branch gets: one above the highest
// ever on the branch, found along its first-parent history, so a build
// folder removed by hand does not give its number out again. (A shallow
// history is read as far as it goes.)
func (r *Repo) Next(ctx context.Context, branch string) (int, error) {
	head, err := r.Head(ctx, branch)
	if err != nil || head.IsZero() {
		return 1, err
	}
	top := 0
	for h := head; !h.IsZero(); {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		c, err := r.repo.CommitObject(h)
		if errors.Is(err, plumbing.ErrObjectNotFound) && h != head {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("bin commit %s: %w", h, err)
		}
		t, err := c.Tree()
		if err != nil {
			return 0, fmt.Errorf("bin commit %s: %w", h, err)
		}
		for n := range r.builds(t) {
			top = max(top, n)
		}
		h = plumbing.ZeroHash
		if len(c.ParentHashes) > 0 {
			h = c.ParentHashes[0]
		}
	}
	return top + 1, nil
}

// checkedOut reports whether branch is the HEAD of a work tree of the repo.
func (r *Repo) checkedOut(branch string) bool {
	want := "ref: " + branchRef(branch).String()
	heads := []string{}
	if !r.bare {
		heads = append(heads, filepath.Join(r.gitDir, "HEAD"))
	}
	if ws, err := os.ReadDir(filepath.Join(r.gitDir, "worktrees")); err == nil {
		for _, w := range ws {
			heads = append(heads, filepath.Join(r.gitDir, "worktrees", w.Name(), "HEAD"))
		}
	}
	for _, h := range heads {
		b, err := os.ReadFile(h)
		if err == nil && strings.TrimSpace(string(b)) == want {
			return true
		}
	}
	return false
}

// CheckWritable reports, before any work is done, whether commits can be
// added to branch: ErrCheckedOut when a work tree has it checked out.
func (r *Repo) CheckWritable(branch string) error {
	if r.checkedOut(branch) {
		return fmt.Errorf("%w: %s in %s (use a bare bin repo, or check out another branch there)", ErrCheckedOut, branch, r.dir)
	}
	return nil
}
