package sim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
)

// Health judges a slot of the fleet: its service's /healthz over loopback,
// and the nodes that report running the slot's build.
type Health struct {
	Fleet   *Fleet
	Timeout time.Duration // per probe; default 2s
	Client  *http.Client
}

// Check implements provider.Health.
func (h *Health) Check(ctx context.Context, t provider.Target) provider.Result {
	now := time.Now()
	url := h.Fleet.URL(t.Slot)
	if url == "" {
		return provider.Result{Time: now, Verdict: provider.Fail, Detail: fmt.Sprintf("%s service is not running", t.Slot)}
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(pctx, http.MethodGet, url+"/healthz", nil)
	if err != nil {
		return provider.Result{Time: now, Verdict: provider.Fail, Detail: err.Error()}
	}
	c := h.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return provider.Result{Time: now, Verdict: provider.Fail, Detail: fmt.Sprintf("probe %s: %v", t.Slot, err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return provider.Result{Time: now, Verdict: provider.Fail, Detail: fmt.Sprintf("%s /healthz answered %s", t.Slot, resp.Status)}
	}
	fl, _ := h.Fleet.Adoption(ctx)
	for _, b := range fl.Builds {
		if b.Build == t.Build && b.Nodes > 0 {
			share := float64(b.Healthy) / float64(b.Nodes)
			r := provider.Result{Time: now, Verdict: provider.Pass, Value: share, HasValue: true,
				Detail: fmt.Sprintf("%d of %d nodes on build %d healthy", b.Healthy, b.Nodes, b.Build)}
			if share < 0.99 {
				r.Verdict = provider.Fail
			}
			return r
		}
	}
	return provider.Result{Time: now, Verdict: provider.Pass, Detail: fmt.Sprintf("%s /healthz ok; no node runs build %d yet", t.Slot, t.Build)}
}
