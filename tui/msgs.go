package tui

import (
	"context"
	"errors"
	"slices"
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/rollout"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/model"
)

// callTimeout bounds one engine call made for the cockpit.
const callTimeout = 30 * time.Second

// pageSize is how many commits a graph asks for at a time.
const pageSize = 200

// fixWindow is how far back the propagation view looks for fixes: the
// last cycles.
const fixCycles = 4

// Messages answering the cockpit's engine calls. Each carries the request
// id it answers; the root drops answers to requests it has since replaced.
type (
	statusMsg struct {
		seq int
		st  *engine.Status
		err error
	}
	logMsg struct {
		seq   int
		track string
		first bool // the first page of a (re)load: it replaces what is shown
		page  *engine.LogPage
		err   error
	}
	pendingMsg struct {
		seq   int
		pairs []*model.Pending
		err   error
	}
	envsMsg struct {
		seq      int
		envs     []model.Environment
		rollouts map[string]*rollout.Status
		err      error
	}
	// buildsMsg labels source commits with their builds ("spark-42",
	// "spark-41 live"), per track: build numbers count per track.
	buildsMsg struct {
		seq    int
		labels map[string]map[string][]string
		live   map[string]model.Build // per track: the build its bin symlink points at
		err    error
	}
	leadMsg struct {
		seq int
		lts []model.LeadTime
		err error
	}
	sessionMsg struct {
		seq  int
		sess *sequence.Session
		err  error
	}
	dryRunMsg struct {
		seq   int
		id    string
		to    string
		paths []string
		clean bool
		err   error
	}
	carryMsg struct {
		id, to string
		back   bool // to is the upstream of the commit's track
		out    *sequence.Outcome
		err    error
	}
	trainMsg struct {
		track string
		run   *engine.TrainRun
		err   error
	}
	// syncedMsg answers taking work-tree edits into the session.
	syncedMsg struct {
		markers []string
		err     error
	}
	// eventMsg is one engine event from the subscription.
	eventMsg struct{ ev model.Event }
	// eventsClosedMsg says the subscription ended.
	eventsClosedMsg struct{}
	// reloadMsg fires when a burst of change events has settled.
	reloadMsg struct{ seq int }
	// envsSettledMsg fires when a burst of rollout events has settled.
	envsSettledMsg struct{ seq int }
)

func withTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}

func loadStatus(e *engine.Engine, seq int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		st, err := e.Status(ctx)
		return statusMsg{seq: seq, st: st, err: err}
	}
}

func loadLog(e *engine.Engine, seq int, track, cursor string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		page, err := e.Log(ctx, engine.LogOptions{Tracks: []string{track}, Limit: pageSize, Cursor: cursor})
		return logMsg{seq: seq, track: track, first: cursor == "", page: page, err: err}
	}
}

func loadPending(e *engine.Engine, seq int, pairs []model.Pair) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		var out []*model.Pending
		var errs []error
		for _, p := range pairs {
			pd, err := e.Pending(ctx, p.From.Name, p.To.Name)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, pd)
		}
		return pendingMsg{seq: seq, pairs: out, err: errors.Join(errs...)}
	}
}

func loadEnvs(e *engine.Engine, seq int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		envs, err := e.Environments(ctx)
		msg := envsMsg{seq: seq, envs: envs, err: err, rollouts: map[string]*rollout.Status{}}
		for _, env := range envs {
			if st, err := e.RolloutStatus(ctx, env.Name); err == nil && st != nil {
				msg.rollouts[env.Name] = st
			}
		}
		return msg
	}
}

func loadBuilds(e *engine.Engine, seq int, tracks []string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		labels := map[string]map[string][]string{}
		lives := map[string]model.Build{}
		var errs []error
		for _, t := range tracks {
			labels[t] = map[string][]string{}
			bs, err := e.Builds(ctx, t)
			if errors.Is(err, engine.ErrNoBinRepo) {
				return buildsMsg{seq: seq, labels: labels, live: lives}
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			live, err := e.LiveBuild(ctx, t)
			hasLive := err == nil
			if hasLive {
				lives[t] = live
			}
			for _, b := range bs {
				l := b.Folder()
				if hasLive && b.Number == live.Number && b.Name == live.Name {
					l += " live"
				}
				if !slices.Contains(labels[t][b.Source], l) {
					labels[t][b.Source] = append(labels[t][b.Source], l)
				}
			}
		}
		return buildsMsg{seq: seq, labels: labels, live: lives, err: errors.Join(errs...)}
	}
}

func loadLeadTimes(e *engine.Engine, seq int, since time.Time) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		lts, err := e.LeadTimes(ctx, since)
		sort.SliceStable(lts, func(i, j int) bool { return lts[i].Commit.Date.After(lts[j].Commit.Date) })
		return leadMsg{seq: seq, lts: lts, err: err}
	}
}

func loadSession(e *engine.Engine, seq int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		s, err := e.Session(ctx)
		return sessionMsg{seq: seq, sess: s, err: err}
	}
}

func dryRun(e *engine.Engine, seq int, id, to, onto string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		res, err := e.DryRunPick(ctx, id, onto)
		msg := dryRunMsg{seq: seq, id: id, to: to, err: err}
		if err == nil {
			msg.clean = res.Clean()
			for _, c := range res.Conflicts {
				msg.paths = append(msg.paths, c.Path)
			}
		}
		return msg
	}
}

func carry(e *engine.Engine, id, to string, back bool) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		out, err := e.Carry(ctx, engine.CarryOptions{To: to, Commits: []string{id}})
		return carryMsg{id: id, to: to, back: back, out: out, err: err}
	}
}

func runTrain(e *engine.Engine, cand model.TrainCandidate) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		run, err := e.RunTrain(ctx, engine.TrainOptions{Track: cand.Track, Expect: &cand})
		return trainMsg{track: cand.Track, run: run, err: err}
	}
}

// syncWorktree takes resolutions made outside ($EDITOR, git mergetool,
// git add) into the session.
func syncWorktree(e *engine.Engine) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		markers, err := e.SyncWorktree(ctx)
		return syncedMsg{markers: markers, err: err}
	}
}

// waitEvent waits for the next engine event; the root issues it again
// after each one.
func waitEvent(ch <-chan model.Event) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return eventsClosedMsg{}
		}
		return eventMsg{ev}
	}
}

// settle fires a reload after a short quiet time, so a burst of events
// (a fetch moving ten refs) costs one reload.
func settle(seq int) tea.Cmd {
	return tea.Tick(150*time.Millisecond, func(time.Time) tea.Msg { return reloadMsg{seq: seq} })
}
