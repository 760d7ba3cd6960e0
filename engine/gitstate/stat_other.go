//go:build !linux

package gitstate

import (
	"fmt"
	"os"
)

func statOf(path string) (Stat, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return Stat{}, fmt.Errorf("stat %s: %w", path, err)
	}
	return Stat{MTime: fi.ModTime(), CTime: fi.ModTime(), Size: uint32(fi.Size())}, nil
}
