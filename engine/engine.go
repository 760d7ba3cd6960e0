package engine

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-git/go-billy/v5"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/switchyard/switchyard/engine/config"
	"github.com/switchyard/switchyard/engine/history"
	"github.com/switchyard/switchyard/model"
)

// Sentinel errors callers branch on.
var (
	// ErrNotRepository: the folder is not inside a git repository.
	ErrNotRepository = errors.New("not a git repository")
	// ErrBranchNotFound: a track's branch does not exist.
	ErrBranchNotFound = errors.New("branch not found")
)

// OpenOptions says which repository and config to open.
type OpenOptions struct {
	// Dir is any folder inside the source repo; default ".".
	Dir string
	// Config is the config file; default <repo root>/switchyard.toml, and
	// the built-in defaults when that does not exist.
	Config string
	// Now is the clock trains and lead times are measured against; default
	// time.Now. Tests fix it.
	Now func() time.Time
	// PatchIDCache is the patch-id cache file; default
	// <git dir>/switchyard/patch-ids; "-" keeps it in memory only.
	PatchIDCache string
}

// Engine is an open source repo with its config. It is safe for concurrent
// use by the front end's commands.
type Engine struct {
	root   string // work tree root; the git dir for a bare repo
	gitDir string
	repo   *git.Repository
	cfg    *config.Config
	flow   model.Flow
	kinds  model.Classifier
	events *Broker
	now    func() time.Time

	// rollouts holds the rollout providers opened by this engine (rollout.go).
	rollouts rolloutHub

	histOnce  sync.Once
	hist      *history.History
	histErr   error
	cachePath string
}

// Open opens the source repo around opts.Dir and reads its config.
func Open(ctx context.Context, opts OpenOptions) (*Engine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such folder (pass --repo DIR with a repository)", dir)
	} else if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	repo, err := openRepo(abs)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s: %w (run it inside a repository or pass --repo DIR)", dir, ErrNotRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	e := &Engine{repo: repo, events: NewBroker(), now: opts.Now, cachePath: opts.PatchIDCache}
	if e.now == nil {
		e.now = time.Now
	}
	if fs, ok := repo.Storer.(*filesystem.Storage); ok {
		e.gitDir = fs.Filesystem().Root()
		var tree billy.Filesystem
		if wt, err := repo.Worktree(); err == nil {
			tree = wt.Filesystem
		}
		if e.repo, err = git.Open(newSharedStore(fs), tree); err != nil {
			return nil, fmt.Errorf("open %s: %w", dir, err)
		}
	}
	if wt, err := e.repo.Worktree(); err == nil {
		e.root = wt.Filesystem.Root()
	} else {
		e.root = e.gitDir
	}
	if opts.Config != "" {
		e.cfg, err = config.Load(opts.Config)
	} else {
		e.cfg, err = config.Find(e.root)
	}
	if err != nil {
		return nil, fmt.Errorf("%w (fix the file or pass --config FILE)", err)
	}
	e.flow = e.cfg.Flow()
	e.kinds = e.cfg.Classifier()
	return e, nil
}

// Root is the source repo's work tree root (its git dir when bare).
func (e *Engine) Root() string { return e.root }

// GitDir is the source repo's git directory.
func (e *Engine) GitDir() string { return e.gitDir }

// Repo is the go-git repository.
func (e *Engine) Repo() *git.Repository { return e.repo }

// Config is the loaded config.
func (e *Engine) Config() *config.Config { return e.cfg }

// Flow is the configured tracks, upstream first.
func (e *Engine) Flow() model.Flow { return e.flow }

// Kinds is the commit kind classifier.
func (e *Engine) Kinds() model.Classifier { return e.kinds }

// Subscribe streams engine events until ctx ends.
func (e *Engine) Subscribe(ctx context.Context) <-chan model.Event { return e.events.Subscribe(ctx) }

// Events is the engine's broker, for engine parts that publish.
func (e *Engine) Events() *Broker { return e.events }

// History is the commit history engine (walks, patch-ids, the cache),
// opened on first use.
func (e *Engine) History() (*history.History, error) {
	e.histOnce.Do(func() {
		root := e.root
		open := func() (storer.EncodedObjectStorer, error) {
			r, err := openRepo(root)
			if err != nil {
				return nil, fmt.Errorf("open %s: %w", root, err)
			}
			return r.Storer, nil
		}
		e.hist, e.histErr = history.New(history.Options{GitDir: e.gitDir, Open: open, CachePath: e.cachePath})
	})
	return e.hist, e.histErr
}

// openRepo opens the repository at dir: a bare repository's git directory
// itself, else the work tree that holds dir (searching upwards for .git).
func openRepo(dir string) (*git.Repository, error) {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err == nil {
		return r, nil
	}
	return git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
}
