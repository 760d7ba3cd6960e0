package rollout

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/health"
	"github.com/switchyard/switchyard/engine/rollout/internal/promtest"
	"github.com/switchyard/switchyard/model"
)

// TestRolloutWatchedByPrometheus rolls a build out to four exporting nodes
// that follow the traffic split, watched through a real Prometheus: health
// by query, adoption by count by (build); at the end every node reports
// the new build.
func TestRolloutWatchedByPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Prometheus server")
	}
	one := 1.0
	c, tr := newController(t, nil, []Wave{{Weight: 50, Interval: 1200 * ms, Count: 2, InconcLimit: 1}, {Weight: 100, Interval: 1200 * ms, Count: 2, InconcLimit: 1}}, nil)
	var targets []string
	for i := range 4 {
		node := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tr.mu.Lock()
			s := tr.split
			tr.mu.Unlock()
			build := s.BlueBuild
			if i*25 < s.Green {
				build = s.GreenBuild
			}
			fmt.Fprintf(w, "# TYPE app_up gauge\napp_up 1\n# TYPE app_build_info gauge\napp_build_info{build=\"%d\"} 1\n", build)
		}))
		defer node.Close()
		targets = append(targets, strings.TrimPrefix(node.URL, "http://"))
	}
	server := promtest.Start(t, targets)
	p := &health.Prometheus{Server: server, Query: `min(app_up{job="app"})`, Min: &one,
		AdoptionQuery: `count by (build) (app_build_info{job="app"})`, Timeout: 2 * time.Second}
	c.Env.Health, c.Env.Adopter = p, p
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if f, err := p.Adoption(ctx); err == nil && f.Nodes == 4 && f.On(6) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Prometheus did not see the four nodes on build 6 within 60s")
		}
		time.Sleep(200 * ms)
	}
	start(t, c, 7)
	st, err := c.Run(ctx)
	if err != nil || st.State != model.RolloutDone {
		t.Fatalf("Run = %s (%v) %q; want done", st.State, err, st.Reason)
	}
	want, got, ok := st.Adoption()
	if !ok || st.Fleet.Nodes != 4 || want != 100 || got != 100 {
		t.Errorf("adoption desired %.0f%%, actual %.0f%% of %+v; want 100%% of 4 nodes", want, got, st.Fleet)
	}
}
