package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/model"
)

func runRelease(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "release")
	var rf repoFlags
	rf.register(fs)
	track := fs.String("track", "", "the track to build (required)")
	commit := fs.String("commit", "", "the commit to build (default: the track's head); a hotfix is built at once by naming it")
	asJSON := fs.Bool("json", false, "print the build as JSON")
	quiet := fs.Bool("quiet", false, "do not stream the build's output to stderr (it is always in the log file)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *track == "" {
		return fmt.Errorf("release: --track is required (for example --track prod)")
	}
	e, err := openEngine(ctx, rf)
	if err != nil {
		return err
	}
	// The build's output goes to stderr as it comes, so stdout holds only
	// the result.
	var wg sync.WaitGroup
	sub, stop := context.WithCancel(ctx)
	if !*quiet {
		events := e.Subscribe(sub)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range events {
				if ev.Source == "build" && ev.Kind == "log" {
					fmt.Fprintf(c.stderr, "│ %s\n", model.InertLine(ev.Text))
				}
			}
		}()
	}
	r, err := e.Release(ctx, engine.ReleaseOptions{Track: *track, Commit: *commit})
	stop()
	wg.Wait()
	if r.Number == 0 {
		return err
	}
	if *asJSON {
		if jerr := writeJSON(c.stdout, r); jerr != nil {
			return jerr
		}
		return err
	}
	fmt.Fprintf(c.stdout, "build %s of %s at %s\n", model.InertLine(r.Folder()), model.InertLine(r.Track), model.ShortID(r.Source))
	fmt.Fprintf(c.stdout, "bin commit %s\n", r.BinCommit)
	fmt.Fprintf(c.stdout, "log %s\n", model.InertLine(r.Log))
	return err
}
