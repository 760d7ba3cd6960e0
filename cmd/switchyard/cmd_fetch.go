package main

import (
	"context"
	"errors"
)

func runFetch(ctx context.Context, c *cli, args []string) error {
	return errors.New("fetch is not available in this build yet")
}
