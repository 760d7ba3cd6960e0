package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/switchyard/switchyard/engine/testrepo"
)

// Fetching writes a pack and indexes it while the cockpit keeps reading
// objects (dry-run picks); the shared store must keep both correct.
func TestFetchWhileReading(t *testing.T) {
	server := testrepo.New(t)
	server.Commit("dev", "start", map[string]string{"a.txt": "one\n"})
	server.Commit("prod", "prod start", map[string]string{"a.txt": "one\n"})
	hot := server.Commit("dev", "hotfix: two", map[string]string{"a.txt": "two\n"})
	// Enough history that the fetch writes a pack rather than nothing.
	for i := 0; i < 30; i++ {
		server.Commit("dev", fmt.Sprintf("work %d", i), map[string]string{fmt.Sprintf("f%d.txt", i): fmt.Sprintf("%d\n", i)})
	}

	local := testrepo.New(t)
	local.Commit("dev", "unrelated", map[string]string{"b.txt": "b\n"})
	local.Git("remote", "add", "origin", server.Dir)
	local.Git("fetch", "-q", "origin", "prod:prod")
	cfg := "[[track]]\nname = \"dev\"\nremote = \"origin\"\n[[track]]\nname = \"prod\"\n"
	if err := os.WriteFile(filepath.Join(local.Dir, "switchyard.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	local.Git("fetch", "-q", "origin", hot+":refs/heads/carry-me")

	ctx := context.Background()
	e, err := Open(ctx, OpenOptions{Dir: local.Dir})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, err := e.DryRunPick(ctx, hot, "prod"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	if err := e.Fetch(ctx, "origin"); err != nil {
		t.Fatalf("Fetch = %v", err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("DryRunPick during fetch = %v", err)
	}
	head, err := e.Head(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if want := server.Rev("dev"); head.ID != want {
		t.Errorf("dev after fetch = %s; want %s", head.ID, want)
	}
	// Objects of the fetched pack are readable through the shared store.
	if _, err := e.DryRunPick(ctx, head.ID, "prod"); err != nil {
		t.Errorf("DryRunPick of a fetched commit = %v", err)
	}
}
