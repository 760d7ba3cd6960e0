//go:build !unix

package procgroup

import "context"

// Run is not available without process groups: it returns ErrUnsupported.
func Run(ctx context.Context, c Cmd) (int, error) { return -1, ErrUnsupported }
