//go:build linux

package gitstate

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

func statOf(path string) (Stat, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return Stat{}, fmt.Errorf("stat %s: %w", path, err)
	}
	st := Stat{MTime: fi.ModTime(), CTime: fi.ModTime(), Size: uint32(fi.Size())}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.CTime = time.Unix(int64(sys.Ctim.Sec), int64(sys.Ctim.Nsec))
		st.Dev, st.Ino = uint32(sys.Dev), uint32(sys.Ino)
		st.UID, st.GID = sys.Uid, sys.Gid
	}
	return st, nil
}
