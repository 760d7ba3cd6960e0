package main

import (
	"context"
	"errors"
)

func runStatus(ctx context.Context, c *cli, args []string) error {
	return errors.New("status is not available in this build yet")
}
