package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/switchyard/switchyard/engine"
)

// TestEngineSeesTheStory opens the sandbox with the engine, as the cockpit
// does, on the day the sandbox was built.
func TestEngineSeesTheStory(t *testing.T) {
	tests := []struct {
		flow, track string
		base        string   // train base on the upstream
		fixes       []string // fixes right after it that ride the train
	}{
		{FlowTwo, "prod", "metrics", []string{"metrics-bugfix", "hotfix-health", "hotfix-body"}},
		{FlowThree, "prod", "metrics", []string{"metrics-bugfix", "hotfix-health", "hotfix-body"}},
		{FlowThree, "dev", "request-id", []string{"metrics-bugfix-master"}},
	}
	for _, tt := range tests {
		t.Run(tt.flow+"/"+tt.track, func(t *testing.T) {
			sb := sandbox(t, tt.flow)
			ctx := context.Background()
			e, err := engine.Open(ctx, engine.OpenOptions{
				Dir:          sb.Src,
				Now:          func() time.Time { return sb.Anchor.Add(10 * time.Hour) },
				PatchIDCache: "-",
			})
			if err != nil {
				t.Fatalf("engine.Open(%s): %v", sb.Src, err)
			}
			if got, want := e.Config().BinPath(), sb.Bin; got != want {
				t.Errorf("bin path = %s; want %s", got, want)
			}
			tc, err := e.Train(ctx, tt.track)
			if err != nil {
				t.Fatalf("Train(%s): %v", tt.track, err)
			}
			if tc.Base == nil || tc.Base.ID != sb.Commits[tt.base] {
				t.Errorf("Train(%s).Base = %+v; want %s (%s)", tt.track, tc.Base, tt.base, sb.Commits[tt.base])
			}
			var fixes []string
			for _, c := range tc.Bugfixes {
				fixes = append(fixes, c.ID)
			}
			var want []string
			for _, id := range tt.fixes {
				want = append(want, sb.Commits[id])
			}
			if !slices.Equal(fixes, want) {
				t.Errorf("Train(%s) fixes = %v; want %v %v", tt.track, fixes, tt.fixes, want)
			}
			if !tc.Diverged {
				t.Errorf("Train(%s).Diverged = false; want true (the track has its own commits)", tt.track)
			}
			if tt.track != "prod" {
				return
			}
			p, err := e.Pending(ctx, "dev", "prod")
			if err != nil {
				t.Fatalf("Pending(dev, prod): %v", err)
			}
			if len(p.Carried) != 1 || p.Carried[0].Commit != sb.Commits["hotfix-escape"] || p.Carried[0].As != sb.Commits["hotfix-escape-prod"] {
				t.Errorf("Pending(dev, prod).Carried = %+v; want hotfix-escape as hotfix-escape-prod", p.Carried)
			}
			if len(p.OnlyInTo) != 1 || p.OnlyInTo[0].ID != sb.Commits["hotfix-body-prod"] {
				t.Errorf("Pending(dev, prod).OnlyInTo = %+v; want hotfix-body-prod", p.OnlyInTo)
			}
		})
	}
}
