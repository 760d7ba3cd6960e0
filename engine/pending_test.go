package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/testrepo"
	"github.com/switchyard/switchyard/model"
)

func openAt(t *testing.T, r *testrepo.Repo, now time.Time) *Engine {
	t.Helper()
	e, err := Open(context.Background(), OpenOptions{Dir: r.Dir, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return e
}

// trainRepo: dev has regular work, then two bugfixes, then regular work;
// prod sits at the base.
type trainRepo struct {
	r                                     *testrepo.Repo
	base, a, b, fix1, fix2, d, fix3, late string
	day2                                  time.Time
}

func newTrainRepo(t *testing.T) *trainRepo {
	r := testrepo.New(t)
	tr := &trainRepo{r: r}
	tr.base = r.Commit("dev", "base", map[string]string{"x": "0\n"})
	r.Git("branch", "prod", tr.base)
	r.Tick(24 * time.Hour)
	tr.a = r.Commit("dev", "feature a", map[string]string{"a": "a\n"})
	r.Tick(24 * time.Hour)
	tr.day2 = r.Now
	tr.b = r.Commit("dev", "feature b", map[string]string{"b": "b\n"})
	r.Tick(time.Hour)
	tr.fix1 = r.Commit("dev", "bugfix: b was wrong", map[string]string{"b": "B\n"})
	r.Tick(time.Hour)
	tr.fix2 = r.Commit("dev", "Bugfix: again", map[string]string{"b": "BB\n"})
	r.Tick(time.Hour)
	tr.d = r.Commit("dev", "feature d", map[string]string{"d": "d\n"})
	r.Tick(time.Hour)
	tr.fix3 = r.Commit("dev", "bugfix: after d", map[string]string{"d": "D\n"})
	r.Tick(8 * 24 * time.Hour)
	tr.late = r.Commit("dev", "hotfix: late", map[string]string{"l": "l\n"})
	return tr
}

func ids(cs []model.Commit) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.Subject)
	}
	return strings.Join(s, ", ")
}

func TestTrain(t *testing.T) {
	tr := newTrainRepo(t)
	ctx := context.Background()
	now := tr.day2.Add(7*24*time.Hour + 30*time.Minute)
	tests := []struct {
		name                           string
		prep                           func()
		now                            time.Time
		base, target                   string
		bugfixes, brings               string
		ff, diverged, upToDate, noBase bool
	}{
		{name: "fast-forward", now: now, base: tr.b, target: tr.fix2,
			bugfixes: "bugfix: b was wrong, Bugfix: again",
			brings:   "feature a, feature b, bugfix: b was wrong, Bugfix: again", ff: true},
		{name: "too early", now: tr.day2, noBase: true},
		{name: "diverged", prep: func() {
			tr.r.CherryPick("prod", tr.late, true)
			tr.r.CherryPick("prod", tr.a, true) // already carried: not brought again
		}, now: now, base: tr.b, target: tr.fix2, bugfixes: "bugfix: b was wrong, Bugfix: again",
			brings: "feature b, bugfix: b was wrong, Bugfix: again", diverged: true},
		{name: "up to date", prep: func() { tr.r.Git("update-ref", "refs/heads/prod", tr.d) }, now: now,
			base: tr.b, target: tr.fix2, bugfixes: "bugfix: b was wrong, Bugfix: again", upToDate: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prep != nil {
				tt.prep()
			}
			e := openAt(t, tr.r, tt.now)
			tc, err := e.Train(ctx, "prod")
			if err != nil {
				t.Fatalf("Train(prod) error %v", err)
			}
			if tt.noBase {
				if tc.Base != nil || tc.Target != "" {
					t.Errorf("Train(prod) base = %v, target %q; want none", tc.Base, tc.Target)
				}
				return
			}
			if tc.Base == nil || tc.Base.ID != tt.base || tc.Target != tt.target {
				t.Fatalf("Train(prod) base %v target %s; want %s, %s", tc.Base, tc.Target, tt.base, tt.target)
			}
			if got := ids(tc.Bugfixes); got != tt.bugfixes {
				t.Errorf("Train(prod) bugfixes = %q; want %q", got, tt.bugfixes)
			}
			if got := ids(tc.Brings); got != tt.brings {
				t.Errorf("Train(prod) brings = %q; want %q", got, tt.brings)
			}
			if tc.FastForward != tt.ff || tc.Diverged != tt.diverged || tc.UpToDate != tt.upToDate {
				t.Errorf("Train(prod) ff/diverged/up-to-date = %v/%v/%v; want %v/%v/%v",
					tc.FastForward, tc.Diverged, tc.UpToDate, tt.ff, tt.diverged, tt.upToDate)
			}
		})
	}
	e := openAt(t, tr.r, now)
	if _, err := e.Train(ctx, "dev"); err == nil {
		t.Errorf("Train(dev) = nil error; want: no upstream")
	}
}

func TestLeadTimes(t *testing.T) {
	r := testrepo.New(t)
	base := r.Commit("dev", "base", map[string]string{"x": "0\n"})
	r.Git("branch", "prod", base)
	r.Tick(time.Hour)
	since := r.Now
	hot := r.Commit("dev", "hotfix: crash", map[string]string{"h": "h\n"})
	r.Commit("dev", "regular work", map[string]string{"w": "w\n"})
	bug := r.Commit("dev", "bugfix: slow", map[string]string{"b": "b\n"})
	r.Tick(2 * time.Hour)
	pickAt := r.Now
	pick := r.CherryPick("prod", hot, true)
	e := openAt(t, r, r.Now)
	lts, err := e.LeadTimes(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	if len(lts) != 2 || lts[0].Commit.ID != hot || lts[1].Commit.ID != bug {
		t.Fatalf("LeadTimes = %+v; want the hotfix then the bugfix", lts)
	}
	if len(lts[0].Arrivals) != 1 || lts[0].Arrivals[0].As != pick || lts[0].Arrivals[0].How != "patch-id" || !lts[0].Arrivals[0].At.Equal(pickAt) {
		t.Errorf("hotfix arrivals = %+v; want prod as %s by patch-id at %v", lts[0].Arrivals, pick, pickAt)
	}
	if d, ok := lts[0].To("prod"); !ok || d != pickAt.Sub(lts[0].Commit.Date) {
		t.Errorf("hotfix lead time to prod = %v, %v", d, ok)
	}
	if len(lts[1].Arrivals) != 0 {
		t.Errorf("bugfix arrivals = %+v; want none yet", lts[1].Arrivals)
	}
	// prod fast-forwards to dev: the bugfix arrives as itself
	r.Git("update-ref", "refs/heads/prod", r.Rev("dev"))
	e = openAt(t, r, r.Now)
	lts, err = e.LeadTimes(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	if len(lts) != 2 || len(lts[1].Arrivals) != 1 || lts[1].Arrivals[0].How != "same" || lts[1].Arrivals[0].As != bug {
		t.Errorf("after fast-forward, bugfix lead time = %+v", lts)
	}
}

func TestLogPages(t *testing.T) {
	for _, graph := range []bool{false, true} {
		r := testrepo.New(t)
		base := r.Commit("dev", "base", map[string]string{"x": "0\n"})
		r.Git("branch", "prod", base)
		for i := 0; i < 7; i++ {
			r.Commit("dev", "dev", map[string]string{"x": strings.Repeat("d", i+1) + "\n"})
			if i%3 == 0 {
				r.Commit("prod", "prod", map[string]string{"y": strings.Repeat("p", i+1) + "\n"})
			}
		}
		r.Checkout("dev")
		r.Git("merge", "-q", "--no-ff", "-m", "merge prod", "prod")
		r.Tick(time.Minute)
		r.Commit("dev", "after merge", map[string]string{"z": "z\n"})
		if graph {
			r.Git("commit-graph", "write", "--reachable")
		}
		e := openAt(t, r, r.Now)
		var all []model.Commit
		cursor := ""
		for pages := 0; ; pages++ {
			page, err := e.Log(context.Background(), LogOptions{Limit: 4, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Commits) > 4 {
				t.Fatalf("page of %d commits; want at most 4", len(page.Commits))
			}
			all = append(all, page.Commits...)
			if page.Next == "" {
				break
			}
			cursor = page.Next
			if pages > 20 {
				t.Fatal("Log does not end")
			}
		}
		want := strings.Fields(r.Git("rev-list", "dev", "prod"))
		pos := map[string]int{}
		for i, c := range all {
			if _, dup := pos[c.ID]; dup {
				t.Errorf("graph=%v: %s listed twice", graph, c.ID)
			}
			pos[c.ID] = i
		}
		if len(all) != len(want) {
			t.Errorf("graph=%v: Log listed %d commits; want %d", graph, len(all), len(want))
		}
		for _, c := range all {
			for _, p := range c.Parents {
				if pos[p] <= pos[c.ID] {
					t.Errorf("graph=%v: parent %s listed before its child %s", graph, p, c.ID)
				}
			}
		}
	}
	e := openAt(t, testrepo.New(t), time.Now())
	if _, err := e.Log(context.Background(), LogOptions{Cursor: "nonsense"}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("Log(bad cursor) = %v; want ErrBadCursor", err)
	}
}

func TestHeadErrors(t *testing.T) {
	r := testrepo.New(t)
	r.Commit("dev", "d", map[string]string{"x": "x\n"})
	e := openAt(t, r, time.Now())
	ctx := context.Background()
	if c, err := e.Head(ctx, "dev"); err != nil || c.Subject != "d" {
		t.Errorf("Head(dev) = %v, %v", c, err)
	}
	if _, err := e.Head(ctx, "prod"); !errors.Is(err, ErrBranchNotFound) {
		t.Errorf("Head(prod) = %v; want ErrBranchNotFound", err)
	}
	if _, err := e.Head(ctx, "qa"); !errors.Is(err, model.ErrUnknownTrack) {
		t.Errorf("Head(qa) = %v; want ErrUnknownTrack", err)
	}
	if _, err := e.Pending(ctx, "dev", "dev"); !errors.Is(err, ErrSameTrack) {
		t.Errorf("Pending(dev, dev) = %v; want ErrSameTrack", err)
	}
	r.Git("symbolic-ref", "HEAD", "refs/heads/prod")
	if _, err := e.Head(ctx, "prod"); !errors.Is(err, ErrUnbornBranch) {
		t.Errorf("Head(unborn prod) = %v; want ErrUnbornBranch", err)
	}
}

// The TUI calls the engine from many commands at once.
func TestConcurrentCalls(t *testing.T) {
	tr := newTrainRepo(t)
	tr.r.CherryPick("prod", tr.late, true)
	e := openAt(t, tr.r, tr.day2.Add(8*24*time.Hour))
	ctx := context.Background()
	want, err := e.Pending(ctx, "dev", "prod")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := e.Pending(ctx, "dev", "prod")
			if err == nil && (len(p.Pending) != len(want.Pending) || len(p.Carried) != len(want.Carried)) {
				err = errors.New("different pending")
			}
			if err == nil {
				_, err = e.Status(ctx)
			}
			if err == nil {
				_, err = e.Log(ctx, LogOptions{Limit: 3})
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
