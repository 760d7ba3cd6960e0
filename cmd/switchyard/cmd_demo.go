package main

import (
	"context"
	"errors"
)

func runDemo(ctx context.Context, c *cli, args []string) error {
	return errors.New("demo is not available in this build yet")
}
