package release

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrBusy: another release of the same track is running.
var ErrBusy = errors.New("a release of this track is already running")

// Lock takes the lock file at path for one running release, across
// processes: a second Lock on the same path fails with ErrBusy until
// unlock is called or the holding process ends (the operating system
// drops the lock with it, so a crash leaves nothing stale).
func Lock(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("release lock: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("release lock: %w", err)
	}
	if err := tryLock(f); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, errLocked) {
			who := strings.TrimSpace(string(holder))
			if who != "" {
				return nil, fmt.Errorf("%w (process %s)", ErrBusy, who)
			}
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("release lock: %w", err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() {
		_ = f.Truncate(0)
		f.Close() // closing drops the lock
	}, nil
}
