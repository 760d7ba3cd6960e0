package rollout

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/health"
	"github.com/switchyard/switchyard/model"
)

// TestHealthFaults runs whole rollouts against real HTTP endpoints that
// misbehave: each must end in a clear, recorded state within its timeouts.
func TestHealthFaults(t *testing.T) {
	var flaps atomic.Int64
	var failAfter atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthy/green":
		case "/hang/green":
			<-release
		case "/flap/green":
			if flaps.Add(1)%2 == 0 {
				w.WriteHeader(http.StatusInternalServerError)
			}
		case "/degrades/green":
			// Healthy through warm-up and the first wave, then down.
			if failAfter.Add(1) > 3 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		}
	}))
	defer srv.Close()
	defer close(release) // before Close, which waits for hanging handlers
	tests := []struct {
		path               string
		healthy, unhealthy int
		state              model.RolloutState
		waiting            string
		reason             string
	}{
		{"/healthy/{slot}", 1, 1, model.RolloutDone, "", ""},
		{"/hang/{slot}", 1, 2, model.RolloutAborted, "", "not healthy after warm-up (2 checks)"},
		{"/flap/{slot}", 2, 3, model.RolloutAborted, "", "not healthy after warm-up"},
		{"/degrades/{slot}", 1, 1, model.RolloutAborted, "", "wave 2 (50%) failed analysis"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			h := &health.HTTP{URLs: []string{srv.URL + tt.path}, Timeout: 100 * time.Millisecond,
				HealthyThreshold: tt.healthy, UnhealthyThreshold: tt.unhealthy}
			c, tr := newController(t, h, []Wave{{Weight: 10, Interval: ms, Count: 2}, {Weight: 50, Interval: ms, Count: 2}, {Weight: 100, Interval: ms, Count: 2}}, nil)
			start(t, c, 7)
			st, err := c.Run(context.Background())
			if err != nil || st.State != tt.state || st.Waiting != tt.waiting || !strings.Contains(st.Reason, tt.reason) {
				t.Fatalf("Run = %s %q (%v), reason %q; want %s %q with %q", st.State, st.Waiting, err, st.Reason, tt.state, tt.waiting, tt.reason)
			}
			saved, _ := c.Store.Load("staging")
			if saved.State != st.State || saved.Running {
				t.Errorf("recorded %s (running %v); want %s, not running", saved.State, saved.Running, st.State)
			}
			if st.State == model.RolloutAborted && tr.split.Blue != 100 {
				t.Errorf("aborted with blue at %d%%; want 100", tr.split.Blue)
			}
		})
	}
	t.Run("flapping during a wave pauses for a person", func(t *testing.T) {
		flaps.Store(0)
		h := &health.HTTP{URLs: []string{srv.URL + "/flap/{slot}"}, Timeout: 100 * time.Millisecond, HealthyThreshold: 1, UnhealthyThreshold: 3}
		c, _ := newController(t, h, []Wave{{Weight: 10, Interval: ms, Count: 4, InconcLimit: 0}, {Weight: 100, Interval: ms, Count: 1}}, nil)
		start(t, c, 7)
		st, err := c.Run(context.Background())
		if err != nil || st.State != model.RolloutPaused || st.Waiting != WaitInconclusive {
			t.Fatalf("Run = %s %q (%v) %q; want paused, inconclusive", st.State, st.Waiting, err, st.Reason)
		}
	})
}
