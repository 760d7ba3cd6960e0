package traffic

import (
	"context"
	"errors"
	"testing"

	"github.com/switchyard/switchyard/engine/rollout/provider"
)

// fakeBin is a bin branch whose symlink names one build.
type fakeBin struct {
	live   int
	points int
}

func (f *fakeBin) Current(ctx context.Context, track string) (int, error) { return f.live, nil }

func (f *fakeBin) Point(ctx context.Context, track string, build, expect int) error {
	if expect != f.live {
		return errors.New("moved")
	}
	f.live = build
	f.points++
	return nil
}

func TestBin(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		live   int
		split  provider.Split
		want   int // symlink after
		points int
		err    error
	}{
		{6, provider.Split{Green: 100, BlueBuild: 6, GreenBuild: 7}, 7, 1, nil},
		{7, provider.Split{Green: 100, BlueBuild: 6, GreenBuild: 7}, 7, 0, nil},
		{7, provider.Split{Blue: 100, BlueBuild: 6, GreenBuild: 7}, 6, 1, nil},
		{6, provider.Split{Blue: 90, Green: 10, BlueBuild: 6, GreenBuild: 7}, 6, 0, provider.ErrUnsupported},
	}
	for _, tt := range tests {
		fb := &fakeBin{live: tt.live}
		b := &Bin{Track: "prod", Bin: fb, Builds: func() (int, int) { return 6, 7 }}
		err := b.Set(ctx, tt.split)
		if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) || fb.live != tt.want || fb.points != tt.points {
			t.Errorf("Set(%+v) from %d = %v, symlink %d, %d commits; want %v, %d, %d", tt.split, tt.live, err, fb.live, fb.points, tt.err, tt.want, tt.points)
		}
		a, err := b.Actual(ctx)
		if err != nil || (a.Green == 100) != (fb.live == 7) || (a.Blue == 100) != (fb.live == 6) {
			t.Errorf("Actual with symlink on %d = %+v, %v", fb.live, a, err)
		}
	}
	b := &Bin{Track: "prod", Bin: &fakeBin{live: 3}, Builds: func() (int, int) { return 6, 7 }}
	if _, err := b.Actual(ctx); !errors.Is(err, provider.ErrUnknown) {
		t.Errorf("Actual with the symlink on neither slot's build = %v; want ErrUnknown", err)
	}
}
