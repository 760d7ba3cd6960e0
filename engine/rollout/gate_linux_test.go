package rollout

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/switchyard/switchyard/engine/rollout/provider"
	"github.com/switchyard/switchyard/model"
)

// gateController is a controller on the store in dir whose one gate runs
// argv.
func gateController(dir string, argv ...string) *Controller {
	tr := &fakeTraffic{split: provider.Split{Blue: 100, BlueBuild: 6}}
	return &Controller{
		Env: Env{Name: "staging", Track: "prod", Waves: waves(100), Warmup: ms, WarmupChecks: 1, WarmupInterval: ms,
			Gates: []Gate{{Name: "load", Argv: argv}}, Traffic: tr, Slots: tr, Health: verdicts(provider.Pass)},
		Store: &Store{Dir: dir},
		Poll:  ms,
	}
}

// TestGateControllerHelper is the controller process killed by
// TestGateOutlivesKilledController; it does nothing in a normal run.
func TestGateControllerHelper(t *testing.T) {
	dir := os.Getenv("SWITCHYARD_GATE_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	c := gateController(dir, "sh", "-c", "sleep 60; echo never")
	_, err := c.Run(context.Background())
	t.Fatalf("Run returned (%v); it should have been killed mid-gate", err)
}

// TestGateOutlivesKilledController kills a controller with SIGKILL while
// its gate runs: the gate's process group survives it, orphaned. The next
// controller ends that group before running the gate again.
func TestGateOutlivesKilledController(t *testing.T) {
	dir := t.TempDir()
	c := gateController(dir, "true")
	start(t, c, 7)

	helper := exec.Command(os.Args[0], "-test.run=^TestGateControllerHelper$", "-test.count=1")
	helper.Env = append(os.Environ(), "SWITCHYARD_GATE_HELPER_DIR="+dir)
	helper.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the gate gets a group of its own anyway
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = helper.Process.Kill()
			_ = helper.Wait()
		}
	}()
	var pgid int
	waitFor(t, func() bool {
		st, err := c.Store.Load("staging")
		if err == nil && len(st.Gates) == 1 && st.Gates[0].State == GateRunning && st.Gates[0].PGID > 0 {
			pgid = st.Gates[0].PGID
			return len(groupMembers(pgid)) > 0
		}
		return false
	})
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	killed = true
	// Make sure whatever happens the orphan does not outlive the test.
	t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
	if len(groupMembers(pgid)) == 0 {
		t.Fatalf("the gate's group %d ended with its controller; the test needs it orphaned", pgid)
	}

	st, err := c.Run(context.Background())
	if err != nil || st.State != model.RolloutDone || st.Gates[0].State != GatePassed {
		t.Fatalf("resumed Run = %s (%v), gate %s; want done, gate passed", st.State, err, st.Gates[0].State)
	}
	if m := groupMembers(pgid); len(m) > 0 {
		t.Errorf("the old gate's group %d still has processes %v after the resume", pgid, m)
	}
	found := false
	for _, h := range st.History {
		found = found || strings.Contains(h.Text, "was still running")
	}
	if !found {
		t.Errorf("the history does not say the old gate was stopped")
	}
	if st.Gates[0].PGID != 0 {
		t.Errorf("gate PGID = %d after it ended; want 0", st.Gates[0].PGID)
	}
}

// TestEndGroupLeavesOthers: a group that is not the recorded run's (its id
// reused) is left alone.
func TestEndGroupLeavesOthers(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	if endGroup(cmd.Process.Pid, "staging/7/load/1") {
		t.Errorf("endGroup stopped a group without the run's mark")
	}
	if len(groupMembers(cmd.Process.Pid)) == 0 {
		t.Errorf("the unrelated group is gone")
	}
}
