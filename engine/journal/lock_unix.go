//go:build unix

package journal

import (
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock on f until unlock, so that entries
// of other processes never interleave with this one even if a write were
// split.
func lock(f *os.File) (unlock func(), err error) {
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
}
