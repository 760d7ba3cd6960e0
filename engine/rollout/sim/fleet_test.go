package sim

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

func TestAdoptionFollowsWeight(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		nodes, green int
	}{
		{1000, 0}, {1000, 1}, {1000, 10}, {1000, 50}, {1000, 100}, {100000, 1}, {100000, 37},
	}
	for _, tt := range tests {
		f, err := NewFleet(Options{Nodes: tt.nodes, LiveBuild: 6})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Deploy(ctx, model.Green, 7); err != nil {
			t.Fatal(err)
		}
		if err := f.Set(ctx, provider.SplitFor(model.Green, tt.green, 6, 7)); err != nil {
			t.Fatal(err)
		}
		fl, _ := f.Adoption(ctx)
		on7, on6 := fl.On(7), fl.On(6)
		want := tt.nodes * tt.green / 100
		if on7+on6 != tt.nodes || on7 != want {
			t.Errorf("Adoption(%d nodes, %d%% green) = %d on 7, %d on 6; want %d on 7", tt.nodes, tt.green, on7, on6, want)
		}
		f.Close()
	}
}

func TestPullDelay(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1000, 0)
	f, err := NewFleet(Options{Nodes: 1000, LiveBuild: 6, PullWindow: 10 * time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_ = f.Deploy(ctx, model.Green, 7)
	_ = f.Set(ctx, provider.SplitFor(model.Green, 100, 6, 7))
	steps := []struct {
		after    time.Duration
		min, max int
	}{
		{0, 0, 20}, {5 * time.Second, 400, 600}, {11 * time.Second, 1000, 1000},
	}
	for _, s := range steps {
		now = time.Unix(1000, 0).Add(s.after)
		fl, _ := f.Adoption(ctx)
		if got := fl.On(7); got < s.min || got > s.max {
			t.Errorf("%s after the switch %d nodes on 7; want %d..%d", s.after, got, s.min, s.max)
		}
	}
}

func TestServicesAndHealth(t *testing.T) {
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "fleet.json")
	f, err := NewFleet(Options{Nodes: 500, LiveBuild: 6, StatePath: state})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Deploy(ctx, model.Green, 7); err != nil {
		t.Fatal(err)
	}
	if err := f.Set(ctx, provider.SplitFor(model.Green, 50, 6, 7)); err != nil {
		t.Fatal(err)
	}
	if got := get(t, f.URL(model.Green)+"/build"); got != "7" {
		t.Errorf("green /build = %q; want 7", got)
	}
	if got := get(t, f.URL(model.Blue)+"/build"); got != "6" {
		t.Errorf("blue /build = %q; want 6", got)
	}
	h := &Health{Fleet: f, Timeout: time.Second}
	tgt := provider.Target{Env: "int", Slot: model.Green, Build: 7}
	if r := h.Check(ctx, tgt); r.Verdict != provider.Pass {
		t.Errorf("Check(green) = %+v; want pass", r)
	}
	_ = f.Fail(7, true)
	if r := h.Check(ctx, tgt); r.Verdict != provider.Fail || !strings.Contains(r.Detail, "503") {
		t.Errorf("Check(failing green) = %+v; want fail with 503", r)
	}
	if err := f.Stop(ctx, model.Green); err == nil {
		t.Errorf("Stop(green) with 50%% traffic succeeded; want refused")
	}
	// A restarted process reads the split back from the state file.
	f2, err := NewFleet(Options{Nodes: 500, LiveBuild: 1, StatePath: state})
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	a, err := f2.Actual(ctx)
	if err != nil || a.Green != 50 || a.GreenBuild != 7 || a.BlueBuild != 6 {
		t.Errorf("restarted Actual = %+v, %v; want 50%% on green build 7", a, err)
	}
	if r := (&Health{Fleet: f2}).Check(ctx, tgt); r.Verdict != provider.Fail {
		t.Errorf("restarted Check(failing green) = %+v; want fail (failing builds are kept)", r)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b))
}

// BenchmarkAdoption100k is one status refresh of a 100,000-node fleet in
// the middle of a wave (goal: well under 50 ms).
func BenchmarkAdoption100k(b *testing.B) {
	ctx := context.Background()
	f, err := NewFleet(Options{Nodes: 100000, LiveBuild: 6, PullWindow: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	_ = f.Deploy(ctx, model.Green, 7)
	_ = f.Set(ctx, provider.SplitFor(model.Green, 50, 6, 7))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		fl, _ := f.Adoption(ctx)
		if fl.Nodes != 100000 {
			b.Fatal(fl.Nodes)
		}
	}
}

// TestTwoProcesses has two fleets on one state file, as a cockpit and a CLI
// command beside it: what one does, the other sees.
func TestTwoProcesses(t *testing.T) {
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "fleet.json")
	a, err := NewFleet(Options{Nodes: 1000, LiveBuild: 6, StatePath: state})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Fail(99, false); err != nil { // writes the state file
		t.Fatal(err)
	}
	b, err := NewFleet(Options{Nodes: 1000, LiveBuild: 6, StatePath: state})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.Deploy(ctx, model.Green, 7); err != nil {
		t.Fatal(err)
	}
	if err := a.Set(ctx, provider.SplitFor(model.Green, 30, 6, 7)); err != nil {
		t.Fatal(err)
	}
	fl, _ := b.Adoption(ctx)
	if fl.On(7) != 300 {
		t.Errorf("other fleet sees %d nodes on 7; want 300", fl.On(7))
	}
	if u := b.URL(model.Green); u == "" || get(t, u+"/build") != "7" {
		t.Errorf("other fleet's green service = %q; want one serving build 7", u)
	}
	_ = a.Set(ctx, provider.SplitFor(model.Green, 0, 6, 7))
	_ = a.Stop(ctx, model.Green)
	if u := b.URL(model.Green); u != "" {
		t.Errorf("other fleet still runs green at %s after it was stopped", u)
	}
}
