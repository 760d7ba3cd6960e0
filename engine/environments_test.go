package engine

import (
	"context"
	"strings"
	"testing"
)

func TestEnvironmentsWithoutRollouts(t *testing.T) {
	e := openRolloutEngine(t, simConfig(`["true"]`, false))
	envs, err := e.Environments(context.Background())
	if err != nil || len(envs) != 2 || envs[0].Name != "staging" || envs[1].Name != "production" {
		t.Fatalf("Environments = %+v, %v; want staging, production in order", envs, err)
	}
	for _, env := range envs {
		if env.Track != "prod" || env.Blue.Weight != 100 || env.Green.Weight != 0 || env.Green.Build != 0 {
			t.Errorf("%s = %+v; want prod, all traffic on blue, green empty", env.Name, env)
		}
	}
	if _, err := e.RolloutStatus(context.Background(), "qa"); err == nil || !strings.Contains(err.Error(), "no such environment") {
		t.Errorf("RolloutStatus(qa) = %v; want no such environment", err)
	}
}

// BenchmarkEnvironments100k is one refresh of the environments pane with a
// 100,000-node sim fleet mid-rollout: record, driver split, adoption and a
// health probe of each running slot over loopback.
func BenchmarkEnvironments100k(b *testing.B) {
	cfg := strings.Replace(simConfig(`["true"]`, true), "nodes = 2000", "nodes = 100000", 1)
	e := openRolloutEngine(b, cfg)
	ctx := context.Background()
	if _, err := e.StartRollout(ctx, "staging", StartOptions{Build: 7}); err != nil {
		b.Fatal(err)
	}
	if st, err := e.RunRollout(ctx, "staging"); err != nil || st.Desired != 10 {
		b.Fatalf("rollout = %v, %v", st, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		envs, err := e.Environments(ctx)
		if err != nil || envs[0].Green.NodesOnBuild != 10000 {
			b.Fatalf("Environments = %+v, %v", envs, err)
		}
	}
}
