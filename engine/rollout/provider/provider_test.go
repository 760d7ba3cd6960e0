package provider

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchyard/switchyard/model"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		c        model.Color
		pct      int
		blue     int
		green    int
		validErr bool
	}{
		{model.Green, 10, 90, 10, false},
		{model.Blue, 10, 10, 90, false},
		{model.Green, 100, 0, 100, false},
		{model.Green, 120, -20, 120, true},
	}
	for _, tt := range tests {
		s := SplitFor(tt.c, tt.pct, 6, 7)
		if s.Blue != tt.blue || s.Green != tt.green || s.Weight(tt.c) != tt.pct || s.Build(model.Green) != 7 {
			t.Errorf("SplitFor(%s, %d) = %+v", tt.c, tt.pct, s)
		}
		if err := s.Validate(); (err != nil) != tt.validErr {
			t.Errorf("SplitFor(%s, %d).Validate() = %v", tt.c, tt.pct, err)
		}
	}
	if Other(model.Blue) != model.Green || Other(model.Green) != model.Blue {
		t.Errorf("Other is not the other slot")
	}
	f := Fleet{Nodes: 3, Builds: []BuildCount{{Build: 6, Nodes: 1}, {Build: 7, Nodes: 2}}}
	if f.On(7) != 2 || f.On(8) != 0 {
		t.Errorf("Fleet.On = %d, %d; want 2, 0", f.On(7), f.On(8))
	}
}

func TestRun(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	code, err := Run(ctx, RunOptions{Argv: []string{"sh", "-c", "echo $A; echo err >&2; exit 5"}, Env: []string{"A=passed"}, Stdout: &out})
	if err != nil || code != 5 || out.String() != "passed\nerr\n" {
		t.Errorf("Run = %d, %v, %q; want 5, nil, the env var and stderr", code, err, out.String())
	}
	if _, err := Run(ctx, RunOptions{Argv: []string{"sleep", "30"}, Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrTimeout) {
		t.Errorf("Run(sleep 30, 50ms) = %v; want ErrTimeout", err)
	}
	if code, err := Run(ctx, RunOptions{Argv: []string{"/nonexistent"}}); err == nil || code != -1 {
		t.Errorf("Run(/nonexistent) = %d, %v; want -1 and an error", code, err)
	}
	if _, err := Run(ctx, RunOptions{}); err == nil {
		t.Errorf("Run(no argv) succeeded")
	}
}
