package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/switchyard/switchyard/model"
)

func runUndo(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "undo")
	var rf repoFlags
	rf.register(fs)
	yes := fs.Bool("yes", false, "restore without asking")
	asJSON := fs.Bool("json", false, "print what was restored as JSON")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	e, err := openEngine(ctx, rf)
	if err != nil {
		return err
	}
	r, err := e.LastRelease(ctx)
	if err != nil {
		return err
	}
	if r == nil {
		return errors.New("undo: no completed carry or train to undo")
	}
	branch := strings.TrimPrefix(r.Ref, "refs/heads/")
	what := fmt.Sprintf("%s of %s at %s: move %s back from %s to %s", r.Op, model.InertLine(branch),
		r.At.Local().Format("2006-01-02 15:04"), model.InertLine(branch), model.ShortID(r.After), model.ShortID(r.Before))
	if !*yes {
		if !confirm(c, "undo the "+what+"?") {
			return errors.New("undo: not confirmed (answer y, or pass --yes)")
		}
	}
	r, err = e.UndoRelease(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSONLine(c.stdout, r)
	}
	fmt.Fprintf(c.stdout, "restored %s to %s\n", model.InertLine(branch), model.ShortID(r.Before))
	return nil
}

// confirm asks a yes/no question on stderr and reads the answer from
// stdin; anything but y/yes (including end of input) is no.
func confirm(c *cli, question string) bool {
	fmt.Fprintf(c.stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(c.stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}
