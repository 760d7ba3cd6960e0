//go:build !linux

package procgroup

// Members lists the live processes of group pgid; only Linux lets it look:
// elsewhere it returns ErrUnsupported.
func Members(pgid int) ([]int, error) { return nil, ErrUnsupported }

// HasEnv reports whether a live process of group pgid has kv in its
// environment; only Linux lets it look: elsewhere it returns
// ErrUnsupported.
func HasEnv(pgid int, kv string) (bool, error) { return false, ErrUnsupported }
