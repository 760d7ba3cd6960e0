package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/testrepo"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, &cli{stdin: strings.NewReader(""), stdout: &o, stderr: &e})
	return code, o.String(), e.String()
}

// flowRepo is dev → prod with a pick (-x), a pick by patch only, an
// amended pick, a merge, an empty commit and a hotfix on prod.
func flowRepo(t *testing.T) *testrepo.Repo {
	r := testrepo.New(t)
	base := r.Commit("dev", "base", map[string]string{"a.txt": "1\n2\n3\n4\n5\n6\n7\n8\n9\n"})
	r.Git("branch", "prod", base)
	fix := r.Commit("dev", "hotfix: crash on start", map[string]string{"b.txt": "b\n"})
	bug := r.Commit("dev", "bugfix: wrong total", map[string]string{"a.txt": "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n"})
	r.Commit("dev", "feature \x1b[31mred\x1b[0m", map[string]string{"c.txt": "c\n"})
	r.Commit("dev", "empty", nil)
	r.Checkout("dev")
	r.Git("checkout", "-q", "-b", "topic")
	r.Commit("topic", "topic", map[string]string{"t.txt": "t\n"})
	r.Checkout("dev")
	r.Git("merge", "-q", "--no-ff", "-m", "merge topic", "topic")
	r.Tick(time.Minute)
	amend := r.Commit("dev", "tune", map[string]string{"a.txt": "1\nTWO\n3\n4\n5\n6\n7\n8\nnine\n"})
	r.CherryPick("prod", fix, true)
	r.CherryPick("prod", bug, false)
	r.CherryPick("prod", amend, true)
	r.Write(map[string]string{"a.txt": "1\n2\n3\n4\n5\n6\n7\n8\nNINE\n"})
	r.Git("commit", "-q", "-a", "--amend", "--no-edit")
	r.Commit("prod", "hotfix on prod only", map[string]string{"p.txt": "p\n"})
	r.Checkout("dev")
	return r
}

func cherrySet(t *testing.T, r *testrepo.Repo, upstream, head, sign string) []string {
	var out []string
	for _, l := range strings.Split(r.Git("cherry", upstream, head), "\n") {
		if strings.HasPrefix(l, sign+" ") {
			out = append(out, l[2:])
		}
	}
	sort.Strings(out)
	return out
}

func TestPendingJSONContract(t *testing.T) {
	r := flowRepo(t)
	code, out, errOut := runCLI("pending", "--repo", r.Dir, "--json")
	if code != exitOK {
		t.Fatalf("pending --json = %d, stderr %q", code, errOut)
	}
	// exactly the contract's fields
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]json.RawMessage) string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return strings.Join(ks, ",")
	}
	if got := keys(raw); got != "carried,from,only_in_to,pending,to" {
		t.Errorf("top-level keys = %s", got)
	}
	var p struct {
		From, To string
		Pending  []map[string]json.RawMessage
		Carried  []map[string]string
		OnlyInTo []map[string]json.RawMessage `json:"only_in_to"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if p.From != "dev" || p.To != "prod" {
		t.Errorf("from, to = %s, %s; want dev, prod", p.From, p.To)
	}
	var pendingIDs, trailerIDs, patchIDs, onlyIDs []string
	for _, c := range p.Pending {
		if got := keys(c); got != "author,commit,date,kind,subject" {
			t.Errorf("pending entry keys = %s", got)
		}
		var id, date string
		json.Unmarshal(c["commit"], &id)
		json.Unmarshal(c["date"], &date)
		if _, err := time.Parse(time.RFC3339, date); err != nil {
			t.Errorf("date %q is not RFC 3339", date)
		}
		if want := r.Git("log", "-1", "--format=%aI", id); date != strings.Replace(want, "+00:00", "Z", 1) {
			t.Errorf("date of %s = %s; want author date %s", id, date, want)
		}
		pendingIDs = append(pendingIDs, id)
	}
	for _, c := range p.Carried {
		switch c["how"] {
		case "trailer":
			trailerIDs = append(trailerIDs, c["commit"])
		case "patch-id":
			patchIDs = append(patchIDs, c["commit"])
		default:
			t.Errorf("carried how = %q", c["how"])
		}
	}
	for _, c := range p.OnlyInTo {
		if got := keys(c); got != "commit,kind,subject" {
			t.Errorf("only_in_to entry keys = %s", got)
		}
		var id string
		json.Unmarshal(c["commit"], &id)
		onlyIDs = append(onlyIDs, id)
	}
	// oldest first, as git cherry lists them
	var cherryOrder []string
	for _, l := range strings.Split(r.Git("cherry", "prod", "dev"), "\n") {
		if strings.HasPrefix(l, "+ ") && !contains(trailerIDs, l[2:]) {
			cherryOrder = append(cherryOrder, l[2:])
		}
	}
	if strings.Join(pendingIDs, " ") != strings.Join(cherryOrder, " ") {
		t.Errorf("pending = %v; want git cherry's order %v", pendingIDs, cherryOrder)
	}
	plus := sortedCopy(append(append([]string{}, pendingIDs...), trailerIDs...))
	if want := cherrySet(t, r, "prod", "dev", "+"); strings.Join(plus, " ") != strings.Join(want, " ") {
		t.Errorf("pending+trailer = %v; want git cherry prod dev + %v", plus, want)
	}
	if want := cherrySet(t, r, "prod", "dev", "-"); strings.Join(sortedCopy(patchIDs), " ") != strings.Join(want, " ") {
		t.Errorf("carried by patch-id = %v; want git cherry prod dev - %v", patchIDs, want)
	}
	if len(trailerIDs) != 1 {
		t.Errorf("trailer carries = %v; want the amended pick", trailerIDs)
	}
	if len(onlyIDs) != 1 || r.Git("log", "-1", "--format=%s", onlyIDs[0]) != "hotfix on prod only" {
		t.Errorf("only_in_to = %v; want the prod hotfix", onlyIDs)
	}
	// a second (warm) run gives the same bytes
	if _, out2, _ := runCLI("pending", "--repo", r.Dir, "--json"); out2 != out {
		t.Errorf("warm run differs:\n%s\nvs\n%s", out2, out)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func sortedCopy(ss []string) []string {
	out := append([]string{}, ss...)
	sort.Strings(out)
	return out
}

func TestPendingAndStatusTablesAreInert(t *testing.T) {
	r := flowRepo(t)
	for _, args := range [][]string{{"pending", "--repo", r.Dir}, {"status", "--repo", r.Dir}} {
		code, out, errOut := runCLI(args...)
		if code != exitOK {
			t.Fatalf("%v = %d, stderr %q", args, code, errOut)
		}
		if strings.ContainsRune(out, 0x1b) {
			t.Errorf("%v printed an escape character:\n%s", args, out)
		}
		if args[0] == "pending" && !strings.Contains(out, "feature ^[[31mred^[[0m") {
			t.Errorf("%v: subject not shown inert:\n%s", args, out)
		}
	}
	code, out, _ := runCLI("status", "--repo", r.Dir, "--json")
	if code != exitOK || !json.Valid([]byte(out)) {
		t.Fatalf("status --json = %d, %q", code, out)
	}
	if !strings.Contains(out, `"pending": 3`) {
		t.Errorf("status --json lacks the pending count 3:\n%s", out)
	}
}

func TestHistoryCommandsBadInput(t *testing.T) {
	ok := flowRepo(t)
	notRepo := t.TempDir()

	unborn := testrepo.New(t)
	unborn.Commit("prod", "p", map[string]string{"x": "x\n"})
	unborn.Git("symbolic-ref", "HEAD", "refs/heads/dev") // dev has no commit

	missing := testrepo.New(t)
	missing.Commit("dev", "d", map[string]string{"x": "x\n"})

	// shallow clone whose history ends before the merge base
	deep := testrepo.New(t)
	b := deep.Commit("dev", "base", map[string]string{"x": "0\n"})
	deep.Git("branch", "prod", b)
	for i := 0; i < 4; i++ {
		deep.Commit("dev", "dev work", map[string]string{"x": strings.Repeat("d", i+1) + "\n"})
		deep.Commit("prod", "prod work", map[string]string{"y": strings.Repeat("p", i+1) + "\n"})
	}
	shallowDir := filepath.Join(t.TempDir(), "shallow")
	deep.Git("clone", "-q", "--depth", "2", "--no-single-branch", "file://"+deep.Dir, shallowDir)
	shallow := testrepo.Open(t, shallowDir)
	shallow.Git("update-ref", "refs/heads/prod", "refs/remotes/origin/prod")
	shallow.Git("update-ref", "refs/heads/dev", "refs/remotes/origin/dev")

	// corrupt object: overwrite the loose object of dev's head
	corrupt := testrepo.New(t)
	cb := corrupt.Commit("dev", "base", map[string]string{"x": "0\n"})
	corrupt.Git("branch", "prod", cb)
	head := corrupt.Commit("dev", "next", map[string]string{"x": "1\n"})
	obj := filepath.Join(corrupt.Dir, ".git", "objects", head[:2], head[2:])
	os.Chmod(obj, 0o644)
	if err := os.WriteFile(obj, []byte("garbage, not zlib"), 0o644); err != nil {
		t.Fatal(err)
	}

	badConfig := flowRepo(t)
	os.WriteFile(filepath.Join(badConfig.Dir, "switchyard.toml"), []byte("cycle = \"7d\"\nbogus = 1\n"), 0o644)
	syntax := flowRepo(t)
	os.WriteFile(filepath.Join(syntax.Dir, "switchyard.toml"), []byte("[[track]\nname = \"dev\"\n"), 0o644)
	badValue := flowRepo(t)
	os.WriteFile(filepath.Join(badValue.Dir, "switchyard.toml"), []byte("cycle = \"soon\"\n"), 0o644)
	twice := flowRepo(t)
	os.WriteFile(filepath.Join(twice.Dir, "switchyard.toml"), []byte("[[track]]\nname = \"dev\"\n[[track]]\nname = \"dev\"\n"), 0o644)

	tests := []struct {
		name string
		args []string
		want string // part of the one-line error
	}{
		{"not a repo", []string{"pending", "--repo", notRepo}, "not a git repository"},
		{"not a folder", []string{"status", "--repo", filepath.Join(notRepo, "nope")}, "no such folder"},
		{"missing branch", []string{"pending", "--repo", missing.Dir}, `branch not found: "prod"`},
		{"unknown track", []string{"pending", "--repo", ok.Dir, "--from", "dev", "--to", "qa"}, `unknown track "qa"`},
		{"same track twice", []string{"pending", "--repo", ok.Dir, "--from", "dev", "--to", "dev"}, "the same track is given twice"},
		{"unborn branch", []string{"status", "--repo", unborn.Dir}, "has no commits yet"},
		{"shallow", []string{"pending", "--repo", shallow.Dir}, "shallow clone"},
		{"corrupt object", []string{"pending", "--repo", corrupt.Dir}, "corrupt"},
		{"unknown config key", []string{"status", "--repo", badConfig.Dir}, "bogus: unknown key"},
		{"config syntax", []string{"status", "--repo", syntax.Dir}, "switchyard.toml:1"},
		{"config bad value", []string{"pending", "--repo", badValue.Dir}, `bad duration "soon"`},
		{"config track twice", []string{"pending", "--repo", twice.Dir}, `track "dev" is given twice`},
		{"stray argument", []string{"pending", "--repo", ok.Dir, "extra"}, `unexpected argument "extra"`},
		{"fetch without remote tracks", []string{"fetch", "--repo", ok.Dir}, "no track follows a remote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(tt.args...)
			if code != exitError {
				t.Fatalf("run(%q) = %d; want %d\nstdout: %s\nstderr: %s", tt.args, code, exitError, out, errOut)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "switchyard: ") || !strings.Contains(errOut, tt.want) {
				t.Errorf("run(%q): stderr %q; want one line containing %q", tt.args, errOut, tt.want)
			}
			t.Logf("%s", errOut)
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
				t.Errorf("run(%q): stack trace: %s", tt.args, errOut)
			}
		})
	}
}

// A detached HEAD and a dirty work tree change nothing: tracks are
// branches.
func TestDetachedAndDirtyAreNormal(t *testing.T) {
	r := flowRepo(t)
	_, want, _ := runCLI("pending", "--repo", r.Dir, "--json")
	r.Git("checkout", "-q", "--detach", "prod~1")
	r.Write(map[string]string{"a.txt": "dirty\n", "new.txt": "untracked\n"})
	code, got, errOut := runCLI("pending", "--repo", r.Dir, "--json")
	if code != exitOK || got != want {
		t.Errorf("pending on a detached, dirty repo = %d %q; want the same output as before (stderr %q)", code, got, errOut)
	}
}

func TestFetchMovesRemoteTrack(t *testing.T) {
	server := filepath.Join(t.TempDir(), "server.git")
	up := testrepo.New(t)
	base := up.Commit("dev", "base", map[string]string{"x": "0\n"})
	up.Git("branch", "prod", base)
	up.Git("clone", "-q", "--bare", up.Dir, server)

	local := testrepo.Open(t, filepath.Join(t.TempDir(), "local"))
	up.Git("clone", "-q", server, local.Dir)
	local.Git("branch", "prod", "origin/prod")
	os.WriteFile(filepath.Join(local.Dir, "switchyard.toml"), []byte("[[track]]\nname = \"dev\"\nremote = \"origin\"\n[[track]]\nname = \"prod\"\n"), 0o644)

	// the server gets a new commit on dev
	up.Git("remote", "add", "server", server)
	next := up.Commit("dev", "bugfix: on the server", map[string]string{"x": "1\n"})
	up.Git("push", "-q", "server", "dev")

	_, before, _ := runCLI("pending", "--repo", local.Dir, "--json")
	if strings.Contains(before, next) {
		t.Fatalf("pending shows %s before fetch", next)
	}
	code, out, errOut := runCLI("fetch", "--repo", local.Dir)
	if code != exitOK {
		t.Fatalf("fetch = %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "refs/remotes/origin/dev\t"+next[:7]) {
		t.Errorf("fetch printed %q; want dev at %s", out, next[:7])
	}
	if got := local.Rev("refs/remotes/origin/dev"); got != next {
		t.Errorf("origin/dev = %s; want %s", got, next)
	}
	_, after, _ := runCLI("pending", "--repo", local.Dir, "--json")
	if !strings.Contains(after, next) {
		t.Errorf("pending after fetch lacks %s:\n%s", next, after)
	}
	// fetching again is a no-op, not an error
	if code, _, errOut := runCLI("fetch", "--repo", local.Dir, "--remote", "origin"); code != exitOK {
		t.Errorf("second fetch = %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI("fetch", "--repo", local.Dir, "--remote", "upstream"); code != exitError || !strings.Contains(errOut, `named "upstream"`) {
		t.Errorf("fetch of an unknown remote = %d, %q", code, errOut)
	}
}
