//go:build linux

package procgroup

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lines collects Output.
type lines struct {
	mu sync.Mutex
	l  []string
}

func (l *lines) add(s string) { l.mu.Lock(); l.l = append(l.l, s); l.mu.Unlock() }

func (l *lines) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.l...)
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/marker", []byte("here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", MaxLine+10)
	tests := []struct {
		name  string
		cmd   Cmd
		code  int
		lines []string
	}{
		{"exit 0 with output", Cmd{Argv: []string{"sh", "-c", "echo one; echo two >&2; printf three"}}, 0, []string{"one", "two", "three"}},
		{"exit code", Cmd{Argv: []string{"sh", "-c", "echo bad; exit 3"}}, 3, []string{"bad"}},
		{"dir", Cmd{Argv: []string{"cat", "marker"}, Dir: dir}, 0, []string{"here"}},
		{"env is whole", Cmd{Argv: []string{"sh", "-c", `echo "$A-${HOME:-none}"`}, Env: []string{"A=1", "PATH=" + os.Getenv("PATH")}}, 0, []string{"1-none"}},
		{"stdin", Cmd{Argv: []string{"cat"}, Stdin: strings.NewReader("in\n")}, 0, []string{"in"}},
		{"long line split", Cmd{Argv: []string{"printf", "%s\n", long}}, 0, []string{long[:MaxLine], long[MaxLine:]}},
		{"empty lines kept", Cmd{Argv: []string{"printf", "a\n\nb\n"}}, 0, []string{"a", "", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got lines
			tt.cmd.Output = got.add
			code, err := Run(context.Background(), tt.cmd)
			if err != nil || code != tt.code {
				t.Fatalf("Run(%q) = %d, %v; want %d, nil", tt.cmd.Argv, code, err, tt.code)
			}
			if g := got.get(); strings.Join(g, "\n") != strings.Join(tt.lines, "\n") || len(g) != len(tt.lines) {
				t.Errorf("Run(%q) output %d lines %.80q; want %d lines %.80q", tt.cmd.Argv, len(g), g, len(tt.lines), tt.lines)
			}
		})
	}
}

func TestRunRefused(t *testing.T) {
	tests := []struct {
		name string
		cmd  Cmd
	}{
		{"empty argv", Cmd{}},
		{"empty program", Cmd{Argv: []string{""}}},
		{"negative timeout", Cmd{Argv: []string{"true"}, Timeout: -1}},
		{"missing program", Cmd{Argv: []string{"switchyard-no-such-program"}}},
		{"missing dir", Cmd{Argv: []string{"true"}, Dir: "/no/such/dir"}},
	}
	for _, tt := range tests {
		code, err := Run(context.Background(), tt.cmd)
		if err == nil || code != -1 {
			t.Errorf("%s: Run = %d, %v; want -1 and an error", tt.name, code, err)
		}
	}
}

// gone reports whether pid is no longer running (absent or a zombie waiting
// for its new parent to reap it). Death after SIGKILL is not instantaneous,
// so it is given a few seconds.
func gone(t *testing.T, pid int) bool {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true
		}
		// State is the field after the parenthesised command name.
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && len(s) > i+2 && (s[i+2] == 'Z' || s[i+2] == 'X') {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// grandchild starts a shell whose first line is the pid of a background
// sleep, then hangs; ready is closed once the pid was printed.
func grandchild(pid *int, ready chan struct{}) Cmd {
	var once sync.Once
	return Cmd{
		Argv: []string{"sh", "-c", "sleep 100 & echo $!; sleep 100"},
		Output: func(line string) {
			once.Do(func() {
				*pid, _ = strconv.Atoi(line)
				close(ready)
			})
		},
	}
}

func TestTimeoutKillsGroup(t *testing.T) {
	for _, grace := range []time.Duration{0, -1} {
		var pid int
		ready := make(chan struct{})
		c := grandchild(&pid, ready)
		c.Timeout = 300 * time.Millisecond
		c.Grace = grace
		code, err := Run(context.Background(), c)
		if !errors.Is(err, ErrTimeout) || code != -1 {
			t.Fatalf("Run(hang, grace %v) = %d, %v; want -1, ErrTimeout", grace, code, err)
		}
		<-ready
		if pid <= 0 {
			t.Fatalf("no grandchild pid")
		}
		if !gone(t, pid) {
			t.Errorf("grandchild %d still running after timeout (grace %v)", pid, grace)
			_ = killPid(pid)
		}
	}
}

func TestCancelKillsGroup(t *testing.T) {
	var pid int
	ready := make(chan struct{})
	c := grandchild(&pid, ready)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-ready; cancel() }()
	code, err := Run(ctx, c)
	if !errors.Is(err, context.Canceled) || code != -1 {
		t.Fatalf("Run(hang, cancel) = %d, %v; want -1, context.Canceled", code, err)
	}
	if !gone(t, pid) {
		t.Errorf("grandchild %d still running after cancel", pid)
		_ = killPid(pid)
	}
}

func TestTermIgnoredThenKilled(t *testing.T) {
	var pid int
	ready := make(chan struct{})
	c := Cmd{
		Argv:    []string{"sh", "-c", "trap '' TERM; sh -c 'trap \"\" TERM; sleep 100' & echo $!; wait"},
		Timeout: 200 * time.Millisecond,
		Grace:   100 * time.Millisecond,
	}
	var once sync.Once
	c.Output = func(line string) { once.Do(func() { pid, _ = strconv.Atoi(line); close(ready) }) }
	if _, err := Run(context.Background(), c); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Run = %v; want ErrTimeout", err)
	}
	<-ready
	if !gone(t, pid) {
		t.Errorf("child %d ignoring SIGTERM still running", pid)
		_ = killPid(pid)
	}
}

func TestLeftoversKilledOnExit(t *testing.T) {
	var pid int
	ready := make(chan struct{})
	var once sync.Once
	c := Cmd{
		Argv:   []string{"sh", "-c", "sleep 100 & echo $!"},
		Output: func(line string) { once.Do(func() { pid, _ = strconv.Atoi(line); close(ready) }) },
	}
	code, err := Run(context.Background(), c)
	if err != nil || code != 0 {
		t.Fatalf("Run = %d, %v; want 0, nil", code, err)
	}
	<-ready
	if !gone(t, pid) {
		t.Errorf("background process %d left running", pid)
		_ = killPid(pid)
	}
}

func TestKilledBySignal(t *testing.T) {
	code, err := Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "kill -KILL $$"}})
	if err == nil || code != -1 || !strings.Contains(err.Error(), "signal") {
		t.Fatalf("Run(self-kill) = %d, %v; want -1 and a signal error", code, err)
	}
}

func killPid(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}
