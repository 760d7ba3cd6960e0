package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/switchyard/switchyard/engine/binrepo"
	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/engine/testrepo"
	"github.com/switchyard/switchyard/model"
)

// TestRolloutBinDriver rolls builds out by moving the bin repo's symlink:
// a release into the bin-driven track leaves the symlink where it is, a
// healthy build's rollout ends with the symlink on it, a build whose health
// fails after the switch is aborted with the symlink back on the live
// build. The switch is journaled as a bin "pointed" entry.
func TestRolloutBinDriver(t *testing.T) {
	ctx := context.Background()
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
	e, binDir := openBinEngine(t, `[deploy]
warmup = "1ms"
[deploy.analysis]
interval = "1ms"
count = 2
[[deploy.environment]]
name = "production"
track = "prod"
[deploy.environment.health]
provider = "command"
command = ["sh", `+strconv.Quote(probe)+`]
[deploy.environment.traffic]
driver = "bin"
`)
	defer e.CloseRollouts()
	release := func() int {
		r, err := e.Release(ctx, ReleaseOptions{Track: "prod"})
		if err != nil {
			t.Fatalf("Release = %v", err)
		}
		if r.Live || len(r.RolledOutBy) != 1 || r.RolledOutBy[0] != "production" {
			t.Errorf("Release = live %v, rolled out by %v; want not live, rolled out by production", r.Live, r.RolledOutBy)
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
	b1 := release()
	if _, err := e.LiveBuild(ctx, "prod"); err == nil {
		t.Fatalf("the first release into a bin-driven track made a symlink; want none until a rollout")
	}
	point(b1) // production runs build 1
	b2 := release()
	if got := live(); got != b1 {
		t.Fatalf("release of %d moved the symlink to %d; want it left on %d for the rollout", b2, got, b1)
	}
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
			if got := live(); got != b2 {
				t.Fatalf("release of %d moved the symlink to %d; want it left on %d for the rollout", build, got, b2)
			}
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
	j, err := e.Journal()
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := j.Read(ctx, journal.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	pointed := map[int]bool{}
	for _, en := range entries {
		if en.Kind == "bin" && en.Action == "pointed" {
			pointed[en.Build] = true
		}
	}
	if !pointed[b2] {
		t.Errorf("no journaled bin switch to build %d (switches journaled: %v)", b2, pointed)
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

// TestReleaseSwitch: a release moves the symlink of a track no environment
// rolls out with the bin driver, and leaves it on a track one does. An
// environment's live build is seeded once from the symlink, so a release
// that moves the symlink does not make its build look live there: the
// rollout of that build starts and ends with it live.
func TestReleaseSwitch(t *testing.T) {
	ctx := context.Background()
	e, _ := openBinEngine(t, `[deploy]
warmup = "1ms"
[deploy.analysis]
interval = "1ms"
count = 1
[[deploy.environment]]
name = "integration"
track = "dev"
[deploy.environment.traffic]
driver = "sim"
nodes = 10
pull = "1ms"
[[deploy.environment]]
name = "production"
track = "prod"
[deploy.environment.health]
provider = "command"
command = ["true"]
[deploy.environment.traffic]
driver = "bin"
`)
	defer e.CloseRollouts()
	release := func(track string, live bool) int {
		t.Helper()
		r, err := e.Release(ctx, ReleaseOptions{Track: track})
		if err != nil {
			t.Fatalf("Release(%s) = %v", track, err)
		}
		if r.Live != live {
			t.Errorf("Release(%s).Live = %v; want %v", track, r.Live, live)
		}
		return r.Number
	}
	symlink := func(track string) int {
		t.Helper()
		b, err := e.LiveBuild(ctx, track)
		if errors.Is(err, binrepo.ErrNoLive) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return b.Number
	}
	liveOn := func(env string) int {
		t.Helper()
		n, err := e.LiveOn(ctx, env)
		if err != nil {
			t.Fatalf("LiveOn(%s) = %v", env, err)
		}
		return n
	}

	// The plain track: the release is the switch.
	d1 := release("dev", true)
	if got := symlink("dev"); got != d1 {
		t.Errorf("after release %d of dev the symlink names %d; want it moved", d1, got)
	}
	if got := liveOn("integration"); got != d1 {
		t.Errorf("LiveOn(integration) = %d; want %d, seeded from the symlink", got, d1)
	}
	d2 := release("dev", true)
	if got := symlink("dev"); got != d2 {
		t.Errorf("after release %d of dev the symlink names %d; want it moved", d2, got)
	}
	if got := liveOn("integration"); got != d1 {
		t.Errorf("LiveOn(integration) after release %d = %d; want %d kept", d2, got, d1)
	}
	if _, err := e.StartRollout(ctx, "integration", StartOptions{}); err != nil {
		t.Fatalf("StartRollout(integration, newest %d) after the release = %v", d2, err)
	}
	if st, err := e.RunRollout(ctx, "integration"); err != nil || st.State != model.RolloutDone || st.From != d1 {
		t.Fatalf("rollout on integration = %s from %d (%v); want done from %d", st.State, st.From, err, d1)
	}
	if got := liveOn("integration"); got != d2 {
		t.Errorf("LiveOn(integration) after its rollout = %d; want %d", got, d2)
	}

	// The bin-driven track: the rollout is the switch.
	p1 := release("prod", false)
	if got := symlink("prod"); got != 0 {
		t.Errorf("after release %d of prod the symlink names %d; want none yet", p1, got)
	}
	if _, err := e.StartRollout(ctx, "production", StartOptions{}); err != nil {
		t.Fatalf("StartRollout(production, newest %d) = %v", p1, err)
	}
	if st, err := e.RunRollout(ctx, "production"); err != nil || st.State != model.RolloutDone {
		t.Fatalf("rollout on production = %s (%v) %q; want done", st.State, err, st.Reason)
	}
	if got := symlink("prod"); got != p1 {
		t.Errorf("after the rollout of %d the prod symlink names %d; want it", p1, got)
	}
}

// openBinEngine opens an engine on a source repo (dev and prod at one
// commit) whose builds go to a new bare bin repo, with the given [deploy]
// part of the config. It returns the engine and the bin repo's folder.
func openBinEngine(t *testing.T, deploy string) (*Engine, string) {
	t.Helper()
	t.Setenv("GIT_COMMITTER_NAME", "Rel Manager")
	t.Setenv("GIT_COMMITTER_EMAIL", "rm@example.com")
	src := testrepo.New(t)
	binDir := t.TempDir()
	testrepo.Open(t, binDir).Git("init", "-q", "--bare")
	cfg := `[bin]
path = ` + strconv.Quote(binDir) + `
name = "app"
[build]
command = ["sh", "-c", "mkdir -p dist && echo $SWITCHYARD_BUILD > dist/v"]
output = "dist"
` + deploy
	src.Commit("dev", "app", map[string]string{"switchyard.toml": cfg})
	src.Git("branch", "prod", "dev")
	e, err := Open(context.Background(), OpenOptions{Dir: src.Dir})
	if err != nil {
		t.Fatal(err)
	}
	return e, binDir
}
