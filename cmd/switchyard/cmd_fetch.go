package main

import (
	"context"
	"fmt"
)

func runFetch(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "fetch")
	var rf repoFlags
	rf.register(fs)
	remote := fs.String("remote", "", "fetch only this remote (default: every remote a track follows)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	e, err := openHistoryEngine(ctx, rf)
	if err != nil {
		return err
	}
	if err := e.Fetch(ctx, *remote); err != nil {
		return err
	}
	for _, t := range e.Flow() {
		if t.Remote == "" || (*remote != "" && t.Remote != *remote) {
			continue
		}
		h, err := e.Head(ctx, t.Name)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s\t%s\t%s\n", t.Name, t.Ref(), h.Short())
	}
	return nil
}
