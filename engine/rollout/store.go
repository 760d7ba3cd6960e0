package rollout

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/switchyard/switchyard/engine/atomicfile"
)

// Sentinel errors callers branch on.
var (
	// ErrNoRollout: the environment has no recorded rollout.
	ErrNoRollout = errors.New("no rollout recorded")
	// ErrBusy: another controller drives this environment's rollout.
	ErrBusy = errors.New("a controller is already driving this rollout")
	// ErrInFlight: a rollout is in flight; it must end before another starts.
	ErrInFlight = errors.New("a rollout is in flight")
	// ErrNotWaiting: the rollout is not waiting for what was asked
	// (approve without a wave awaiting approval, promote with nothing to
	// promote).
	ErrNotWaiting = errors.New("the rollout is not waiting for that")
	// ErrConfirm: a backwards rollout was not confirmed by typing the
	// environment's name.
	ErrConfirm = errors.New("confirmation does not match the environment name")
)

// Store keeps rollout state files, locks and requests in one folder
// (<gitdir>/switchyard/rollouts).
type Store struct {
	Dir string
}

func (s *Store) path(env, suffix string) string {
	return filepath.Join(s.Dir, env+suffix)
}

// LogPath is where a gate's output is kept.
func (s *Store) LogPath(env string, build int, gate string) string {
	return filepath.Join(s.Dir, fmt.Sprintf("%s-%d-%s.log", env, build, safeName(gate)))
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < ' ' {
			return '_'
		}
		return r
	}, s)
}

// Load reads the environment's recorded rollout, with Running filled in.
func (s *Store) Load(env string) (*Status, error) {
	data, err := os.ReadFile(s.path(env, ".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", env, ErrNoRollout)
	}
	if err != nil {
		return nil, fmt.Errorf("read rollout of %s: %w", env, err)
	}
	var st Status
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("read rollout of %s: %s is damaged: %w", env, s.path(env, ".json"), err)
	}
	st.Running = s.Running(env)
	return &st, nil
}

// Save writes st atomically: a reader, or a cockpit killed at any moment,
// finds the previous state or this one.
func (s *Store) Save(st *Status) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("save rollout of %s: %w", st.Env, err)
	}
	if err := writeFileAtomic(s.path(st.Env, ".json"), append(data, '\n')); err != nil {
		return fmt.Errorf("save rollout of %s: %w", st.Env, err)
	}
	return nil
}

// Lock takes the environment's controller lock without waiting; it fails
// with ErrBusy when another process or controller holds it. The lock dies
// with the process, so a killed cockpit leaves nothing to clean.
func (s *Store) Lock(env string) (unlock func(), err error) {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", env, err)
	}
	f, err := os.OpenFile(s.path(env, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", env, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", env, ErrBusy)
		}
		return nil, fmt.Errorf("lock %s: %w", env, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// LockWait is Lock retried for up to d: a controller that just ended may
// hold the lock for a moment after its last event.
func (s *Store) LockWait(env string, d time.Duration) (unlock func(), err error) {
	deadline := time.Now().Add(d)
	for {
		unlock, err = s.Lock(env)
		if !errors.Is(err, ErrBusy) || time.Now().After(deadline) {
			return unlock, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Running reports whether a controller holds the environment's lock.
func (s *Store) Running(env string) bool {
	unlock, err := s.Lock(env)
	if err != nil {
		return errors.Is(err, ErrBusy)
	}
	unlock()
	return false
}

// Request kinds.
const (
	ReqPromote = "promote"
	ReqApprove = "approve"
	ReqAbort   = "abort"
)

// Request is an operator's action waiting for the controller.
type Request struct {
	Kind   string    `json:"kind"`
	Actor  string    `json:"actor,omitempty"`
	Reason string    `json:"reason,omitempty"`
	Time   time.Time `json:"time"`
}

// Post leaves a request for the controller driving env.
func (s *Store) Post(env string, r Request) error {
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s.req-%020d-%s.json", env, r.Time.UnixNano(), r.Kind)
	if err := writeFileAtomic(filepath.Join(s.Dir, name), data); err != nil {
		return fmt.Errorf("%s %s: %w", r.Kind, env, err)
	}
	return nil
}

// pending reports whether requests wait for env (cheap: one directory read).
func (s *Store) pending(env string) bool {
	m, _ := filepath.Glob(filepath.Join(s.Dir, env+".req-*.json"))
	return len(m) > 0
}

// Take removes and returns the requests waiting for env, oldest first.
// Damaged request files are removed and skipped.
func (s *Store) Take(env string) []Request {
	m, _ := filepath.Glob(filepath.Join(s.Dir, env+".req-*.json"))
	sort.Strings(m)
	var out []Request
	for _, p := range m {
		data, err := os.ReadFile(p)
		_ = os.Remove(p)
		if err != nil {
			continue
		}
		var r Request
		if json.Unmarshal(data, &r) == nil && r.Kind != "" {
			out = append(out, r)
		}
	}
	return out
}

// writeFileAtomic creates path's folder and replaces path with data
// atomically.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o600)
}

// Seeded reads the build recorded as live on env before its first rollout
// (see Seed); ok is false when none was recorded.
func (s *Store) Seeded(env string) (build int, ok bool, err error) {
	data, err := os.ReadFile(s.path(env, ".live"))
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("live build of %s: %w", env, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || n < 0 {
		return 0, false, fmt.Errorf("live build of %s: %s holds %q, not a build number", env, s.path(env, ".live"), strings.TrimSpace(string(data)))
	}
	return n, true, nil
}

// Seed records build as live on env, once: an environment with no rollout
// yet runs what its track's bin symlink named when it was first looked at,
// and later releases (which may move the symlink) do not change that. A
// seed already recorded is kept and returned.
func (s *Store) Seed(env string, build int) (int, error) {
	if n, ok, err := s.Seeded(env); ok || err != nil {
		return n, err
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return 0, fmt.Errorf("live build of %s: %w", env, err)
	}
	// Written aside, then linked into place: link never replaces, so the
	// first seed wins and no reader sees a half-written file.
	f, err := os.CreateTemp(s.Dir, safeName(env)+".live.*")
	if err != nil {
		return 0, fmt.Errorf("live build of %s: %w", env, err)
	}
	defer os.Remove(f.Name())
	_, werr := fmt.Fprintf(f, "%d\n", build)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return 0, fmt.Errorf("live build of %s: %w", env, err)
	}
	if err := os.Link(f.Name(), s.path(env, ".live")); errors.Is(err, os.ErrExist) {
		n, _, err := s.Seeded(env) // another process seeded it first
		return n, err
	} else if err != nil {
		return 0, fmt.Errorf("live build of %s: %w", env, err)
	}
	return build, nil
}
