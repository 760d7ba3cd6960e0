package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
)

// resolveFileJSON is one conflicted file in `resolve --json`.
type resolveFileJSON struct {
	Path     string      `json:"path"`
	Kind     string      `json:"kind"`
	Resolved int         `json:"resolved"`
	Hunks    int         `json:"hunks"`
	Choices  []string    `json:"choices"` // per hunk: "" unresolved, else the choice
	Recorded []bool      `json:"recorded"`
	Whole    *string     `json:"whole,omitempty"`
	Extra    interface{} `json:"-"`
}

type resolveJSON struct {
	Op       string            `json:"op"`
	Ref      string            `json:"ref"`
	Step     int               `json:"step"` // 1-based
	Steps    int               `json:"steps"`
	Commit   string            `json:"commit"`
	Subject  string            `json:"subject"`
	Resolved int               `json:"resolved"`
	Files    []resolveFileJSON `json:"files"`
}

func runResolve(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "resolve")
	var rf repoFlags
	rf.register(fs)
	take := fs.String("take", "", "resolve with ours, theirs, both or base")
	file := fs.String("file", "", "resolve with the content of this file (- for standard input)")
	undo := fs.Bool("undo", false, "take back the last resolution")
	asJSON := fs.Bool("json", false, "print the session as JSON")
	preview := fs.Bool("preview", false, "with show: print the file as resolved so far")
	fs.Usage = func() {
		fmt.Fprintln(c.stderr, "usage: switchyard resolve                          list conflicted files and hunks, n of m resolved")
		fmt.Fprintln(c.stderr, "       switchyard resolve show PATH [HUNK] [--preview]")
		fmt.Fprintln(c.stderr, "       switchyard resolve PATH [HUNK] --take ours|theirs|both|base")
		fmt.Fprintln(c.stderr, "       switchyard resolve PATH [HUNK] --file EDITED")
		fmt.Fprintln(c.stderr, "       switchyard resolve --undo")
		fmt.Fprintln(c.stderr, "Hunks are numbered from 1; without HUNK the whole file is resolved.")
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		return err
	}
	pos := fs.Args()
	e, err := openEngine(ctx, rf)
	if err != nil {
		return err
	}
	if *undo {
		if len(pos) > 0 || *take != "" || *file != "" {
			return errors.New("resolve: --undo takes nothing else")
		}
		path, err := e.UndoResolution(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "took back the last resolution of %s\n", model.InertLine(path))
		return nil
	}
	if len(pos) == 0 {
		if *take != "" || *file != "" {
			return errors.New("resolve: name the file to resolve: switchyard resolve PATH [HUNK] --take ours")
		}
		return resolveList(ctx, c, e, *asJSON)
	}
	if pos[0] == "show" {
		if len(pos) < 2 || len(pos) > 3 {
			return errors.New("resolve show: usage: switchyard resolve show PATH [HUNK]")
		}
		hunk := 0
		if len(pos) == 3 {
			if hunk, err = parseHunk(pos[2]); err != nil {
				return err
			}
		}
		return resolveShow(ctx, c, e, pos[1], hunk, *preview)
	}
	if len(pos) > 2 {
		return fmt.Errorf("resolve: unexpected argument %q", model.InertLine(pos[2]))
	}
	path := pos[0]
	hunk := 0
	if len(pos) == 2 {
		if hunk, err = parseHunk(pos[1]); err != nil {
			return err
		}
	}
	if (*take == "") == (*file == "") {
		return errors.New("resolve: give exactly one of --take ours|theirs|both|base or --file EDITED")
	}
	var choice sequence.Choice
	var text []byte
	if *take != "" {
		if choice, err = sequence.ParseChoice(*take); err != nil || choice == sequence.Edited {
			return fmt.Errorf("resolve: --take %q: want ours, theirs, both or base", model.InertLine(*take))
		}
	} else {
		choice = sequence.Edited
		if text, err = readInput(c, *file); err != nil {
			return err
		}
	}
	if hunk > 0 {
		err = e.ResolveHunk(ctx, path, hunk-1, choice, text)
	} else {
		err = e.ResolveFile(ctx, path, choice, text)
	}
	if err != nil {
		return err
	}
	s, err := e.Session(ctx)
	if err != nil || s == nil {
		return err
	}
	f, err := s.File(path)
	if err != nil {
		return err
	}
	n, of := f.Resolved()
	done, files := s.Resolved()
	fmt.Fprintf(c.stdout, "%s: %d/%d hunks resolved; %d of %d files resolved\n", model.InertLine(path), n, of, done, files)
	if done == files {
		fmt.Fprintln(c.stdout, "all resolved: switchyard pick --continue")
	}
	return nil
}

func parseHunk(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("resolve: hunk %q: want a number from 1", model.InertLine(s))
	}
	return n, nil
}

func readInput(c *cli, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(c.stdin)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("resolve: --file: %w", err)
	}
	return b, nil
}

func session(ctx context.Context, e *engine.Engine) (*sequence.Session, error) {
	s, err := e.Session(ctx)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, sequence.ErrNoSession
	}
	return s, nil
}

func resolveList(ctx context.Context, c *cli, e *engine.Engine, asJSON bool) error {
	s, err := session(ctx, e)
	if err != nil {
		return err
	}
	st := s.Step()
	done, files := s.Resolved()
	if asJSON {
		j := resolveJSON{Op: string(s.Op), Ref: s.Ref, Step: s.Current + 1, Steps: len(s.Steps), Resolved: done, Files: []resolveFileJSON{}}
		if st != nil {
			j.Commit, j.Subject = st.Commit, st.Subject
		}
		for _, f := range s.Files {
			n, of := f.Resolved()
			fj := resolveFileJSON{Path: f.Path, Kind: f.Kind, Resolved: n, Hunks: of, Choices: []string{}, Recorded: []bool{}}
			for _, h := range f.Hunks() {
				ch, rec := "", false
				if h.Resolution != nil {
					ch, rec = string(h.Resolution.Choice), h.Resolution.Recorded
				}
				fj.Choices = append(fj.Choices, ch)
				fj.Recorded = append(fj.Recorded, rec)
			}
			if f.Whole != nil {
				w := string(f.Whole.Choice)
				fj.Whole = &w
			}
			j.Files = append(j.Files, fj)
		}
		return writeJSONLine(c.stdout, j)
	}
	w := bufio.NewWriter(c.stdout)
	defer w.Flush()
	if st != nil {
		fmt.Fprintf(w, "%s onto %s, step %d/%d: %s %s\n", s.Op, model.InertLine(s.Ref), s.Current+1, len(s.Steps), model.ShortID(st.Commit), model.InertLine(st.Subject))
	}
	for _, f := range s.Files {
		n, of := f.Resolved()
		state := "unresolved"
		if f.Done() {
			state = "resolved"
		}
		fmt.Fprintf(w, "  %-10s %-14s %s  %d/%d hunks%s\n", state, f.Kind, model.InertLine(f.Path), n, of, recordedNote(f))
		for i, h := range f.Hunks() {
			how := "unresolved"
			if f.Whole != nil {
				how = "file: " + string(f.Whole.Choice)
			} else if h.Resolution != nil {
				how = string(h.Resolution.Choice)
				if h.Resolution.Recorded {
					how += " (recorded)"
				}
			}
			fmt.Fprintf(w, "      hunk %d: %s\n", i+1, how)
		}
	}
	fmt.Fprintf(w, "%d of %d files resolved\n", done, files)
	return nil
}

func resolveShow(ctx context.Context, c *cli, e *engine.Engine, path string, hunk int, preview bool) error {
	s, err := session(ctx, e)
	if err != nil {
		return err
	}
	f, err := s.File(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(c.stdout)
	defer w.Flush()
	if preview {
		data, deleted := s.Preview(f)
		if deleted {
			fmt.Fprintf(w, "(%s is deleted by this resolution)\n", model.InertLine(path))
			return nil
		}
		fmt.Fprint(w, model.Inert(string(data), true))
		return nil
	}
	hs := f.Hunks()
	if hunk > len(hs) {
		return fmt.Errorf("resolve show: %s has %d hunk(s)", model.InertLine(path), len(hs))
	}
	for i, h := range hs {
		if hunk > 0 && i != hunk-1 {
			continue
		}
		how := "unresolved"
		if f.Whole != nil {
			how = "file resolved: " + string(f.Whole.Choice)
		} else if h.Resolution != nil {
			how = "resolved: " + string(h.Resolution.Choice)
		}
		fmt.Fprintf(w, "%s hunk %d/%d (%s, %s)\n", model.InertLine(path), i+1, len(hs), f.Kind, how)
		section := func(name string, b []byte, absent bool) {
			fmt.Fprintf(w, "--- %s\n", name)
			if absent {
				fmt.Fprintln(w, "(absent)")
				return
			}
			text := model.Inert(string(b), true)
			fmt.Fprint(w, text)
			if len(text) > 0 && text[len(text)-1] != '\n' {
				fmt.Fprintln(w)
			}
		}
		section("ours ("+s.Labels[1]+")", h.Ours, !f.Lines && f.Ours.Absent())
		section("base ("+s.Labels[0]+")", h.Base, !f.Lines && f.Base.Absent())
		section("theirs ("+s.Labels[2]+")", h.Theirs, !f.Lines && f.Theirs.Absent())
		if h.Resolution != nil && f.Whole == nil {
			section("resolution", h.Resolution.Text, h.Resolution.Delete)
		}
	}
	return nil
}
