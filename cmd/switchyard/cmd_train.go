package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/model"
)

func runTrain(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "train")
	var rf repoFlags
	rf.register(fs)
	track := fs.String("track", "", "the downstream track to move (e.g. prod)")
	yes := fs.Bool("yes", false, "run without asking")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	push := fs.Bool("push", false, "push the moved track to its remote with a lease")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *track == "" {
		return errors.New("train: --track NAME is required (the downstream track, e.g. --track prod)")
	}
	e, err := openEngine(ctx, rf)
	if err != nil {
		return err
	}
	cand, err := e.Train(ctx, *track)
	if err != nil {
		return err
	}
	if !*yes && !cand.UpToDate && cand.Target != "" {
		how := "fast-forward"
		if cand.Diverged {
			how = "rebase (the track has diverged)"
		}
		q := fmt.Sprintf("train %s: %s to %s, bringing %d commit(s)?", model.InertLine(*track), how, model.ShortID(cand.Target), len(cand.Brings))
		if !confirm(c, q) {
			return errors.New("train: not confirmed (answer y, or pass --yes)")
		}
	}
	run, err := e.RunTrain(ctx, engine.TrainOptions{Track: *track, Expect: cand, Push: *push})
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSONLine(c.stdout, run); err != nil {
			return err
		}
		if run.Outcome != nil && !run.Outcome.Done {
			return errConflict
		}
		return nil
	}
	if run.How == "up-to-date" {
		fmt.Fprintf(c.stdout, "train %s: already up to date with %s\n", model.InertLine(*track), model.ShortID(cand.Target))
		return nil
	}
	fmt.Fprintf(c.stdout, "train %s: %s to %s\n", model.InertLine(*track), run.How, model.ShortID(cand.Target))
	return reportOutcome(ctx, c, e, run.Outcome, nil, false)
}
