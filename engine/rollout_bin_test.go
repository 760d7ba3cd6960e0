package engine

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/switchyard/switchyard/engine/binrepo"
	"github.com/switchyard/switchyard/engine/testrepo"
	"github.com/switchyard/switchyard/model"
)

// TestRolloutBinDriver rolls builds out by moving the bin repo's symlink:
// a healthy build ends with the symlink on it, a build whose health fails
// after the switch is aborted with the symlink back on the live build.
func TestRolloutBinDriver(t *testing.T) {
	ctx := context.Background()
	t.Setenv("GIT_COMMITTER_NAME", "Rel Manager")
	t.Setenv("GIT_COMMITTER_EMAIL", "rm@example.com")
	src := testrepo.New(t)
	binDir := t.TempDir()
	bin := testrepo.Open(t, binDir)
	bin.Git("init", "-q", "--bare")
	tmp := t.TempDir()
	sick := filepath.Join(tmp, "sick")
	// Healthy, except the build named in the sick file after its first
	// check (the warm-up): it breaks once it takes traffic.
	probe := filepath.Join(tmp, "probe.sh")
	script := "c=" + tmp + "/count-$SWITCHYARD_BUILD; n=$(( $(cat $c 2>/dev/null || echo 0) + 1 )); echo $n > $c\n" +
		"grep -qx \"$SWITCHYARD_BUILD\" " + sick + " 2>/dev/null && [ $n -gt 1 ] && exit 1\nexit 0\n"
	if err := os.WriteFile(probe, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := `[bin]
path = ` + strconv.Quote(binDir) + `
name = "app"
[build]
command = ["sh", "-c", "mkdir -p dist && echo $SWITCHYARD_BUILD > dist/v"]
output = "dist"
[deploy]
warmup = "1ms"
[deploy.analysis]
interval = "1ms"
count = 2
[[deploy.environment]]
name = "production"
track = "prod"
[deploy.environment.health]
provider = "command"
command = ["sh", ` + strconv.Quote(probe) + `]
[deploy.environment.traffic]
driver = "bin"
`
	src.Commit("dev", "app", map[string]string{"switchyard.toml": cfg})
	src.Git("branch", "prod", "dev")
	e, err := Open(ctx, OpenOptions{Dir: src.Dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.CloseRollouts()
	release := func() int {
		r, err := e.Release(ctx, ReleaseOptions{Track: "prod"})
		if err != nil {
			t.Fatalf("Release = %v", err)
		}
		return r.Build.Number
	}
	point := func(n int) {
		repo, err := binrepo.Open(ctx, binDir, "app")
		if err != nil {
			t.Fatal(err)
		}
		head, _ := repo.Head(ctx, "prod")
		if _, err := repo.Point(ctx, binrepo.PointOptions{Branch: "prod", Number: n, Expect: head, Signature: mustSig(t, e)}); err != nil {
			t.Fatal(err)
		}
	}
	live := func() int {
		b, err := e.LiveBuild(ctx, "prod")
		if err != nil {
			t.Fatal(err)
		}
		return b.Number
	}
	b1, b2 := release(), release()
	point(b1) // production runs build 1; build 2 waits for its rollout
	tests := []struct {
		build int
		sick  bool
		state model.RolloutState
		live  int
	}{
		{b2, false, model.RolloutDone, b2},
		{0, true, model.RolloutAborted, b2}, // a new build 3, unhealthy once live
	}
	for _, tt := range tests {
		build := tt.build
		if build == 0 {
			build = release()
			point(b2) // release moved the symlink; production still runs b2
		}
		if tt.sick {
			if err := os.WriteFile(sick, []byte(strconv.Itoa(build)+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.StartRollout(ctx, "production", StartOptions{}); err != nil {
			t.Fatalf("StartRollout(newest = %d) = %v", build, err)
		}
		st, err := e.RunRollout(ctx, "production")
		if err != nil || st.State != tt.state || st.Build != build {
			t.Fatalf("rollout of %d = %s (%v) %q; want %s", st.Build, st.State, err, st.Reason, tt.state)
		}
		if tt.sick && !strings.Contains(st.Reason, "wave 1 (100%) failed analysis") {
			t.Errorf("reason = %q; want the wave's failed analysis (after the switch)", st.Reason)
		}
		if got := live(); got != tt.live {
			t.Errorf("after the rollout of %d (%s) the symlink names %d; want %d", build, st.State, got, tt.live)
		}
	}
}

func mustSig(t *testing.T, e *Engine) object.Signature {
	t.Helper()
	s, err := e.committer()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
