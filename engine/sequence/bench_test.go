package sequence

import (
	"context"
	"fmt"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/switchyard/switchyard/engine/gitstate"
	"github.com/switchyard/switchyard/engine/testrepo"
)

// BenchmarkCarry measures one clean carry in the object store on a tree of
// 2,000 files in 40 folders: merge, commit, compare-and-swap of the ref,
// undo snapshot and session files. The ref is put back after each round.
func BenchmarkCarry(b *testing.B) {
	ctx := context.Background()
	r := testrepo.New(b)
	files := map[string]string{}
	for i := range 2000 {
		files[fmt.Sprintf("d%02d/f%04d.txt", i%40, i)] = lines(30, nil)
	}
	r.Commit("main", "base", files)
	r.Git("branch", "prod")
	r.Commit("prod", "prod change", map[string]string{"d01/f0001.txt": lines(30, map[int]string{3: "prod"})})
	fix := r.Commit("main", "hotfix", map[string]string{"d01/f0001.txt": lines(30, map[int]string{20: "fix"})})
	r.Checkout("main")
	q := newSeq(b, r)
	start := plumbing.NewHash(r.Rev("prod"))
	who := gitstate.Ident{Name: "b", Email: "b@example.com"}
	b.ResetTimer()
	for b.Loop() {
		out, err := q.Start(ctx, Plan{Op: OpCarry, Ref: "refs/heads/prod", Commits: []plumbing.Hash{plumbing.NewHash(fix)}, Trailer: true})
		if err != nil || !out.Done {
			b.Fatalf("Start = %+v, %v", out, err)
		}
		if err := q.Git.UpdateRef(ctx, "refs/heads/prod", plumbing.NewHash(out.Head), start, who, "bench reset"); err != nil {
			b.Fatal(err)
		}
	}
}
