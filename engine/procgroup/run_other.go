//go:build !unix

package procgroup

import (
	"context"
	"time"
)

// Run is not available without process groups: it returns ErrUnsupported.
func Run(ctx context.Context, c Cmd) (int, error) { return -1, ErrUnsupported }

// KillGroup is not available without process groups: it returns
// ErrUnsupported.
func KillGroup(pgid int, grace time.Duration) error { return ErrUnsupported }
