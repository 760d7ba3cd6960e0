package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/switchyard/switchyard/model"
)

// The JSON contract of switchyard pending --json. Other tools depend on
// these names: change them only with a new contract.
type pendingJSON struct {
	From     string          `json:"from"`
	To       string          `json:"to"`
	Pending  []pendingCommit `json:"pending"`
	Carried  []carriedJSON   `json:"carried"`
	OnlyInTo []onlyInToJSON  `json:"only_in_to"`
}

type pendingCommit struct {
	Commit  string `json:"commit"`
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Author  string `json:"author"`
	Date    string `json:"date"` // author date, RFC 3339
}

type carriedJSON struct {
	Commit string `json:"commit"`
	As     string `json:"as"`
	How    string `json:"how"`
}

type onlyInToJSON struct {
	Commit  string `json:"commit"`
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
}

func pendingContract(p *model.Pending) pendingJSON {
	out := pendingJSON{From: p.From, To: p.To, Pending: []pendingCommit{}, Carried: []carriedJSON{}, OnlyInTo: []onlyInToJSON{}}
	for _, c := range p.Pending {
		out.Pending = append(out.Pending, pendingCommit{Commit: c.ID, Kind: c.Kind.String(), Subject: c.Subject, Author: c.Author, Date: c.Date.Format(time.RFC3339)})
	}
	for _, c := range p.Carried {
		out.Carried = append(out.Carried, carriedJSON{Commit: c.Commit, As: c.As, How: string(c.How)})
	}
	for _, c := range p.OnlyInTo {
		out.OnlyInTo = append(out.OnlyInTo, onlyInToJSON{Commit: c.ID, Kind: c.Kind.String(), Subject: c.Subject})
	}
	return out
}

func runPending(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "pending")
	var rf repoFlags
	rf.register(fs)
	from := fs.String("from", "", "the upstream track (default: the first track)")
	to := fs.String("to", "", "the downstream track (default: the track after --from)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	e, err := openHistoryEngine(ctx, rf)
	if err != nil {
		return err
	}
	flow := e.Flow()
	if *from == "" {
		if *to != "" {
			up, ok := flow.Upstream(*to)
			if !ok {
				if _, err := flow.Track(*to); err != nil {
					return err
				}
				return fmt.Errorf("pending: track %s has no upstream track (pass --from)", *to)
			}
			*from = up.Name
		} else {
			*from = flow[0].Name
		}
	}
	if *to == "" {
		down, ok := flow.Downstream(*from)
		if !ok {
			if _, err := flow.Track(*from); err != nil {
				return err
			}
			return fmt.Errorf("pending: track %s has no downstream track (pass --to)", *from)
		}
		*to = down.Name
	}
	p, err := e.Pending(ctx, *from, *to)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, pendingContract(p))
	}
	printPending(c.stdout, p)
	return nil
}

func printPending(w io.Writer, p *model.Pending) {
	from, to := model.InertLine(p.From), model.InertLine(p.To)
	fmt.Fprintf(w, "%d commit(s) on %s waiting for %s, oldest first:\n", len(p.Pending), from, to)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(p.Pending) > 0 {
		fmt.Fprintln(tw, "COMMIT\tKIND\tDATE\tAUTHOR\tSUBJECT")
	}
	for _, c := range p.Pending {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Short(), c.Kind, c.Date.UTC().Format("2006-01-02"),
			clip(model.InertLine(c.Author), 24), clip(model.InertLine(c.Subject), 72))
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d commit(s) of %s already on %s under another id:\n", len(p.Carried), from, to)
	for _, c := range p.Carried {
		fmt.Fprintf(w, "  %s as %s (%s)\n", model.ShortID(c.Commit), model.ShortID(c.As), c.How)
	}
	fmt.Fprintf(w, "\n%d commit(s) only on %s:\n", len(p.OnlyInTo), to)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range p.OnlyInTo {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Short(), c.Kind, clip(model.InertLine(c.Subject), 72))
	}
	tw.Flush()
}
