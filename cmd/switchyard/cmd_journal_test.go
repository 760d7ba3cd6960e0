package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestJournalCommand(t *testing.T) {
	src, _ := releaseRepo(t, "mkdir out\necho x > out/x\n")
	if code, _, errs := cliRun("release", "--repo", src.Dir, "--track", "prod", "--quiet"); code != exitOK {
		t.Fatalf("release: %s", errs)
	}
	if code, _, errs := cliRun("release", "--repo", src.Dir, "--track", "dev", "--quiet"); code != exitOK {
		t.Fatalf("release: %s", errs)
	}
	tests := []struct {
		name    string
		args    []string
		actions []string // kind action, in order
	}{
		{"all", nil, []string{"build started", "bin committed", "build started", "bin committed"}},
		{"kind", []string{"--kind", "bin"}, []string{"bin committed", "bin committed"}},
		{"track", []string{"--track", "dev"}, []string{"build started", "bin committed"}},
		{"limit", []string{"--limit", "1"}, []string{"bin committed"}},
		{"since", []string{"--since", "1h"}, []string{"build started", "bin committed", "build started", "bin committed"}},
		{"nothing", []string{"--kind", "rollout"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"journal", "--repo", src.Dir, "--json"}, tt.args...)
			code, out, errs := cliRun(args...)
			if code != exitOK {
				t.Fatalf("%v = %d, %s", args, code, errs)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if line == "" {
					continue
				}
				var e struct{ Kind, Action, Actor string }
				if err := json.Unmarshal([]byte(line), &e); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				if e.Actor != "Rel Manager <rm@example.com>" {
					t.Errorf("actor %q", e.Actor)
				}
				got = append(got, e.Kind+" "+e.Action)
			}
			if strings.Join(got, ",") != strings.Join(tt.actions, ",") {
				t.Errorf("%v = %v; want %v", tt.args, got, tt.actions)
			}
		})
	}
	code, out, _ := cliRun("journal", "--repo", src.Dir, "--kind", "bin")
	if code != exitOK || !strings.Contains(out, "TIME (UTC)") || strings.Count(out, "\n") != 3 || !strings.Contains(out, "Rel Manager") || !strings.Contains(out, "prod #1") {
		t.Errorf("journal table =\n%s", out)
	}
	for _, bad := range [][]string{{"--since", "soon"}, {"--limit", "-1"}, {"stray"}} {
		args := append([]string{"journal", "--repo", src.Dir}, bad...)
		if code, _, errs := cliRun(args...); code != exitError || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v = %d, %q; want one error line and status 2", args, code, errs)
		}
	}
}
