package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine/testrepo"
	"github.com/switchyard/switchyard/model"
)

// leadSummary writes lead times as "subject@track → track:how as name, …"
// per fix, naming commits by the names given to them.
func leadSummary(lts []model.LeadTime, names map[string]string) string {
	var out []string
	for _, lt := range lts {
		s := lt.Commit.Subject + "@" + lt.Track
		var as []string
		for _, a := range lt.Arrivals {
			n := names[a.As]
			if n == "" {
				n = a.As[:7]
			}
			as = append(as, fmt.Sprintf("%s:%s as %s", a.Track, a.How, n))
		}
		if len(as) > 0 {
			s += " → " + strings.Join(as, ", ")
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

func TestLeadTimesCopies(t *testing.T) {
	three := "[[track]]\nname = \"dev\"\n[[track]]\nname = \"qa\"\n[[track]]\nname = \"prod\"\n"
	tests := []struct {
		name  string
		cfg   string
		build func(r *testrepo.Repo, names map[string]string)
		want  string
	}{
		{"committed on dev, carried to prod with -x", "", func(r *testrepo.Repo, names map[string]string) {
			fix := r.Commit("dev", "hotfix: crash", map[string]string{"h": "h\n"})
			names[r.CherryPick("prod", fix, true)] = "prod copy"
		}, "hotfix: crash@dev → prod:patch-id as prod copy"},
		{"committed on dev, carried to prod without a trailer", "", func(r *testrepo.Repo, names map[string]string) {
			fix := r.Commit("dev", "hotfix: crash", map[string]string{"h": "h\n"})
			names[r.CherryPick("prod", fix, false)] = "prod copy"
		}, "hotfix: crash@dev → prod:patch-id as prod copy"},
		{"committed on prod only", "", func(r *testrepo.Repo, names map[string]string) {
			r.Commit("prod", "hotfix: prod only", map[string]string{"p": "p\n"})
		}, "hotfix: prod only@prod"},
		{"committed on prod, carried back to dev with -x", "", func(r *testrepo.Repo, names map[string]string) {
			fix := r.Commit("prod", "hotfix: on prod", map[string]string{"p": "p\n"})
			r.Commit("dev", "regular", map[string]string{"d": "d\n"})
			names[r.CherryPick("dev", fix, true)] = "dev copy"
		}, "hotfix: on prod@prod → dev:patch-id as dev copy"},
		{"committed on prod, carried back to dev without a trailer", "", func(r *testrepo.Repo, names map[string]string) {
			fix := r.Commit("prod", "hotfix: on prod", map[string]string{"p": "p\n"})
			names[r.CherryPick("dev", fix, false)] = "dev copy"
		}, "hotfix: on prod@prod → dev:patch-id as dev copy"},
		{"committed on prod, merged back into dev", "", func(r *testrepo.Repo, names map[string]string) {
			names[r.Commit("prod", "hotfix: on prod", map[string]string{"p": "p\n"})] = "the fix"
			r.Commit("dev", "regular", map[string]string{"d": "d\n"})
			r.Git("merge", "-q", "--no-ff", "-m", "merge prod", "prod")
		}, "hotfix: on prod@prod → dev:same as the fix"},
		{"committed on dev, carried to qa, then from qa to prod", three, func(r *testrepo.Repo, names map[string]string) {
			fix := r.Commit("dev", "bugfix: leak", map[string]string{"b": "b\n"})
			r.Tick(time.Hour)
			qa := r.CherryPick("qa", fix, true)
			names[qa] = "qa copy"
			r.Tick(time.Hour)
			names[r.CherryPick("prod", qa, true)] = "prod copy"
		}, "bugfix: leak@dev → qa:patch-id as qa copy, prod:patch-id as prod copy"},
		{"committed on qa, carried to prod and back to dev", three, func(r *testrepo.Repo, names map[string]string) {
			fix := r.Commit("qa", "hotfix: qa", map[string]string{"q": "q\n"})
			names[r.CherryPick("prod", fix, true)] = "prod copy"
			names[r.CherryPick("dev", fix, false)] = "dev copy"
		}, "hotfix: qa@qa → dev:patch-id as dev copy, prod:patch-id as prod copy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testrepo.New(t)
			if tt.cfg != "" {
				if err := os.WriteFile(filepath.Join(r.Dir, "switchyard.toml"), []byte(tt.cfg), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			base := r.Commit("dev", "base", map[string]string{"x": "0\n"})
			r.Git("branch", "prod", base)
			if tt.cfg != "" {
				r.Git("branch", "qa", base)
			}
			r.Tick(time.Hour)
			since := r.Now
			names := map[string]string{}
			tt.build(r, names)
			lts, err := openAt(t, r, r.Now).LeadTimes(context.Background(), since)
			if err != nil {
				t.Fatal(err)
			}
			if got := leadSummary(lts, names); got != tt.want {
				t.Errorf("LeadTimes =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}
