package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxSession drives the real binary in a tmux pane as a person would:
// keys in, screen text out.
type tmuxSession struct {
	t    *testing.T
	name string
}

// waitTimeout bounds every wait for the screen.
const waitTimeout = 30 * time.Second

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", args...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string {
	s.t.Helper()
	return s.tmux("capture-pane", "-p", "-t", s.name)
}

// waitFor polls the screen until it shows every one of want.
func (s *tmuxSession) waitFor(what string, want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		scr := s.screen()
		ok := true
		for _, w := range want {
			if !strings.Contains(scr, w) {
				ok = false
			}
		}
		if ok {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s: the screen does not show %q after %s:\n%s", what, want, waitTimeout, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pressUntil presses key until the screen shows every one of want: a key
// pressed while the cockpit refreshes (the refs just moved) is answered
// with "press again in a moment", as a person would press it again.
func (s *tmuxSession) pressUntil(key, what string, want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		s.keys(key)
		retry := time.Now().Add(2 * time.Second)
		for time.Now().Before(retry) {
			scr := s.screen()
			ok := true
			for _, w := range want {
				if !strings.Contains(scr, w) {
					ok = false
				}
			}
			if ok {
				return scr
			}
			time.Sleep(100 * time.Millisecond)
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("pressing %s for %s: the screen does not show %q:\n%s", key, what, want, s.screen())
		}
	}
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// TestCockpitEndToEnd builds the binary, starts switchyard demo in tmux
// (the sandbox and the cockpit on it), carries the clean hotfix, carries the conflicting one,
// resolves it in the resolver with keys, continues, sees the commit on the
// prod graph, cuts a build of prod into the bin repo and quits; git then
// confirms the result.
func TestCockpitEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds the binary and drives it in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is not installed: CI must run the end-to-end test (.ci/deps.sh installs it)")
		}
		t.Skip("tmux is not installed: the end-to-end test drives the cockpit in a tmux pane (CI installs tmux)")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: the end-to-end test checks the result with git log and git fsck")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "switchyard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sb := filepath.Join(tmp, "sb")
	src := filepath.Join(sb, "src")

	s := &tmuxSession{t: t, name: fmt.Sprintf("switchyard-e2e-%d", os.Getpid())}
	env := "env GIT_COMMITTER_NAME='Release Manager' GIT_COMMITTER_EMAIL=rm@example.com EDITOR=true "
	// switchyard demo builds the sandbox and opens the cockpit on it.
	demoCmd := fmt.Sprintf("%s%s demo --dir %s; sleep 60", env, shellQuote(bin), shellQuote(sb))
	// Reopening later: the cockpit on the sandbox's source repo.
	cmd := fmt.Sprintf("%s%s --repo %s; sleep 60", env, shellQuote(bin), shellQuote(src))
	s.tmux("new-session", "-d", "-x", "160", "-y", "45", "-s", s.name, demoCmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", s.name).Run() })

	// The first screen, with the dry runs of the two hotfixes done.
	s.waitFor("the cockpit", "pending promotions", "dev · ", "prod · ")
	scr := s.waitFor("the dry runs",
		"hotfix: health check must not hang on a slow database", "hotfix: reject request bodies over 4 MiB")
	s.waitFor("the dry runs", "clean", "conflict")
	_ = scr

	// Focus the pending list (dev graph → prod graph → pending); the
	// clean hotfix is first.
	s.keys("Tab", "Tab")
	s.waitFor("the pending list focused", "▌ pending promotions")
	s.pressUntil("p", "the carry confirmation", "Carry ", "applies cleanly", "y/enter")
	s.keys("y")
	s.waitFor("the clean carry", "carried ", "to prod: prod is at")
	s.waitFor("the hotfix at the head of the prod graph", "(prod) hotfix: health check must not hang")

	// The conflicting hotfix is now first in the list; prod's own hotfix,
	// waiting to be carried back to dev, is last.
	s.waitFor("the pending list without the carried hotfix", "pending promotions (10)", "hotfix: cap request bodies at 1 MiB", "← dev")
	s.pressUntil("p", "the conflicting carry's confirmation", "Carry ", "conflicts in app/main.go", "resolver opens")
	s.keys("y")
	s.waitFor("the resolver", "Resolver", "app/main.go", "0 of 1 resolved")

	// Closing the cockpit mid-resolution and opening it again resumes the
	// session where it was left.
	s.keys("q")
	s.tmux("respawn-pane", "-k", "-t", s.name, cmd)
	s.waitFor("the resumed resolution", "resuming the carry to prod", "Resolver", "0 of 1 resolved")
	s.keys("t")
	s.waitFor("the hunk resolved with theirs", "1 of 1 resolved")
	s.keys("c")
	s.waitFor("the continue confirmation", "Continue", "y/enter")
	s.keys("y")
	scr = s.waitFor("the carry finished", "done: prod is at", "(prod) hotfix: reject request bodies over 4 MiB")

	// Cut a build of prod with both hotfixes: focus the prod graph, R,
	// confirm, watch the log, close it.
	s.pressUntil("Tab", "the prod graph focused", "▌ prod · ")
	s.pressUntil("R", "the build confirmation", "Build prod at ", "into the bin repo as app-5?", "y/enter")
	s.keys("y")
	s.waitFor("the build's log and result", "▌ build app-5 of prod", "switchyard: succeeded", "built app-5 of prod", "the app symlink of prod names it")
	s.keys("Escape")
	s.waitFor("the log closed", "pending promotions")

	// A commit made from another terminal shows within a second or so.
	other := exec.Command("git", "-C", src, "commit", "-q", "--allow-empty", "-m", "bugfix: committed from another terminal")
	other.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Other", "GIT_AUTHOR_EMAIL=o@example.com",
		"GIT_COMMITTER_NAME=Other", "GIT_COMMITTER_EMAIL=o@example.com")
	if out, err := other.CombinedOutput(); err != nil {
		t.Fatalf("git commit: %v\n%s", err, out)
	}
	cur, err := exec.Command("git", "-C", src, "branch", "--show-current").Output()
	if err != nil {
		t.Fatalf("git branch --show-current: %v", err)
	}
	branch := strings.TrimSpace(string(cur))
	s.waitFor("the outside commit on the "+branch+" graph", "("+branch+") bugfix: committed from another terminal")

	s.keys("q")
	// The program has quit when the pane no longer shows the cockpit.
	deadline := time.Now().Add(waitTimeout)
	for strings.Contains(s.screen(), "pending promotions") {
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit the cockpit:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}

	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"-C", src}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	log := git("log", "--format=%s", "-3", "prod")
	if branch == "prod" {
		log = git("log", "--format=%s", "-3", "prod~1")
	}
	want := "hotfix: reject request bodies over 4 MiB\nhotfix: health check must not hang on a slow database\nhotfix: cap request bodies at 1 MiB\n"
	if log != want {
		t.Errorf("git log prod =\n%s\nwant\n%s", log, want)
	}
	body := git("log", "--format=%B", "-1", "prod")
	if !strings.Contains(body, "(cherry picked from commit ") {
		t.Errorf("the carried commit does not name its origin:\n%s", body)
	}
	// The build is on the bin repo's prod branch, of the prod head with
	// both hotfixes.
	built := git("rev-parse", "prod")
	if branch == "prod" {
		built = git("rev-parse", "prod~1")
	}
	binLog, err := exec.Command("git", "-C", filepath.Join(sb, "bin"), "log", "--format=%s", "-1", "prod").CombinedOutput()
	if err != nil {
		t.Fatalf("git -C bin log prod: %v\n%s", err, binLog)
	}
	if want := "app-5: build of prod at " + strings.TrimSpace(built)[:12]; strings.TrimSpace(string(binLog)) != want {
		t.Errorf("git -C bin log -1 prod = %q; want %q", strings.TrimSpace(string(binLog)), want)
	}
	git("fsck", "--no-dangling")
	if st := git("status", "--porcelain"); st != "" {
		t.Errorf("the work tree is not clean after the carry:\n%s", st)
	}
}
