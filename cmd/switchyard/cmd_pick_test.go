package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/testrepo"
)

// numbered is a file of n lines "line i", with some lines replaced.
func numbered(n int, edit map[int]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if s, ok := edit[i]; ok {
			b.WriteString(s + "\n")
		} else {
			fmt.Fprintf(&b, "line %d\n", i)
		}
	}
	return b.String()
}

// pickFixture: dev and prod share a base; prod changed lines 3 and 15;
// dev has a clean commit and a hotfix conflicting with prod in two hunks.
type pickFixture struct {
	r          *testrepo.Repo
	clean, hot string
}

func newPickFixture(t *testing.T) *pickFixture {
	t.Helper()
	r := testrepo.New(t)
	r.Commit("dev", "base", map[string]string{"a.txt": numbered(20, nil), "b.txt": "b\n"})
	r.Commit("prod", "prod: tune 3 and 15", map[string]string{"a.txt": numbered(20, map[int]string{3: "prod 3", 15: "prod 15"})})
	f := &pickFixture{r: r}
	f.clean = r.Commit("dev", "bugfix: b", map[string]string{"b.txt": "b fixed\n"})
	f.hot = r.Commit("dev", "hotfix: 3 and 15\n\nThe fix.\n", map[string]string{"a.txt": numbered(20, map[int]string{3: "hot 3", 15: "hot 15"})})
	// Commands run in this process read the committer from the environment.
	for _, kv := range r.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") || k == "HOME" {
			t.Setenv(k, v)
		}
	}
	return f
}

// sy runs the CLI in process and returns its exit status and output.
func sy(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

func TestPickJSONContract(t *testing.T) {
	f := newPickFixture(t)
	prod := f.r.Rev("prod")
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		clean []bool
	}{
		{"clean", []string{"pick", "--repo", f.r.Dir, "--onto", "prod", "--dry-run", "--json", f.clean}, "", 0, []bool{true}},
		{"conflict", []string{"pick", "--repo", f.r.Dir, "--onto", "prod", "--dry-run", "--json", f.clean, f.hot}, "", 1, []bool{true, false}},
		{"stdin", []string{"pick", "--repo", f.r.Dir, "--stdin", "--json"}, prod + " " + f.clean + "\nprod " + f.hot + "\n\n" + prod + " dev~1\n", 1, []bool{true, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := sy(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Fatalf("exit = %d; want %d (stderr %s)", code, tt.code, errs)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != len(tt.clean) {
				t.Fatalf("got %d lines; want %d:\n%s", len(lines), len(tt.clean), out)
			}
			for i, line := range lines {
				var j struct {
					Commit, Onto, Tree string
					Clean              *bool
					Conflicts          []struct {
						Path, Kind string
						Hunks      int
					}
				}
				if err := json.Unmarshal([]byte(line), &j); err != nil {
					t.Fatalf("line %d: %v: %s", i, err, line)
				}
				if j.Clean == nil || *j.Clean != tt.clean[i] || len(j.Commit) != 40 || j.Onto != prod || len(j.Tree) != 40 {
					t.Errorf("line %d = %s", i, line)
				}
				if !*j.Clean && (len(j.Conflicts) != 1 || j.Conflicts[0].Path != "a.txt" || j.Conflicts[0].Kind != "content" || j.Conflicts[0].Hunks != 2) {
					t.Errorf("conflicts = %+v", j.Conflicts)
				}
				// The tree is git's: compare the clean one with git's own pick.
				if *j.Clean {
					want := gitPickTree(t, f.r, prod, j.Commit)
					if j.Tree != want {
						t.Errorf("tree = %s; git cherry-pick gives %s", j.Tree, want)
					}
				}
			}
			if f.r.Rev("prod") != prod {
				t.Errorf("dry run moved prod")
			}
			if s := f.r.Git("status", "--porcelain"); s != "" {
				t.Errorf("dry run touched the work tree: %q", s)
			}
		})
	}
}

func gitPickTree(t *testing.T, r *testrepo.Repo, onto, commit string) string {
	t.Helper()
	dir := t.TempDir()
	r.Git("clone", "-q", "--no-checkout", r.Dir, dir)
	c := testrepo.Open(t, dir)
	c.Git("checkout", "-q", "-b", "x", onto)
	c.Git("cherry-pick", commit)
	return c.Git("rev-parse", "HEAD^{tree}")
}

func TestPickArgumentErrors(t *testing.T) {
	f := newPickFixture(t)
	tests := [][]string{
		{"pick", "--repo", f.r.Dir, f.hot},
		{"pick", "--repo", f.r.Dir, "--onto", "prod"},
		{"pick", "--repo", f.r.Dir, "--continue", "--abort"},
		{"pick", "--repo", f.r.Dir, "--onto", "nosuch", f.hot},
		{"pick", "--repo", f.r.Dir, "--onto", "prod", "nosuchcommit"},
		{"resolve", "--repo", f.r.Dir},
		{"pick", "--repo", f.r.Dir, "--continue"},
		{"undo", "--repo", f.r.Dir, "--yes"},
	}
	for _, args := range tests {
		code, out, errs := sy(t, "", args...)
		if code != exitError || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.HasPrefix(errs, "switchyard: ") {
			t.Errorf("%v = %d, %q, %q; want exit 2 and one error line", args, code, out, errs)
		}
	}
}

// TestCarryHotfixByHand is the person's path with the CLI alone: carry a
// conflicting hotfix onto the checked-out prod, see git's own conflict
// state, resolve hunk by hunk, continue, and find a correct history.
func TestCarryHotfixByHand(t *testing.T) {
	f := newPickFixture(t)
	f.r.Checkout("prod")
	before := f.r.Rev("prod")
	dir := f.r.Dir
	code, out, errs := sy(t, "", "pick", "--repo", dir, "--onto", "prod", f.clean, f.hot)
	if code != exitConflict {
		t.Fatalf("pick = %d; want 1\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "a.txt") {
		t.Errorf("pick output lacks the file:\n%s", out)
	}
	if s := f.r.Git("status", "--porcelain"); s != "UU a.txt" {
		t.Fatalf("git status = %q; want UU a.txt", s)
	}
	if n := len(strings.Split(f.r.Git("ls-files", "-u"), "\n")); n != 3 {
		t.Fatalf("ls-files -u has %d lines; want 3", n)
	}
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"resolve", "--repo", dir}, "0/2 hunks"},
		{[]string{"resolve", "--repo", dir, "show", "a.txt", "2"}, "hot 15"},
		{[]string{"resolve", "--repo", dir, "a.txt", "1", "--take", "theirs"}, "1/2 hunks resolved"},
		{[]string{"resolve", "--repo", dir, "a.txt", "2", "--take", "ours"}, "2/2 hunks resolved"},
		{[]string{"resolve", "--repo", dir, "--undo"}, "took back"},
		{[]string{"resolve", "--repo", dir, "a.txt", "2", "--take", "both"}, "1 of 1 files resolved"},
	}
	for _, st := range steps {
		code, out, errs := sy(t, "", st.args...)
		if code != exitOK || !strings.Contains(out, st.want) {
			t.Fatalf("%v = %d\n%s%s\nwant %q", st.args, code, out, errs, st.want)
		}
	}
	// Resolved through Switchyard: git sees the path staged.
	if s := f.r.Git("status", "--porcelain"); s != "M  a.txt" {
		t.Errorf("git status after resolving = %q", s)
	}
	code, out, errs = sy(t, "", "pick", "--repo", dir, "--continue")
	if code != exitOK {
		t.Fatalf("continue = %d\n%s%s", code, out, errs)
	}
	want := numbered(20, map[int]string{3: "hot 3", 15: "prod 15\nhot 15"})
	if got := f.r.Git("show", "prod:a.txt") + "\n"; got != want {
		t.Errorf("a.txt =\n%s\nwant\n%s", got, want)
	}
	log := f.r.Git("log", "--format=%an|%s|%b", before+"..prod")
	wantLog := "Ada Tester|hotfix: 3 and 15|The fix.\n\n(cherry picked from commit " + f.hot + ")\n\n" +
		"Ada Tester|bugfix: b|(cherry picked from commit " + f.clean + ")\n"
	if log+"\n" != wantLog {
		t.Errorf("log =\n%s\nwant\n%s", log, wantLog)
	}
	if s := f.r.Git("status", "--porcelain"); s != "" {
		t.Errorf("status = %q", s)
	}
	f.r.Git("fsck", "--strict")

	// Undo the whole carry.
	code, out, errs = sy(t, "n\n", "undo", "--repo", dir)
	if code != exitError || f.r.Rev("prod") == before {
		t.Fatalf("undo without confirmation = %d %s%s", code, out, errs)
	}
	code, _, errs = sy(t, "y\n", "undo", "--repo", dir)
	if code != exitOK || f.r.Rev("prod") != before {
		t.Fatalf("undo = %d %s; prod = %s want %s", code, errs, f.r.Rev("prod"), before)
	}
	if s := f.r.Git("status", "--porcelain"); s != "" {
		t.Errorf("status after undo = %q", s)
	}
	f.r.Git("fsck", "--strict")
}

func TestPickAbortCLI(t *testing.T) {
	f := newPickFixture(t)
	f.r.Checkout("prod")
	before := f.r.Rev("prod")
	if code, _, errs := sy(t, "", "pick", "--repo", f.r.Dir, "--onto", "prod", f.clean, f.hot); code != exitConflict {
		t.Fatalf("pick = %d %s", code, errs)
	}
	if code, _, errs := sy(t, "", "resolve", "--repo", f.r.Dir, "a.txt", "--take", "theirs"); code != exitOK {
		t.Fatalf("resolve = %d %s", code, errs)
	}
	if code, _, errs := sy(t, "", "pick", "--repo", f.r.Dir, "--abort"); code != exitOK {
		t.Fatalf("abort = %d %s", code, errs)
	}
	if f.r.Rev("prod") != before {
		t.Errorf("prod not restored")
	}
	if s := f.r.Git("status", "--porcelain"); s != "" {
		t.Errorf("status = %q", s)
	}
	if _, err := os.Stat(filepath.Join(f.r.Dir, ".git", "CHERRY_PICK_HEAD")); !os.IsNotExist(err) {
		t.Errorf("CHERRY_PICK_HEAD left behind")
	}
	f.r.Git("fsck", "--strict")
}

// TestCrashResume kills a real switchyard process with SIGKILL in the
// middle of a resolution and checks that a new process resumes the
// session with every resolved hunk intact.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	// Build before the fixture points HOME (and so the build cache) away.
	bin := filepath.Join(t.TempDir(), "switchyard")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f := newPickFixture(t)
	runBin := func(stdin io.Reader, args ...string) *exec.Cmd {
		cmd := exec.Command(bin, args...)
		cmd.Dir = f.r.Dir
		cmd.Env = f.r.Env()
		cmd.Stdin = stdin
		return cmd
	}
	if err := runBin(nil, "pick", "--onto", "prod", f.hot).Run(); err == nil {
		t.Fatal("pick should stop on conflicts")
	}
	if out, err := runBin(nil, "resolve", "a.txt", "1", "--file", writeTemp(t, "kept 3\n")).CombinedOutput(); err != nil {
		t.Fatalf("resolve: %v\n%s", err, out)
	}
	// The next resolution waits for its text on stdin: kill it there.
	victim := runBin(nil, "resolve", "a.txt", "2", "--file", "-")
	pw, err := victim.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Write([]byte("half of an edit"))
	// Wait until the process is surely running (it has read stdin) before
	// killing it; the kill itself is what the test is about.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", victim.Process.Pid)); err == nil && bytes.Contains(b, []byte("resolve")) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	victim.Process.Kill()
	victim.Wait()
	pw.Close()
	// A lock left by the killed process is taken over.
	lock := filepath.Join(f.r.Dir, ".git", "switchyard", "sequence", "session.json.lock")
	os.WriteFile(lock, []byte(fmt.Sprintf("%d\n", victim.Process.Pid)), 0o644)

	out, err := runBin(nil, "resolve", "--json").Output()
	if err != nil {
		t.Fatalf("resolve --json after the crash: %v", err)
	}
	var s struct {
		Files []struct {
			Path     string
			Choices  []string
			Resolved int
		}
	}
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Files) != 1 || s.Files[0].Resolved != 1 || s.Files[0].Choices[0] != "edited" || s.Files[0].Choices[1] != "" {
		t.Fatalf("session after the crash = %s", out)
	}
	if out, err := runBin(nil, "resolve", "a.txt", "2", "--take", "theirs").CombinedOutput(); err != nil {
		t.Fatalf("resolve: %v\n%s", err, out)
	}
	if out, err := runBin(nil, "pick", "--continue").CombinedOutput(); err != nil {
		t.Fatalf("continue: %v\n%s", err, out)
	}
	want := numbered(20, map[int]string{3: "kept 3", 15: "hot 15"})
	if got := f.r.Git("show", "prod:a.txt") + "\n"; got != want {
		t.Errorf("a.txt =\n%s\nwant\n%s", got, want)
	}
	f.r.Git("fsck", "--strict")
}

func writeTemp(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "edit")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTrainCLI(t *testing.T) {
	f := newPickFixture(t) // prod has its own commit: the train must rebase it
	f.r.Checkout("dev")
	before := f.r.Rev("prod")
	code, out, errs := sy(t, "n\n", "train", "--repo", f.r.Dir, "--track", "prod")
	if code != exitError || f.r.Rev("prod") != before {
		t.Fatalf("train without confirmation = %d %s%s", code, out, errs)
	}
	code, out, errs = sy(t, "", "train", "--repo", f.r.Dir, "--track", "prod", "--yes", "--json")
	if code != exitConflict {
		t.Fatalf("train = %d %s%s; want a stop on the prod commit's conflict", code, out, errs)
	}
	var run struct {
		How     string
		Outcome struct{ Done bool }
	}
	if err := json.Unmarshal([]byte(out), &run); err != nil || run.How != "rebase" || run.Outcome.Done {
		t.Fatalf("train --json = %s (%v)", out, err)
	}
	if code, _, errs := sy(t, "", "resolve", "--repo", f.r.Dir, "a.txt", "--take", "ours"); code != exitOK {
		t.Fatalf("resolve = %d %s", code, errs)
	}
	if code, out, errs := sy(t, "", "pick", "--repo", f.r.Dir, "--continue"); code != exitOK {
		t.Fatalf("continue = %d %s%s", code, out, errs)
	}
	if got := f.r.Rev("prod"); got != f.r.Rev("dev") {
		t.Errorf("prod = %s; want dev's head %s (the prod change gave way)", got, f.r.Rev("dev"))
	}
	if code, _, errs := sy(t, "", "undo", "--repo", f.r.Dir, "--yes"); code != exitOK || f.r.Rev("prod") != before {
		t.Fatalf("undo = %d %s", code, errs)
	}
	if code, _, errs := sy(t, "", "train", "--repo", f.r.Dir); code != exitError || !strings.Contains(errs, "--track") {
		t.Errorf("train without --track = %d %q", code, errs)
	}
}
