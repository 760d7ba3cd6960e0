package release

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/switchyard/switchyard/engine/testrepo"
)

const buildScript = `set -e
echo "building $SWITCHYARD_TRACK-$SWITCHYARD_BUILD at $SWITCHYARD_COMMIT"
echo "extra=$EXTRA" >&2
case "$(cat mode)" in
fail) echo "compiler error"; exit 3 ;;
hang) sleep 100 & echo "grandchild $!"; sleep 100 ;;
nooutput) exit 0 ;;
outside) ln -s /tmp dist; exit 0 ;;
linked) mkdir -p build/out; ln -s build/out dist; echo linked > build/out/x; exit 0 ;;
notdir) echo file > dist; exit 0 ;;
esac
mkdir -p dist/bin
cp app.txt dist/
printf '%s %s %s\n' "$SWITCHYARD_TRACK" "$SWITCHYARD_BUILD" "$SWITCHYARD_COMMIT" > dist/stamp
printf '#!/bin/sh\n' > dist/bin/run
chmod +x dist/bin/run
echo done
`

func fixture(t *testing.T, mode string) (*testrepo.Repo, *git.Repository, plumbing.Hash) {
	t.Helper()
	r := testrepo.New(t)
	id := r.Commit("prod", "app", map[string]string{"build.sh": buildScript, "mode": mode + "\n", "app.txt": "app\n", "src/x.go": "package x\n"})
	repo, err := git.PlainOpen(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return r, repo, plumbing.NewHash(id)
}

func options(repo *git.Repository, commit plumbing.Hash, log string, lines *[]string, mu *sync.Mutex) Options {
	return Options{
		Store: repo.Storer, Commit: commit, Track: "prod", Number: 4,
		Command: []string{"sh", "build.sh"}, Output: "dist", Timeout: time.Minute,
		Env: []string{"EXTRA=yes"}, Log: log,
		Line: func(s string) { mu.Lock(); *lines = append(*lines, s); mu.Unlock() },
	}
}

func TestRunSucceeds(t *testing.T) {
	_, repo, commit := fixture(t, "ok")
	log := filepath.Join(t.TempDir(), "builds", "prod-4.log")
	var lines []string
	var mu sync.Mutex
	res, err := Run(context.Background(), options(repo, commit, log, &lines, &mu))
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	defer res.Cleanup()
	stamp, err := os.ReadFile(filepath.Join(res.Output, "stamp"))
	if want := "prod 4 " + commit.String() + "\n"; err != nil || string(stamp) != want {
		t.Errorf("stamp = %q, %v; want %q", stamp, err, want)
	}
	if fi, err := os.Stat(filepath.Join(res.Output, "bin", "run")); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("bin/run = %v, %v; want executable", fi, err)
	}
	logText, _ := os.ReadFile(log)
	for _, want := range []string{"building prod-4 at " + commit.String(), "extra=yes", "done"} {
		if !strings.Contains(string(logText), want+"\n") {
			t.Errorf("log lacks %q:\n%s", want, logText)
		}
		if !contains(lines, want) {
			t.Errorf("streamed lines lack %q: %q", want, lines)
		}
	}
	if err := res.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(res.Checkout); !os.IsNotExist(err) {
		t.Errorf("checkout %s left after Cleanup", res.Checkout)
	}
}

func TestRunLinkedOutput(t *testing.T) {
	_, repo, commit := fixture(t, "linked")
	var lines []string
	var mu sync.Mutex
	res, err := Run(context.Background(), options(repo, commit, filepath.Join(t.TempDir(), "x.log"), &lines, &mu))
	if err != nil {
		t.Fatalf("Run(output through a symlink) = %v", err)
	}
	defer res.Cleanup()
	if b, err := os.ReadFile(filepath.Join(res.Output, "x")); err != nil || string(b) != "linked\n" {
		t.Errorf("output x = %q, %v", b, err)
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

func TestRunFails(t *testing.T) {
	tests := []struct {
		mode    string
		timeout time.Duration
		want    error
	}{
		{"fail", time.Minute, ErrFailed},
		{"nooutput", time.Minute, ErrNoOutput},
		{"outside", time.Minute, ErrNoOutput},
		{"notdir", time.Minute, ErrNoOutput},
		{"hang", 500 * time.Millisecond, ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			_, repo, commit := fixture(t, tt.mode)
			tmp := t.TempDir()
			log := filepath.Join(tmp, "prod-4.log")
			var lines []string
			var mu sync.Mutex
			o := options(repo, commit, log, &lines, &mu)
			o.Timeout = tt.timeout
			o.TempDir = filepath.Join(tmp, "work")
			os.Mkdir(o.TempDir, 0o755)
			res, err := Run(context.Background(), o)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Run(%s) = %v; want %v", tt.mode, err, tt.want)
			}
			if !strings.Contains(err.Error(), log) {
				t.Errorf("error %q does not name the log %s", err, log)
			}
			if left, _ := os.ReadDir(o.TempDir); len(left) != 0 {
				t.Errorf("checkout left behind: %v", left)
			}
			if res.Output != "" {
				t.Errorf("Output = %q after a failure", res.Output)
			}
			if logText, _ := os.ReadFile(log); !strings.Contains(string(logText), "building prod-4") {
				t.Errorf("log lost:\n%s", logText)
			}
			if tt.mode == "fail" && res.ExitCode != 3 {
				t.Errorf("ExitCode = %d; want 3", res.ExitCode)
			}
			if tt.mode == "hang" {
				var pid int
				for _, l := range lines {
					if s, ok := strings.CutPrefix(l, "grandchild "); ok {
						pid, _ = strconv.Atoi(s)
					}
				}
				if pid <= 0 {
					t.Fatalf("no grandchild pid in %q", lines)
				}
				if !dead(pid) {
					t.Errorf("grandchild %d survived the timeout", pid)
					if p, err := os.FindProcess(pid); err == nil {
						p.Kill()
					}
				}
			}
		})
	}
}

// dead reports whether pid is gone or a zombie, allowing a few seconds for
// SIGKILL to land.
func dead(pid int) bool {
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
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRunEnvironment: a relative program runs from the checkout, and git
// variables of the calling process do not leak into the build.
func TestRunEnvironment(t *testing.T) {
	r := testrepo.New(t)
	r.Commit("main", "tool", map[string]string{"tool.sh": "#!/bin/sh\necho \"dir=${GIT_DIR:-none}\"\nmkdir out\n"})
	r.Git("update-index", "--chmod=+x", "tool.sh")
	r.Git("commit", "-q", "-m", "exec")
	repo, _ := git.PlainOpen(r.Dir)
	t.Setenv("GIT_DIR", filepath.Join(r.Dir, ".git"))
	var lines []string
	var mu sync.Mutex
	o := options(repo, plumbing.NewHash(r.Git("rev-parse", "HEAD")), filepath.Join(t.TempDir(), "x.log"), &lines, &mu)
	o.Command, o.Output = []string{"./tool.sh"}, "out"
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("Run(./tool.sh) = %v", err)
	}
	res.Cleanup()
	if !contains(lines, "dir=none") {
		t.Errorf("build output %q; want GIT_DIR removed", lines)
	}
}

func TestRunRefused(t *testing.T) {
	_, repo, commit := fixture(t, "ok")
	log := filepath.Join(t.TempDir(), "x.log")
	base := Options{Store: repo.Storer, Commit: commit, Track: "prod", Number: 1, Command: []string{"true"}, Output: "dist", Log: log}
	tests := []struct {
		name string
		edit func(*Options)
	}{
		{"no command", func(o *Options) { o.Command = nil }},
		{"no output", func(o *Options) { o.Output = "" }},
		{"output outside", func(o *Options) { o.Output = "../x" }},
		{"absolute output", func(o *Options) { o.Output = "/tmp" }},
		{"no commit", func(o *Options) { o.Commit = plumbing.ZeroHash }},
		{"zero number", func(o *Options) { o.Number = 0 }},
		{"no log", func(o *Options) { o.Log = "" }},
	}
	for _, tt := range tests {
		o := base
		tt.edit(&o)
		if _, err := Run(context.Background(), o); err == nil {
			t.Errorf("Run(%s) = nil; want an error", tt.name)
		}
	}
	o := base
	o.Commit = plumbing.NewHash(strings.Repeat("1", 40))
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), log) {
		t.Errorf("Run(missing commit) = %v; want an error naming the log", err)
	}
}

// TestCheckout compares the written tree with git's own listing of it.
func TestCheckout(t *testing.T) {
	r := testrepo.New(t)
	r.Commit("main", "files", map[string]string{"a.txt": "a\n", "d/e/f.txt": "f\n", "tool.sh": "#!/bin/sh\n", "empty": ""})
	r.Git("update-index", "--chmod=+x", "tool.sh")
	if err := os.Symlink("d/e/f.txt", filepath.Join(r.Dir, "link")); err != nil {
		t.Fatal(err)
	}
	r.Git("add", "-A")
	r.Git("commit", "-q", "-m", "modes")
	id := r.Git("rev-parse", "HEAD")
	repo, _ := git.PlainOpen(r.Dir)
	dir := t.TempDir()
	if err := Checkout(context.Background(), repo.Storer, plumbing.NewHash(id), dir); err != nil {
		t.Fatal(err)
	}
	var got []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if fi.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		var mode string
		var content []byte
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			mode = "120000"
			target, _ := os.Readlink(p)
			content = []byte(target)
		case fi.Mode().Perm()&0o100 != 0:
			mode = "100755"
		default:
			mode = "100644"
		}
		if content == nil {
			content, _ = os.ReadFile(p)
		}
		got = append(got, mode+" "+plumbing.ComputeHash(plumbing.BlobObject, content).String()+" "+filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(got)
	var want []string
	for _, l := range strings.Split(r.Git("ls-tree", "-r", "--format=%(objectmode) %(objectname) %(path)", id), "\n") {
		want = append(want, l)
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("checkout =\n%s\nwant (git ls-tree -r)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
