package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/rollout"
	"github.com/switchyard/switchyard/engine/testrepo"
	"github.com/switchyard/switchyard/model"
)

// rolloutRepo makes a source repo whose config has a sim environment
// "staging" (waves 10, 50 with approval, 100; interval as given) and a
// second one, "production", that the tests check stays untouched.
func rolloutRepo(t *testing.T, interval string, gate string) string {
	t.Helper()
	t.Setenv("GIT_COMMITTER_NAME", "Rel Manager")
	t.Setenv("GIT_COMMITTER_EMAIL", "rm@example.com")
	src := testrepo.New(t)
	cfg := `[deploy]
warmup = "1ms"
[[deploy.wave]]
weight = 10
[[deploy.wave]]
weight = 50
approval = true
[[deploy.wave]]
weight = 100
[deploy.analysis]
interval = "` + interval + `"
count = 3
[[deploy.gate]]
name = "acceptance"
command = ` + gate + `
timeout = "3s"
[[deploy.environment]]
name = "staging"
track = "prod"
[deploy.environment.traffic]
driver = "sim"
nodes = 1000
pull = "1ms"
[[deploy.environment]]
name = "production"
track = "prod"
[deploy.environment.traffic]
driver = "sim"
nodes = 100000
`
	src.Commit("dev", "svc", map[string]string{"switchyard.toml": cfg})
	src.Git("branch", "prod", "dev")
	return src.Dir
}

func rolloutStatus(t *testing.T, dir, env string) *rollout.Status {
	t.Helper()
	code, out, errs := cliRun("rollout", "status", "--repo", dir, "--env", env, "--json")
	if code != exitOK {
		t.Fatalf("rollout status = %d: %s", code, errs)
	}
	var st rollout.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("rollout status --json: %v\n%s", err, out)
	}
	return &st
}

func TestRolloutCommandBadInput(t *testing.T) {
	dir := rolloutRepo(t, "1ms", `["true"]`)
	tests := []struct {
		args []string
		want string
	}{
		{nil, "usage: switchyard rollout"},
		{[]string{"launch", "--env", "staging"}, `unknown action "launch"`},
		{[]string{"start"}, "--env is required"},
		{[]string{"start", "--env", "qa", "--build", "3"}, `"qa": no such environment (configured: staging, production)`},
		{[]string{"start", "--env", "staging", "--build", "-1"}, "is not a build number"},
		{[]string{"promote", "--env", "staging", "--build", "3"}, "only go with start"},
		{[]string{"start", "--env", "staging", "--build", "3", "--allow-backwards"}, "needs --confirm staging"},
		{[]string{"start", "--env", "staging"}, "no build to roll out"},
		{[]string{"approve", "--env", "staging"}, "no rollout recorded"},
		{[]string{"status", "--env", "staging", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		args := append([]string{"rollout"}, tt.args...)
		args = append(args, "--repo", dir)
		if len(tt.args) == 0 {
			args = []string{"rollout"}
		}
		code, _, errs := cliRun(args...)
		if code != exitError || !strings.Contains(errs, tt.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("%v = %d, %q; want exit 2 and one line with %q", tt.args, code, errs, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "switchyard", "rollouts", "staging.json")); err == nil {
		t.Errorf("bad input left a rollout recorded")
	}
}

func TestRolloutCommandFlow(t *testing.T) {
	dir := rolloutRepo(t, "1ms", `["sh", "-c", "echo gate for $SWITCHYARD_ENV $SWITCHYARD_SLOT build $SWITCHYARD_BUILD"]`)
	steps := []struct {
		args    []string
		code    int
		out     string // in stdout
		state   model.RolloutState
		waiting string
	}{
		{[]string{"status"}, exitOK, "staging: no rollout recorded", "", ""},
		{[]string{"start", "--build", "7"}, exitOK, "paused, waiting for approval", model.RolloutPaused, rollout.WaitApproval},
		{[]string{"promote"}, exitError, "", model.RolloutPaused, rollout.WaitApproval},
		{[]string{"status"}, exitOK, "traffic on green: desired 10%, actual 10%", model.RolloutPaused, rollout.WaitApproval},
		{[]string{"approve"}, exitOK, "staging: build 7 is live on green", model.RolloutDone, ""},
		{[]string{"start", "--build", "7"}, exitError, "", model.RolloutDone, ""},
		{[]string{"start", "--build", "5", "--allow-backwards", "--confirm", "production"}, exitError, "", model.RolloutDone, ""},
		{[]string{"start", "--build", "8"}, exitOK, "waiting for approval", model.RolloutPaused, rollout.WaitApproval},
		{[]string{"abort", "--reason", "wrong build"}, exitOK, "rollout of build 8 aborted; build 7 serves on green", model.RolloutAborted, ""},
		{[]string{"start", "--build", "5", "--allow-backwards", "--confirm", "staging"}, exitOK, "BACKWARDS rollout of build 5 over live build 7", model.RolloutPaused, rollout.WaitApproval},
	}
	for i, s := range steps {
		args := append([]string{"rollout"}, s.args...)
		args = append(args, "--repo", dir, "--env", "staging")
		code, out, errs := cliRun(args...)
		if code != s.code || !strings.Contains(out, s.out) {
			t.Fatalf("step %d %v = %d\nstdout %s\nstderr %s\nwant exit %d with %q", i, s.args, code, out, errs, s.code, s.out)
		}
		if s.state == "" {
			continue
		}
		st := rolloutStatus(t, dir, "staging")
		if st.State != s.state || st.Waiting != s.waiting {
			t.Fatalf("step %d %v: state %s %q; want %s %q", i, s.args, st.State, st.Waiting, s.state, s.waiting)
		}
	}
	if st := rolloutStatus(t, dir, "production"); st.State != model.RolloutIdle {
		t.Errorf("production state = %s; want idle (untouched)", st.State)
	}
	code, out, _ := cliRun("journal", "--repo", dir, "--kind", "rollout", "--json")
	if code != exitOK || !strings.Contains(out, `"override-backwards"`) || !strings.Contains(out, "wrong build") {
		t.Errorf("journal lacks the override or the abort reason:\n%s", out)
	}
}

// TestRolloutHelperProcess is the CLI run in a child process by
// TestRolloutKilledAndResumed; it does nothing in a normal test run.
func TestRolloutHelperProcess(t *testing.T) {
	if os.Getenv("SWITCHYARD_HELPER_ARGS") == "" {
		t.Skip("helper process only")
	}
	args := strings.Split(os.Getenv("SWITCHYARD_HELPER_ARGS"), "\x1f")
	os.Exit(run(context.Background(), args, &cli{stdin: strings.NewReader(""), stdout: os.Stdout, stderr: os.Stderr}))
}

// TestRolloutKilledAndResumed kills the process driving a rollout in the
// middle of a wave (SIGKILL: no clean-up) and checks that the state is
// recorded, nothing is lost, and a new process resumes and finishes it.
func TestRolloutKilledAndResumed(t *testing.T) {
	dir := rolloutRepo(t, "150ms", `["true"]`)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRolloutHelperProcess$")
	cmd.Env = append(os.Environ(), "SWITCHYARD_HELPER_ARGS="+strings.Join([]string{"rollout", "start", "--repo", dir, "--env", "staging", "--build", "7"}, "\x1f"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	statePath := filepath.Join(dir, ".git", "switchyard", "rollouts", "staging.json")
	deadline := time.Now().Add(30 * time.Second)
	for {
		var st rollout.Status
		if data, err := os.ReadFile(statePath); err == nil && json.Unmarshal(data, &st) == nil {
			if w := st.CurrentWave(); w != nil && len(w.Measurements) >= 1 {
				break
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the rollout did not reach a wave measurement within 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()

	st := rolloutStatus(t, dir, "staging")
	if st.State != model.RolloutWave || st.Running || st.Desired != 10 {
		t.Fatalf("after the kill: state %s running %v desired %d; want wave, not running, 10", st.State, st.Running, st.Desired)
	}
	kept := len(st.Waves[0].Measurements)
	history := len(st.History)
	code, out, errs := cliRun("rollout", "status", "--repo", dir, "--env", "staging")
	if code != exitOK || !strings.Contains(out, "no controller running") {
		t.Errorf("status after the kill = %d %q %q; want it to say no controller runs", code, out, errs)
	}
	code, out, errs = cliRun("rollout", "start", "--repo", dir, "--env", "staging")
	if code != exitOK || !strings.Contains(out, "resuming the rollout of build 7") || !strings.Contains(out, "waiting for approval") {
		t.Fatalf("resume = %d\n%s\n%s", code, out, errs)
	}
	st = rolloutStatus(t, dir, "staging")
	if got := len(st.Waves[0].Measurements); got != 3 || kept < 1 || len(st.History) <= history {
		t.Errorf("wave 1 measurements %d (kept %d), history %d (was %d); want 3 in all and history kept", got, kept, len(st.History), history)
	}
	if !st.ActualKnown || st.Actual != 10 {
		t.Errorf("reconciled actual = %d (known %v); want 10", st.Actual, st.ActualKnown)
	}
	if code, _, errs := cliRun("rollout", "approve", "--repo", dir, "--env", "staging"); code != exitOK {
		t.Fatalf("approve after resume = %d %s", code, errs)
	}
	if st := rolloutStatus(t, dir, "staging"); st.State != model.RolloutDone {
		t.Errorf("final state %s; want done", st.State)
	}
}

// TestRolloutCommandWhileAnotherDrives holds the controller lock as a
// running cockpit would: start refuses with a hint, abort leaves its
// request, and the request is applied when the rollout is next driven.
func TestRolloutCommandWhileAnotherDrives(t *testing.T) {
	dir := rolloutRepo(t, "1ms", `["true"]`)
	if code, _, errs := cliRun("rollout", "start", "--repo", dir, "--env", "staging", "--build", "7"); code != exitOK {
		t.Fatalf("start = %d %s", code, errs)
	}
	store := &rollout.Store{Dir: filepath.Join(dir, ".git", "switchyard", "rollouts")}
	unlock, err := store.Lock("staging")
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := cliRun("rollout", "start", "--repo", dir, "--env", "staging")
	if code != exitError || !strings.Contains(errs, "already driving") || !strings.Contains(errs, "--watch") {
		t.Errorf("start while driven elsewhere = %d %q; want exit 2 with a hint", code, errs)
	}
	code, out, errs := cliRun("rollout", "abort", "--repo", dir, "--env", "staging", "--reason", "from the CLI")
	if code != exitOK || !strings.Contains(out, "the request is left for it") {
		t.Errorf("abort while driven elsewhere = %d %q %q", code, out, errs)
	}
	if st := rolloutStatus(t, dir, "staging"); st.State != model.RolloutPaused || !st.Running {
		t.Errorf("state %s running %v; want still paused, driven elsewhere", st.State, st.Running)
	}
	unlock()
	code, out, errs = cliRun("rollout", "start", "--repo", dir, "--env", "staging")
	if code != exitError || !strings.Contains(errs, "aborted: aborted by") || !strings.Contains(errs, "from the CLI") {
		t.Errorf("resume with the abort pending = %d %q %q; want the abort applied", code, out, errs)
	}
	if st := rolloutStatus(t, dir, "staging"); st.State != model.RolloutAborted {
		t.Errorf("final state %s; want aborted", st.State)
	}
}
