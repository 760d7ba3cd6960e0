package propagation

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/switchyard/switchyard/model"
	"github.com/switchyard/switchyard/tui/theme"
)

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func TestBuild(t *testing.T) {
	tracks := []string{"dev", "prod"}
	lts := []model.LeadTime{
		{Commit: model.Commit{ID: "a", Kind: model.Hotfix, Date: t0, Committed: t0}, Track: "dev", Arrivals: []model.Arrival{{Track: "prod", At: t0.Add(2 * time.Hour), As: "a2", How: "patch-id"}}},
		{Commit: model.Commit{ID: "b", Kind: model.Bugfix, Date: t0}, Track: "dev", Arrivals: []model.Arrival{{Track: "prod", At: t0.Add(48 * time.Hour), As: "b", How: "same"}}},
		{Commit: model.Commit{ID: "c", Kind: model.Hotfix, Date: t0}, Track: "dev", Arrivals: []model.Arrival{{Track: "prod", At: t0.Add(time.Hour), As: "c2", How: "trailer"}}},
		{Commit: model.Commit{ID: "d", Kind: model.Hotfix, Date: t0}, Track: "dev"},
		{Commit: model.Commit{ID: "e", Kind: model.Hotfix, Date: t0}}, // its track from origin
		{Commit: model.Commit{ID: "f", Kind: model.Hotfix, Date: t0}, Track: "dev"},
		// committed on prod, carried back to dev
		{Commit: model.Commit{ID: "g", Kind: model.Hotfix, Date: t0}, Track: "prod", Arrivals: []model.Arrival{{Track: "dev", At: t0.Add(time.Hour), As: "g2", How: "patch-id"}}},
	}
	origin := map[string]string{"e": "prod"}
	rows := Build(tracks, lts, origin, map[string]string{"f": "prod"})
	got := map[string]string{}
	for _, r := range rows {
		var s []string
		for _, st := range r.Stands {
			s = append(s, st.String())
		}
		got[r.Commit.ID] = strings.Join(s, ",")
	}
	want := map[string]string{
		"a": "committed,carried", "b": "committed,landed", "c": "committed,edited",
		"d": "committed,pending", "e": "pending,committed", "f": "committed,conflict",
		"g": "carried,committed",
	}
	if len(got) != len(want) {
		t.Errorf("rows = %v; want %v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("Build: %s stands %q; want %q", id, got[id], w)
		}
	}
	if rows[0].Lead != 2*time.Hour || !rows[0].Arrived {
		t.Errorf("lead of a = %v (arrived %v); want 2h", rows[0].Lead, rows[0].Arrived)
	}

	m := New(theme.New(true, false), theme.DefaultKeyMap(), func() time.Time { return t0.Add(72 * time.Hour) })
	m.SetSize(100, 8)
	m.SetRows(tracks, rows)
	v := ansi.Strip(m.View())
	for i, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w != 100 {
			t.Errorf("line %d is %d wide; want 100", i, w)
		}
	}
	for _, s := range []string{"carried 2h", "landed 2d", "edited 1h", "conflict", "waiting 3d", "at once"} {
		if !strings.Contains(v, s) {
			t.Errorf("grid lacks %q:\n%s", s, v)
		}
	}
	m.SetFilter("bugfix")
	if r, ok := m.Selected(); !ok || r.Commit.ID != "b" {
		t.Errorf("filter bugfix selected %+v", r.Commit)
	}
	m.SetFilter("zzz")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "nothing matches the filter") {
		t.Errorf("an empty filter result shows:\n%s", v)
	}
}
