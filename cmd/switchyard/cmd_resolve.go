package main

import (
	"context"
	"errors"
)

func runResolve(ctx context.Context, c *cli, args []string) error {
	return errors.New("resolve is not available in this build yet")
}
