package rollout

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard/switchyard/model"
)

func TestStore(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	if _, err := s.Load("stg"); !errors.Is(err, ErrNoRollout) {
		t.Errorf("Load of nothing = %v; want ErrNoRollout", err)
	}
	st := &Status{Env: "stg", State: model.RolloutWave, Build: 7, From: 6, Wave: 1}
	if err := s.Save(st); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load("stg")
	if err != nil || got.Build != 7 || got.State != model.RolloutWave || got.Running {
		t.Errorf("Load = %+v, %v", got, err)
	}
	if left, _ := filepath.Glob(filepath.Join(s.Dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("Save left temporary files: %v", left)
	}

	unlock, err := s.Lock("stg")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lock("stg"); !errors.Is(err, ErrBusy) {
		t.Errorf("second Lock = %v; want ErrBusy", err)
	}
	if got, _ := s.Load("stg"); !got.Running {
		t.Errorf("Load while locked: Running = false")
	}
	if _, err := s.Lock("prod"); err != nil {
		t.Errorf("Lock of another environment = %v", err)
	}
	unlock()
	if s.Running("stg") {
		t.Errorf("Running after unlock")
	}

	base := time.Unix(1000, 0)
	for i, k := range []string{ReqApprove, ReqAbort, ReqPromote} {
		if err := s.Post("stg", Request{Kind: k, Time: base.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Post("prod", Request{Kind: ReqAbort})
	var kinds []string
	for _, r := range s.Take("stg") {
		kinds = append(kinds, r.Kind)
	}
	if strings.Join(kinds, ",") != "approve,abort,promote" || len(s.Take("stg")) != 0 || len(s.Take("prod")) != 1 {
		t.Errorf("Take = %v; want the three stg requests in order, once", kinds)
	}

	if err := os.WriteFile(filepath.Join(s.Dir, "stg.json"), []byte(`{"env": "stg", "sta`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load("stg"); err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Errorf("Load of a damaged file = %v; want it named damaged", err)
	}
}

func TestSeed(t *testing.T) {
	s := &Store{Dir: filepath.Join(t.TempDir(), "rollouts")}
	if n, ok, err := s.Seeded("prod"); ok || err != nil || n != 0 {
		t.Fatalf("Seeded(nothing) = %d, %v, %v; want 0, false, nil", n, ok, err)
	}
	if n, err := s.Seed("prod", 4); n != 4 || err != nil {
		t.Fatalf("Seed(4) = %d, %v; want 4", n, err)
	}
	// Later seeds do not change it.
	if n, err := s.Seed("prod", 9); n != 4 || err != nil {
		t.Errorf("Seed(9) after 4 = %d, %v; want 4 kept", n, err)
	}
	if n, ok, err := s.Seeded("prod"); !ok || err != nil || n != 4 {
		t.Errorf("Seeded = %d, %v, %v; want 4", n, ok, err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir, "bad.live"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Seeded("bad"); err == nil {
		t.Error("Seeded(damaged file) = nil error; want one")
	}
}
