package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/switchyard/switchyard/engine/config"
	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/model"
)

func runJournal(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "journal")
	var rf repoFlags
	rf.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	since := fs.String("since", "", "only entries this recent (90s, 10m, 24h, 7d)")
	var f journal.Filter
	fs.StringVar(&f.Kind, "kind", "", "only entries of this kind (build, bin, pick, train, rollout, notify, ...)")
	fs.StringVar(&f.Track, "track", "", "only entries about this track")
	fs.StringVar(&f.Env, "env", "", "only entries about this environment")
	fs.IntVar(&f.Limit, "limit", 0, "only the last N entries")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if f.Limit < 0 {
		return fmt.Errorf("journal: --limit %d must not be negative", f.Limit)
	}
	if *since != "" {
		d, err := config.ParseDuration(*since)
		if err != nil {
			return fmt.Errorf("journal: --since: %w", err)
		}
		f.Since = time.Now().Add(-d)
	}
	e, err := openEngine(ctx, rf)
	if err != nil {
		return err
	}
	entries, err := e.ReadJournal(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetEscapeHTML(false)
		for _, en := range entries {
			if err := enc.Encode(en); err != nil {
				return err
			}
		}
		return nil
	}
	printJournal(c.stdout, entries)
	return nil
}

func printJournal(w io.Writer, entries []journal.Entry) {
	if len(entries) == 0 {
		fmt.Fprintln(w, "No journal entries.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UTC)\tACTOR\tKIND\tACTION\tWHERE\tMESSAGE")
	for _, en := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", en.Time.UTC().Format("2006-01-02 15:04:05"),
			clip(model.InertLine(en.Actor), 30), model.InertLine(en.Kind), model.InertLine(en.Action),
			model.InertLine(where(en)), clip(model.InertLine(en.Message), 80))
	}
	tw.Flush()
}

// where says what an entry concerns: track, environment, build, commit.
func where(en journal.Entry) string {
	var parts []string
	if en.Track != "" {
		parts = append(parts, en.Track)
	}
	if en.Env != "" {
		parts = append(parts, en.Env)
	}
	if en.Build > 0 {
		parts = append(parts, "#"+strconv.Itoa(en.Build))
	}
	if en.Commit != "" {
		parts = append(parts, model.ShortID(en.Commit))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
