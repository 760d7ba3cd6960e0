package health

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

// HTTP probes URLs ("{slot}" replaced by the slot's colour, "{build}" by the
// build, "{url}" by the slot's base URL). A check succeeds when every URL answers 2xx within Timeout. The
// verdict follows consecutive thresholds, so a flapping endpoint does not
// pass: Pass after HealthyThreshold successes in a row, Fail after
// UnhealthyThreshold failures in a row, Inconclusive in between.
type HTTP struct {
	URLs               []string
	Timeout            time.Duration // per probe; default 2s
	HealthyThreshold   int           // default 1
	UnhealthyThreshold int           // default 3
	Client             *http.Client

	mu     sync.Mutex
	streak map[model.Color]int // >0: successes in a row, <0: failures
}

// Check implements provider.Health.
func (h *HTTP) Check(ctx context.Context, t provider.Target) provider.Result {
	now := time.Now()
	var failed string
	for _, u := range h.URLs {
		u = Expand(u, t)
		if err := h.probe(ctx, u); err != nil {
			failed = err.Error()
			break
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.streak == nil {
		h.streak = map[model.Color]int{}
	}
	s := h.streak[t.Slot]
	if failed == "" {
		s = max(s, 0) + 1
	} else {
		s = min(s, 0) - 1
	}
	h.streak[t.Slot] = s
	healthy, unhealthy := max(h.HealthyThreshold, 1), max(h.UnhealthyThreshold, 1)
	switch {
	case s >= healthy:
		return provider.Result{Time: now, Verdict: provider.Pass, Detail: fmt.Sprintf("%d of %d URLs healthy, %d in a row", len(h.URLs), len(h.URLs), s)}
	case -s >= unhealthy:
		return provider.Result{Time: now, Verdict: provider.Fail, Detail: fmt.Sprintf("%s (%d failures in a row)", failed, -s)}
	case s > 0:
		return provider.Result{Time: now, Verdict: provider.Inconclusive, Detail: fmt.Sprintf("healthy %d time(s) in a row, %d needed", s, healthy)}
	default:
		return provider.Result{Time: now, Verdict: provider.Inconclusive, Detail: fmt.Sprintf("%s (%d of %d failures before unhealthy)", failed, -s, unhealthy)}
	}
}

func (h *HTTP) probe(ctx context.Context, url string) error {
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("probe %s: %w", url, err)
	}
	c := h.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("probe %s: no answer within %s", url, timeout)
		}
		return fmt.Errorf("probe %s: %w", url, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("probe %s: %s", url, resp.Status)
	}
	return nil
}

// Expand replaces {slot}, {build}, {env} and {url} (the slot's base URL)
// in s.
func Expand(s string, t provider.Target) string {
	return strings.NewReplacer("{slot}", string(t.Slot), "{build}", fmt.Sprint(t.Build), "{env}", t.Env,
		"{url}", strings.TrimRight(t.URL, "/")).Replace(s)
}
