package main

import (
	"context"
	"errors"
)

func runRollout(ctx context.Context, c *cli, args []string) error {
	return errors.New("rollout is not available in this build yet")
}
