package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/binrepo"
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
	list := fs.Bool("list", false, "list the track's builds in the bin repo instead of building")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *track == "" {
		return fmt.Errorf("release: --track is required (for example --track prod)")
	}
	if *list && *commit != "" {
		return fmt.Errorf("release: --list and --commit do not go together")
	}
	e, err := openEngine(ctx, rf)
	if err != nil {
		return err
	}
	if *list {
		return listBuilds(ctx, c, e, *track, *asJSON)
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
	if r.Live {
		fmt.Fprintf(c.stdout, "live: the %s symlink names it\n", model.InertLine(r.Name))
	} else {
		fmt.Fprintf(c.stdout, "not switched: %s rolls it out (switchyard rollout start --env %s)\n",
			model.InertLine(strings.Join(r.RolledOutBy, ", ")), model.InertLine(r.RolledOutBy[0]))
	}
	fmt.Fprintf(c.stdout, "log %s\n", model.InertLine(r.Log))
	return err
}

// buildJSON is one line of release --list --json.
type buildJSON struct {
	model.Build
	Live bool `json:"live"`
}

func listBuilds(ctx context.Context, c *cli, e *engine.Engine, track string, asJSON bool) error {
	builds, err := e.Builds(ctx, track)
	if err != nil {
		return err
	}
	live := 0
	if b, err := e.LiveBuild(ctx, track); err == nil {
		live = b.Number
	} else if !errors.Is(err, binrepo.ErrNoLive) {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetEscapeHTML(false)
		for _, b := range builds {
			if err := enc.Encode(buildJSON{Build: b, Live: b.Number == live}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(builds) == 0 {
		fmt.Fprintf(c.stdout, "No builds of %s yet.\n", model.InertLine(track))
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BUILD\tLIVE\tSOURCE\tTIME (UTC)\tBIN COMMIT")
	for _, b := range builds {
		mark := ""
		if b.Number == live {
			mark = "*"
		}
		when := "-"
		if !b.Time.IsZero() {
			when = b.Time.UTC().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", model.InertLine(b.Folder()), mark, model.ShortID(model.InertLine(b.Source)), when, model.ShortID(b.BinCommit))
	}
	return tw.Flush()
}
