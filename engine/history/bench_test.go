package history

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/switchyard/switchyard/engine/testrepo"
)

// benchRepo: 100 commits on dev past the base, every tenth picked onto prod.
func benchRepo(b *testing.B) *testrepo.Repo {
	r := testrepo.New(b)
	files := map[string]string{}
	for i := 0; i < 20; i++ {
		files[fmt.Sprintf("f%02d.txt", i)] = "line\n"
	}
	base := r.Commit("dev", "base", files)
	r.Git("branch", "prod", base)
	var ids []string
	for i := 0; i < 100; i++ {
		name := fmt.Sprintf("f%02d.txt", i%20)
		files[name] += fmt.Sprintf("change %d\n", i)
		ids = append(ids, r.Commit("dev", fmt.Sprintf("change %d", i), map[string]string{name: files[name]}))
	}
	for i := 0; i < len(ids); i += 10 {
		if _, err := r.TryGit("cherry-pick", "-x", ids[i]); err != nil {
			r.Git("cherry-pick", "--abort")
		}
	}
	r.Checkout("dev")
	r.Git("commit-graph", "write", "--reachable")
	return r
}

func benchCompare(b *testing.B, warm bool) {
	r := benchRepo(b)
	ctx := context.Background()
	dev, prod := plumbing.NewHash(r.Rev("dev")), plumbing.NewHash(r.Rev("prod"))
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cache := filepath.Join(dir, "warm")
		if !warm {
			cache = filepath.Join(dir, fmt.Sprintf("cold-%d", i))
		}
		h := openHistory(b, r, cache)
		if _, err := h.Compare(ctx, dev, prod); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompareCold(b *testing.B) { benchCompare(b, false) }
func BenchmarkCompareWarm(b *testing.B) { benchCompare(b, true) }

func BenchmarkDiffBody(b *testing.B) {
	var x, y []byte
	for i := 0; i < 2000; i++ {
		x = append(x, fmt.Sprintf("line %d\n", i%97)...)
		if i%50 != 0 {
			y = append(y, fmt.Sprintf("line %d\n", i%97)...)
		} else {
			y = append(y, "changed\n"...)
		}
	}
	b.SetBytes(int64(len(x) + len(y)))
	for i := 0; i < b.N; i++ {
		unifiedBody(splitLines(x), splitLines(y), 3, func(byte, []byte) {})
	}
}
