package main

import (
	"context"
	"errors"
)

func runPending(ctx context.Context, c *cli, args []string) error {
	return errors.New("pending is not available in this build yet")
}
