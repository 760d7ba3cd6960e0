package engine

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/binrepo"
	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/engine/release"
	"github.com/switchyard/switchyard/engine/testrepo"
)

// releaseScript builds according to the file "mode" of the commit.
const releaseScript = `echo "build $SWITCHYARD_TRACK-$SWITCHYARD_BUILD of $SWITCHYARD_COMMIT"
case "$(cat mode)" in
fail) echo "tests failed"; exit 1 ;;
hang) sleep 100 & echo "grandchild $!"; sleep 100 ;;
escape) mkdir -p dist; ln -s ../../etc dist/etc; exit 0 ;;
remoterace) git --git-dir "$REMOTE" update-ref refs/heads/prod "$(git --git-dir "$REMOTE" commit-tree -p prod -m other "$(git --git-dir "$REMOTE" mktree </dev/null)")" ;;
race) git --git-dir "$BIN" update-ref refs/heads/prod "$(git --git-dir "$BIN" commit-tree -m other "$(git --git-dir "$BIN" mktree </dev/null)")" ;;
esac
mkdir -p dist
echo "$SWITCHYARD_BUILD" > dist/version
ln -s version dist/current
echo built
`

type releaseFixture struct {
	src    *testrepo.Repo
	bin    *testrepo.Repo
	remote *testrepo.Repo
	hook   *hookRecorder
}

type hookRecorder struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	h.mu.Lock()
	h.bodies = append(h.bodies, m)
	h.mu.Unlock()
}

func (h *hookRecorder) kinds() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, b := range h.bodies {
		out = append(out, b["kind"].(string))
	}
	return out
}

// newReleaseFixture makes a source repo whose prod head builds in mode, a
// bare bin repo and (withRemote) a bare bin remote, and a webhook.
func newReleaseFixture(t *testing.T, mode string, timeout string, withRemote bool) *releaseFixture {
	t.Helper()
	t.Setenv("GIT_COMMITTER_NAME", "Rel Manager")
	t.Setenv("GIT_COMMITTER_EMAIL", "rm@example.com")
	t.Setenv("GIT_COMMITTER_DATE", "2024-02-01T10:00:00Z")
	f := &releaseFixture{src: testrepo.New(t), hook: &hookRecorder{}}
	srv := httptest.NewServer(f.hook)
	t.Cleanup(srv.Close)
	binDir := t.TempDir()
	f.bin = testrepo.Open(t, binDir)
	f.bin.Git("init", "-q", "--bare")
	remoteLine, remoteEnv := "", ""
	if withRemote {
		rd := t.TempDir()
		f.remote = testrepo.Open(t, rd)
		f.remote.Git("init", "-q", "--bare")
		remoteLine = "remote = " + strconv.Quote(rd)
		remoteEnv = `, "REMOTE=` + rd + `"`
	}
	cfg := `[[track]]
name = "dev"
[[track]]
name = "prod"
[bin]
path = ` + strconv.Quote(binDir) + `
name = "app"
` + remoteLine + `
[build]
command = ["sh", "build.sh"]
output = "dist"
timeout = "` + timeout + `"
env = ["BIN=` + binDir + `"` + remoteEnv + `]
[notify]
webhook = "` + srv.URL + `"
`
	f.src.Commit("dev", "app", map[string]string{"build.sh": releaseScript, "mode": mode + "\n", "switchyard.toml": cfg})
	f.src.Git("branch", "prod", "dev")
	return f
}

func (f *releaseFixture) open(t *testing.T) *Engine {
	t.Helper()
	e, err := Open(context.Background(), OpenOptions{Dir: f.src.Dir})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func journalActions(t *testing.T, e *Engine) []string {
	t.Helper()
	entries, err := e.ReadJournal(context.Background(), journal.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, en := range entries {
		if en.Actor != "Rel Manager <rm@example.com>" {
			t.Errorf("journal entry %s %s by %q; want the committer", en.Kind, en.Action, en.Actor)
		}
		out = append(out, en.Kind+" "+en.Action)
	}
	return out
}

func TestRelease(t *testing.T) {
	ctx := context.Background()
	f := newReleaseFixture(t, "ok", "1m", true)
	e := f.open(t)
	sub, cancel := context.WithCancel(ctx)
	defer cancel()
	events := e.Subscribe(sub)

	b, err := e.Release(ctx, ReleaseOptions{Track: "prod"})
	if err != nil {
		t.Fatalf("Release = %v", err)
	}
	src := f.src.Git("rev-parse", "prod")
	if b.Number != 1 || b.Track != "prod" || b.Source != src || b.BinCommit == "" {
		t.Errorf("Release = %+v; want build 1 of prod at %s", b, src)
	}
	if got := f.bin.Git("ls-tree", "--format=%(objectmode) %(path)", "-r", "prod"); got != "120000 app\n120000 app-1/current\n100644 app-1/manifest.json\n100644 app-1/version" {
		t.Errorf("bin prod =\n%s", got)
	}
	if got := f.bin.Git("cat-file", "-p", "prod:app"); got != "app-1" {
		t.Errorf("symlink = %q", got)
	}
	if got := f.bin.Git("cat-file", "-p", "prod:app-1/version"); got != "1" {
		t.Errorf("version = %q; want the build number the script saw", got)
	}
	var m binrepo.Manifest
	json.Unmarshal([]byte(f.bin.Git("cat-file", "-p", "prod:app-1/manifest.json")), &m)
	if m.Number != 1 || m.Source != src || m.Track != "prod" || m.Builder != "Rel Manager <rm@example.com>" {
		t.Errorf("manifest = %+v", m)
	}
	f.bin.Git("fsck", "--strict", "--no-dangling")
	if got := f.remote.Git("rev-parse", "prod"); got != b.BinCommit {
		t.Errorf("remote prod = %s; want %s", got, b.BinCommit)
	}
	log := filepath.Join(e.GitDir(), "switchyard", "builds", "prod-1.log")
	if text, err := os.ReadFile(log); err != nil || !strings.Contains(string(text), "build prod-1 of "+src) {
		t.Errorf("log %s = %q, %v", log, text, err)
	}
	want := []string{"build started", "bin committed", "bin pushed"}
	if got := journalActions(t, e); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("journal = %v; want %v", got, want)
	}
	var logLines []string
	for len(events) > 0 {
		ev := <-events
		if ev.Source == "build" && ev.Kind == "log" {
			logLines = append(logLines, ev.Text)
		}
	}
	if !contains(logLines, "built") {
		t.Errorf("log events %q lack the build's output", logLines)
	}

	// A hotfix cut at once from another commit gets the next number.
	hot := f.src.Commit("prod", "hotfix: urgent", map[string]string{"fix.txt": "x\n"})
	b2, err := e.Release(ctx, ReleaseOptions{Track: "prod", Commit: hot})
	if err != nil || b2.Number != 2 || b2.Source != hot {
		t.Fatalf("Release(hotfix) = %+v, %v; want build 2 of %s", b2, err, hot)
	}
	live, err := e.LiveBuild(ctx, "prod")
	if err != nil || live.Number != 2 || live.BinCommit != b2.BinCommit {
		t.Errorf("LiveBuild = %+v, %v; want build 2", live, err)
	}
	builds, err := e.Builds(ctx, "prod")
	if err != nil || len(builds) != 2 || builds[0].BinCommit != b.BinCommit {
		t.Errorf("Builds = %+v, %v", builds, err)
	}
	if got := f.remote.Git("rev-parse", "prod"); got != b2.BinCommit {
		t.Errorf("remote prod = %s; want %s", got, b2.BinCommit)
	}
	if k := f.hook.kinds(); len(k) != 0 {
		t.Errorf("webhook called %v for successful builds", k)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestReleaseFaults(t *testing.T) {
	tests := []struct {
		mode, timeout string
		want          error
		action        string
	}{
		{"fail", "1m", release.ErrFailed, "build failed"},
		{"hang", "1s", release.ErrTimeout, "build timed-out"},
		{"escape", "1m", binrepo.ErrUnsafeOutput, "bin refused"},
		{"race", "1m", binrepo.ErrRefMoved, "bin refused"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			ctx := context.Background()
			f := newReleaseFixture(t, tt.mode, tt.timeout, false)
			e := f.open(t)
			before, _ := f.bin.TryGit("rev-parse", "-q", "--verify", "prod")
			_, err := e.Release(ctx, ReleaseOptions{Track: "prod"})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Release(%s) = %v; want %v", tt.mode, err, tt.want)
			}
			got := journalActions(t, e)
			if len(got) < 2 || got[0] != "build started" || got[1] != tt.action {
				t.Errorf("journal = %v; want build started, %s", got, tt.action)
			}
			if k := f.hook.kinds(); len(k) != 1 || k[0] != "build-failed" {
				t.Errorf("webhook kinds = %v; want one build-failed", k)
			}
			if !contains(got, "notify sent") {
				t.Errorf("journal %v lacks the notification", got)
			}
			after, _ := f.bin.TryGit("rev-parse", "-q", "--verify", "prod")
			switch tt.mode {
			case "race":
				// The other writer's commit stays; the build is kept.
				if after == "" || after == before {
					t.Errorf("bin prod = %q; want the other writer's commit", after)
				}
				entries, _ := e.ReadJournal(ctx, journal.Filter{Kind: "bin"})
				kept, _ := entries[0].Detail.(map[string]any)["kept_commit"].(string)
				if kept == "" || f.bin.Git("cat-file", "-p", kept+":app-1/version") != "1" {
					t.Errorf("the build is not kept: detail %v", entries[0].Detail)
				}
				if !strings.Contains(err.Error(), kept) {
					t.Errorf("error %q does not name the kept commit", err)
				}
			default:
				if after != "" {
					t.Errorf("bin prod = %s after a failed build; want none", after)
				}
				if !strings.Contains(err.Error(), "prod-1.log") && tt.mode != "escape" {
					t.Errorf("error %q does not name the log", err)
				}
			}
			if tt.mode == "hang" {
				text, _ := os.ReadFile(filepath.Join(e.GitDir(), "switchyard", "builds", "prod-1.log"))
				pid := 0
				for _, l := range strings.Split(string(text), "\n") {
					if s, ok := strings.CutPrefix(l, "grandchild "); ok {
						pid, _ = strconv.Atoi(s)
					}
				}
				if pid <= 0 || !processGone(pid) {
					t.Errorf("grandchild %d survived the build timeout", pid)
				}
			}
			// A second attempt keeps the first log.
			e.Release(ctx, ReleaseOptions{Track: "prod"})
			logs, _ := filepath.Glob(filepath.Join(e.GitDir(), "switchyard", "builds", "*.log"))
			if len(logs) != 2 {
				t.Errorf("logs after two attempts = %v; want two", logs)
			}
		})
	}
}

// processGone reports whether pid is gone or a zombie, allowing a few
// seconds for SIGKILL to land.
func processGone(pid int) bool {
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true
		}
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && len(s) > i+2 && (s[i+2] == 'Z' || s[i+2] == 'X') {
			return true
		}
		if time.Now().After(deadline) {
			if p, err := os.FindProcess(pid); err == nil {
				p.Kill()
			}
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReleaseAbort(t *testing.T) {
	f := newReleaseFixture(t, "hang", "1m", false)
	e := f.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := e.Subscribe(ctx)
	pid := make(chan int, 1)
	started := make(chan struct{})
	go func() {
		for ev := range events {
			if s, ok := strings.CutPrefix(ev.Text, "grandchild "); ok && ev.Kind == "log" {
				n, _ := strconv.Atoi(s)
				pid <- n
				close(started)
				return
			}
		}
	}()
	second := make(chan error, 1)
	go func() {
		// A second release of the track while the first runs is refused
		// at once. The operator aborts the first after that.
		<-started
		_, err := e.Release(context.Background(), ReleaseOptions{Track: "prod"})
		second <- err
		cancel()
	}()
	_, err := e.Release(ctx, ReleaseOptions{Track: "prod"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("aborted Release = %v; want context.Canceled", err)
	}
	if err := <-second; !errors.Is(err, release.ErrBusy) {
		t.Errorf("concurrent Release = %v; want release.ErrBusy", err)
	}
	if p := <-pid; !processGone(p) {
		t.Errorf("grandchild %d survived the abort", p)
	}
	if got := journalActions(t, e); len(got) < 2 || got[1] != "build aborted" {
		t.Errorf("journal = %v; want build started, build aborted", got)
	}
	if k := f.hook.kinds(); len(k) != 1 || k[0] != "abort" {
		t.Errorf("webhook kinds = %v; want abort", k)
	}
	if _, err := f.bin.TryGit("rev-parse", "-q", "--verify", "prod"); err == nil {
		t.Errorf("an aborted build reached the bin repo")
	}
}

func TestReleaseRemote(t *testing.T) {
	ctx := context.Background()
	f := newReleaseFixture(t, "ok", "1m", true)
	e := f.open(t)
	if _, err := e.Release(ctx, ReleaseOptions{Track: "prod"}); err != nil {
		t.Fatal(err)
	}
	// Another machine released build 2: the local bin branch is
	// fast-forwarded before build 3 is added on top.
	other := f.remote.Git("commit-tree", "-p", "prod", "-m", "build 2 elsewhere", f.remote.Git("mktree"))
	f.remote.Git("update-ref", "refs/heads/prod", other)
	b, err := e.Release(ctx, ReleaseOptions{Track: "prod"})
	if err != nil {
		t.Fatalf("Release behind the remote = %v", err)
	}
	if got := f.bin.Git("rev-parse", "prod^"); got != other {
		t.Errorf("build %d based on %s; want the remote's %s", b.Number, got, other)
	}
	if got := f.remote.Git("rev-parse", "prod"); got != b.BinCommit {
		t.Errorf("remote prod = %s; want %s", got, b.BinCommit)
	}
	if got := journalActions(t, e); !contains(got, "bin fast-forwarded") {
		t.Errorf("journal = %v; want the fast-forward", got)
	}

	// Diverged: refused before anything is built.
	local := f.bin.Git("commit-tree", "-p", "prod", "-m", "local only", f.bin.Git("mktree"))
	f.bin.Git("update-ref", "refs/heads/prod", local)
	theirs := f.remote.Git("commit-tree", "-p", "prod", "-m", "remote only", f.remote.Git("mktree"))
	f.remote.Git("update-ref", "refs/heads/prod", theirs)
	before := len(journalActions(t, e))
	if _, err := e.Release(ctx, ReleaseOptions{Track: "prod"}); !errors.Is(err, binrepo.ErrDiverged) {
		t.Fatalf("Release on diverged branches = %v; want ErrDiverged", err)
	}
	if got := journalActions(t, e); len(got) != before {
		t.Errorf("a refused release journaled %v", got[before:])
	}
	if f.bin.Git("rev-parse", "prod") != local || f.remote.Git("rev-parse", "prod") != theirs {
		t.Errorf("a refused release moved a branch")
	}
}

func TestReleasePushRefused(t *testing.T) {
	ctx := context.Background()
	f := newReleaseFixture(t, "ok", "1m", true)
	e := f.open(t)
	if _, err := e.Release(ctx, ReleaseOptions{Track: "prod"}); err != nil {
		t.Fatal(err)
	}
	// The remote moves while build 2 runs.
	f.src.Commit("prod", "race the remote", map[string]string{"mode": "remoterace\n"})
	b, err := e.Release(ctx, ReleaseOptions{Track: "prod"})
	if !errors.Is(err, ErrPush) || !errors.Is(err, binrepo.ErrRemoteMoved) {
		t.Fatalf("Release over a moved remote = %v; want ErrPush wrapping ErrRemoteMoved", err)
	}
	if b.Number != 2 || f.bin.Git("rev-parse", "prod") != b.BinCommit {
		t.Errorf("build %+v not committed locally", b)
	}
	if got := f.remote.Git("log", "-1", "--format=%s", "prod"); got != "other" {
		t.Errorf("remote prod is %q; want the other writer's commit kept", got)
	}
	got := journalActions(t, e)
	if !contains(got, "bin push-failed") {
		t.Errorf("journal = %v; want a push-failed entry", got)
	}
}

func TestReleaseRefused(t *testing.T) {
	ctx := context.Background()
	r := testrepo.New(t)
	r.Commit("dev", "x", nil)
	r.Git("branch", "prod")
	e, err := Open(ctx, OpenOptions{Dir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Release(ctx, ReleaseOptions{Track: "prod"}); !errors.Is(err, ErrNoBuildConfig) {
		t.Errorf("Release without [build] = %v; want ErrNoBuildConfig", err)
	}
	if _, err := e.Builds(ctx, "prod"); !errors.Is(err, ErrNoBinRepo) {
		t.Errorf("Builds without [bin] = %v; want ErrNoBinRepo", err)
	}
	f := newReleaseFixture(t, "ok", "1m", false)
	e = f.open(t)
	// A bin repo with the track's branch checked out is refused before
	// anything is built.
	wt := testrepo.New(t)
	wt.Commit("prod", "bin", nil)
	cfg := strings.Replace(f.src.Git("show", "dev:switchyard.toml"), strconv.Quote(f.bin.Dir), strconv.Quote(wt.Dir), 1)
	f.src.Commit("dev", "bin with a work tree", map[string]string{"switchyard.toml": cfg})
	e = f.open(t)
	if _, err := e.Release(ctx, ReleaseOptions{Track: "prod"}); !errors.Is(err, binrepo.ErrCheckedOut) {
		t.Errorf("Release into a checked-out bin branch = %v; want ErrCheckedOut", err)
	}
	for _, o := range []ReleaseOptions{{Track: "nope"}, {Track: "prod", Commit: "no-such-rev"}, {Track: "prod", Commit: "--upload-pack=x"}} {
		if _, err := e.Release(ctx, o); err == nil {
			t.Errorf("Release(%+v) = nil; want an error", o)
		}
	}
	if got := journalActions(t, e); len(got) != 0 {
		t.Errorf("refused releases journaled %v", got)
	}
	if b, err := e.Builds(ctx, "prod"); err != nil || len(b) != 0 {
		t.Errorf("Builds(no branch yet) = %v, %v; want none", b, err)
	}
	if _, err := e.LiveBuild(ctx, "prod"); !errors.Is(err, binrepo.ErrNoLive) {
		t.Errorf("LiveBuild(no branch yet) = %v; want ErrNoLive", err)
	}
}
