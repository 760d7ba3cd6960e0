package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchyard/switchyard/engine/demo"
	"github.com/switchyard/switchyard/model"
)

// runDemo builds the demo sandbox and shows it.
func runDemo(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "demo")
	var opts demo.Options
	var noOpen bool
	fs.StringVar(&opts.Dir, "dir", "", "sandbox folder, new or empty (default: a new folder under the temp dir)")
	fs.StringVar(&opts.Flow, "flow", demo.FlowTwo, "two (dev → prod) or three (master → dev → prod)")
	fs.StringVar(&opts.FailGate, "fail-gate", "", "make the acceptance gate fail in this environment")
	fs.BoolVar(&noOpen, "no-open", false, "only build the sandbox and print its path")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	sb, err := demo.Build(ctx, opts)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if noOpen {
		fmt.Fprintln(c.stdout, model.InertLine(sb.Dir))
		return nil
	}
	fmt.Fprintf(c.stdout, "sandbox: %s\n", model.InertLine(sb.Dir))
	return openOrStatus(ctx, c, sb.Src)
}

// openOrStatus opens the cockpit on the sandbox's source repo; without a
// terminal (a script, a test) it prints what the status command prints.
func openOrStatus(ctx context.Context, c *cli, repoDir string) error {
	err := openCockpit(ctx, c, repoDir)
	if errors.Is(err, errNoTerminal) {
		return runStatus(ctx, c, []string{"--repo", repoDir})
	}
	return err
}
