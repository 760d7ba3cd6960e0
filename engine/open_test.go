package engine

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/switchyard/switchyard/engine/testrepo"
)

func TestOpenWorkTreeSubfolderAndBare(t *testing.T) {
	r := testrepo.New(t)
	r.Commit("dev", "start", map[string]string{"app/main.go": "package main\n"})
	r.Commit("prod", "start prod", map[string]string{"README": "prod\n"})
	bare := filepath.Join(t.TempDir(), "server.git")
	r.Git("clone", "-q", "--bare", r.Dir, bare)

	ctx := context.Background()
	for _, dir := range []string{r.Dir, filepath.Join(r.Dir, "app"), bare} {
		e, err := Open(ctx, OpenOptions{Dir: dir})
		if err != nil {
			t.Fatalf("Open(%s) = %v", dir, err)
		}
		if _, err := e.Head(ctx, "dev"); err != nil {
			t.Errorf("Open(%s).Head(dev) = %v", dir, err)
		}
	}
	if _, err := Open(ctx, OpenOptions{Dir: t.TempDir()}); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open(empty folder) = %v; want ErrNotRepository", err)
	}
}
