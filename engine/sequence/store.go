package sequence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/engine/atomicfile"
)

// sessionVersion is the persisted format's version.
const sessionVersion = 1

// Dir is where the session lives under a git directory.
func Dir(gitDir string) string { return filepath.Join(gitDir, "switchyard", "sequence") }

func sessionPath(gitDir string) string { return filepath.Join(Dir(gitDir), "session.json") }

// writeAtomic creates path's folder and replaces path with data
// atomically: a crash leaves the old or the new file.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o666)
}

// readSession loads the session; ErrNoSession when there is none.
func readSession(gitDir string) (*Session, error) {
	data, err := os.ReadFile(sessionPath(gitDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	var s Session
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("read session %s: %w (abort with switchyard pick --abort)", sessionPath(gitDir), err)
	}
	if s.Version != sessionVersion {
		return nil, fmt.Errorf("read session: version %d is not supported by this build", s.Version)
	}
	return &s, nil
}

func writeSession(gitDir string, s *Session) error {
	s.Version = sessionVersion
	data, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	if err := writeAtomic(sessionPath(gitDir), data); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

func removeSession(gitDir string) error {
	err := os.Remove(sessionPath(gitDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove session: %w", err)
	}
	return nil
}

// sessionLock keeps two Switchyard processes from changing the session at
// once. The lock file holds the owner's pid, so a lock left by a killed
// process is taken over.
type sessionLock struct{ path string }

func lockSession(ctx context.Context, gitDir string) (*sessionLock, error) {
	path := sessionPath(gitDir) + ".lock"
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return nil, fmt.Errorf("lock session: %w", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			return &sessionLock{path: path}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock session: %w", err)
		}
		if stale(path) {
			os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("lock session: another switchyard process is working on it (%s)", path)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stale reports a lock whose owner process is gone.
func stale(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		// Being written right now, or garbage: only stale when old.
		fi, err := os.Stat(path)
		return err == nil && time.Since(fi.ModTime()) > 10*time.Second
	}
	if pid == os.Getpid() {
		return false
	}
	if canCheckPids {
		return processGone(pid)
	}
	fi, err := os.Stat(path)
	return err == nil && time.Since(fi.ModTime()) > 10*time.Minute
}

func (l *sessionLock) release() { os.Remove(l.path) }
