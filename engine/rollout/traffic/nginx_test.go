package traffic

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/internal/nginxtest"
	"github.com/switchyard/switchyard/engine/rollout/provider"
)

func TestNginxRenderActual(t *testing.T) {
	dir := t.TempDir()
	n := &Nginx{File: filepath.Join(dir, "up.conf"), Upstream: "app", Blue: "127.0.0.1:1", Green: "127.0.0.1:2"}
	tests := []provider.Split{
		{Blue: 100, Green: 0, BlueBuild: 6, GreenBuild: 7},
		{Blue: 99, Green: 1, BlueBuild: 6, GreenBuild: 7},
		{Blue: 50, Green: 50, BlueBuild: 6, GreenBuild: 7},
		{Blue: 0, Green: 100, BlueBuild: 6, GreenBuild: 7},
	}
	for _, s := range tests {
		if err := n.Set(context.Background(), s); err != nil {
			t.Fatalf("Set(%+v) = %v", s, err)
		}
		got, err := n.Actual(context.Background())
		if err != nil || got != s {
			t.Errorf("Actual after Set(%+v) = %+v, %v", s, got, err)
		}
	}
	if err := n.Set(context.Background(), provider.Split{Blue: 60, Green: 60}); err == nil {
		t.Errorf("Set(60/60) succeeded; want refused")
	}
	// A config test that fails puts the previous file back.
	before, _ := os.ReadFile(n.File)
	n.Test = []string{"false"}
	if err := n.Set(context.Background(), provider.Split{Blue: 10, Green: 90}); err == nil {
		t.Errorf("Set with a failing config test succeeded")
	}
	if after, _ := os.ReadFile(n.File); string(after) != string(before) {
		t.Errorf("failing config test left %q; want the previous file", after)
	}
	if _, err := (&Nginx{File: filepath.Join(dir, "missing.conf")}).Actual(context.Background()); err == nil {
		t.Errorf("Actual of a missing file succeeded; want ErrUnknown")
	}
}

// TestNginxCutover starts a real nginx on loopback in front of two backends,
// shifts the weights and reloads while a bounded load runs, and checks that
// no request failed and that the traffic moved.
func TestNginxCutover(t *testing.T) {
	dir := t.TempDir()
	backend := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, name) }))
	}
	blue, green := backend("blue"), backend("green")
	defer blue.Close()
	defer green.Close()
	n := &Nginx{File: filepath.Join(dir, "upstream.conf"), Upstream: "app",
		Blue: strings.TrimPrefix(blue.URL, "http://"), Green: strings.TrimPrefix(green.URL, "http://"),
		Timeout: 10 * time.Second}
	ctx := context.Background()
	if err := n.Set(ctx, provider.Split{Blue: 100, BlueBuild: 6, GreenBuild: 7}); err != nil {
		t.Fatalf("first Set: %v", err)
	}
	srv := nginxtest.Start(t, n.File)
	n.Test, n.Reload = srv.Test, srv.Reload
	url := srv.URL
	client := &http.Client{Timeout: 5 * time.Second}
	// A bounded load: at most 2,000 requests or 10 s, two workers.
	var failed, total, onGreen atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{}, 2)
	for range 2 {
		go func() {
			defer func() { done <- struct{}{} }()
			end := time.Now().Add(10 * time.Second)
			for total.Load() < 2000 && time.Now().Before(end) {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(url)
				total.Add(1)
				if err != nil {
					failed.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
				}
				if string(b) == "green" {
					onGreen.Add(1)
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	for _, g := range []int{1, 10, 50, 100} {
		time.Sleep(100 * time.Millisecond)
		if err := n.Set(ctx, provider.SplitFor("green", g, 6, 7)); err != nil {
			t.Fatalf("Set(%d%% green): %v", g, err)
		}
	}
	time.Sleep(500 * time.Millisecond) // old workers finish their requests
	close(stop)
	<-done
	<-done
	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed during the cut-over; want 0", failed.Load(), total.Load())
	}
	if onGreen.Load() == 0 {
		t.Errorf("no request of %d reached green during the shift", total.Load())
	}
	// After the cut-over every request goes to green.
	for i := range 20 {
		resp, err := client.Get(url)
		if err != nil {
			t.Fatalf("request %d after the cut-over: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "green" {
			t.Errorf("request %d after the cut-over answered by %q; want green", i, b)
		}
	}
	a, err := n.Actual(ctx)
	if err != nil || a.Green != 100 {
		t.Errorf("Actual = %+v, %v; want 100%% green", a, err)
	}
	t.Logf("%d requests, %d failed, %d answered by green", total.Load(), failed.Load(), onGreen.Load())
}
