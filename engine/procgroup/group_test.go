//go:build linux

package procgroup

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestStdout(t *testing.T) {
	out, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	var got lines
	code, err := Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "echo one; printf two >&2"}, Stdout: out, Output: got.add})
	if err != nil || code != 0 {
		t.Fatalf("Run(Stdout: file) = %d, %v; want 0, nil", code, err)
	}
	if data, _ := os.ReadFile(out.Name()); string(data) != "one\ntwo" {
		t.Errorf("Run(Stdout: file) wrote %q; want %q", data, "one\ntwo")
	}
	if len(got.get()) != 0 {
		t.Errorf("Run(Stdout: file) also called Output with %q", got.get())
	}
}

func TestStarted(t *testing.T) {
	refuse := errors.New("cannot record")
	tests := []struct {
		name    string
		argv    []string
		started error
		code    int
		wantErr error
	}{
		{"recorded", []string{"sh", "-c", "sleep 0.2; exit 4"}, nil, 4, nil},
		{"refused ends the group", []string{"sleep", "100"}, refuse, -1, refuse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pgid int
			var members []int
			c := Cmd{Argv: tt.argv, Grace: -1, Started: func(g int) error {
				pgid = g
				members, _ = Members(g)
				return tt.started
			}}
			// A Run that waited for "sleep 100" instead of ending the
			// group would be ended by this deadline and report it, not
			// the refusal.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			code, err := Run(ctx, c)
			if code != tt.code || err != tt.wantErr {
				t.Fatalf("Run(%q, Started: %v) = %d, %v; want %d, %v", tt.argv, tt.started, code, err, tt.code, tt.wantErr)
			}
			if pgid <= 1 || !slices.Contains(members, pgid) {
				t.Errorf("Started got %d; want the group's id (members then: %v)", pgid, members)
			}
			if m, _ := Members(pgid); len(m) != 0 {
				t.Errorf("group %d still has %v after Run", pgid, m)
			}
		})
	}
}

// orphan starts sh with env in a group of its own, as a process that died
// would have left it; the test ends it in any case.
func orphan(t *testing.T, script string, env ...string) int {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	go func() { _ = cmd.Wait() }()
	t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
	deadline := time.Now().Add(5 * time.Second)
	for m, _ := Members(pgid); len(m) < 2 && time.Now().Before(deadline); m, _ = Members(pgid) {
		time.Sleep(10 * time.Millisecond) // wait for the background child
	}
	return pgid
}

func TestKillGroup(t *testing.T) {
	tests := []struct {
		name   string
		script string
		grace  time.Duration
	}{
		{"term", "sleep 100 & sleep 100", time.Second},
		{"term ignored, then kill", "trap '' TERM; sleep 100 & sleep 100", 200 * time.Millisecond},
		{"kill at once", "sleep 100 & sleep 100", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pgid := orphan(t, tt.script, "MARK=run-1")
			if ok, err := HasEnv(pgid, "MARK=run-1"); !ok || err != nil {
				t.Errorf("HasEnv(%d, MARK=run-1) = %v, %v; want true, nil", pgid, ok, err)
			}
			if ok, err := HasEnv(pgid, "MARK=run-2"); ok || err != nil {
				t.Errorf("HasEnv(%d, MARK=run-2) = %v, %v; want false, nil", pgid, ok, err)
			}
			if err := KillGroup(pgid, tt.grace); err != nil {
				t.Fatalf("KillGroup(%d, %s) = %v; want nil", pgid, tt.grace, err)
			}
			if m, _ := Members(pgid); len(m) != 0 {
				t.Errorf("KillGroup(%d, %s) left %v", pgid, tt.grace, m)
			}
			if err := KillGroup(pgid, tt.grace); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("KillGroup(%d, %s) again = %v; want ESRCH", pgid, tt.grace, err)
			}
		})
	}
	for _, pgid := range []int{0, 1, -5} {
		if err := KillGroup(pgid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("KillGroup(%d, 0) = %v; want ESRCH", pgid, err)
		}
	}
}
