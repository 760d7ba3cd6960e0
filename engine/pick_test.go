package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/engine/journal"
	"github.com/switchyard/switchyard/engine/sequence"
	"github.com/switchyard/switchyard/engine/testrepo"
)

// seqLines is n numbered lines with some replaced.
func seqLines(n int, edit map[int]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if s, ok := edit[i]; ok {
			b.WriteString(s + "\n")
			continue
		}
		b.WriteString("row " + strings.Repeat("x", i) + "\n")
	}
	return b.String()
}

// seqEnv makes the engine's committer the fixture's.
func seqEnv(t *testing.T, r *testrepo.Repo) {
	for _, kv := range r.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") || k == "HOME" {
			t.Setenv(k, v)
		}
	}
}

func seqOpen(t *testing.T, r *testrepo.Repo) *Engine {
	t.Helper()
	seqEnv(t, r)
	e, err := Open(context.Background(), OpenOptions{Dir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCarryPrerequisitesAndUndo(t *testing.T) {
	ctx := context.Background()
	r := testrepo.New(t)
	r.Commit("dev", "base", map[string]string{"f.txt": seqLines(10, nil), "g.txt": "g\n"})
	r.Git("branch", "prod")
	pre := r.Commit("dev", "feature: rework 5", map[string]string{"f.txt": seqLines(10, map[int]string{5: "feature 5"})})
	r.Commit("dev", "feature: g only", map[string]string{"g.txt": "g2\n"})
	hot := r.Commit("dev", "hotfix: 5 again", map[string]string{"f.txt": seqLines(10, map[int]string{5: "hot 5"})})
	r.Commit("prod", "prod: 5", map[string]string{"f.txt": seqLines(10, map[int]string{5: "prod 5"})})
	r.Checkout("dev")
	e := seqOpen(t, r)
	before := r.Rev("prod")

	res, err := e.DryRunPick(ctx, hot, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if res.Clean() || len(res.Conflicts) != 1 || res.Conflicts[0].Path != "f.txt" {
		t.Fatalf("DryRunPick = %+v", res)
	}
	if r.Rev("prod") != before {
		t.Fatal("dry run moved prod")
	}

	out, err := e.Carry(ctx, CarryOptions{To: "prod", Commits: []string{hot}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Done || out.Session == nil {
		t.Fatalf("Carry = %+v; want a stop", out)
	}
	s, err := e.Session(ctx)
	if err != nil || s == nil {
		t.Fatalf("Session = %v, %v", s, err)
	}
	ps, err := e.Prerequisites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].ID != pre {
		t.Errorf("Prerequisites = %+v; want only %s", ps, pre)
	}
	if err := e.ResolveFile(ctx, "f.txt", sequence.Theirs, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Carry(ctx, CarryOptions{To: "prod", Commits: []string{hot}}); !errors.Is(err, ErrInProgress) {
		t.Errorf("second Carry = %v; want ErrInProgress", err)
	}
	out, err = e.Continue(ctx)
	if err != nil || !out.Done {
		t.Fatalf("Continue = %+v, %v", out, err)
	}
	if s, err := e.Session(ctx); s != nil || err != nil {
		t.Errorf("Session after done = %v, %v", s, err)
	}
	if got := r.Git("show", "prod:f.txt") + "\n"; got != seqLines(10, map[int]string{5: "hot 5"}) {
		t.Errorf("prod:f.txt = %q", got)
	}
	last, err := e.LastRelease(ctx)
	if err != nil || last == nil || last.After != r.Rev("prod") || last.Before != before {
		t.Fatalf("LastRelease = %+v, %v", last, err)
	}
	if _, err := e.UndoRelease(ctx); err != nil {
		t.Fatal(err)
	}
	if r.Rev("prod") != before {
		t.Errorf("prod = %s after undo; want %s", r.Rev("prod"), before)
	}
	r.Git("fsck", "--strict")
	entries, err := e.ReadJournal(ctx, journal.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range entries {
		got = append(got, en.Kind+"/"+en.Action)
	}
	if want := "pick/stopped pick/resolved pick/committed pick/undone"; strings.Join(got, " ") != want {
		t.Errorf("journal = %v; want %s", got, want)
	}
}

func TestRunTrain(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		diverge  bool // carry a hotfix to prod first (same patch) and add a prod-only commit
		conflict bool // the prod-only commit conflicts with dev
		how      string
	}{
		{name: "fast-forward", how: "fast-forward"},
		{name: "rebase", diverge: true, how: "rebase"},
		{name: "rebase with a conflict", diverge: true, conflict: true, how: "rebase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testrepo.New(t)
			r.Commit("dev", "base", map[string]string{"f.txt": seqLines(10, nil), "h.txt": "h\n"})
			r.Git("branch", "prod")
			hot := r.Commit("dev", "hotfix: 2", map[string]string{"f.txt": seqLines(10, map[int]string{2: "hot 2"})})
			r.Commit("dev", "feature: 8", map[string]string{"f.txt": seqLines(10, map[int]string{2: "hot 2", 8: "dev 8"})})
			if tt.diverge {
				r.CherryPick("prod", hot, true)
				if tt.conflict {
					r.Commit("prod", "prod: 8", map[string]string{"f.txt": seqLines(10, map[int]string{2: "hot 2", 8: "prod 8"})})
				} else {
					r.Commit("prod", "prod: h", map[string]string{"h.txt": "prod h\n"})
				}
			}
			r.Checkout("dev")
			e := seqOpen(t, r)
			target := r.Rev("dev")
			before := r.Rev("prod")
			run, err := e.RunTrain(ctx, TrainOptions{Track: "prod"})
			if err != nil {
				t.Fatal(err)
			}
			if run.How != tt.how || run.Candidate.Target != target {
				t.Fatalf("RunTrain how = %s target = %s; want %s %s", run.How, run.Candidate.Target, tt.how, target)
			}
			if tt.conflict {
				if run.Outcome.Done || len(run.Outcome.Steps) != 1 || run.Outcome.Steps[0].Subject != "prod: 8" {
					t.Fatalf("steps = %+v; want a stop at the prod-only commit", run.Outcome.Steps)
				}
				if r.Rev("prod") != before {
					t.Fatalf("prod moved during a stopped train")
				}
				if err := e.ResolveHunk(ctx, "f.txt", 0, sequence.Ours, nil); err != nil {
					t.Fatal(err)
				}
				if run.Outcome, err = e.Continue(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if !run.Outcome.Done {
				t.Fatalf("train not done: %+v", run.Outcome)
			}
			switch {
			case !tt.diverge:
				if r.Rev("prod") != target {
					t.Errorf("prod = %s; want %s", r.Rev("prod"), target)
				}
			case tt.conflict:
				// Ours is dev's side here: the prod change gives way and
				// the step becomes empty.
				if r.Rev("prod") != target {
					t.Errorf("prod = %s; want %s", r.Rev("prod"), target)
				}
			default:
				if r.Rev("prod^") != target || r.Git("log", "-1", "--format=%s", "prod") != "prod: h" {
					t.Errorf("prod = %s; want prod: h on top of %s", r.Git("log", "--oneline", "-3", "prod"), target)
				}
			}
			r.Git("fsck", "--strict")
			if _, err := e.UndoRelease(ctx); err != nil {
				t.Fatal(err)
			}
			if r.Rev("prod") != before {
				t.Errorf("undo: prod = %s; want %s", r.Rev("prod"), before)
			}
		})
	}
}

func TestCarryPushWithLease(t *testing.T) {
	ctx := context.Background()
	r := testrepo.New(t)
	r.Commit("dev", "base", map[string]string{"f.txt": "a\n"})
	r.Git("branch", "prod")
	fix := r.Commit("dev", "hotfix: b", map[string]string{"g.txt": "b\n"})
	fix2 := r.Commit("dev", "hotfix: c", map[string]string{"h.txt": "c\n"})
	remote := t.TempDir()
	r.Git("init", "-q", "--bare", remote)
	r.Git("remote", "add", "origin", remote)
	r.Git("push", "-q", "origin", "dev", "prod")
	r.Git("fetch", "-q", "origin")
	e := seqOpen(t, r)
	out, err := e.Carry(ctx, CarryOptions{To: "prod", Commits: []string{fix}, Push: true})
	if err != nil || !out.Done || !out.Pushed {
		t.Fatalf("Carry = %+v, %v", out, err)
	}
	rem := testrepo.Open(t, remote)
	if got := rem.Git("rev-parse", "prod"); got != r.Rev("prod") {
		t.Fatalf("remote prod = %s; want %s", got, r.Rev("prod"))
	}
	// Someone pushes to prod meanwhile: our remote-tracking ref is stale,
	// so the lease fails and the remote keeps their commit.
	other := r.Git("commit-tree", "-p", "prod", "-m", "other", r.Rev("prod")+"^{tree}")
	r.Git("push", "-q", remote, other+":refs/heads/prod")
	r.Git("update-ref", "refs/remotes/origin/prod", r.Rev("prod"))
	if _, err := e.Carry(ctx, CarryOptions{To: "prod", Commits: []string{fix2}, Push: true}); err == nil {
		t.Fatal("push over a moved remote succeeded")
	}
	if got := rem.Git("rev-parse", "prod"); got != other {
		t.Errorf("remote prod = %s; want the other push %s kept", got, other)
	}
	// The cockpit's push action with the same stale lease is refused too;
	// with the lease the remote really holds it goes through.
	if err := e.Push(ctx, PushOptions{Track: "prod"}); err == nil {
		t.Fatal("Push over a moved remote succeeded")
	}
	if err := e.Push(ctx, PushOptions{Track: "prod", Lease: other}); err != nil {
		t.Fatal(err)
	}
	if got := rem.Git("rev-parse", "prod"); got != r.Rev("prod") {
		t.Errorf("remote prod = %s; want %s", got, r.Rev("prod"))
	}
}

func TestCommitterIdentity(t *testing.T) {
	tests := []struct {
		name   string
		env    bool   // keep GIT_COMMITTER_NAME/EMAIL
		config string // repository user.name (email derived)
		want   string
	}{
		{name: "environment", env: true, config: "Config Person", want: "Ada Tester <ada@example.com>"},
		{name: "git config", config: "Config Person", want: "Config Person <config@example.com>"},
		{name: "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			r := testrepo.New(t)
			r.Commit("dev", "base", map[string]string{"f.txt": "a\n"})
			r.Git("branch", "prod")
			fix := r.Commit("dev", "hotfix", map[string]string{"g.txt": "g\n"})
			if tt.config != "" {
				r.Git("config", "user.name", tt.config)
				r.Git("config", "user.email", "config@example.com")
			}
			e := seqOpen(t, r)
			if !tt.env {
				t.Setenv("GIT_COMMITTER_NAME", "")
				t.Setenv("GIT_COMMITTER_EMAIL", "")
			}
			before := r.Rev("prod")
			out, err := e.Carry(ctx, CarryOptions{To: "prod", Commits: []string{fix}})
			if tt.want == "" {
				if !errors.Is(err, ErrNoIdentity) {
					t.Fatalf("Carry = %v; want ErrNoIdentity", err)
				}
				if s, _ := e.Session(ctx); s != nil || r.Rev("prod") != before {
					t.Errorf("a refused carry left a session or moved prod")
				}
				return
			}
			if err != nil || !out.Done {
				t.Fatalf("Carry = %+v, %v", out, err)
			}
			if got := r.Git("log", "-1", "--format=%cn <%ce>", "prod"); got != tt.want {
				t.Errorf("committer = %q; want %q", got, tt.want)
			}
			if got := r.Git("log", "-1", "--format=%an <%ae>", "prod"); got != "Ada Tester <ada@example.com>" {
				t.Errorf("author = %q; want the original", got)
			}
		})
	}
}
