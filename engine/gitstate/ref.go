package gitstate

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// Sentinel errors callers branch on.
var (
	// ErrRefMoved: a ref no longer holds the value the caller expected.
	ErrRefMoved = errors.New("ref moved")
	// ErrLocked: another process (git or Switchyard) holds the lock file.
	ErrLocked = errors.New("locked by another process")
)

// RefMovedError details an ErrRefMoved.
type RefMovedError struct {
	Ref      string
	Expected plumbing.Hash // zero: expected absent
	Actual   plumbing.Hash // zero: absent
}

func (e *RefMovedError) Error() string {
	show := func(h plumbing.Hash) string {
		if h.IsZero() {
			return "absent"
		}
		return h.String()[:12]
	}
	return fmt.Sprintf("%s: %v: expected %s, found %s", e.Ref, ErrRefMoved, show(e.Expected), show(e.Actual))
}

func (e *RefMovedError) Unwrap() error { return ErrRefMoved }

// Ident is who a reflog entry names, with the time of the change.
type Ident struct {
	Name, Email string
	When        time.Time
}

// Repo is a git directory as files on disk.
type Repo struct {
	// GitDir holds HEAD, the index and per-worktree state.
	GitDir string
	// CommonDir holds refs, packed-refs and logs (differs from GitDir for
	// a linked worktree).
	CommonDir string
}

// Open describes the git directory gitDir, following its commondir file.
func Open(gitDir string) *Repo {
	r := &Repo{GitDir: gitDir, CommonDir: gitDir}
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		r.CommonDir = filepath.Clean(c)
	}
	return r
}

// perWorktree reports refs that live in the per-worktree git dir.
func perWorktree(name string) bool {
	return !strings.Contains(name, "/") || strings.HasPrefix(name, "refs/bisect/") ||
		strings.HasPrefix(name, "refs/worktree/") || strings.HasPrefix(name, "refs/rewritten/")
}

func (r *Repo) dirFor(name string) string {
	if perWorktree(name) {
		return r.GitDir
	}
	return r.CommonDir
}

// checkRefName refuses names git would refuse that matter for file paths.
func checkRefName(name string) error {
	if name == "HEAD" || name == "CHERRY_PICK_HEAD" || name == "ORIG_HEAD" {
		return nil
	}
	if !strings.HasPrefix(name, "refs/") {
		return fmt.Errorf("bad ref name %q: must start with refs/", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part == "." || part == ".." || strings.HasPrefix(part, ".") ||
			strings.HasSuffix(part, ".lock") {
			return fmt.Errorf("bad ref name %q", name)
		}
	}
	if strings.ContainsAny(name, " ~^:?*[\\\x7f") || strings.Contains(name, "..") || strings.Contains(name, "@{") {
		return fmt.Errorf("bad ref name %q", name)
	}
	for _, c := range name {
		if c < 0x20 {
			return fmt.Errorf("bad ref name %q", name)
		}
	}
	return nil
}

// ReadRef returns the value of a ref, following symbolic refs; the zero
// hash when it does not exist.
func (r *Repo) ReadRef(name string) (plumbing.Hash, error) {
	for range 5 {
		target, h, err := r.readOne(name)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if target == "" {
			return h, nil
		}
		name = target
	}
	return plumbing.ZeroHash, fmt.Errorf("read %s: symbolic ref loop", name)
}

// SymbolicTarget returns the ref a symbolic ref (such as HEAD) points to,
// or "" when it is not symbolic.
func (r *Repo) SymbolicTarget(name string) (string, error) {
	target, _, err := r.readOne(name)
	return target, err
}

// readOne reads one level: a symbolic target, or a hash.
func (r *Repo) readOne(name string) (string, plumbing.Hash, error) {
	if err := checkRefName(name); err != nil {
		return "", plumbing.ZeroHash, err
	}
	b, err := os.ReadFile(filepath.Join(r.dirFor(name), filepath.FromSlash(name)))
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if t, ok := strings.CutPrefix(s, "ref: "); ok {
			return strings.TrimSpace(t), plumbing.ZeroHash, nil
		}
		if !plumbing.IsHash(s) {
			return "", plumbing.ZeroHash, fmt.Errorf("read %s: not a valid ref file", name)
		}
		return "", plumbing.NewHash(s), nil
	case errors.Is(err, fs.ErrNotExist), isNotDir(err):
		h, err := r.packed(name)
		return "", h, err
	default:
		return "", plumbing.ZeroHash, fmt.Errorf("read %s: %w", name, err)
	}
}

func isNotDir(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "not a directory")
}

// packed looks name up in packed-refs.
func (r *Repo) packed(name string) (plumbing.Hash, error) {
	f, err := os.Open(filepath.Join(r.CommonDir, "packed-refs"))
	if errors.Is(err, fs.ErrNotExist) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read packed-refs: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if len(line) < 42 || line[0] == '#' || line[0] == '^' {
			continue
		}
		if line[41:] == name {
			return plumbing.NewHash(line[:40]), nil
		}
	}
	if err := sc.Err(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read packed-refs: %w", err)
	}
	return plumbing.ZeroHash, nil
}

// Lock is a held git lock file: <path>.lock created with O_EXCL. Commit
// renames it over path; Rollback removes it.
type Lock struct {
	path string
	f    *os.File
	done bool
}

// Acquire takes the lock for path, retrying briefly (as git does for refs)
// until ctx ends or about a second has passed.
func Acquire(ctx context.Context, path string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(time.Second)
	for {
		f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			return &Lock{path: path, f: f}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s.lock exists: %w (if no git process is running, remove that file)", path, ErrLocked)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// Write writes data into the lock file.
func (l *Lock) Write(data []byte) error {
	_, err := l.f.Write(data)
	return err
}

// Commit fsyncs the lock file and renames it over the locked path.
func (l *Lock) Commit() error {
	if l.done {
		return errors.New("lock already released")
	}
	l.done = true
	if err := l.f.Sync(); err != nil {
		l.f.Close()
		os.Remove(l.f.Name())
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	if err := l.f.Close(); err != nil {
		os.Remove(l.f.Name())
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	if err := os.Rename(l.path+".lock", l.path); err != nil {
		os.Remove(l.path + ".lock")
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	return nil
}

// Rollback removes the lock file without touching the locked path. It is
// safe to call after Commit.
func (l *Lock) Rollback() {
	if l.done {
		return
	}
	l.done = true
	l.f.Close()
	os.Remove(l.path + ".lock")
}

// UpdateRef moves ref name from old to new under git's lock protocol and
// appends msg to its reflog (and to HEAD's when HEAD points at name). A
// zero old means the ref must not exist; a zero new deletes it. When the
// ref does not hold old it returns a *RefMovedError and changes nothing.
func (r *Repo) UpdateRef(ctx context.Context, name string, old, new plumbing.Hash, who Ident, msg string) error {
	if err := checkRefName(name); err != nil {
		return err
	}
	if new.IsZero() {
		return r.deleteRef(ctx, name, old)
	}
	path := filepath.Join(r.dirFor(name), filepath.FromSlash(name))
	lock, err := Acquire(ctx, path)
	if err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	defer lock.Rollback()
	cur, err := r.ReadRef(name)
	if err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	if cur != old {
		return &RefMovedError{Ref: name, Expected: old, Actual: cur}
	}
	if err := lock.Write([]byte(new.String() + "\n")); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	if err := r.appendLog(name, old, new, who, msg); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	if err := lock.Commit(); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	if head, _ := r.SymbolicTarget("HEAD"); head == name {
		// As git does, HEAD's log records moves of the checked-out branch.
		_ = r.appendLog("HEAD", old, new, who, msg)
	}
	return nil
}

func (r *Repo) deleteRef(ctx context.Context, name string, old plumbing.Hash) error {
	path := filepath.Join(r.dirFor(name), filepath.FromSlash(name))
	lock, err := Acquire(ctx, path)
	if err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	defer lock.Rollback()
	cur, err := r.ReadRef(name)
	if err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	if cur != old {
		return &RefMovedError{Ref: name, Expected: old, Actual: cur}
	}
	if err := r.unpack(ctx, name); err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	if err := os.Remove(filepath.Join(r.dirFor(name), "logs", filepath.FromSlash(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}

// unpack removes name from packed-refs (with its peeled line) under
// packed-refs.lock.
func (r *Repo) unpack(ctx context.Context, name string) error {
	path := filepath.Join(r.CommonDir, "packed-refs")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !bytes.Contains(data, []byte(" "+name+"\n")) {
		return nil
	}
	lock, err := Acquire(ctx, path)
	if err != nil {
		return err
	}
	defer lock.Rollback()
	data, err = os.ReadFile(path)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	skipPeeled := false
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if line[0] == '^' && skipPeeled {
			continue
		}
		skipPeeled = false
		if len(line) > 41 && string(bytes.TrimRight(line[41:], "\n")) == name {
			skipPeeled = true
			continue
		}
		out.Write(line)
	}
	if err := lock.Write(out.Bytes()); err != nil {
		return err
	}
	return lock.Commit()
}

// appendLog appends one reflog line, as git writes it, when the log exists
// or the ref is one git logs by default (branches, HEAD, refs/switchyard).
func (r *Repo) appendLog(name string, old, new plumbing.Hash, who Ident, msg string) error {
	path := filepath.Join(r.dirFor(name), "logs", filepath.FromSlash(name))
	if _, err := os.Stat(path); err != nil {
		if !(name == "HEAD" || strings.HasPrefix(name, "refs/heads/") || strings.HasPrefix(name, "refs/switchyard/")) {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	msg = strings.Map(func(c rune) rune {
		if c == '\n' || c == '\r' || c == '\t' {
			return ' '
		}
		return c
	}, strings.TrimSpace(msg))
	_, werr := fmt.Fprintf(f, "%s %s %s\t%s\n", old, new, who.signature(), msg)
	serr := f.Sync()
	cerr := f.Close()
	return errors.Join(werr, serr, cerr)
}

// signature is "Name <email> unix ±hhmm".
func (w Ident) signature() string {
	when := w.When
	if when.IsZero() {
		when = time.Now()
	}
	_, off := when.Zone()
	sign := '+'
	if off < 0 {
		sign = '-'
		off = -off
	}
	clean := func(s string) string {
		return strings.Map(func(c rune) rune {
			if c == '<' || c == '>' || c == '\n' {
				return -1
			}
			return c
		}, s)
	}
	return fmt.Sprintf("%s <%s> %d %c%02d%02d", clean(w.Name), clean(w.Email), when.Unix(), sign, off/3600, off%3600/60)
}

// WriteFile writes a file of the git directory (CHERRY_PICK_HEAD,
// MERGE_MSG) under its lock file.
func (r *Repo) WriteFile(ctx context.Context, name string, data []byte) error {
	lock, err := Acquire(ctx, filepath.Join(r.GitDir, name))
	if err != nil {
		return err
	}
	defer lock.Rollback()
	if err := lock.Write(data); err != nil {
		return err
	}
	return lock.Commit()
}

// RemoveFile removes a file of the git directory; absent is fine.
func (r *Repo) RemoveFile(name string) error {
	err := os.Remove(filepath.Join(r.GitDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
