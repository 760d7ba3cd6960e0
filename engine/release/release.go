// Package release runs a build: it writes the source commit's tree into a
// temporary folder straight from the object store (no work tree, no index,
// no hooks), runs the configured build command there in a process group of
// its own, logs every line, and hands back the output folder for the bin
// repo.
//
// The checkout is not a repository: the build learns its commit from
// SWITCHYARD_COMMIT (git's GIT_DIR and the like are removed from its
// environment). Files tracked with Git LFS are checked out as their pointer
// files; submodules as empty folders.
package release

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/switchyard/switchyard/engine/procgroup"
)

// Sentinel errors callers branch on.
var (
	// ErrFailed: the build command ran and exited with a non-zero status.
	ErrFailed = errors.New("build failed")
	// ErrTimeout: the build ran out of time; its process group was killed.
	ErrTimeout = procgroup.ErrTimeout
	// ErrNoOutput: the build succeeded but its output folder is missing.
	ErrNoOutput = errors.New("build output missing")
	// ErrUnsafeTree: the source tree holds a path that cannot be written
	// safely (".." or ".git" components).
	ErrUnsafeTree = errors.New("source tree refused")
)

// Options describe one build.
type Options struct {
	// Store holds the source repo's objects.
	Store storer.EncodedObjectStorer
	// Commit is the source commit to build.
	Commit plumbing.Hash
	Track  string
	Number int
	// Command is the build's argument list, run in the checkout.
	Command []string
	// Output is the folder, relative to the checkout, holding the result.
	Output string
	// Timeout ends the build; 0 means no limit beyond ctx.
	Timeout time.Duration
	// Env is added to this process's environment after SWITCHYARD_TRACK,
	// SWITCHYARD_COMMIT and SWITCHYARD_BUILD.
	Env []string
	// Log is the file every line of output is written to.
	Log string
	// Line receives each line of output as it comes; may be nil.
	Line func(string)
	// TempDir is where the checkout is made; "" is the system's.
	TempDir string
}

// Validate reports options that cannot run.
func (o Options) Validate() error {
	switch {
	case o.Store == nil || o.Commit.IsZero():
		return errors.New("build: no source commit")
	case len(o.Command) == 0:
		return errors.New("build: no command (set [build] command in switchyard.toml)")
	case o.Output == "":
		return errors.New("build: no output folder (set [build] output in switchyard.toml)")
	case !filepath.IsLocal(o.Output):
		return fmt.Errorf("build: output %q must be a folder inside the checkout", o.Output)
	case o.Log == "":
		return errors.New("build: no log file")
	case o.Number < 1:
		return fmt.Errorf("build: number %d is not positive", o.Number)
	}
	return nil
}

// Result is a finished build.
type Result struct {
	// Checkout is the temporary folder the build ran in; Output the result
	// folder inside it. Both stay until Cleanup.
	Checkout string
	Output   string
	ExitCode int
	Log      string
}

// Cleanup removes the checkout.
func (r Result) Cleanup() error {
	if r.Checkout == "" {
		return nil
	}
	return os.RemoveAll(r.Checkout)
}

// Run checks out the commit, runs the build and returns its output folder.
// On failure (ErrFailed, ErrTimeout, ErrNoOutput, ctx ended) the checkout is
// removed and the error names the log file; the log is kept.
func Run(ctx context.Context, o Options) (res Result, err error) {
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	res.Log = o.Log
	if err := os.MkdirAll(filepath.Dir(o.Log), 0o755); err != nil {
		return res, fmt.Errorf("build log: %w", err)
	}
	logf, err := os.OpenFile(o.Log, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return res, fmt.Errorf("build log: %w", err)
	}
	defer logf.Close()
	var mu sync.Mutex
	line := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		io.WriteString(logf, s+"\n")
		if o.Line != nil {
			o.Line(s)
		}
	}
	note := func(format string, args ...any) { line("switchyard: " + fmt.Sprintf(format, args...)) }

	res.Checkout, err = os.MkdirTemp(o.TempDir, "switchyard-build-")
	if err != nil {
		return res, fmt.Errorf("build checkout: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(res.Checkout)
			res.Checkout, res.Output = "", ""
		}
	}()
	note("checking out %s into %s", o.Commit, res.Checkout)
	if err := Checkout(ctx, o.Store, o.Commit, res.Checkout); err != nil {
		note("checkout failed: %v", err)
		return res, fmt.Errorf("build %s-%d: %w (log: %s)", o.Track, o.Number, err, o.Log)
	}
	env := append(buildEnviron(),
		"SWITCHYARD_TRACK="+o.Track,
		"SWITCHYARD_COMMIT="+o.Commit.String(),
		"SWITCHYARD_BUILD="+strconv.Itoa(o.Number))
	env = append(env, o.Env...)
	note("running %q", o.Command)
	start := time.Now()
	code, err := procgroup.Run(ctx, procgroup.Cmd{
		Argv:    o.Command,
		Dir:     res.Checkout,
		Env:     env,
		Timeout: o.Timeout,
		Output:  line,
	})
	res.ExitCode = code
	took := time.Since(start).Round(time.Millisecond)
	switch {
	case err != nil:
		note("stopped after %s: %v", took, err)
		return res, fmt.Errorf("build %s-%d: %w (log: %s)", o.Track, o.Number, err, o.Log)
	case code != 0:
		note("exit status %d after %s", code, took)
		return res, fmt.Errorf("build %s-%d: %w with exit status %d (log: %s)", o.Track, o.Number, ErrFailed, code, o.Log)
	}
	out, err := outputDir(res.Checkout, o.Output)
	if err != nil {
		note("%v", err)
		return res, fmt.Errorf("build %s-%d: %w (log: %s)", o.Track, o.Number, err, o.Log)
	}
	res.Output = out
	note("succeeded after %s", took)
	return res, logf.Sync()
}

// outputDir finds the output folder in the checkout. It may be reached
// through symlinks, as long as they lead to a folder inside the checkout.
func outputDir(checkout, output string) (string, error) {
	root, err := filepath.EvalSymlinks(checkout)
	if err != nil {
		return "", err
	}
	p, err := filepath.EvalSymlinks(filepath.Join(root, output))
	if err != nil {
		return "", fmt.Errorf("%w: no folder %s after the build", ErrNoOutput, output)
	}
	if rel, err := filepath.Rel(root, p); err != nil || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("%w: %s leads outside the checkout (to %s)", ErrNoOutput, output, p)
	}
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%w: %s is not a folder after the build", ErrNoOutput, output)
	}
	return p, nil
}

// repoEnv are git's variables that point at a repository: inherited (from a
// hook, say), they would make git commands in the build act on the source
// repo instead of failing in the bare checkout.
var repoEnv = map[string]bool{
	"GIT_DIR": true, "GIT_WORK_TREE": true, "GIT_INDEX_FILE": true, "GIT_OBJECT_DIRECTORY": true,
	"GIT_ALTERNATE_OBJECT_DIRECTORIES": true, "GIT_COMMON_DIR": true, "GIT_PREFIX": true, "GIT_NAMESPACE": true,
}

// buildEnviron is this process's environment without repoEnv.
func buildEnviron() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !repoEnv[k] {
			out = append(out, kv)
		}
	}
	return out
}

// Checkout writes the tree of commit into dir (which must exist) from the
// object store: files with their executable bit, symlinks as symlinks,
// submodules as empty folders.
func Checkout(ctx context.Context, s storer.EncodedObjectStorer, commit plumbing.Hash, dir string) error {
	c, err := object.GetCommit(s, commit)
	if err != nil {
		return fmt.Errorf("commit %s: %w", commit, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return fmt.Errorf("commit %s: %w", commit, err)
	}
	return writeTree(ctx, s, tree, dir, "")
}

func writeTree(ctx context.Context, s storer.EncodedObjectStorer, t *object.Tree, dir, rel string) error {
	for _, e := range t.Entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.Name
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") || strings.EqualFold(name, ".git") {
			return fmt.Errorf("%w: %q in %s", ErrUnsafeTree, name, "/"+rel)
		}
		p := filepath.Join(dir, name)
		relp := rel + name
		switch e.Mode {
		case filemode.Dir:
			if err := os.Mkdir(p, 0o755); err != nil {
				return err
			}
			sub, err := object.GetTree(s, e.Hash)
			if err != nil {
				return fmt.Errorf("%s: %w", relp, err)
			}
			if err := writeTree(ctx, s, sub, p, relp+"/"); err != nil {
				return err
			}
		case filemode.Submodule:
			if err := os.Mkdir(p, 0o755); err != nil {
				return err
			}
		case filemode.Symlink:
			target, err := blobBytes(s, e.Hash)
			if err != nil {
				return fmt.Errorf("%s: %w", relp, err)
			}
			if err := os.Symlink(string(target), p); err != nil {
				return err
			}
		case filemode.Regular, filemode.Executable, filemode.Deprecated:
			perm := os.FileMode(0o644)
			if e.Mode == filemode.Executable {
				perm = 0o755
			}
			if err := writeBlob(s, e.Hash, p, perm); err != nil {
				return fmt.Errorf("%s: %w", relp, err)
			}
		default:
			return fmt.Errorf("%w: %s has mode %o", ErrUnsafeTree, relp, uint32(e.Mode))
		}
	}
	return nil
}

func blobBytes(s storer.EncodedObjectStorer, h plumbing.Hash) ([]byte, error) {
	b, err := object.GetBlob(s, h)
	if err != nil {
		return nil, err
	}
	r, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func writeBlob(s storer.EncodedObjectStorer, h plumbing.Hash, path string, perm os.FileMode) error {
	b, err := object.GetBlob(s, h)
	if err != nil {
		return err
	}
	r, err := b.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	// O_EXCL: never write through something already there (a symlink).
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// The umask may have cleared bits the tree asks for.
	return os.Chmod(path, perm)
}
