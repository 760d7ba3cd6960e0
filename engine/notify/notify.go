// Package notify calls a person when one is needed — a conflict to resolve,
// a failed gate or build, an aborted rollout, an approval to give — by a
// JSON POST to a webhook.
//
// The body carries a "text" field with one readable sentence, so chat
// systems' incoming webhooks (Slack, Mattermost, Rocket.Chat) show it as is,
// next to the structured fields for anything else.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DefaultTimeout bounds a webhook call when Webhook.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Kinds of events.
const (
	KindConflict    = "conflict"
	KindGateFailed  = "gate-failed"
	KindBuildFailed = "build-failed"
	KindAbort       = "abort"
	KindApproval    = "approval"
)

// Event is what a person is called about.
type Event struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	Text   string    `json:"text"` // one readable sentence
	Actor  string    `json:"actor,omitempty"`
	Track  string    `json:"track,omitempty"`
	Env    string    `json:"env,omitempty"`
	Build  int       `json:"build,omitempty"`
	Commit string    `json:"commit,omitempty"`
	// Detail is kind-specific data (paths in conflict, a log file, ...).
	Detail any `json:"detail,omitempty"`
}

// Sender delivers events. Send returns once the event was accepted or
// failed; it must honour ctx.
type Sender interface {
	Send(ctx context.Context, ev Event) error
}

// Webhook posts events as JSON to URL.
type Webhook struct {
	URL     string
	Timeout time.Duration // 0: DefaultTimeout
	// Client defaults to a client without cookies or redirects to other
	// hosts beyond net/http's defaults.
	Client *http.Client
}

// Send posts ev. Any status other than 2xx is an error quoting the start of
// the answer.
func (w Webhook) Send(ctx context.Context, ev Event) error {
	if w.URL == "" {
		return errors.New("notify: no webhook URL")
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now().UTC()
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("notify %s: %w", ev.Kind, err)
	}
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify %s: %w", ev.Kind, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "switchyard")
	client := w.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify %s: %w", ev.Kind, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("notify %s: webhook answered %s: %q", ev.Kind, resp.Status, answer)
	}
	return nil
}
