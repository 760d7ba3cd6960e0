package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/merge"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
)

// pickJSON is the one-line JSON answer for one pick (the CLI contract).
type pickJSON struct {
	Commit    string         `json:"commit"`
	Onto      string         `json:"onto"`
	Clean     bool           `json:"clean"`
	Tree      string         `json:"tree"`
	Conflicts []conflictJSON `json:"conflicts"`
	// Result is the new commit of a pick that moved a branch.
	Result string `json:"result,omitempty"`
	// State is the step's state for picks that move a branch.
	State string `json:"state,omitempty"`
}

type conflictJSON struct {
	Path  string `json:"path"`
	Kind  string `json:"kind"`
	Hunks int    `json:"hunks"`
}

func openEngine(ctx context.Context, r repoFlags) (*engine.Engine, error) {
	return engine.Open(ctx, engine.OpenOptions{Dir: r.repo, Config: r.config})
}

func runPick(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "pick")
	var rf repoFlags
	rf.register(fs)
	onto := fs.String("onto", "", "the branch (or, with --dry-run, any revision) to pick onto")
	dry := fs.Bool("dry-run", false, "compute each pick onto REV on its own, writing the result objects only: move no ref, touch no working tree")
	asJSON := fs.Bool("json", false, "print one JSON object per pick, one per line")
	stdin := fs.Bool("stdin", false, "read lines \"ONTO COMMIT\" and answer each in order (implies --dry-run)")
	push := fs.Bool("push", false, "push the moved branch to its remote, only if the remote still holds the value it started from")
	cont := fs.Bool("continue", false, "commit the resolved step and go on")
	skip := fs.Bool("skip", false, "drop the current commit and go on")
	abort := fs.Bool("abort", false, "drop the pick and put everything back as it was")
	fs.Usage = func() {
		fmt.Fprintln(c.stderr, "usage: switchyard pick [--repo DIR] --onto REV COMMIT... [--dry-run] [--json] [--push]")
		fmt.Fprintln(c.stderr, "       switchyard pick [--repo DIR] --stdin [--json]      (lines: ONTO COMMIT)")
		fmt.Fprintln(c.stderr, "       switchyard pick [--repo DIR] --continue | --skip | --abort")
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	commits := fs.Args()
	modes := 0
	for _, b := range []bool{*cont, *skip, *abort} {
		if b {
			modes++
		}
	}
	switch {
	case modes > 1:
		return errors.New("pick: give only one of --continue, --skip, --abort")
	case modes == 1 && (len(commits) > 0 || *onto != "" || *stdin || *dry):
		return errors.New("pick: --continue, --skip and --abort take no commits, --onto, --stdin or --dry-run")
	case modes == 0 && *stdin && (len(commits) > 0 || *onto != ""):
		return errors.New("pick: --stdin reads ONTO COMMIT lines; give no --onto or commits")
	case modes == 0 && !*stdin && *onto == "":
		return errors.New("pick: --onto REV is required (or --stdin, --continue, --skip, --abort)")
	case modes == 0 && !*stdin && len(commits) == 0:
		return errors.New("pick: give the commit(s) to pick after --onto REV")
	case *push && (*dry || *stdin):
		return errors.New("pick: --push moves a branch; it cannot go with --dry-run or --stdin")
	}
	e, err := openEngine(ctx, rf)
	if err != nil {
		return err
	}
	switch {
	case *cont:
		out, err := e.Continue(ctx)
		return reportOutcome(ctx, c, e, out, err, *asJSON)
	case *skip:
		out, err := e.Skip(ctx)
		return reportOutcome(ctx, c, e, out, err, *asJSON)
	case *abort:
		if err := e.Abort(ctx); err != nil {
			return err
		}
		if !*asJSON {
			fmt.Fprintln(c.stdout, "aborted: everything is back as it was")
		}
		return nil
	case *stdin:
		return pickStdin(ctx, c, e, *asJSON)
	case *dry:
		conflicted := false
		w := bufio.NewWriter(c.stdout)
		for _, commit := range commits {
			clean, err := dryRunOne(ctx, w, e, *onto, commit, *asJSON)
			if err != nil {
				return err
			}
			conflicted = conflicted || !clean
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if conflicted {
			return errConflict
		}
		return nil
	}
	out, err := e.Carry(ctx, engine.CarryOptions{To: *onto, Commits: commits, Push: *push})
	return reportOutcome(ctx, c, e, out, err, *asJSON)
}

// pickStdin answers "ONTO COMMIT" lines in order in one process, flushing
// each answer so a caller can pipe requests and read answers in turn.
func pickStdin(ctx context.Context, c *cli, e *engine.Engine, asJSON bool) error {
	sc := bufio.NewScanner(c.stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	w := bufio.NewWriter(c.stdout)
	conflicted := false
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f) != 2 {
			w.Flush()
			return fmt.Errorf("pick --stdin: line %d: want \"ONTO COMMIT\", got %q", line, model.InertLine(text))
		}
		clean, err := dryRunOne(ctx, w, e, f[0], f[1], asJSON)
		if err != nil {
			w.Flush()
			return fmt.Errorf("pick --stdin: line %d: %w", line, err)
		}
		conflicted = conflicted || !clean
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("pick --stdin: %w", err)
	}
	if conflicted {
		return errConflict
	}
	return nil
}

// dryRunOne computes one pick in the object store and prints its answer.
func dryRunOne(ctx context.Context, w io.Writer, e *engine.Engine, onto, commit string, asJSON bool) (bool, error) {
	cc, err := e.CommitInfo(ctx, commit)
	if err != nil {
		return false, err
	}
	oc, err := e.CommitInfo(ctx, onto)
	if err != nil {
		return false, err
	}
	res, err := e.DryRunPick(ctx, cc.ID, oc.ID)
	if err != nil {
		return false, err
	}
	j := pickJSON{Commit: cc.ID, Onto: oc.ID, Clean: res.Clean(), Tree: res.Tree.String(), Conflicts: conflictsJSON(res.Conflicts)}
	if asJSON {
		return res.Clean(), writeJSONLine(w, j)
	}
	if res.Clean() {
		fmt.Fprintf(w, "clean     %s onto %s  tree %s  %s\n", model.ShortID(cc.ID), model.ShortID(oc.ID), j.Tree, model.InertLine(cc.Subject))
		return true, nil
	}
	fmt.Fprintf(w, "conflicts %s onto %s  tree %s  %s\n", model.ShortID(cc.ID), model.ShortID(oc.ID), j.Tree, model.InertLine(cc.Subject))
	for _, k := range j.Conflicts {
		fmt.Fprintf(w, "  %-14s %s%s\n", k.Kind, model.InertLine(k.Path), hunksNote(k.Hunks))
	}
	return false, nil
}

func hunksNote(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " (1 hunk)"
	}
	return fmt.Sprintf(" (%d hunks)", n)
}

func conflictsJSON(cs []merge.Conflict) []conflictJSON {
	out := []conflictJSON{}
	for _, k := range cs {
		out = append(out, conflictJSON{Path: k.Path, Kind: string(k.Kind), Hunks: k.Hunks})
	}
	return out
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// reportOutcome prints what a sequence call did; a stop on conflicts
// returns errConflict (exit status 1).
func reportOutcome(ctx context.Context, c *cli, e *engine.Engine, out *sequence.Outcome, err error, asJSON bool) error {
	if err != nil {
		var ue *sequence.UnresolvedError
		if errors.As(err, &ue) && !asJSON {
			fmt.Fprintf(c.stderr, "switchyard: %s\n", oneLine(err.Error()))
			return errConflict
		}
		return err
	}
	w := bufio.NewWriter(c.stdout)
	defer w.Flush()
	if asJSON {
		return outcomeJSON(w, e, out)
	}
	for i, st := range out.Steps {
		mark := map[sequence.StepState]string{
			sequence.Applied: "applied ", sequence.Empty: "empty   ", sequence.Skipped: "skipped ",
			sequence.Stopped: "CONFLICT", sequence.Pending: "pending ",
		}[st.State]
		res := ""
		if st.Result != "" {
			res = " → " + model.ShortID(st.Result)
		}
		fmt.Fprintf(w, "%s %d/%d %s%s  %s\n", mark, i+1, len(out.Steps), model.ShortID(st.Commit), res, model.InertLine(st.Subject))
	}
	if out.Done {
		fmt.Fprintf(w, "done: %s now at %s", branchName(out), model.ShortID(out.Head))
		if out.Pushed {
			fmt.Fprint(w, " (pushed)")
		}
		fmt.Fprintln(w)
		return nil
	}
	s := out.Session
	fmt.Fprintf(w, "stopped on conflicts in %d file(s):\n", len(s.Files))
	for _, f := range s.Files {
		n, of := f.Resolved()
		fmt.Fprintf(w, "  %-14s %s  %d/%d hunks resolved%s\n", f.Kind, model.InertLine(f.Path), n, of, recordedNote(f))
	}
	if pre, err := e.Prerequisites(ctx); err == nil && len(pre) > 0 {
		fmt.Fprintln(w, "earlier commits touching these files that the target lacks (likely prerequisites):")
		for _, p := range pre {
			fmt.Fprintf(w, "  %s %s\n", p.Short(), model.InertLine(p.Subject))
		}
	}
	fmt.Fprintln(w, "resolve with: switchyard resolve; then switchyard pick --continue (or --skip, --abort)")
	w.Flush()
	return errConflict
}

func branchName(out *sequence.Outcome) string {
	return model.InertLine(strings.TrimPrefix(out.Ref, "refs/heads/"))
}

func recordedNote(f *sequence.File) string {
	n := 0
	for _, h := range f.Hunks() {
		if h.Resolution != nil && h.Resolution.Recorded {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d from a recorded resolution)", n)
}

// outcomeJSON prints one pickJSON line per step.
func outcomeJSON(w io.Writer, e *engine.Engine, out *sequence.Outcome) error {
	for _, st := range out.Steps {
		j := pickJSON{Commit: st.Commit, Clean: st.State != sequence.Stopped, Result: st.Result, State: string(st.State), Conflicts: []conflictJSON{}}
		if st.Result != "" {
			if ci, err := e.CommitInfo(context.Background(), st.Result); err == nil && len(ci.Parents) > 0 {
				j.Onto = ci.Parents[0]
			}
			if t, err := e.Repo().CommitObject(plumbing.NewHash(st.Result)); err == nil {
				j.Tree = t.TreeHash.String()
			}
		}
		if st.State == sequence.Stopped && out.Session != nil {
			j.Onto = out.Session.Head
			j.Tree = out.Session.Merged
			for _, f := range out.Session.Files {
				j.Conflicts = append(j.Conflicts, conflictJSON{Path: f.Path, Kind: f.Kind, Hunks: hunkCount(f)})
			}
		}
		if err := writeJSONLine(w, j); err != nil {
			return err
		}
	}
	return nil
}

func hunkCount(f *sequence.File) int {
	if !f.Lines {
		return 0
	}
	return len(f.Hunks())
}

// parseInterspersed parses flags that may come after positional
// arguments ("resolve a.txt 2 --take ours"); positional arguments are left
// in fs.Args() order via a re-parse.
func parseInterspersed(fs interface {
	Parse([]string) error
	Args() []string
	Name() string
	NArg() int
}, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return fmt.Errorf("%s: %w", fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			pos = append(pos, rest[1:]...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}
