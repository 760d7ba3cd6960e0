package health

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

func TestHTTPThresholds(t *testing.T) {
	var n atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok/green":
			w.WriteHeader(200)
		case "/down/green":
			w.WriteHeader(503)
		case "/hang/green":
			<-release
		case "/flap/green":
			if n.Add(1)%2 == 0 {
				w.WriteHeader(500)
			}
		}
	}))
	defer srv.Close()
	defer close(release) // before Close, which waits for the hanging handler
	P, F, I := provider.Pass, provider.Fail, provider.Inconclusive
	tests := []struct {
		path               string
		healthy, unhealthy int
		want               []provider.Verdict
	}{
		{"/ok/{slot}", 1, 3, []provider.Verdict{P, P, P}},
		{"/ok/{slot}", 2, 3, []provider.Verdict{I, P, P}},
		{"/down/{slot}", 1, 3, []provider.Verdict{I, I, F, F}},
		{"/down/{slot}", 1, 1, []provider.Verdict{F}},
		{"/hang/{slot}", 1, 2, []provider.Verdict{I, F}},
		// A flapping endpoint never reaches two successes in a row.
		{"/flap/{slot}", 2, 3, []provider.Verdict{I, I, I, I, I, I}},
	}
	for _, tt := range tests {
		n.Store(0)
		h := &HTTP{URLs: []string{srv.URL + tt.path}, Timeout: 100 * time.Millisecond, HealthyThreshold: tt.healthy, UnhealthyThreshold: tt.unhealthy}
		var got []provider.Verdict
		for range tt.want {
			r := h.Check(context.Background(), provider.Target{Slot: model.Green, Build: 7})
			got = append(got, r.Verdict)
			if tt.path == "/hang/{slot}" && !strings.Contains(r.Detail, "no answer within 100ms") {
				t.Errorf("hanging probe detail = %q", r.Detail)
			}
		}
		if strings.Join(vs(got), ",") != strings.Join(vs(tt.want), ",") {
			t.Errorf("Check(%s, thresholds %d/%d) = %v; want %v", tt.path, tt.healthy, tt.unhealthy, got, tt.want)
		}
	}
}

func vs(v []provider.Verdict) []string {
	var s []string
	for _, x := range v {
		s = append(s, string(x))
	}
	return s
}

func TestCommand(t *testing.T) {
	tests := []struct {
		argv []string
		want provider.Verdict
		in   string
	}{
		{[]string{"sh", "-c", `test "$SWITCHYARD_SLOT" = green && test "$SWITCHYARD_BUILD" = 7 && echo fine`}, provider.Pass, "fine"},
		{[]string{"sh", "-c", "echo broken; exit 4"}, provider.Fail, "exit status 4 broken"},
		{[]string{"sleep", "30"}, provider.Fail, "timed out"},
		{[]string{"/nonexistent/probe"}, provider.Fail, "no such file"},
	}
	for _, tt := range tests {
		c := &Command{Argv: tt.argv, Timeout: 200 * time.Millisecond}
		r := c.Check(context.Background(), provider.Target{Env: "staging", Slot: model.Green, Build: 7})
		if r.Verdict != tt.want || !strings.Contains(r.Detail, tt.in) {
			t.Errorf("Check(%q) = %s (%q); want %s with %q", tt.argv, r.Verdict, r.Detail, tt.want, tt.in)
		}
	}
}
