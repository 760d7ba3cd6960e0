package traffic

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

// Command drives traffic (and, if it wants, the slots) with any script:
// kubectl, a load balancer's API. It runs Argv with SWITCHYARD_ENV,
// SWITCHYARD_ACTION and, by action:
//
//   - set: SWITCHYARD_BLUE_WEIGHT, SWITCHYARD_GREEN_WEIGHT,
//     SWITCHYARD_BLUE_BUILD, SWITCHYARD_GREEN_BUILD; exit 0 when applied.
//   - status: prints the green weight in force (an integer, 0..100) on its
//     last line of output; exit non-zero or no number means unknown.
//   - deploy / stop: SWITCHYARD_SLOT and (deploy) SWITCHYARD_BUILD.
type Command struct {
	Env     string
	Argv    []string
	Timeout time.Duration // per run; default 5m
	Dir     string
}

func (c *Command) run(ctx context.Context, env ...string) (string, int, error) {
	t := c.Timeout
	if t <= 0 {
		t = 5 * time.Minute
	}
	var out bytes.Buffer
	code, err := provider.Run(ctx, provider.RunOptions{Argv: c.Argv, Dir: c.Dir, Timeout: t, Stdout: &out,
		Env: append([]string{"SWITCHYARD_ENV=" + c.Env}, env...)})
	return out.String(), code, err
}

// Set implements provider.Traffic.
func (c *Command) Set(ctx context.Context, s provider.Split) error {
	if err := s.Validate(); err != nil {
		return err
	}
	out, code, err := c.run(ctx, "SWITCHYARD_ACTION=set",
		"SWITCHYARD_BLUE_WEIGHT="+strconv.Itoa(s.Blue), "SWITCHYARD_GREEN_WEIGHT="+strconv.Itoa(s.Green),
		"SWITCHYARD_BLUE_BUILD="+strconv.Itoa(s.BlueBuild), "SWITCHYARD_GREEN_BUILD="+strconv.Itoa(s.GreenBuild))
	if err != nil {
		return fmt.Errorf("traffic command: %w", err)
	}
	if code != 0 {
		return fmt.Errorf("traffic command: exit status %d: %s", code, tail(out))
	}
	return nil
}

// Actual implements provider.Traffic with the status action.
func (c *Command) Actual(ctx context.Context) (provider.Split, error) {
	out, code, err := c.run(ctx, "SWITCHYARD_ACTION=status")
	if err != nil || code != 0 {
		return provider.Split{}, fmt.Errorf("traffic command status: %w (exit %d, %v)", provider.ErrUnknown, code, err)
	}
	g, perr := strconv.Atoi(tail(out))
	if perr != nil || g < 0 || g > 100 {
		return provider.Split{}, fmt.Errorf("traffic command status: %w: last line %q is not a green weight", provider.ErrUnknown, tail(out))
	}
	return provider.Split{Blue: 100 - g, Green: g}, nil
}

// Deploy implements provider.Slots.
func (c *Command) Deploy(ctx context.Context, slot model.Color, build int) error {
	return c.slot(ctx, "deploy", slot, build)
}

// Stop implements provider.Slots.
func (c *Command) Stop(ctx context.Context, slot model.Color) error {
	return c.slot(ctx, "stop", slot, 0)
}

func (c *Command) slot(ctx context.Context, action string, slot model.Color, build int) error {
	out, code, err := c.run(ctx, "SWITCHYARD_ACTION="+action, "SWITCHYARD_SLOT="+string(slot), "SWITCHYARD_BUILD="+strconv.Itoa(build))
	if err != nil {
		return fmt.Errorf("traffic command %s: %w", action, err)
	}
	if code != 0 {
		return fmt.Errorf("traffic command %s: exit status %d: %s", action, code, tail(out))
	}
	return nil
}

func tail(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
