package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/engine/testrepo"
)

// cliRun runs the CLI in process.
func cliRun(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

// releaseRepo makes a source repo with a build script and a bare bin repo.
func releaseRepo(t *testing.T, script string) (src, bin *testrepo.Repo) {
	t.Helper()
	t.Setenv("GIT_COMMITTER_NAME", "Rel Manager")
	t.Setenv("GIT_COMMITTER_EMAIL", "rm@example.com")
	src = testrepo.New(t)
	bin = testrepo.Open(t, t.TempDir())
	bin.Git("init", "-q", "--bare")
	cfg := "[bin]\npath = " + strconv.Quote(bin.Dir) + "\nname = \"svc\"\n[build]\ncommand = [\"sh\", \"build.sh\"]\noutput = \"out\"\n"
	src.Commit("dev", "svc", map[string]string{"build.sh": script, "switchyard.toml": cfg})
	src.Git("branch", "prod", "dev")
	return src, bin
}

func TestReleaseCommand(t *testing.T) {
	src, bin := releaseRepo(t, "echo compiling\nmkdir out\necho $SWITCHYARD_BUILD > out/v\n")
	code, out, errs := cliRun("release", "--repo", src.Dir, "--track", "prod")
	if code != exitOK {
		t.Fatalf("release = %d, stderr %q", code, errs)
	}
	head := bin.Git("rev-parse", "prod")
	for _, want := range []string{"build svc-1 of prod at " + src.Git("rev-parse", "--short=7", "prod"), "bin commit " + head, "log ", "prod-1.log"} {
		if !strings.Contains(out, want) {
			t.Errorf("release output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "│ compiling") {
		t.Errorf("build output not streamed to stderr: %q", errs)
	}

	code, out, errs = cliRun("release", "--repo", src.Dir, "--track", "prod", "--commit", "dev", "--json", "--quiet")
	if code != exitOK {
		t.Fatalf("release --json = %d, stderr %q", code, errs)
	}
	if strings.Contains(errs, "compiling") {
		t.Errorf("--quiet streamed output: %q", errs)
	}
	var b struct {
		Name      string `json:"name"`
		Number    int    `json:"number"`
		Track     string `json:"track"`
		Source    string `json:"source"`
		BinCommit string `json:"bin_commit"`
		Log       string `json:"log"`
	}
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("release --json output %q: %v", out, err)
	}
	if b.Name != "svc" || b.Number != 2 || b.Track != "prod" || b.Source != src.Git("rev-parse", "dev") || b.BinCommit != bin.Git("rev-parse", "prod") || !strings.HasSuffix(b.Log, "prod-2.log") {
		t.Errorf("release --json = %+v", b)
	}
	if got := bin.Git("cat-file", "-p", "prod:svc"); got != "svc-2" {
		t.Errorf("symlink = %q; want svc-2", got)
	}

	code, out, errs = cliRun("release", "--repo", src.Dir, "--track", "prod", "--list", "--json")
	if code != exitOK {
		t.Fatalf("release --list --json = %d, %s", code, errs)
	}
	var live []string
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		var b struct {
			Number int  `json:"number"`
			Live   bool `json:"live"`
		}
		if err := json.Unmarshal([]byte(l), &b); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		live = append(live, strconv.Itoa(b.Number)+":"+strconv.FormatBool(b.Live))
	}
	if strings.Join(live, ",") != "1:false,2:true" {
		t.Errorf("release --list --json = %v; want 1:false,2:true", live)
	}
	code, out, _ = cliRun("release", "--repo", src.Dir, "--track", "prod", "--list")
	if code != exitOK || !strings.Contains(out, "svc-2  *") || !strings.Contains(out, "svc-1 ") {
		t.Errorf("release --list =\n%s", out)
	}
	if code, out, _ = cliRun("release", "--repo", src.Dir, "--track", "dev", "--list"); code != exitOK || !strings.Contains(out, "No builds of dev") {
		t.Errorf("release --list (no builds) = %d\n%s", code, out)
	}
}

func TestReleaseCommandErrors(t *testing.T) {
	src, bin := releaseRepo(t, "echo 'broken \x1b[31mred'; exit 4\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no track", []string{"release", "--repo", src.Dir}, "--track is required"},
		{"unknown track", []string{"release", "--repo", src.Dir, "--track", "qa"}, "unknown track"},
		{"bad commit", []string{"release", "--repo", src.Dir, "--track", "prod", "--commit", "nope"}, "nope"},
		{"stray argument", []string{"release", "--repo", src.Dir, "--track", "prod", "extra"}, "unexpected argument"},
		{"failing build", []string{"release", "--repo", src.Dir, "--track", "prod"}, "exit status 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := cliRun(tt.args...)
			if code != exitError || !strings.Contains(errs, tt.want) {
				t.Errorf("%v = %d, stderr %q; want 2 and %q", tt.args, code, errs, tt.want)
			}
			if strings.Contains(errs, "\x1b") || strings.Contains(out, "\x1b") {
				t.Errorf("escape sequence reached the terminal: %q", errs)
			}
			if strings.Count("\n"+errs, "\nswitchyard:") != 1 {
				t.Errorf("stderr %q; want one error line", errs)
			}
		})
	}
	if _, err := bin.TryGit("rev-parse", "-q", "--verify", "prod"); err == nil {
		t.Errorf("a failed build reached the bin repo")
	}
}

// TestReleaseNotSwitched: a track rolled out by the bin driver gets its
// build committed but the symlink left for the rollout, and says so.
func TestReleaseNotSwitched(t *testing.T) {
	src, bin := releaseRepo(t, "mkdir out\necho $SWITCHYARD_BUILD > out/v\n")
	cfg := src.Git("show", "dev:switchyard.toml") + "\n[[deploy.environment]]\nname = \"production\"\ntrack = \"prod\"\n" +
		"[deploy.environment.health]\nprovider = \"command\"\ncommand = [\"true\"]\n[deploy.environment.traffic]\ndriver = \"bin\"\n"
	src.Commit("dev", "bin-driven prod", map[string]string{"switchyard.toml": cfg})
	src.Git("branch", "-f", "prod", "dev")
	code, out, errs := cliRun("release", "--repo", src.Dir, "--track", "dev", "--quiet")
	if code != exitOK || !strings.Contains(out, "live: the svc symlink names it") {
		t.Errorf("release of dev = %d %q %q; want it live", code, out, errs)
	}
	code, out, errs = cliRun("release", "--repo", src.Dir, "--track", "prod", "--quiet")
	if code != exitOK || !strings.Contains(out, "not switched: production rolls it out") {
		t.Errorf("release of prod = %d %q %q; want it not switched", code, out, errs)
	}
	if got := bin.Git("ls-tree", "--name-only", "prod"); strings.Contains(got+"\n", "svc\n") || !strings.Contains(got, "svc-1") {
		t.Errorf("prod bin branch holds %q; want svc-1/ and no symlink", got)
	}
	code, out, errs = cliRun("release", "--repo", src.Dir, "--track", "prod", "--quiet", "--json")
	var r struct {
		Live        bool     `json:"live"`
		RolledOutBy []string `json:"rolled_out_by"`
	}
	if err := json.Unmarshal([]byte(out), &r); code != exitOK || err != nil || r.Live || len(r.RolledOutBy) != 1 {
		t.Errorf("release --json of prod = %d %q %q (%v); want live false, rolled out by production", code, out, errs, err)
	}
}
