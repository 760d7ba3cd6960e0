package sequence

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/switchyard/switchyard/engine/gitstate"
	"github.com/switchyard/switchyard/engine/testrepo"
)

var committer = object.Signature{Name: "Rel Manager", Email: "rm@example.com", When: time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC)}

func newSeq(t testing.TB, r *testrepo.Repo) *Sequencer {
	t.Helper()
	repo, err := git.PlainOpen(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return &Sequencer{
		Store:     repo.Storer,
		Git:       gitstate.Open(filepath.Join(r.Dir, ".git")),
		Root:      r.Dir,
		Pick:      MergePick(repo.Storer),
		Committer: func() (object.Signature, error) { return committer, nil },
		Rerere:    true,
	}
}

func lines(n int, edit map[int]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if s, ok := edit[i]; ok {
			b.WriteString(s + "\n")
			continue
		}
		b.WriteString("line " + string(rune('0'+i/10)) + string(rune('0'+i%10)) + "\n")
	}
	return b.String()
}

// fixture: main and prod share a base; prod changed line 5; main has a
// clean hotfix (line 2) and a conflicting one (line 5). The work tree is
// left on main, so prod is not checked out.
type fixture struct {
	r                *testrepo.Repo
	base, clean, bad string
	cleanB           string // a second clean commit touching b.txt
}

func newFixture(t *testing.T) *fixture {
	r := testrepo.New(t)
	f := &fixture{r: r}
	f.base = r.Commit("main", "base", map[string]string{"a.txt": lines(12, nil), "b.txt": "b\n"})
	r.Commit("prod", "prod: change line 5", map[string]string{"a.txt": lines(12, map[int]string{5: "prod five"})})
	f.clean = r.Commit("main", "hotfix: line 2\n\nbody text\n", map[string]string{"a.txt": lines(12, map[int]string{2: "fixed two"})})
	f.cleanB = r.Commit("main", "bugfix: b", map[string]string{"b.txt": "b fixed\n"})
	f.bad = r.Commit("main", "hotfix: line 5", map[string]string{"a.txt": lines(12, map[int]string{2: "fixed two", 5: "dev five"})})
	return f
}

func hashes(ids ...string) []plumbing.Hash {
	var out []plumbing.Hash
	for _, id := range ids {
		out = append(out, plumbing.NewHash(id))
	}
	return out
}

func TestCleanCarryMatchesGit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	q := newSeq(t, f.r)
	prodBefore := f.r.Rev("prod")
	out, err := q.Start(ctx, Plan{Op: OpCarry, Track: "prod", Ref: "refs/heads/prod", Commits: hashes(f.clean, f.cleanB), Trailer: true})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Done || out.Session != nil {
		t.Fatalf("Start = %+v; want done", out)
	}
	if got := f.r.Rev("prod"); got != out.Head {
		t.Fatalf("prod = %s; want %s", got, out.Head)
	}
	// Oracle: git cherry-pick -x in a scratch clone.
	clone := t.TempDir()
	f.r.Git("clone", "-q", f.r.Dir, clone)
	c := testrepo.Open(t, clone)
	c.Git("checkout", "-q", "-b", "p", prodBefore)
	c.Git("cherry-pick", "-x", f.clean, f.cleanB)
	if got, want := f.r.Git("rev-parse", "prod^{tree}"), c.Git("rev-parse", "HEAD^{tree}"); got != want {
		t.Errorf("tree = %s; git cherry-pick gives %s", got, want)
	}
	if got, want := f.r.Git("log", "--format=%an <%ae> %ad%n%B", "prod", "-2"), c.Git("log", "--format=%an <%ae> %ad%n%B", "HEAD", "-2"); got != want {
		t.Errorf("log =\n%s\nwant\n%s", got, want)
	}
	if got := f.r.Git("log", "-1", "--format=%cn <%ce>", "prod"); got != "Rel Manager <rm@example.com>" {
		t.Errorf("committer = %q", got)
	}
	if got := f.r.Git("reflog", "-1", "--format=%gs", "prod"); !strings.HasPrefix(got, "switchyard pick") {
		t.Errorf("reflog = %q", got)
	}
	f.r.Git("fsck", "--strict")
	if s := f.r.Git("status", "--porcelain"); s != "" {
		t.Errorf("work tree touched: %q", s)
	}
}

func TestConflictObjectStore(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	q := newSeq(t, f.r)
	prodBefore := f.r.Rev("prod")
	out, err := q.Start(ctx, Plan{Op: OpCarry, Track: "prod", Ref: "refs/heads/prod", Commits: hashes(f.clean, f.bad), Trailer: true})
	if err != nil {
		t.Fatal(err)
	}
	if out.Done || out.Session == nil {
		t.Fatalf("Start = %+v; want a stop", out)
	}
	if got := f.r.Rev("prod"); got != prodBefore {
		t.Fatalf("prod moved to %s while stopped", got)
	}
	s, err := q.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Files) != 1 || s.Files[0].Path != "a.txt" || s.Files[0].Kind != "content" || len(s.Files[0].Hunks()) != 1 {
		t.Fatalf("files = %+v", s.Files)
	}
	h := s.Files[0].Hunks()[0]
	if string(h.Ours) != "prod five\n" || string(h.Theirs) != "dev five\n" || string(h.Base) != "line 05\n" {
		t.Fatalf("hunk = %q / %q / %q", h.Base, h.Ours, h.Theirs)
	}
	if _, err := q.Continue(ctx); !errors.Is(err, ErrUnresolved) {
		t.Fatalf("Continue unresolved = %v; want ErrUnresolved", err)
	}
	tests := []struct {
		c    Choice
		text string
		want string
	}{
		{Ours, "", "prod five\n"},
		{Theirs, "", "dev five\n"},
		{Both, "", "prod five\ndev five\n"},
		{Base, "", "line 05\n"},
		{Edited, "merged five\n", "merged five\n"},
	}
	for _, tt := range tests {
		if err := q.ResolveHunk(ctx, "a.txt", 0, tt.c, []byte(tt.text)); err != nil {
			t.Fatal(err)
		}
		s, _ := q.Load(ctx)
		data, _ := s.Preview(s.Files[0])
		want := lines(12, map[int]string{2: "fixed two", 5: strings.TrimSuffix(tt.want, "\n")})
		if tt.c == Both {
			want = strings.Replace(lines(12, map[int]string{2: "fixed two"}), "line 05\n", tt.want, 1)
		}
		if string(data) != want {
			t.Errorf("ResolveHunk(%s) preview =\n%s\nwant\n%s", tt.c, data, want)
		}
	}
	if err := q.ResolveHunk(ctx, "a.txt", 0, Edited, []byte("<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> z\n")); err == nil {
		t.Error("ResolveHunk took edited text with conflict markers")
	}
	// Undo goes back one resolution at a time.
	if _, err := q.UndoResolution(ctx); err != nil {
		t.Fatal(err)
	}
	s, _ = q.Load(ctx)
	if r := s.Files[0].Hunks()[0].Resolution; r == nil || r.Choice != Base {
		t.Fatalf("after undo resolution = %+v; want base", r)
	}
	// git gc --prune=now while stopped must not lose the session's objects.
	f.r.Git("gc", "-q", "--prune=now")
	f.r.Git("fsck", "--strict")
	if err := q.ResolveHunk(ctx, "a.txt", 0, Edited, []byte("merged five\n")); err != nil {
		t.Fatal(err)
	}
	out, err = q.Continue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Done {
		t.Fatalf("Continue = %+v; want done", out)
	}
	if got := f.r.Git("show", "prod:a.txt"); got+"\n" != lines(12, map[int]string{2: "fixed two", 5: "merged five"}) {
		t.Errorf("prod:a.txt = %q", got)
	}
	msg := f.r.Git("log", "-1", "--format=%B", "prod")
	if msg != "hotfix: line 5\n\n(cherry picked from commit "+f.bad+")" {
		t.Errorf("message = %q", msg)
	}
	if got := f.r.Git("log", "-1", "--format=%an %ad", "--date=iso-strict", "prod"); got != f.r.Git("log", "-1", "--format=%an %ad", "--date=iso-strict", f.bad) {
		t.Errorf("author = %q", got)
	}
	if _, err := q.Load(ctx); !errors.Is(err, ErrNoSession) {
		t.Errorf("session left: %v", err)
	}
	if out, _ := f.r.TryGit("rev-parse", "--verify", "-q", KeepRef); out != "" {
		t.Errorf("%s left behind", KeepRef)
	}
	f.r.Git("fsck", "--strict")
}

func TestConflictWorktreeIsGitState(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.r.Checkout("prod")
	q := newSeq(t, f.r)
	prodBefore := f.r.Rev("prod")
	out, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(f.clean, f.bad), Trailer: true})
	if err != nil {
		t.Fatal(err)
	}
	if out.Done {
		t.Fatal("want a stop")
	}
	// As git: the first pick is committed on the branch, the second waits.
	if got := f.r.Rev("prod^"); got != prodBefore {
		t.Fatalf("prod^ = %s; want %s", got, prodBefore)
	}
	if got := f.r.Git("status", "--porcelain"); got != "UU a.txt" {
		t.Fatalf("status = %q; want UU a.txt", got)
	}
	stages := f.r.Git("ls-files", "-u", "--", "a.txt")
	for i, rev := range []string{f.bad + "^:a.txt", "prod:a.txt", f.bad + ":a.txt"} {
		want := f.r.Git("rev-parse", rev) + " " + string(rune('1'+i))
		if !strings.Contains(stages, want) {
			t.Errorf("ls-files -u missing %q:\n%s", want, stages)
		}
	}
	if got := strings.TrimSpace(string(must(os.ReadFile(filepath.Join(f.r.Dir, ".git/CHERRY_PICK_HEAD"))))); got != f.bad {
		t.Errorf("CHERRY_PICK_HEAD = %q", got)
	}
	// The marked file is git's: compare with git cherry-pick in a clone.
	clone := t.TempDir()
	f.r.Git("clone", "-q", "--no-checkout", f.r.Dir, clone)
	c := testrepo.Open(t, clone)
	c.Git("checkout", "-q", "-b", "p", f.r.Rev("prod"))
	c.TryGit("cherry-pick", "-x", f.bad)
	if got, want := string(must(os.ReadFile(filepath.Join(f.r.Dir, "a.txt")))), string(must(os.ReadFile(filepath.Join(clone, "a.txt")))); got != want {
		t.Errorf("marked file =\n%s\ngit writes\n%s", got, want)
	}
	f.r.Git("fsck", "--strict")

	// A person fixes the file in an editor: markers left are refused.
	os.WriteFile(filepath.Join(f.r.Dir, "a.txt"), []byte("<<<<<<< HEAD\nhalf\n"), 0o644)
	if _, err := q.Continue(ctx); !errors.Is(err, ErrUnresolved) {
		t.Fatalf("Continue with markers = %v; want ErrUnresolved", err)
	}
	fixed := lines(12, map[int]string{2: "fixed two", 5: "editor five"})
	os.WriteFile(filepath.Join(f.r.Dir, "a.txt"), []byte(fixed), 0o644)
	out, err = q.Continue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Done {
		t.Fatal("want done")
	}
	if got := f.r.Git("show", "prod:a.txt"); got+"\n" != fixed {
		t.Errorf("prod:a.txt = %q", got)
	}
	if got := f.r.Git("status", "--porcelain"); got != "" {
		t.Errorf("status after continue = %q", got)
	}
	if _, err := os.Stat(filepath.Join(f.r.Dir, ".git/CHERRY_PICK_HEAD")); !os.IsNotExist(err) {
		t.Errorf("CHERRY_PICK_HEAD left")
	}
	if got := f.r.Git("rev-list", "--count", prodBefore+"..prod"); got != "2" {
		t.Errorf("commits added = %s; want 2", got)
	}
	f.r.Git("fsck", "--strict")
}

func TestGitAddResolves(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.r.Checkout("prod")
	q := newSeq(t, f.r)
	if _, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(f.bad)}); err != nil {
		t.Fatal(err)
	}
	fixed := lines(12, map[int]string{2: "fixed two", 5: "mergetool five"})
	os.WriteFile(filepath.Join(f.r.Dir, "a.txt"), []byte(fixed), 0o644)
	f.r.Git("add", "a.txt")
	if got := f.r.Git("status", "--porcelain"); got != "M  a.txt" {
		t.Fatalf("status = %q", got)
	}
	out, err := q.Continue(ctx)
	if err != nil || !out.Done {
		t.Fatalf("Continue = %+v, %v", out, err)
	}
	if got := f.r.Git("show", "prod:a.txt"); got+"\n" != fixed {
		t.Errorf("prod:a.txt = %q", got)
	}
	if got := f.r.Git("status", "--porcelain"); got != "" {
		t.Errorf("status = %q", got)
	}
	f.r.Git("fsck", "--strict")
}

func TestAbortRestores(t *testing.T) {
	inBothModes(t, func(t *testing.T, f *fixture, q *Sequencer) {
		ctx := context.Background()
		before := f.r.Rev("prod")
		if _, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(f.clean, f.bad)}); err != nil {
			t.Fatal(err)
		}
		if err := q.ResolveHunk(ctx, "a.txt", 0, Theirs, nil); err != nil {
			t.Fatal(err)
		}
		if err := q.Abort(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.r.Rev("prod"); got != before {
			t.Errorf("prod = %s; want %s", got, before)
		}
		if got := f.r.Git("status", "--porcelain"); got != "" {
			t.Errorf("status = %q", got)
		}
		if _, err := q.Load(ctx); !errors.Is(err, ErrNoSession) {
			t.Errorf("session left: %v", err)
		}
		f.r.Git("fsck", "--strict")
	})
}

func TestRefMovedMeanwhile(t *testing.T) {
	inBothModes(t, func(t *testing.T, f *fixture, q *Sequencer) {
		ctx := context.Background()
		if _, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(f.bad)}); err != nil {
			t.Fatal(err)
		}
		if err := q.ResolveHunk(ctx, "a.txt", 0, Theirs, nil); err != nil {
			t.Fatal(err)
		}
		// Someone else moves prod meanwhile.
		other := f.r.Git("commit-tree", "-p", "prod", "-m", "other", f.r.Rev("prod")+"^{tree}")
		f.r.Git("update-ref", "refs/heads/prod", other)
		if _, err := q.Continue(ctx); !errors.Is(err, gitstate.ErrRefMoved) {
			t.Fatalf("Continue = %v; want ErrRefMoved", err)
		}
		if got := f.r.Rev("prod"); got != other {
			t.Errorf("prod = %s; want the other move %s kept", got, other)
		}
		s, err := q.Load(ctx)
		if err != nil {
			t.Fatalf("session lost: %v", err)
		}
		if r := s.Files[0].Hunks()[0].Resolution; r == nil || r.Choice != Theirs {
			t.Errorf("resolution lost: %+v", r)
		}
		f.r.Git("fsck", "--strict")
	})
}

func TestRecordedResolutionOffered(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	q := newSeq(t, f.r)
	before := f.r.Rev("prod")
	if _, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(f.bad)}); err != nil {
		t.Fatal(err)
	}
	if err := q.ResolveHunk(ctx, "a.txt", 0, Edited, []byte("weekly five\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Continue(ctx); err != nil {
		t.Fatal(err)
	}
	// Next week: the same conflict again, on a fresh copy of prod.
	f.r.Git("branch", "prod2", before)
	out, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod2", Commits: hashes(f.bad)})
	if err != nil {
		t.Fatal(err)
	}
	h := out.Session.Files[0].Hunks()[0]
	if h.Resolution == nil || !h.Resolution.Recorded || string(h.Resolution.Text) != "weekly five\n" {
		t.Fatalf("offered = %+v; want the recorded text", h.Resolution)
	}
	if out, err = q.Continue(ctx); err != nil || !out.Done {
		t.Fatalf("Continue = %+v, %v", out, err)
	}
	if a, b := f.r.Git("rev-parse", "prod^{tree}"), f.r.Git("rev-parse", "prod2^{tree}"); a != b {
		t.Errorf("trees differ: %s %s", a, b)
	}
}

func TestSkipAndUndoRelease(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	q := newSeq(t, f.r)
	before := f.r.Rev("prod")
	if _, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: hashes(f.bad, f.cleanB)}); err != nil {
		t.Fatal(err)
	}
	out, err := q.Skip(ctx)
	if err != nil || !out.Done {
		t.Fatalf("Skip = %+v, %v", out, err)
	}
	if out.Steps[0].State != Skipped || out.Steps[1].State != Applied {
		t.Fatalf("steps = %+v", out.Steps)
	}
	after := f.r.Rev("prod")
	if f.r.Rev("prod^") != before {
		t.Fatalf("prod^ != start")
	}
	// A move made since refuses the undo.
	f.r.Git("update-ref", "refs/heads/prod", before)
	if _, err := q.UndoRelease(ctx); !errors.Is(err, gitstate.ErrRefMoved) {
		t.Fatalf("UndoRelease after a move = %v; want ErrRefMoved", err)
	}
	f.r.Git("update-ref", "refs/heads/prod", after)
	rec, err := q.UndoRelease(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Before != before || f.r.Rev("prod") != before {
		t.Fatalf("undo: prod = %s; want %s", f.r.Rev("prod"), before)
	}
	if _, err := q.UndoRelease(ctx); !errors.Is(err, ErrNothingToRestore) {
		t.Fatalf("second undo = %v", err)
	}
	f.r.Git("fsck", "--strict")
}

func TestSplitResolved(t *testing.T) {
	chunks := []Chunk{{Text: []byte("a\n")}, {Hunk: &Hunk{}}, {Text: []byte("b\n")}, {Hunk: &Hunk{}}, {Text: []byte("c\n")}}
	tests := []struct {
		text string
		want []string
		ok   bool
	}{
		{"a\nX\nb\nY\nc\n", []string{"X\n", "Y\n"}, true},
		{"a\nb\nc\n", []string{"", ""}, true},
		{"a\nX\nc\n", nil, false},
		{"z\nX\nb\nY\nc\n", nil, false},
	}
	for _, tt := range tests {
		got, ok := splitResolved(chunks, []byte(tt.text))
		if ok != tt.ok {
			t.Errorf("splitResolved(%q) ok = %v; want %v", tt.text, ok, tt.ok)
			continue
		}
		for i := range tt.want {
			if string(got[i]) != tt.want[i] {
				t.Errorf("splitResolved(%q)[%d] = %q; want %q", tt.text, i, got[i], tt.want[i])
			}
		}
	}
}

func TestAddTrailer(t *testing.T) {
	id := strings.Repeat("a", 40)
	line := "(cherry picked from commit " + id + ")"
	tests := []struct{ in, want string }{
		{"subject", "subject\n\n" + line + "\n"},
		{"subject\n\nbody\n", "subject\n\nbody\n\n" + line + "\n"},
		{"subject\n\nSigned-off-by: A <a@x>\n", "subject\n\nSigned-off-by: A <a@x>\n" + line + "\n"},
	}
	for _, tt := range tests {
		if got := addTrailer(tt.in, id); got != tt.want {
			t.Errorf("addTrailer(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// inBothModes runs a test on the carry fixture twice: with prod only in the
// object store, and with prod checked out in the work tree.
func inBothModes(t *testing.T, run func(t *testing.T, f *fixture, q *Sequencer)) {
	for _, wt := range []bool{false, true} {
		t.Run(map[bool]string{false: "object store", true: "work tree"}[wt], func(t *testing.T) {
			f := newFixture(t)
			if wt {
				f.r.Checkout("prod")
			}
			run(t, f, newSeq(t, f.r))
		})
	}
}
