package main

import (
	"context"
	"errors"
)

func runCockpit(ctx context.Context, c *cli, args []string) error {
	return errors.New("cockpit is not available in this build yet")
}
