package main

import (
	"context"
	"errors"
)

func runTrain(ctx context.Context, c *cli, args []string) error {
	return errors.New("train is not available in this build yet")
}
