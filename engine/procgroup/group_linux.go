//go:build linux

package procgroup

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Members lists the live (not zombie) processes of group pgid, read from
// /proc.
func Members(pgid int) ([]int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and parens.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if g, err := strconv.Atoi(f[2]); err == nil && g == pgid {
			out = append(out, pid)
		}
	}
	return out, nil
}

// HasEnv reports whether a live process of group pgid has kv, a
// "NAME=value" pair, in its environment. Set in Cmd.Env to a value unique
// to one run, it tells that run's group from another that was given the
// same id since. A process whose environment cannot be read is not
// counted.
func HasEnv(pgid int, kv string) (bool, error) {
	pids, err := Members(pgid)
	if err != nil {
		return false, err
	}
	want := []byte(kv)
	for _, pid := range pids {
		env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
		if err != nil {
			continue
		}
		for _, e := range bytes.Split(env, []byte{0}) {
			if bytes.Equal(e, want) {
				return true, nil
			}
		}
	}
	return false, nil
}
