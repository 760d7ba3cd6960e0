package main

import (
	"context"
	"errors"
)

func runRelease(ctx context.Context, c *cli, args []string) error {
	return errors.New("release is not available in this build yet")
}
