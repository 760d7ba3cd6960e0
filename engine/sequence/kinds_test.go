package sequence

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/engine/testrepo"
)

// TestNonContentConflicts carries commits that conflict on something other
// than lines onto a checked-out branch: git's status letters must show,
// each side must be choosable, and the result must be fsck-clean.
func TestNonContentConflicts(t *testing.T) {
	tests := []struct {
		name     string
		prod     map[string]string // change on prod
		dev      map[string]string // the picked change
		status   string            // git status --porcelain while stopped
		kind     string
		take     Choice
		wantFile string // content of p after continue; "" = deleted
	}{
		{
			name: "modify/delete keep theirs", prod: map[string]string{"-p": ""}, dev: map[string]string{"p": "dev\n"},
			status: "DU p", kind: "modify/delete", take: Theirs, wantFile: "dev\n",
		},
		{
			name: "modify/delete keep deletion", prod: map[string]string{"-p": ""}, dev: map[string]string{"p": "dev\n"},
			status: "DU p", kind: "modify/delete", take: Ours, wantFile: "",
		},
		{
			name: "delete/modify", prod: map[string]string{"p": "prod\n"}, dev: map[string]string{"-p": ""},
			status: "UD p", kind: "modify/delete", take: Theirs, wantFile: "",
		},
		{
			name: "binary", prod: map[string]string{"p": "prod\x00bin\n"}, dev: map[string]string{"p": "dev\x00bin\n"},
			status: "UU p", kind: "binary", take: Theirs, wantFile: "dev\x00bin\n",
		},
		{
			name: "file/directory", prod: map[string]string{"-p": "", "p/inner": "prod dir\n"}, dev: map[string]string{"p": "dev\n"},
			status: "DU \"p~*", kind: "file/directory", take: Ours, wantFile: "-",
		},
		{
			name: "add/add", prod: map[string]string{"n": "prod new\n"}, dev: map[string]string{"n": "dev new\n"},
			status: "AA n", kind: "add/add", take: Both, wantFile: "prod new\ndev new\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			r := testrepo.New(t)
			r.Commit("main", "base", map[string]string{"p": "base\n", "q": "q\n"})
			r.Git("branch", "prod")
			pick := r.Commit("main", "dev change", tt.dev)
			r.Commit("prod", "prod change", tt.prod)
			q := newSeq(t, r)
			out, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(pick)})
			if err != nil {
				t.Fatal(err)
			}
			if out.Done {
				t.Fatal("want a conflict")
			}
			// As git: a file in the way of a folder is moved to "p~<label>".
			if got := r.Git("status", "--porcelain"); got != tt.status && !(strings.HasSuffix(tt.status, "*") && strings.HasPrefix(got, strings.TrimSuffix(tt.status, "*"))) {
				t.Errorf("status = %q; want %q", got, tt.status)
			}
			f := out.Session.Files[0]
			if f.Kind != tt.kind {
				t.Errorf("kind = %s; want %s", f.Kind, tt.kind)
			}
			r.Git("fsck", "--strict")
			if err := q.ResolveFile(ctx, f.Path, tt.take, nil); err != nil {
				t.Fatal(err)
			}
			if out, err = q.Continue(ctx); err != nil || !out.Done {
				t.Fatalf("Continue = %+v, %v", out, err)
			}
			got, err := os.ReadFile(filepath.Join(r.Dir, f.Path))
			if tt.wantFile == "-" {
				// not a plain file: only status and fsck matter
			} else if tt.wantFile == "" {
				if !os.IsNotExist(err) {
					t.Errorf("%s still exists: %q", f.Path, got)
				}
			} else if string(got) != tt.wantFile {
				t.Errorf("%s = %q; want %q", f.Path, got, tt.wantFile)
			}
			if s := r.Git("status", "--porcelain"); s != "" {
				t.Errorf("status after continue = %q", s)
			}
			r.Git("fsck", "--strict")
		})
	}
}

func TestStartRefusesLocalChanges(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *testrepo.Repo)
	}{
		{"modified file", func(r *testrepo.Repo) { r.Write(map[string]string{"q": "local\n"}) }},
		{"staged file", func(r *testrepo.Repo) { r.Write(map[string]string{"new": "x\n"}); r.Git("add", "new") }},
		{"git cherry-pick in progress", func(r *testrepo.Repo) {
			os.WriteFile(filepath.Join(r.Dir, ".git", "CHERRY_PICK_HEAD"), []byte(r.Rev("main")+"\n"), 0o644)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			r := testrepo.New(t)
			r.Commit("main", "base", map[string]string{"p": "base\n", "q": "q\n"})
			r.Git("branch", "prod")
			pick := r.Commit("main", "dev change", map[string]string{"p": "dev\n"})
			r.Checkout("prod")
			tt.setup(r)
			status := r.Git("status", "--porcelain")
			before := r.Rev("prod")
			q := newSeq(t, r)
			if _, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(pick)}); err == nil {
				t.Fatal("Start succeeded over local changes")
			}
			if r.Rev("prod") != before || r.Git("status", "--porcelain") != status {
				t.Errorf("Start changed something before refusing")
			}
			if _, err := q.Load(ctx); err != ErrNoSession {
				t.Errorf("session left: %v", err)
			}
		})
	}
}

// TestEndedOutside: the person ran git cherry-pick --abort beside
// Switchyard. Continue must not take git's reset as a resolution, and
// Abort must still put everything back.
func TestEndedOutside(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.r.Checkout("prod")
	before := f.r.Rev("prod")
	q := newSeq(t, f.r)
	if _, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(f.clean, f.bad)}); err != nil {
		t.Fatal(err)
	}
	f.r.Git("cherry-pick", "--abort")
	if _, err := q.Continue(ctx); err == nil {
		t.Fatal("Continue after git cherry-pick --abort succeeded")
	}
	if err := q.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if f.r.Rev("prod") != before {
		t.Errorf("prod = %s; want %s", f.r.Rev("prod"), before)
	}
	if s := f.r.Git("status", "--porcelain"); s != "" {
		t.Errorf("status = %q", s)
	}
	f.r.Git("fsck", "--strict")
}

// TestRecordedFromEditor: a conflict fixed in an editor is recorded hunk
// by hunk and offered again the next time.
func TestRecordedFromEditor(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.r.Checkout("prod")
	before := f.r.Rev("prod")
	q := newSeq(t, f.r)
	if _, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(f.bad)}); err != nil {
		t.Fatal(err)
	}
	// Line 2 is settled text of the merge (prod's side); the edit keeps it.
	fixed := lines(12, map[int]string{5: "editor five"})
	os.WriteFile(filepath.Join(f.r.Dir, "a.txt"), []byte(fixed), 0o644)
	if out, err := q.Continue(ctx); err != nil || !out.Done {
		t.Fatalf("Continue = %+v, %v", out, err)
	}
	f.r.Git("branch", "prod2", before)
	out, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod2", Commits: hashes(f.bad)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Done {
		t.Fatal("want a stop with the recorded resolution offered")
	}
	s := out.Session
	if data, _ := s.Preview(s.Files[0]); string(data) != fixed {
		t.Errorf("offered preview =\n%s\nwant\n%s", data, fixed)
	}
	if !s.Files[0].Done() || !s.Files[0].Hunks()[0].Resolution.Recorded {
		t.Errorf("hunk not offered as recorded: %+v", s.Files[0].Hunks()[0].Resolution)
	}
}

// TestRecordedSidesSwapped: a conflict recorded while carrying a commit
// (ours = the target) comes back with its sides swapped when the carried
// commit is later rebased; the recording still applies, with the choice
// named for the new sides.
func TestRecordedSidesSwapped(t *testing.T) {
	ctx := context.Background()
	r := testrepo.New(t)
	r.Commit("main", "base", map[string]string{"f": lines(6, nil)})
	r.Git("branch", "prod")
	dev := r.Commit("main", "dev 3", map[string]string{"f": lines(6, map[int]string{3: "dev three"})})
	prod := r.Commit("prod", "prod 3", map[string]string{"f": lines(6, map[int]string{3: "prod three"})})
	r.Checkout("main")
	q := newSeq(t, r)
	// Carry dev's commit onto prod, keeping prod's line (ours).
	if _, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(dev)}); err != nil {
		t.Fatal(err)
	}
	if err := q.ResolveHunk(ctx, "f", 0, Ours, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Continue(ctx); err != nil {
		t.Fatal(err)
	}
	// Now rebase prod's own commit onto main: ours is dev's line.
	r.Git("branch", "rebased", dev)
	out, err := q.Start(ctx, Plan{Op: OpTrain, Ref: "refs/heads/rebased", Commits: hashes(prod)})
	if err != nil {
		t.Fatal(err)
	}
	h := out.Session.Files[0].Hunks()[0]
	if h.Resolution == nil || !h.Resolution.Recorded || h.Resolution.Choice != Theirs || string(h.Resolution.Text) != "prod three\n" {
		t.Fatalf("offered = %+v; want theirs (prod three)", h.Resolution)
	}
}

func TestRefusesBranchOfAnotherWorktree(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	wt := filepath.Join(t.TempDir(), "prod-wt")
	f.r.Git("worktree", "add", "-q", wt, "prod")
	before := f.r.Rev("prod")
	q := newSeq(t, f.r)
	_, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(f.clean)})
	if err == nil || !strings.Contains(err.Error(), "prod-wt") {
		t.Fatalf("Start = %v; want a refusal naming the other worktree", err)
	}
	if f.r.Rev("prod") != before {
		t.Errorf("prod moved")
	}
	// The branch checked out here is fine (git's own state is mirrored).
	f.r.Git("worktree", "remove", wt)
	f.r.Checkout("prod")
	if out, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(f.clean)}); err != nil || !out.Done {
		t.Fatalf("Start = %+v, %v", out, err)
	}
}
