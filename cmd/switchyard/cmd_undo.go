package main

import (
	"context"
	"errors"
)

func runUndo(ctx context.Context, c *cli, args []string) error {
	return errors.New("undo is not available in this build yet")
}
