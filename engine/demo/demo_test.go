package demo

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gitconfig "github.com/go-git/go-git/v5/config"

	"github.com/switchyard/switchyard/engine/binrepo"
	"github.com/switchyard/switchyard/engine/config"
	"github.com/switchyard/switchyard/engine/testrepo"
	"github.com/switchyard/switchyard/model"
)

var anchor = time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)

// built caches one sandbox per flow: building takes a moment and most tests
// only read it.
var built struct {
	sync.Mutex
	m map[string]*Sandbox
}

func sandbox(t *testing.T, flow string) *Sandbox {
	t.Helper()
	built.Lock()
	defer built.Unlock()
	if sb, ok := built.m[flow]; ok {
		return sb
	}
	sb := buildIn(t, filepath.Join(sharedDir(t), flow), Options{Flow: flow, Anchor: anchor})
	if built.m == nil {
		built.m = map[string]*Sandbox{}
	}
	built.m[flow] = sb
	return sb
}

var shared struct {
	once sync.Once
	dir  string
}

// sharedDir outlives single tests; TestMain removes it.
func sharedDir(t *testing.T) string {
	shared.once.Do(func() {
		d, err := os.MkdirTemp("", "switchyard-demo-test-*")
		if err != nil {
			t.Fatal(err)
		}
		shared.dir = d
	})
	return shared.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func buildIn(t *testing.T, dir string, opts Options) *Sandbox {
	t.Helper()
	opts.Dir = dir
	sb, err := Build(context.Background(), opts)
	if err != nil {
		t.Fatalf("Build(%+v): %v", opts, err)
	}
	return sb
}

func gitIn(t *testing.T, dir string) *testrepo.Repo { return testrepo.Open(t, dir) }

func refs(t *testing.T, dir string) string {
	return gitIn(t, dir).Git("for-each-ref", "--format=%(refname) %(objectname)")
}

func TestDeterministic(t *testing.T) {
	for _, flow := range []string{FlowTwo, FlowThree} {
		t.Run(flow, func(t *testing.T) {
			a := sandbox(t, flow)
			b := buildIn(t, filepath.Join(t.TempDir(), "nested", "new"), Options{Flow: flow, Anchor: anchor})
			later := buildIn(t, t.TempDir(), Options{Flow: flow, Anchor: anchor.Add(24 * time.Hour)})
			for _, repo := range []struct {
				name       string
				a, b, late string
			}{
				{"src", a.Src, b.Src, later.Src},
				{"bin", a.Bin, b.Bin, later.Bin},
			} {
				ra, rb := refs(t, repo.a), refs(t, repo.b)
				if ra != rb {
					t.Errorf("%s refs differ between two builds with the same anchor:\n%s\n---\n%s", repo.name, ra, rb)
				}
				if n := strings.Count(ra, "\n") + 1; n != len(tracks(flow)) {
					t.Errorf("%s has %d branches; want %d:\n%s", repo.name, n, len(tracks(flow)), ra)
				}
				if rl := refs(t, repo.late); rl == ra {
					t.Errorf("%s refs are the same for anchors a day apart; dates must follow the anchor", repo.name)
				}
			}
		})
	}
}

// cherry runs git cherry upstream head and returns the sign of each commit.
func cherry(t *testing.T, dir, upstream, head string) map[string]string {
	out := gitIn(t, dir).Git("cherry", upstream, head)
	signs := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if sign, id, ok := strings.Cut(line, " "); ok {
			signs[id] = sign
		}
	}
	return signs
}

func TestSourceRepo(t *testing.T) {
	tests := []struct {
		flow       string
		carried    []string // dev commits already on prod under another id
		pending    []string // dev commits prod lacks
		prodOnly   []string
		masterOnly []string // master commits dev lacks (three)
		devCarried []string // dev commits on master under another id (three)
	}{
		{
			flow:    FlowTwo,
			carried: []string{"hotfix-escape"},
			pending: []string{"limiter", "limiter-docs", "rate-env", "limiter-bugfix", "metrics", "metrics-bugfix",
				"hotfix-health", "hotfix-body", "log-client", "ratelimit-headers"},
			prodOnly: []string{"hotfix-body-prod"},
		},
		{
			flow:    FlowThree,
			carried: []string{"hotfix-escape"},
			pending: []string{"limiter", "limiter-docs", "rate-env", "limiter-bugfix", "metrics", "metrics-bugfix",
				"hotfix-health", "hotfix-body"},
			prodOnly:   []string{"hotfix-body-prod"},
			masterOnly: []string{"request-id", "greet-language", "release-1.2-rc"},
			devCarried: []string{"metrics-bugfix"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.flow, func(t *testing.T) {
			sb := sandbox(t, tt.flow)
			g := gitIn(t, sb.Src)
			id := func(name string) string {
				t.Helper()
				h, ok := sb.Commits[name]
				if !ok {
					t.Fatalf("no commit %q in the %s sandbox", name, tt.flow)
				}
				return h
			}
			if out := g.Git("status", "--porcelain", "--ignored=no"); out != "" {
				t.Errorf("git status in src is not clean:\n%s", out)
			}
			if b := g.Git("branch", "--show-current"); b != "dev" {
				t.Errorf("src is on %q; want dev", b)
			}
			for _, dir := range []string{sb.Src, sb.Bin} {
				if _, err := gitIn(t, dir).TryGit("fsck", "--strict", "--no-dangling"); err != nil {
					t.Errorf("git fsck --strict in %s: %v", dir, err)
				}
			}

			want := map[string]string{}
			for _, c := range tt.carried {
				want[id(c)] = "-"
			}
			for _, c := range tt.pending {
				want[id(c)] = "+"
			}
			if got := cherry(t, sb.Src, "prod", "dev"); !equal(got, want) {
				t.Errorf("git cherry prod dev = %v; want %v", got, want)
			}
			want = map[string]string{id("hotfix-escape-prod"): "-"}
			for _, c := range tt.prodOnly {
				want[id(c)] = "+"
			}
			if got := cherry(t, sb.Src, "dev", "prod"); !equal(got, want) {
				t.Errorf("git cherry dev prod = %v; want %v", got, want)
			}
			trailer := "(cherry picked from commit " + id("hotfix-escape") + ")"
			if msg := g.Git("log", "-1", "--format=%B", id("hotfix-escape-prod")); !strings.HasSuffix(msg, trailer) {
				t.Errorf("message of the carried hotfix = %q; want it to end with %q", msg, trailer)
			}

			// Kinds: the pending commits hold every kind the cockpit shows.
			kinds := map[model.Kind][]string{}
			for _, c := range tt.pending {
				k := model.DefaultClassifier().Kind(g.Git("log", "-1", "--format=%B", id(c)))
				kinds[k] = append(kinds[k], c)
			}
			if !slices.Contains(kinds[model.Hotfix], "hotfix-health") || !slices.Contains(kinds[model.Hotfix], "hotfix-body") ||
				len(kinds[model.Bugfix]) == 0 || len(kinds[model.Regular]) == 0 {
				t.Errorf("pending commits by kind = %v; want hotfix-health and hotfix-body hotfixes, bugfixes and regular commits", kinds)
			}

			// The train: the newest dev commit at least a cycle old is the
			// metrics commit, and a bugfix follows it.
			var base, next string
			for _, line := range strings.Split(g.Git("log", "--first-parent", "--reverse", "--format=%H %ct", "dev"), "\n") {
				h, ts, _ := strings.Cut(line, " ")
				sec, err := strconv.ParseInt(ts, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				if time.Unix(sec, 0).Before(anchor.Add(-7 * 24 * time.Hour)) {
					base, next = h, ""
				} else if next == "" {
					next = h
				}
			}
			if base != id("metrics") || next != id("metrics-bugfix") {
				t.Errorf("train base, next = %s, %s; want metrics %s, metrics-bugfix %s", base, next, id("metrics"), id("metrics-bugfix"))
			}

			if tt.flow == FlowThree {
				want = map[string]string{}
				for _, c := range tt.masterOnly {
					want[id(c)] = "+"
				}
				want[id("metrics-bugfix-master")] = "-"
				if got := cherry(t, sb.Src, "dev", "master"); !equal(got, want) {
					t.Errorf("git cherry dev master = %v; want %v", got, want)
				}
				if got := cherry(t, sb.Src, "master", "dev"); got[id("metrics-bugfix")] != "-" {
					t.Errorf("git cherry master dev = %v; want the metrics bugfix carried (-)", got)
				}
				if mb := g.Git("merge-base", "master", "dev"); mb != id("metrics") {
					t.Errorf("merge-base master dev = %s; want the metrics commit %s", mb, id("metrics"))
				}
			} else if _, err := g.TryGit("rev-parse", "--verify", "-q", "refs/heads/master"); err == nil {
				t.Errorf("the two-branch sandbox has a master branch")
			}
		})
	}
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestHotfixesOnProd(t *testing.T) {
	sb := sandbox(t, FlowTwo)
	scratch := filepath.Join(t.TempDir(), "scratch")
	gitIn(t, sb.Dir).Git("clone", "-q", sb.Src, scratch)
	g := gitIn(t, scratch)
	tests := []struct {
		commit    string
		conflicts string // unmerged paths, one a line; "" for a clean pick
	}{
		{"hotfix-health", ""},
		{"hotfix-body", "app/main.go"},
		{"hotfix-escape", ""}, // already there: git makes it empty, not a conflict
	}
	for _, tt := range tests {
		t.Run(tt.commit, func(t *testing.T) {
			g.Git("checkout", "-q", "-B", "try-"+tt.commit, "origin/prod")
			_, err := g.TryGit("cherry-pick", "--allow-empty", "--keep-redundant-commits", sb.Commits[tt.commit])
			unmerged := g.Git("diff", "--name-only", "--diff-filter=U")
			if tt.conflicts == "" && err != nil {
				t.Errorf("git cherry-pick %s onto prod failed: %v", tt.commit, err)
			}
			if tt.conflicts != "" && err == nil {
				t.Errorf("git cherry-pick %s onto prod succeeded; want conflicts in %s", tt.commit, tt.conflicts)
			}
			if unmerged != tt.conflicts {
				t.Errorf("cherry-pick %s onto prod: unmerged paths %q; want %q", tt.commit, unmerged, tt.conflicts)
			}
			if err != nil {
				g.Git("cherry-pick", "--abort")
			}
		})
	}
}

func TestBinRepo(t *testing.T) {
	for _, flow := range []string{FlowTwo, FlowThree} {
		t.Run(flow, func(t *testing.T) {
			sb := sandbox(t, flow)
			bin, src := gitIn(t, sb.Bin), gitIn(t, sb.Src)
			if got := bin.Git("rev-parse", "--is-bare-repository"); got != "true" {
				t.Errorf("bin is not a bare repository")
			}
			for _, track := range tracks(flow) {
				var last model.Build
				for _, b := range sb.Builds {
					if b.Track == track {
						last = b
					}
				}
				if last.Number < 2 {
					t.Fatalf("track %s has %d builds; want a few", track, last.Number)
				}
				link := bin.Git("ls-tree", track, "app")
				if want := "120000 blob "; !strings.HasPrefix(link, want) {
					t.Errorf("%s: app entry = %q; want a symlink (%s…)", track, link, want)
				}
				if target := bin.Git("cat-file", "-p", track+":app"); target != last.Folder() {
					t.Errorf("%s: app -> %q; want %q", track, target, last.Folder())
				}
				// Read back as a release reads the bin repo.
				br, err := binrepo.Open(context.Background(), sb.Bin, "app")
				if err != nil {
					t.Fatal(err)
				}
				got, err := br.Builds(context.Background(), track)
				if err != nil {
					t.Fatalf("binrepo Builds(%s): %v", track, err)
				}
				var want []model.Build
				for _, b := range sb.Builds {
					if b.Track == track {
						want = append(want, b)
					}
				}
				if len(got) != len(want) {
					t.Fatalf("binrepo Builds(%s) = %d builds; want %d", track, len(got), len(want))
				}
				for i, b := range got {
					w := want[i]
					if b.Number != i+1 || b.Track != track || b.Source != w.Source || !b.Time.Equal(w.Time) || b.BinCommit != w.BinCommit {
						t.Errorf("binrepo Builds(%s)[%d] = %+v; want %+v", track, i, b, w)
					}
					if _, err := src.TryGit("merge-base", "--is-ancestor", b.Source, track); err != nil {
						t.Errorf("%s build %d: source %s is not on %s in src: %v", track, b.Number, b.Source, track, err)
					}
				}
				if n, err := br.LiveNumber(context.Background(), track); err != nil || n != last.Number {
					t.Errorf("binrepo LiveNumber(%s) = %d, %v; want %d", track, n, err, last.Number)
				}
				compareWithBuildScript(t, sb, track, last)
			}
		})
	}
}

// compareWithBuildScript runs build.sh at the build's source commit and
// checks that the bin folder holds exactly dist/ plus manifest.json.
func compareWithBuildScript(t *testing.T, sb *Sandbox, track string, b model.Build) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	gitIn(t, sb.Dir).Git("clone", "-q", sb.Src, work)
	g := gitIn(t, work)
	g.Git("checkout", "-q", "--detach", b.Source)
	cmd := exec.Command("sh", "build.sh")
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sh build.sh at %s: %v\n%s", b.Source, err, out)
	}
	if out := g.Git("status", "--porcelain"); out != "" {
		t.Errorf("build.sh left the work tree dirty:\n%s", out)
	}
	var built []string
	dist := filepath.Join(work, "dist")
	err := filepath.WalkDir(dist, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dist, p)
		built = append(built, filepath.ToSlash(rel))
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if got := gitIn(t, sb.Bin).Git("show", track+":"+b.Folder()+"/"+filepath.ToSlash(rel)); got != strings.TrimRight(string(data), "\n") {
			t.Errorf("%s %s/%s differs from build.sh's dist/%s", track, b.Folder(), rel, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	inBin := strings.Split(gitIn(t, sb.Bin).Git("ls-tree", "-r", "--name-only", track+":"+b.Folder()), "\n")
	inBin = slices.DeleteFunc(inBin, func(s string) bool { return s == "manifest.json" })
	slices.Sort(built)
	slices.Sort(inBin)
	if !slices.Equal(built, inBin) {
		t.Errorf("%s %s holds %v; build.sh makes %v", track, b.Folder(), inBin, built)
	}
}

func TestConfig(t *testing.T) {
	for _, flow := range []string{FlowTwo, FlowThree} {
		t.Run(flow, func(t *testing.T) {
			sb := sandbox(t, flow)
			c, err := config.Load(sb.Config)
			if err != nil {
				t.Fatalf("config.Load(%s): %v", sb.Config, err)
			}
			if got, want := c.Flow().Names(), strings.Join(tracks(flow), " → "); got != want {
				t.Errorf("flow = %q; want %q", got, want)
			}
			if got := c.BinPath(); got != sb.Bin {
				t.Errorf("bin path = %q; want %q", got, sb.Bin)
			}
			if c.Build == nil || !slices.Equal(c.Build.Command, []string{"sh", "build.sh"}) || c.Build.Output != "dist" {
				t.Errorf("build = %+v; want sh build.sh into dist", c.Build)
			}
			var waves []string
			for _, w := range c.Deploy.Waves {
				waves = append(waves, strconv.Itoa(w.Weight)+map[bool]string{true: "!", false: ""}[w.Approval])
			}
			if got := strings.Join(waves, " "); got != "1 10 50! 100" {
				t.Errorf("waves = %s; want 1 10 50! 100 (! = approval)", got)
			}
			var envs []string
			for _, e := range c.Deploy.Environments {
				envs = append(envs, e.Name+":"+e.Track+":"+e.Traffic.Driver+":"+strconv.Itoa(e.Traffic.Nodes))
			}
			want := map[string]string{
				FlowTwo:   "integration:dev:sim:1000 staging:prod:sim:1000 production:prod:sim:1000",
				FlowThree: "integration:master:sim:1000 staging:dev:sim:1000 production:prod:sim:1000",
			}[flow]
			if got := strings.Join(envs, " "); got != want {
				t.Errorf("environments = %s; want %s", got, want)
			}
			if len(c.Deploy.Gates) != 1 || c.Deploy.Gates[0].Name != "acceptance" {
				t.Fatalf("gates = %+v; want acceptance", c.Deploy.Gates)
			}
			cmd := c.Deploy.Gates[0].Command
			if len(cmd) != 2 || cmd[0] != "sh" {
				t.Fatalf("gate command = %q; want sh and the script", cmd)
			}
			if _, err := os.Stat(cmd[1]); err != nil {
				t.Errorf("gate script: %v", err)
			}
		})
	}
}

func TestGate(t *testing.T) {
	failing := buildIn(t, t.TempDir(), Options{Anchor: anchor, FailGate: "staging"})
	tests := []struct {
		sb   *Sandbox
		env  string
		pass bool
	}{
		{sandbox(t, FlowTwo), "staging", true},
		{sandbox(t, FlowTwo), "production", true},
		{failing, "staging", false},
		{failing, "integration", true},
		{failing, "production", true},
	}
	for _, tt := range tests {
		c, err := config.Load(tt.sb.Config)
		if err != nil {
			t.Fatal(err)
		}
		argv := c.Deploy.Gates[0].Command
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = t.TempDir() // the script must not depend on where it runs
		cmd.Env = append(os.Environ(), "SWITCHYARD_ENV="+tt.env, "SWITCHYARD_BUILD=app-4")
		out, err := cmd.CombinedOutput()
		if pass := err == nil; pass != tt.pass {
			t.Errorf("gate in %s (fail-env %q): passed = %v; want %v\n%s", tt.env, tt.sb.Dir, pass, tt.pass, out)
		}
	}
}

func TestBadOptions(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "keep.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
		is   error
		msg  string
	}{
		{"flow", Options{Dir: filepath.Join(t.TempDir(), "new"), Flow: "four"}, ErrBadOptions, `flow "four" is not "two" or "three"`},
		{"fail gate", Options{Dir: filepath.Join(t.TempDir(), "new"), FailGate: "qa"}, ErrBadOptions, `fail-gate: "qa" is not an environment of the demo (integration, staging, production)`},
		{"not empty", Options{Dir: full}, ErrDirNotEmpty, " is not empty: the demo needs a new or empty folder"},
		{"a file", Options{Dir: file}, nil, "is a file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(context.Background(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.msg) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("Build(%+v) = %v; want an error saying %q", tt.opts, err, tt.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error has more than one line: %q", err)
			}
			if _, statErr := os.Stat(tt.opts.Dir); tt.name != "not empty" && tt.name != "a file" && statErr == nil {
				t.Errorf("Build made %s although the options were bad", tt.opts.Dir)
			}
		})
	}
	entries, _ := os.ReadDir(full)
	if len(entries) != 1 {
		t.Errorf("the non-empty folder now holds %d entries; want only keep.txt", len(entries))
	}
}

func TestNothingLeftOnCancel(t *testing.T) {
	empty := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, Options{Dir: empty, Anchor: anchor}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Build with a cancelled context = %v; want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("a cancelled Build left %d entries in the folder", len(entries))
	}
	parent := t.TempDir()
	fresh := filepath.Join(parent, "new", "nested", "fresh")
	if _, err := Build(ctx, Options{Dir: fresh, Anchor: anchor}); err == nil {
		t.Fatal("Build with a cancelled context succeeded")
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("a cancelled Build left the folders it made: %v", entries)
	}
}

func TestDefaults(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	before := time.Now().UTC()
	sb, err := Build(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(sb.Dir) != tmp || !strings.HasPrefix(filepath.Base(sb.Dir), "switchyard-demo-") {
		t.Errorf("default folder = %s; want %s/switchyard-demo-*", sb.Dir, tmp)
	}
	if sb.Flow != FlowTwo {
		t.Errorf("default flow = %q; want two", sb.Flow)
	}
	if sb.Anchor.After(before) || before.Sub(sb.Anchor) >= 24*time.Hour || sb.Anchor.Hour() != 0 || sb.Anchor.Minute() != 0 {
		t.Errorf("default anchor = %v; want today 00:00 UTC (built at %v)", sb.Anchor, before)
	}
}

func TestScenarioEdits(t *testing.T) {
	text := func(s string) *string { return &s }
	base := files{"a.txt": {data: "one\ntwo\ntwo\n"}}
	tests := []struct {
		name string
		e    edit
		want string // content of a.txt, or the error's text
	}{
		{"write", edit{Path: "a.txt", Write: text("new\n")}, "new\n"},
		{"replace once", edit{Path: "a.txt", Replace: "one\n", With: "1\n"}, "1\ntwo\ntwo\n"},
		{"replace twice", edit{Path: "a.txt", Replace: "two\n", With: "2\n"}, "found 2 times"},
		{"replace missing", edit{Path: "a.txt", Replace: "three", With: "3"}, "found 0 times"},
		{"replace in no file", edit{Path: "b.txt", Replace: "x", With: "y"}, "no such file"},
		{"delete missing", edit{Path: "b.txt", Delete: true}, "no such file"},
	}
	for _, tt := range tests {
		fs := base.clone()
		err := fs.apply(tt.e)
		got := fs["a.txt"].data
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("apply(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
	for _, bad := range []string{
		"operator = \"a\"\n[[commit]]\nid = \"x\"\nbranch = \"dev\"\ndays_ago = 0\nat = \"10:00\"\nauthor = \"a\"\nmessage = \"m\"\n[[commit.edit]]\npath = \"f\"\nwrite = \"\"\n[author.a]\nname = \"A\"\nemail = \"a@x\"\nzone = \"+00:00\"\n",
		"operator = \"a\"\n[[commit]]\nid = \"x\"\nbranch = \"dev\"\ndays_ago = 2\nat = \"25:00\"\nauthor = \"a\"\nmessage = \"m\"\n[[commit.edit]]\npath = \"f\"\nwrite = \"\"\n[author.a]\nname = \"A\"\nemail = \"a@x\"\nzone = \"+00:00\"\n",
		"operator = \"a\"\n[[commit]]\nid = \"x\"\nbranch = \"dev\"\ndays_ago = 2\nat = \"10:00\"\nauthor = \"a\"\nmessage = \"m\"\n[[commit.edit]]\npath = \"../f\"\nwrite = \"\"\n[author.a]\nname = \"A\"\nemail = \"a@x\"\nzone = \"+00:00\"\n",
		"operator = \"a\"\n[[commit]]\nid = \"x\"\nbranch = \"dev\"\ndays_ago = 2\nat = \"10:00\"\nauthor = \"a\"\npick = \"y\"\n[author.a]\nname = \"A\"\nemail = \"a@x\"\nzone = \"+00:00\"\n",
		"colour = 1\n",
	} {
		if _, err := parseScenario([]byte(bad)); err == nil {
			t.Errorf("parseScenario accepted:\n%s", bad)
		}
	}
}

func TestScenarioReplayErrors(t *testing.T) {
	const head = "operator = \"a\"\n[author.a]\nname = \"A\"\nemail = \"a@example.com\"\nzone = \"+00:00\"\n" +
		"[bin]\nname = \"app\"\nauthor = \"a\"\ninclude = [\"f\"]\n" +
		"[[commit]]\nid = \"one\"\nbranch = \"dev\"\ndays_ago = 3\nat = \"10:00\"\nauthor = \"a\"\nmessage = \"one\"\n" +
		"[[commit.edit]]\npath = \"f\"\nwrite = \"x\\n\"\n"
	tests := []struct {
		name, more, want string
	}{
		{"dated backwards", "[[commit]]\nid = \"two\"\nbranch = \"dev\"\ndays_ago = 4\nat = \"10:00\"\nauthor = \"a\"\nmessage = \"two\"\n[[commit.edit]]\npath = \"f\"\nwrite = \"y\\n\"\n",
			"commit two is dated before its parent one"},
		{"replace missing", "[[commit]]\nid = \"two\"\nbranch = \"dev\"\ndays_ago = 2\nat = \"10:00\"\nauthor = \"a\"\nmessage = \"two\"\n[[commit.edit]]\npath = \"f\"\nreplace = \"nope\"\nwith = \"y\"\n",
			"commit two: replace in f: the text to replace is found 0 times"},
		{"second root", "[[commit]]\nid = \"two\"\nbranch = \"prod\"\ndays_ago = 2\nat = \"10:00\"\nauthor = \"a\"\nmessage = \"two\"\n[[commit.edit]]\npath = \"f\"\nwrite = \"y\\n\"\n",
			"branch prod has no [[branch]] entry"},
		{"no prod", "", "the scenario has no branch prod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := parseScenario([]byte(head + tt.more))
			if err != nil {
				t.Fatalf("parseScenario: %v", err)
			}
			dir := t.TempDir()
			_, err = buildScenario(context.Background(), sc, Options{Dir: dir}, FlowTwo, anchor)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("buildScenario = %v; want an error saying %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a failed build left %d entries behind", len(entries))
			}
		})
	}
}

// The app in the story is real Go: every track's head builds and vets.
func TestAppCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	for _, flow := range []string{FlowTwo, FlowThree} {
		sb := sandbox(t, flow)
		for _, track := range tracks(flow) {
			work := filepath.Join(t.TempDir(), "work")
			gitIn(t, sb.Dir).Git("clone", "-q", "--branch", track, sb.Src, work)
			cmd := exec.Command(goTool, "vet", "./app")
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "GOFLAGS=", "GOTOOLCHAIN=local", "GOWORK=off", "GOPROXY=off")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s %s: go vet ./app: %v\n%s", flow, track, err, out)
			}
		}
	}
}

func TestIdentity(t *testing.T) {
	tests := []struct {
		name      string
		gitconfig string // the user's ~/.gitconfig; "" for none
		want      string // user.name in src/.git/config; "" for none
	}{
		{"no identity", "", "Katherine Johnson"},
		{"own identity", "[user]\n\tname = Rosalind Franklin\n\temail = rosalind@example.com\n", ""},
	}
	if sys, err := gitconfig.LoadConfig(gitconfig.SystemScope); err == nil && sys.User.Name != "" {
		t.Skip("the system git config sets an identity")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("HOME", home)
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			t.Setenv("GIT_COMMITTER_NAME", "")
			t.Setenv("GIT_COMMITTER_EMAIL", "")
			if tt.gitconfig != "" {
				if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(tt.gitconfig), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			sb := buildIn(t, t.TempDir(), Options{Anchor: anchor})
			got, _ := gitIn(t, sb.Src).TryGit("config", "--local", "user.name")
			if got != tt.want {
				t.Errorf("local user.name = %q; want %q", got, tt.want)
			}
		})
	}
}
