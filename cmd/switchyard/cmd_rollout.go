package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/rollout"
	"github.com/switchyard/switchyard/model"
)

const rolloutUsage = "rollout start|promote|approve|abort|status --env NAME [--build N] [--json] [--watch]"

func runRollout(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(c.stdout, "usage: switchyard "+rolloutUsage)
			return nil
		}
		return fmt.Errorf("usage: switchyard %s", rolloutUsage)
	}
	action := args[0]
	switch action {
	case "start", "promote", "approve", "abort", "status":
	default:
		return fmt.Errorf("rollout: unknown action %q (start, promote, approve, abort or status)", model.InertLine(action))
	}
	fs := newFlags(c, "rollout "+action)
	var rf repoFlags
	rf.register(fs)
	env := fs.String("env", "", "the environment (required)")
	build := fs.Int("build", 0, "start: the build to roll out")
	asJSON := fs.Bool("json", false, "print the rollout status as JSON")
	watch := fs.Bool("watch", false, "keep printing until the rollout ends")
	back := fs.Bool("allow-backwards", false, "start: allow a build not newer than the live one (needs --confirm)")
	confirm := fs.String("confirm", "", "start: the environment's name, typed to confirm --allow-backwards")
	reason := fs.String("reason", "", "abort: why")
	if err := parse(fs, args[1:], false); err != nil {
		return err
	}
	if *env == "" {
		return fmt.Errorf("rollout %s: --env is required", action)
	}
	if *build < 0 {
		return fmt.Errorf("rollout %s: --build %d is not a build number", action, *build)
	}
	if action != "start" && (*build != 0 || *back || *confirm != "") {
		return fmt.Errorf("rollout %s: --build, --allow-backwards and --confirm only go with start", action)
	}
	if *back && *confirm == "" {
		return fmt.Errorf("rollout start: --allow-backwards needs --confirm %s (type the environment's name)", *env)
	}
	e, err := engine.Open(ctx, engine.OpenOptions{Dir: rf.repo, Config: rf.config})
	if err != nil {
		return err
	}
	defer e.CloseRollouts()
	p := &printer{w: c.stdout, quiet: *asJSON}
	var st *rollout.Status
	switch action {
	case "status":
		st, err = e.RolloutStatus(ctx, *env)
		if errors.Is(err, rollout.ErrNoRollout) {
			live, lerr := e.LiveOn(ctx, *env)
			if lerr != nil {
				return lerr
			}
			if *asJSON {
				return rolloutJSON(c.stdout, map[string]any{"env": *env, "state": model.RolloutIdle, "live_build": live})
			}
			if live > 0 {
				fmt.Fprintf(c.stdout, "%s: no rollout recorded; live build %d (from the bin symlink when first seen)\n", *env, live)
			} else {
				fmt.Fprintf(c.stdout, "%s: no rollout recorded; live build unknown\n", *env)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if !*asJSON {
			printRollout(c.stdout, st)
		}
	case "start":
		st, err = startRollout(ctx, e, p, *env, engine.StartOptions{Build: *build, AllowBackwards: *back, Confirm: *confirm})
		if errors.Is(err, rollout.ErrBusy) {
			if !*watch {
				return fmt.Errorf("rollout start: %w (the cockpit or another command); follow it with 'switchyard rollout status --env %s --watch'", err, *env)
			}
			p.line("another controller drives this rollout; watching it")
			st, err = e.RolloutStatus(ctx, *env)
		}
	case "promote", "approve", "abort":
		if cur, lerr := e.RolloutStatus(ctx, *env); lerr == nil && cur.Running {
			p.line("another controller drives this rollout: the request is left for it")
		}
		st, err = p.drive(ctx, e, *env, func() (*rollout.Status, error) {
			a := engine.RolloutAction{Reason: *reason, Wait: true}
			switch action {
			case "promote":
				return e.Promote(ctx, *env, a)
			case "approve":
				return e.Approve(ctx, *env, a)
			}
			return e.AbortRollout(ctx, *env, a)
		})
	}
	if err != nil {
		return err
	}
	if *watch && !st.State.Terminal() {
		st, err = p.watch(ctx, e, *env, st)
		if err != nil {
			return err
		}
	}
	if *asJSON {
		if err := rolloutJSON(c.stdout, st); err != nil {
			return err
		}
	} else if action != "status" {
		fmt.Fprintln(c.stdout, summary(st))
	}
	switch st.State {
	case model.RolloutAborted, model.RolloutFailed:
		if action != "abort" && action != "status" {
			return fmt.Errorf("rollout of build %d on %s %s: %s", st.Build, st.Env, st.State, st.Reason)
		}
	}
	return nil
}

// startRollout starts a rollout, or resumes the one in flight when it is
// of the same build, and drives it.
func startRollout(ctx context.Context, e *engine.Engine, p *printer, env string, opts engine.StartOptions) (*rollout.Status, error) {
	return p.drive(ctx, e, env, func() (*rollout.Status, error) {
		cur, err := e.RolloutStatus(ctx, env)
		if err == nil && (cur.InFlight() || cur.State == model.RolloutPaused) && (opts.Build == 0 || opts.Build == cur.Build) {
			p.line(fmt.Sprintf("resuming the rollout of build %d (%s)", cur.Build, cur.State))
			return e.RunRollout(ctx, env)
		}
		if err != nil && !errors.Is(err, rollout.ErrNoRollout) {
			return nil, err
		}
		if _, err := e.StartRollout(ctx, env, opts); err != nil {
			return nil, err
		}
		return e.RunRollout(ctx, env)
	})
}

// printer prints rollout transitions as they happen.
type printer struct {
	w     io.Writer
	quiet bool
	seen  int // history entries printed
}

func (p *printer) line(s string) {
	if !p.quiet {
		fmt.Fprintf(p.w, "%s  %s\n", time.Now().Format("15:04:05"), model.InertLine(s))
	}
}

// drive runs do while printing the rollout events it publishes.
func (p *printer) drive(ctx context.Context, e *engine.Engine, env string, do func() (*rollout.Status, error)) (*rollout.Status, error) {
	if before, err := e.RolloutStatus(ctx, env); err == nil {
		p.seen = len(before.History)
	}
	sub, cancel := context.WithCancel(ctx)
	events := e.Subscribe(sub)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			if st, ok := ev.Data.(*rollout.Status); ok && ev.Env == env {
				p.history(st)
			}
		}
	}()
	st, err := do()
	cancel()
	<-done
	if st != nil {
		p.history(st)
	}
	return st, err
}

func (p *printer) history(st *rollout.Status) {
	if p.seen > len(st.History) {
		p.seen = 0 // a new rollout
	}
	for _, h := range st.History[p.seen:] {
		text := h.Text
		if h.Actor != "" && !strings.Contains(text, h.Actor) {
			text += " (" + h.Actor + ")"
		}
		p.line(fmt.Sprintf("%-9s %s", h.To, text))
	}
	p.seen = len(st.History)
}

// watch prints the recorded rollout until it ends.
func (p *printer) watch(ctx context.Context, e *engine.Engine, env string, st *rollout.Status) (*rollout.Status, error) {
	if st.State == model.RolloutPaused {
		p.line("waiting: " + st.Reason)
	}
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for !st.State.Terminal() {
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-t.C:
		}
		cur, err := e.RolloutStatus(ctx, env)
		if err != nil {
			return st, err
		}
		p.history(cur)
		st = cur
		if st.InFlight() && !st.Running && st.State != model.RolloutPaused {
			// Nobody drives it (the cockpit that did was closed): drive it here.
			if cur, err := e.RunRollout(ctx, env); err == nil {
				p.history(cur)
				st = cur
			} else if !errors.Is(err, rollout.ErrBusy) {
				return st, err
			}
		}
	}
	return st, nil
}

func summary(st *rollout.Status) string {
	switch st.State {
	case model.RolloutPaused:
		return fmt.Sprintf("%s: build %d paused, waiting for %s: %s", st.Env, st.Build, st.Waiting, model.InertLine(st.Reason))
	case model.RolloutDone:
		return fmt.Sprintf("%s: build %d is live on %s", st.Env, st.Build, st.Target)
	case model.RolloutAborted:
		return fmt.Sprintf("%s: rollout of build %d aborted; build %d serves on %s", st.Env, st.Build, st.From, st.Live)
	}
	return fmt.Sprintf("%s: build %d %s", st.Env, st.Build, st.State)
}

func printRollout(w io.Writer, st *rollout.Status) {
	fmt.Fprintf(w, "%s: rollout of build %d over build %d — %s", st.Env, st.Build, st.From, st.State)
	if st.Running {
		fmt.Fprint(w, " (a controller is driving it)")
	} else if st.InFlight() && st.State != model.RolloutPaused {
		fmt.Fprint(w, " (no controller running: 'rollout start' resumes it)")
	}
	fmt.Fprintln(w)
	if st.Reason != "" {
		fmt.Fprintf(w, "  reason:  %s\n", model.InertLine(st.Reason))
	}
	if st.Waiting != "" {
		fmt.Fprintf(w, "  waiting: %s\n", st.Waiting)
	}
	actual := "unknown"
	if st.ActualKnown {
		actual = fmt.Sprintf("%d%%", st.Actual)
	}
	fmt.Fprintf(w, "  traffic on %s: desired %d%%, actual %s\n", st.Target, st.Desired, actual)
	if want, got, ok := st.Adoption(); ok {
		fmt.Fprintf(w, "  nodes on build %d: desired %.0f%%, actual %d of %d (%.1f%%) at %s\n", st.Build, want, st.Fleet.On(st.Build), st.Fleet.Nodes, got, st.FleetTime.Local().Format("15:04:05"))
	}
	for i, wv := range st.Waves {
		mark := " "
		if i == st.Wave && !st.State.Terminal() {
			mark = ">"
		}
		pass, fail, inc := wv.Tally()
		extra := ""
		if wv.Approval {
			extra = " approval"
			if wv.Approved {
				extra += " granted"
			}
		}
		fmt.Fprintf(w, "  %s wave %d %3d%%  %d/%d measured (pass %d, fail %d, inconclusive %d) %s%s\n", mark, i+1, wv.Weight, len(wv.Measurements), wv.Count, pass, fail, inc, wv.Verdict, extra)
	}
	for _, g := range st.Gates {
		fmt.Fprintf(w, "  gate %-12s %-8s %s\n", model.InertLine(g.Name), g.State, g.Log)
	}
}

func rolloutJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
