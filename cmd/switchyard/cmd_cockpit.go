package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/watch"
	"github.com/switchyard/switchyard/tui"
	"github.com/switchyard/switchyard/tui/theme"
)

// runCockpit opens the cockpit: switchyard [--repo DIR] [--config FILE].
func runCockpit(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "")
	var rf repoFlags
	rf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(c.stderr, "Usage: switchyard [--repo DIR] [--config FILE]")
		fmt.Fprintln(c.stderr, "Opens the release cockpit on the repository (default: the current folder).")
		fs.PrintDefaults()
	}
	if err := parse(fs, args, false); err != nil {
		return err
	}
	return cockpit(ctx, c, rf.repo, rf.config)
}

// openCockpit opens the cockpit on the repository in repoDir with its own
// switchyard.toml (the demo sandbox's source repo).
func openCockpit(ctx context.Context, c *cli, repoDir string) error {
	return cockpit(ctx, c, repoDir, "")
}

// errNoTerminal: the cockpit needs a terminal; scripts use the subcommands.
var errNoTerminal = errors.New("the cockpit needs a terminal (for scripts use the subcommands: switchyard help)")

func cockpit(ctx context.Context, c *cli, repo, config string) error {
	in, out := os.Stdin, os.Stdout
	if c.stdin != os.Stdin || c.stdout != os.Stdout || !term.IsTerminal(in.Fd()) || !term.IsTerminal(out.Fd()) {
		return errNoTerminal
	}
	eng, err := engine.Open(ctx, engine.OpenOptions{Dir: repo, Config: config})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := tui.Options{NoColor: theme.NoColor()}
	// Without a watcher the cockpit still works; it refreshes on its own
	// actions and on ctrl+r only.
	if w, err := watch.Start(ctx, watch.Options{GitDir: eng.GitDir(), Publish: eng.Events().Publish}); err == nil {
		opts.Watch = w
	}
	m := tui.New(eng, opts)
	defer m.Close()
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("cockpit: %w", err)
	}
	return nil
}
