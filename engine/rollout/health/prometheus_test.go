package health

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/internal/promtest"
	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

func fptr(f float64) *float64 { return &f }

// fakeAPI answers /api/v1/query with canned bodies by query.
func fakeAPI(t *testing.T, answers map[string]string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := answers[r.URL.Query().Get("query")]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":"error","errorType":"bad_data","error":"parse error"}`)
			return
		}
		fmt.Fprint(w, body)
	}))
}

func vector(samples ...string) string {
	return `{"status":"success","data":{"resultType":"vector","result":[` + strings.Join(samples, ",") + `]}}`
}

func TestPrometheusCheck(t *testing.T) {
	srv := fakeAPI(t, map[string]string{
		`errors{slot="green"}`: vector(`{"metric":{},"value":[1,"0.002"]}`),
		`errors{slot="blue"}`:  vector(`{"metric":{},"value":[1,"0.5"]}`),
		`up{build="7"}`:        vector(),
		`scalar(1)`:            `{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}`,
	})
	defer srv.Close()
	tests := []struct {
		query    string
		max, min *float64
		slot     model.Color
		want     provider.Verdict
	}{
		{`errors{slot="{slot}"}`, fptr(0.01), nil, model.Green, provider.Pass},
		{`errors{slot="{slot}"}`, fptr(0.01), nil, model.Blue, provider.Fail},
		{`errors{slot="{slot}"}`, nil, fptr(0.1), model.Green, provider.Fail},
		{`up{build="{build}"}`, nil, nil, model.Green, provider.Inconclusive},
		{`scalar(1)`, nil, nil, model.Green, provider.Pass},
		{`nonsense(`, nil, nil, model.Green, provider.Inconclusive},
	}
	for _, tt := range tests {
		p := &Prometheus{Server: srv.URL, Query: tt.query, Max: tt.max, Min: tt.min}
		r := p.Check(context.Background(), provider.Target{Slot: tt.slot, Build: 7})
		if r.Verdict != tt.want {
			t.Errorf("Check(%s on %s) = %s (%s); want %s", tt.query, tt.slot, r.Verdict, r.Detail, tt.want)
		}
	}
}

func TestPrometheusHangs(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	p := &Prometheus{Server: srv.URL, Query: "up", Timeout: 100 * time.Millisecond}
	r := p.Check(context.Background(), provider.Target{Slot: model.Green})
	if r.Verdict != provider.Inconclusive || !strings.Contains(r.Detail, "no answer within") {
		t.Errorf("Check against a hanging server = %s (%s); want inconclusive, no answer", r.Verdict, r.Detail)
	}
}

// TestPrometheusReal starts a real Prometheus on loopback scraping three
// in-test exporters (two nodes on build 7, one on build 6) and asks it for
// health and adoption.
func TestPrometheusReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Prometheus server")
	}
	exporter := func(build int, errorsTotal int) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4")
			fmt.Fprintf(w, "# TYPE app_build_info gauge\napp_build_info{build=\"%d\"} 1\n", build)
			fmt.Fprintf(w, "# TYPE app_errors_ratio gauge\napp_errors_ratio %d\n", errorsTotal)
		}))
	}
	var targets []string
	for _, e := range []*httptest.Server{exporter(7, 0), exporter(7, 0), exporter(6, 1)} {
		defer e.Close()
		targets = append(targets, strings.TrimPrefix(e.URL, "http://"))
	}
	server := promtest.Start(t, targets)
	ctx := context.Background()
	p := &Prometheus{Server: server, Query: `max(app_errors_ratio{job="app"} * on(instance) group_left app_build_info{build="{build}"})`,
		Max: fptr(0.5), AdoptionQuery: `count by (build) (app_build_info)`, Timeout: 2 * time.Second}
	var fleet provider.Fleet
	deadline := time.Now().Add(60 * time.Second)
	for {
		f, err := p.Adoption(ctx)
		if err == nil && f.Nodes == 3 {
			fleet = f
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus did not report 3 nodes within 60s (last: %+v, %v)", f, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if fleet.On(7) != 2 || fleet.On(6) != 1 {
		t.Errorf("Adoption = %+v; want 2 nodes on 7, 1 on 6", fleet)
	}
	if r := p.Check(ctx, provider.Target{Slot: model.Green, Build: 7}); r.Verdict != provider.Pass {
		t.Errorf("Check(build 7) = %s (%s); want pass", r.Verdict, r.Detail)
	}
	if r := p.Check(ctx, provider.Target{Slot: model.Blue, Build: 6}); r.Verdict != provider.Fail {
		t.Errorf("Check(build 6) = %s (%s); want fail (errors above max)", r.Verdict, r.Detail)
	}
	if r := p.Check(ctx, provider.Target{Slot: model.Green, Build: 99}); r.Verdict != provider.Inconclusive {
		t.Errorf("Check(build 99) = %s (%s); want inconclusive (no data)", r.Verdict, r.Detail)
	}
	if _, err := p.Do(ctx, "nonsense("); err == nil || errors.Is(err, ErrNoData) {
		t.Errorf("Do(bad PromQL) = %v; want the server's parse error", err)
	}
}
