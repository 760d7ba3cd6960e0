package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/model"
)

// openHistoryEngine opens the engine for the history commands.
func openHistoryEngine(ctx context.Context, rf repoFlags) (*engine.Engine, error) {
	return engine.Open(ctx, engine.OpenOptions{Dir: rf.repo, Config: rf.config})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runStatus(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "status")
	var rf repoFlags
	rf.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	e, err := openHistoryEngine(ctx, rf)
	if err != nil {
		return err
	}
	st, err := e.Status(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, st)
	}
	printStatus(c.stdout, st)
	return nil
}

func printStatus(w io.Writer, st *engine.Status) {
	fmt.Fprintf(w, "Flow: %s\n\n", strings.Join(st.Flow, " → "))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TRACK\tREF\tHEAD\tDATE\tSUBJECT")
	for _, h := range st.Heads {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", model.InertLine(h.Track), model.InertLine(h.Ref), h.Head.Short(),
			h.Head.Committed.UTC().Format("2006-01-02 15:04"), clip(model.InertLine(h.Head.Subject), 60))
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROMOTION\tPENDING\tHOTFIX\tBUGFIX\tREGULAR\tCARRIED\tONLY IN TO\tOLDEST PENDING")
	for _, p := range st.Pairs {
		oldest := "-"
		if p.OldestPending != nil {
			oldest = p.OldestPending.UTC().Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s → %s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", model.InertLine(p.From), model.InertLine(p.To),
			p.Pending, p.ByKind.Hotfix, p.ByKind.Bugfix, p.ByKind.Regular, p.Carried, p.OnlyInTo, oldest)
	}
	tw.Flush()
	for _, t := range st.Trains {
		fmt.Fprintf(w, "\nTrain %s ← %s: ", model.InertLine(t.Track), model.InertLine(t.Upstream))
		switch {
		case t.Base == nil:
			fmt.Fprintln(w, "no upstream commit is a full cycle old yet")
			continue
		case t.UpToDate:
			fmt.Fprintf(w, "up to date with %s\n", model.ShortID(t.Target))
			continue
		case t.FastForward:
			fmt.Fprintf(w, "fast-forward to %s", model.ShortID(t.Target))
		default:
			fmt.Fprintf(w, "diverged: rebase onto %s needed", model.ShortID(t.Target))
		}
		fmt.Fprintf(w, " (base %s %s, %d bugfix commit(s) after it), brings %d commit(s)\n",
			t.Base.Short(), clip(model.InertLine(t.Base.Subject), 50), len(t.Bugfixes), len(t.Brings))
	}
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
