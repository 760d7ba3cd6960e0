package main

import (
	"context"
	"errors"
)

func runPick(ctx context.Context, c *cli, args []string) error {
	return errors.New("pick is not available in this build yet")
}
