package binrepo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// readRef reads a ref as git does: the loose file, else packed-refs. A
// missing ref is the zero hash with exists false.
func (r *Repo) readRef(name plumbing.ReferenceName) (h plumbing.Hash, exists bool, err error) {
	b, err := os.ReadFile(filepath.Join(r.gitDir, filepath.FromSlash(name.String())))
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if strings.HasPrefix(s, "ref:") || !plumbing.IsHash(s) {
			return plumbing.ZeroHash, false, fmt.Errorf("ref %s: not a commit id: %q", name, s)
		}
		return plumbing.NewHash(s), true, nil
	case errors.Is(err, os.ErrNotExist):
	case isDirErr(err):
		// refs/heads/a exists as a folder: refs/heads/a/b lives under it,
		// so a itself is absent.
		return plumbing.ZeroHash, false, nil
	default:
		return plumbing.ZeroHash, false, fmt.Errorf("ref %s: %w", name, err)
	}
	f, err := os.Open(filepath.Join(r.gitDir, "packed-refs"))
	if errors.Is(err, os.ErrNotExist) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("packed-refs: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	want := []byte(" " + name.String())
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] == '#' || line[0] == '^' {
			continue
		}
		if bytes.HasSuffix(line, want) && len(line) == 40+len(want) {
			return plumbing.NewHash(string(line[:40])), true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("packed-refs: %w", err)
	}
	return plumbing.ZeroHash, false, nil
}

func isDirErr(err error) bool {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if fi, e := os.Stat(pe.Path); e == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// updateRef moves branch from old (the zero hash: the branch must not
// exist) to new under git's lock-file protocol and appends the reflog.
func (r *Repo) updateRef(branch string, old, new plumbing.Hash, who object.Signature, msg string) error {
	if err := checkBranch(branch); err != nil {
		return err
	}
	name := branchRef(branch)
	if r.checkedOut(branch) {
		return fmt.Errorf("%w: %s in %s (use a bare bin repo, or check out another branch there)", ErrCheckedOut, branch, r.dir)
	}
	path := filepath.Join(r.gitDir, filepath.FromSlash(name.String()))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("move %s: %w", branch, err)
	}
	lockPath := path + ".lock"
	lock, err := os.OpenFile(lockPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("move %s: %w: %s exists (another git is updating it; remove the file if none is)", branch, ErrLocked, lockPath)
	}
	if err != nil {
		return fmt.Errorf("move %s: %w", branch, err)
	}
	done := false
	defer func() {
		if !done {
			lock.Close()
			os.Remove(lockPath)
		}
	}()
	cur, _, err := r.readRef(name)
	if err != nil {
		return fmt.Errorf("move %s: %w", branch, err)
	}
	if cur != old {
		return fmt.Errorf("%w: %s is at %s, expected %s; nothing was changed (look at it and try again)", ErrRefMoved, branch, short(cur), short(old))
	}
	if _, err := lock.WriteString(new.String() + "\n"); err != nil {
		return fmt.Errorf("move %s: %w", branch, err)
	}
	if err := lock.Sync(); err != nil {
		return fmt.Errorf("move %s: %w", branch, err)
	}
	if err := lock.Close(); err != nil {
		return fmt.Errorf("move %s: %w", branch, err)
	}
	if err := os.Rename(lockPath, path); err != nil {
		return fmt.Errorf("move %s: %w", branch, err)
	}
	done = true
	// The ref has moved; a reflog that cannot be written does not undo it.
	_ = r.appendReflog(name, old, new, who, msg)
	return nil
}

func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "(absent)"
	}
	return h.String()[:12]
}

// appendReflog writes one reflog line when git would: always when the log
// exists, else when core.logAllRefUpdates is on (by default in non-bare
// repos).
func (r *Repo) appendReflog(name plumbing.ReferenceName, old, new plumbing.Hash, who object.Signature, msg string) error {
	path := filepath.Join(r.gitDir, "logs", filepath.FromSlash(name.String()))
	if _, err := os.Stat(path); err != nil {
		if !r.logAllRefUpdates() {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	when := who.When
	if when.IsZero() {
		when = time.Now()
	}
	msg = strings.Map(func(c rune) rune {
		if c == '\n' || c == '\t' {
			return ' '
		}
		return c
	}, msg)
	line := fmt.Sprintf("%s %s %s <%s> %d %s\t%s\n", old, new, who.Name, who.Email, when.Unix(), when.Format("-0700"), msg)
	if _, err := f.WriteString(line); err != nil {
		return err
	}
	return f.Close()
}

func (r *Repo) logAllRefUpdates() bool {
	cfg, err := r.repo.Config()
	if err != nil {
		return !r.bare
	}
	switch strings.ToLower(cfg.Raw.Section("core").Option("logallrefupdates")) {
	case "true", "always", "yes", "on", "1":
		return true
	case "false", "no", "off", "0":
		return false
	}
	return !r.bare
}
