// Command switchyard is the release cockpit: with no arguments it opens the
// cockpit on the repository in the current folder; with a subcommand it runs
// headless for scripts and CI.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/switchyard/switchyard/model"
)

// Exit statuses: 0 success, 1 conflicts (pick), 2 any error.
const (
	exitOK       = 0
	exitConflict = 1
	exitError    = 2
)

// errConflict makes a command exit with status 1 after printing its result.
var errConflict = errors.New("conflicts")

// cli is what every command gets: its streams.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, c *cli, args []string) error
}

func commands() []command {
	return []command{
		{"status", "tracks, heads, pending counts, train candidates and drift", runStatus},
		{"pending", "commits waiting to be promoted between two tracks", runPending},
		{"fetch", "refresh tracks that follow a remote", runFetch},
		{"pick", "carry commits onto a track (cherry-pick), or continue/skip/abort", runPick},
		{"resolve", "list and resolve the conflicts of the current pick", runResolve},
		{"train", "run the weekly train on a downstream track", runTrain},
		{"undo", "restore the refs of the last carry or train", runUndo},
		{"release", "build a track and commit the build to the bin repo", runRelease},
		{"rollout", "start, promote, approve, abort or watch a rollout", runRollout},
		{"journal", "print the journal of actions", runJournal},
		{"demo", "build the demo sandbox and open the cockpit on it", runDemo},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, c *cli) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" {
		return finish(c, runCockpit(ctx, c, args))
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		usage(c.stdout)
		return exitOK
	}
	for _, cmd := range commands() {
		if cmd.name == name {
			return finish(c, cmd.run(ctx, c, args[1:]))
		}
	}
	fmt.Fprintf(c.stderr, "switchyard: unknown command %q (run 'switchyard help' for the list)\n", model.InertLine(name))
	return exitError
}

func finish(c *cli, err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errConflict):
		return exitConflict
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	default:
		fmt.Fprintf(c.stderr, "switchyard: %s\n", oneLine(err.Error()))
		return exitError
	}
}

// oneLine keeps an error to one inert line.
func oneLine(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ")
	return model.InertLine(s)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Switchyard — a terminal release cockpit.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w, "  switchyard [--repo DIR] [--config FILE]   open the cockpit")
	fmt.Fprintln(w, "  switchyard COMMAND [flags]                run headless")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command takes --repo DIR and --config FILE; most take --json.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 conflicts, 2 error.")
}

// newFlags makes a command's flag set: errors go to stderr as one line and
// usage is printed on -h.
func newFlags(c *cli, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("switchyard "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	return fs
}

// repoFlags are the flags every repository command shares.
type repoFlags struct {
	repo   string
	config string
}

func (r *repoFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.repo, "repo", ".", "the source repository")
	fs.StringVar(&r.config, "config", "", "config file (default: switchyard.toml at the repo root)")
}

// parse parses flags and refuses stray arguments unless allowArgs.
func parse(fs *flag.FlagSet, args []string, allowArgs bool) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	if !allowArgs && fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}
