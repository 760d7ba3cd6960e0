package rollout

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/health"
	"github.com/switchyard/switchyard/engine/rollout/internal/nginxtest"
	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/engine/rollout/traffic"
	"github.com/switchyard/switchyard/model"
)

// TestRolloutThroughNginx drives whole rollouts with the nginx driver in
// front of a real nginx while a bounded load runs through it: no request
// may fail, a healthy build ends with all traffic on it, an unhealthy one
// is aborted with all traffic back on the live slot.
func TestRolloutThroughNginx(t *testing.T) {
	tests := []struct {
		name      string
		greenSick bool
		state     model.RolloutState
		serving   string
	}{
		{"healthy build goes live", false, model.RolloutDone, "green build 7"},
		{"sick build is aborted", true, model.RolloutAborted, "blue build 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var probes atomic.Int64
			slot := func(name string, sick bool) *httptest.Server {
				return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/healthz" {
						// Sick after the warm-up check and one wave.
						if sick && probes.Add(1) > 2 {
							w.WriteHeader(http.StatusServiceUnavailable)
						}
						return
					}
					io.WriteString(w, name)
				}))
			}
			blue, green := slot("blue build 6", false), slot("green build 7", tt.greenSick)
			defer blue.Close()
			defer green.Close()
			ng := &traffic.Nginx{File: filepath.Join(t.TempDir(), "upstream.conf"), Upstream: "app",
				Blue: strings.TrimPrefix(blue.URL, "http://"), Green: strings.TrimPrefix(green.URL, "http://"), Timeout: 10 * time.Second}
			if err := ng.Set(context.Background(), provider.Split{Blue: 100, BlueBuild: 6}); err != nil {
				t.Fatal(err)
			}
			srv := nginxtest.Start(t, ng.File)
			ng.Test, ng.Reload = srv.Test, srv.Reload
			c := &Controller{
				Env: Env{Name: "integration", Track: "dev", Warmup: ms, WarmupChecks: 1, WarmupInterval: ms,
					Waves:   []Wave{{Weight: 10, Interval: 20 * ms, Count: 2}, {Weight: 50, Interval: 20 * ms, Count: 2}, {Weight: 100, Interval: 20 * ms, Count: 2}},
					Traffic: ng,
					Health:  &health.HTTP{URLs: []string{"{url}/healthz"}, Timeout: time.Second, HealthyThreshold: 1, UnhealthyThreshold: 1},
					URL: func(c model.Color) string {
						if c == model.Green {
							return green.URL
						}
						return blue.URL
					}},
				Store: &Store{Dir: t.TempDir()}, Poll: ms,
			}
			if _, err := c.Start(context.Background(), StartOptions{Build: 7, Live: 6}); err != nil {
				t.Fatal(err)
			}
			// A bounded load through nginx while the rollout runs.
			var failed, total atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			client := &http.Client{Timeout: 5 * time.Second}
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					end := time.Now().Add(10 * time.Second)
					for total.Load() < 2000 && time.Now().Before(end) {
						select {
						case <-stop:
							return
						default:
						}
						total.Add(1)
						resp, err := client.Get(srv.URL)
						if err != nil {
							failed.Add(1)
							continue
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							failed.Add(1)
						}
						time.Sleep(2 * ms)
					}
				}()
			}
			st, err := c.Run(context.Background())
			close(stop)
			wg.Wait()
			if err != nil || st.State != tt.state {
				t.Fatalf("Run = %s (%v) %q; want %s", st.State, err, st.Reason, tt.state)
			}
			if failed.Load() != 0 {
				t.Errorf("%d of %d requests through nginx failed during the rollout", failed.Load(), total.Load())
			}
			time.Sleep(300 * ms) // old nginx workers finish
			for i := range 10 {
				resp, err := client.Get(srv.URL)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(b) != tt.serving {
					t.Errorf("request %d after the rollout answered by %q; want %q", i, b, tt.serving)
				}
			}
			if !st.ActualKnown || st.Actual != st.Desired {
				t.Errorf("recorded actual %d (known %v), desired %d; want them equal", st.Actual, st.ActualKnown, st.Desired)
			}
			t.Logf("%d requests through nginx, %d failed", total.Load(), failed.Load())
		})
	}
}
