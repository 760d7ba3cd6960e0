package engine

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/switchyard/switchyard/engine/binrepo"
	"github.com/switchyard/switchyard/engine/journal"
)

func TestPointBuild(t *testing.T) {
	ctx := context.Background()
	f := newReleaseFixture(t, "ok", "1m", true)
	e := f.open(t)
	for range 3 {
		if _, err := e.Release(ctx, ReleaseOptions{Track: "prod"}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		build, expect int
		want          error
		live          int
	}{
		{2, 3, nil, 2},
		{2, 2, nil, 2}, // already there: nothing to do
		{1, 3, binrepo.ErrRefMoved, 2},
		{9, 0, binrepo.ErrNoBuild, 2},
		{3, 0, nil, 3},
	}
	for _, tt := range tests {
		before := f.bin.Git("rev-parse", "prod")
		err := e.PointBuild(ctx, "prod", tt.build, tt.expect)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Fatalf("PointBuild(%d, expect %d) = %v; want %v", tt.build, tt.expect, err, tt.want)
		}
		if got := f.bin.Git("cat-file", "-p", "prod:app"); got != "app-"+strconv.Itoa(tt.live) {
			t.Errorf("after PointBuild(%d, %d) symlink = %q; want app-%d", tt.build, tt.expect, got, tt.live)
		}
		after := f.bin.Git("rev-parse", "prod")
		if moved := before != after; moved != (err == nil && tt.build != tt.expect) {
			t.Errorf("PointBuild(%d, %d) moved the branch: %v", tt.build, tt.expect, moved)
		}
		if got := f.remote.Git("rev-parse", "prod"); got != after {
			t.Errorf("remote prod = %s; want %s pushed", got, after)
		}
	}
	entries, err := e.ReadJournal(ctx, journal.Filter{Kind: "bin"})
	if err != nil {
		t.Fatal(err)
	}
	var pointed []string
	for _, en := range entries {
		if en.Action == "pointed" {
			pointed = append(pointed, strconv.Itoa(en.Build))
		}
	}
	if strings.Join(pointed, ",") != "2,3" {
		t.Errorf("journaled points = %v; want 2,3", pointed)
	}
	f.bin.Git("fsck", "--strict", "--no-dangling")
}
