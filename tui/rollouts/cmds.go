package rollouts

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/switchyard/switchyard/engine"
	"github.com/switchyard/switchyard/engine/rollout"
	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/resolver"
)

// Engine is the part of the engine the screen drives; *engine.Engine
// implements it. Every method is called from a tea.Cmd, never from Update.
type Engine interface {
	Environments(ctx context.Context) ([]model.Environment, error)
	RolloutStatus(ctx context.Context, env string) (*rollout.Status, error)
	StartRollout(ctx context.Context, env string, opts engine.StartOptions) (*rollout.Status, error)
	RunRolloutBackground(ctx context.Context, env string)
	Promote(ctx context.Context, env string, a engine.RolloutAction) (*rollout.Status, error)
	Approve(ctx context.Context, env string, a engine.RolloutAction) (*rollout.Status, error)
	AbortRollout(ctx context.Context, env string, a engine.RolloutAction) (*rollout.Status, error)
	Subscribe(ctx context.Context) <-chan model.Event
	Builds(ctx context.Context, track string) ([]model.Build, error)
}

// callTimeout bounds one engine call made for the screen.
const callTimeout = 30 * time.Second

// refreshEvery is how often slots (health, weights, adoption) are read
// again while nothing else happens.
const refreshEvery = 5 * time.Second

// ConfirmRequest asks the root model to confirm an action; it is the
// resolver's type, so the root handles every screen's requests in one
// place.
type ConfirmRequest = resolver.ConfirmRequest

// EnvironmentsMsg answers a load: every environment with its slots and the
// status of its last rollout (nil when it never had one).
type EnvironmentsMsg struct {
	Seq      int
	Envs     []model.Environment
	Statuses map[string]*rollout.Status
	// Newest is the newest build of each environment's track in the bin
	// repo, where there is one: what d offers to deploy.
	Newest map[string]model.Build
	Err    error
}

// StatusMsg carries one environment's rollout status, from an engine event
// or an action.
type StatusMsg struct {
	Env    string
	Status *rollout.Status
}

// ActionMsg reports a deploy, promote, approve or abort.
type ActionMsg struct {
	What   string
	Env    string
	Build  int // the build a deploy asked for
	Note   string
	Status *rollout.Status
	Err    error
}

// LogMsg carries the tail of a gate's log.
type LogMsg struct {
	Env, Gate, Path string
	Lines           []string
	Err             error
}

// eventMsg is one engine event from the screen's subscription.
type eventMsg struct {
	ev model.Event
	ok bool
}

// tickMsg re-reads the slots.
type tickMsg struct{}

func load(e Engine, seq int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		envs, err := e.Environments(ctx)
		msg := EnvironmentsMsg{Seq: seq, Envs: envs, Statuses: map[string]*rollout.Status{}, Newest: map[string]model.Build{}}
		var errs []error
		if err != nil {
			errs = append(errs, err)
		}
		for _, env := range envs {
			if _, done := msg.Newest[env.Track]; !done {
				// Only an offer: without a bin repo there is none.
				if bs, err := e.Builds(ctx, env.Track); err == nil && len(bs) > 0 {
					msg.Newest[env.Track] = bs[len(bs)-1]
				}
			}
			st, err := e.RolloutStatus(ctx, env.Name)
			switch {
			case errors.Is(err, rollout.ErrNoRollout):
			case err != nil:
				errs = append(errs, err)
			default:
				msg.Statuses[env.Name] = st
			}
		}
		msg.Err = errors.Join(errs...)
		return msg
	}
}

func listen(ch <-chan model.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		return eventMsg{ev: ev, ok: ok}
	}
}

func tick() tea.Cmd {
	return tea.Tick(refreshEvery, func(time.Time) tea.Msg { return tickMsg{} })
}

// act runs an operator action on env. It gets the screen's long-lived
// context itself, not one cut short: the engine posts the request and, when
// no controller drives env, starts one in the background for that
// context's life.
func act(bg context.Context, what, env, note string, fn func(ctx context.Context) (*rollout.Status, error)) tea.Cmd {
	return func() tea.Msg {
		st, err := fn(bg)
		return ActionMsg{What: what, Env: env, Note: note, Status: st, Err: err}
	}
}

// startCmd starts a rollout and has the engine drive it in the background.
func startCmd(bg context.Context, e Engine, env string, opts engine.StartOptions, note string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(bg, callTimeout)
		defer cancel()
		st, err := e.StartRollout(ctx, env, opts)
		if err == nil {
			e.RunRolloutBackground(bg, env)
		}
		return ActionMsg{What: "deploy", Env: env, Build: opts.Build, Note: note, Status: st, Err: err}
	}
}

// maxLogLines is how much of a gate log is shown.
const maxLogLines = 200

func readLog(env, gate, path string) tea.Cmd {
	return func() tea.Msg {
		data, err := os.ReadFile(path)
		if err != nil {
			return LogMsg{Env: env, Gate: gate, Path: path, Err: err}
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > maxLogLines {
			lines = lines[len(lines)-maxLogLines:]
		}
		return LogMsg{Env: env, Gate: gate, Path: path, Lines: lines}
	}
}
