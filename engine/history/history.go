package history

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// OpenFunc opens a fresh, independent object store of the repository. Each
// worker of a parallel computation reads through its own, because go-git's
// filesystem storage is not meant for concurrent use.
type OpenFunc func() (storer.EncodedObjectStorer, error)

// Options configure a History.
type Options struct {
	// GitDir is the repository's git directory (for the commit-graph, the
	// shallow list and the default cache path).
	GitDir string
	// Open opens an object store; required.
	Open OpenFunc
	// CachePath is the patch-id cache file; default
	// <GitDir>/switchyard/patch-ids. The commit and split caches live
	// beside it ("commits", "splits"). "-" keeps all three in memory only.
	CachePath string
	// Workers bounds the parallel patch-id computation; default the number
	// of CPUs (at most 8).
	Workers int
}

// Validate reports missing options.
func (o *Options) Validate() error {
	if o.Open == nil {
		return fmt.Errorf("history: Options.Open is required")
	}
	return nil
}

// History answers questions about a repository's commits: which commits one
// ref has that another lacks, patch-id equivalence, pending promotions. It
// is safe for concurrent use.
type History struct {
	graph   *Graph
	cache   *Cache
	meta    *metaCache
	splits  *splitCache
	shared  *sharedStorer
	open    OpenFunc
	workers int
	pool    chan storer.EncodedObjectStorer
}

// New opens the history of a repository.
func New(opts Options) (*History, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	open := opts.Open
	if opts.GitDir != "" {
		packs := newSharedPacks(opts.GitDir)
		open = func() (storer.EncodedObjectStorer, error) {
			s, err := opts.Open()
			if err != nil {
				return nil, err
			}
			return newPackStorer(packs, s), nil
		}
	}
	g, err := NewGraph(open, opts.GitDir)
	if err != nil {
		return nil, err
	}
	path := opts.CachePath
	switch {
	case path == "-":
		path = ""
	case path == "" && opts.GitDir != "":
		path = DefaultCachePath(opts.GitDir)
	}
	w := opts.Workers
	if w <= 0 {
		w = min(runtime.NumCPU(), 8)
	}
	metaPath, splitPath := "", ""
	if path != "" {
		metaPath = filepath.Join(filepath.Dir(path), "commits")
		splitPath = filepath.Join(filepath.Dir(path), "splits")
	}
	return &History{graph: g, cache: OpenCache(path), meta: openMetaCache(metaPath), splits: openSplitCache(splitPath), shared: &sharedStorer{open: open}, open: open, workers: w, pool: make(chan storer.EncodedObjectStorer, w)}, nil
}

// DefaultCachePath is where the patch-id cache lives in a git directory.
func DefaultCachePath(gitDir string) string {
	return gitDir + "/switchyard/patch-ids"
}

// Graph is the commit graph the walks use.
func (h *History) Graph() *Graph { return h.graph }

func (h *History) getStorer() (storer.EncodedObjectStorer, error) {
	select {
	case s := <-h.pool:
		return s, nil
	default:
		return h.open()
	}
}

func (h *History) putStorer(s storer.EncodedObjectStorer) {
	select {
	case h.pool <- s:
	default:
	}
}

// Commit returns a commit, from the commit cache when it is there. The
// commit's methods read through an object store shared by the History and
// safe for concurrent use.
func (h *History) Commit(id plumbing.Hash) (*object.Commit, error) {
	if raw := h.meta.get(id); raw != nil {
		return decodeCommit(h.shared, id, raw)
	}
	s, err := h.getStorer()
	if err != nil {
		return nil, err
	}
	defer h.putStorer(s)
	raw, err := rawCommit(s, id)
	if err != nil {
		return nil, err
	}
	c, err := decodeCommit(h.shared, id, raw)
	if err != nil {
		return nil, err
	}
	h.meta.put(id, raw)
	return c, nil
}

// Flush writes what the caches learnt since the last Flush.
func (h *History) Flush() error {
	err := h.cache.Flush()
	if merr := h.meta.flush(); err == nil {
		err = merr
	}
	return err
}

// Commits returns many commits (as Commit does), reading the ones the
// cache lacks in parallel.
func (h *History) Commits(ctx context.Context, nodes []*Node) ([]*object.Commit, error) {
	out := make([]*object.Commit, len(nodes))
	var miss []int
	for i, n := range nodes {
		if raw := h.meta.get(n.ID); raw != nil {
			c, err := decodeCommit(h.shared, n.ID, raw)
			if err != nil {
				return nil, err
			}
			out[i] = c
		} else {
			miss = append(miss, i)
		}
	}
	err := h.parallel(ctx, len(miss), func(s storer.EncodedObjectStorer, k int) error {
		i := miss[k]
		raw, err := rawCommit(s, nodes[i].ID)
		if err != nil {
			return err
		}
		if out[i], err = decodeCommit(h.shared, nodes[i].ID, raw); err != nil {
			return err
		}
		h.meta.put(nodes[i].ID, raw)
		return nil
	})
	return out, err
}

// ids is the patch-id work on one commit.
type ids struct {
	commit *object.Commit
	files  []filePair
	entry  cacheEntry
}

// parallel runs fn over items with h.workers goroutines, each with its own
// object store; the first error stops the rest.
func (h *History) parallel(ctx context.Context, n int, fn func(s storer.EncodedObjectStorer, i int) error) error {
	if n == 0 {
		return nil
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     int
	)
	take := func() int {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || next >= n {
			return -1
		}
		next++
		return next - 1
	}
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	for w := 0; w < min(h.workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := h.getStorer()
			if err != nil {
				fail(err)
				return
			}
			defer h.putStorer(s)
			for i := take(); i >= 0; i = take() {
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if err := fn(s, i); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// headerIDs returns each commit's metadata and header patch-id, from the
// caches or by reading the commit and diffing its trees.
func (h *History) headerIDs(ctx context.Context, nodes []*Node) ([]*ids, error) {
	metas, err := h.Commits(ctx, nodes)
	if err != nil {
		return nil, err
	}
	out := make([]*ids, len(nodes))
	var miss []int
	for i, n := range nodes {
		e, err := h.cache.get(n.ID)
		if err != nil {
			return nil, err
		}
		out[i] = &ids{commit: metas[i], entry: e}
		if !e.hasHeader {
			miss = append(miss, i)
		}
	}
	err = h.parallel(ctx, len(miss), func(s storer.EncodedObjectStorer, k int) error {
		w := out[miss[k]]
		var err error
		if w.files, err = h.commitDiff(s, w.commit); err != nil {
			return fmt.Errorf("diff %s: %w", w.commit.Hash, err)
		}
		w.entry.header = HeaderID(w.files)
		w.entry.hasHeader = true
		h.cache.put(w.commit.Hash, w.entry)
		return nil
	})
	return out, err
}

// fullIDs fills in the full patch-id of each item.
func (h *History) fullIDs(ctx context.Context, items []*ids) error {
	return h.parallel(ctx, len(items), func(s storer.EncodedObjectStorer, i int) error {
		w := items[i]
		if w.entry.hasFull {
			return nil
		}
		if e, err := h.cache.get(w.commit.Hash); err == nil && e.hasFull {
			w.entry = e
			return nil
		}
		var err error
		if w.files == nil {
			if w.files, err = h.commitDiff(s, w.commit); err != nil {
				return fmt.Errorf("diff %s: %w", w.commit.Hash, err)
			}
		}
		if w.entry.full, err = FullID(s, w.files); err != nil {
			return fmt.Errorf("patch-id of %s: %w", w.commit.Hash, err)
		}
		w.entry.hasFull = true
		h.cache.put(w.commit.Hash, w.entry)
		return nil
	})
}

// commitDiff lists a commit's changed files against its first parent,
// taking the parent's tree from the commit-graph when it has it rather than
// reading the parent commit.
func (h *History) commitDiff(s storer.EncodedObjectStorer, c *object.Commit) ([]filePair, error) {
	parentTree := plumbing.ZeroHash
	if len(c.ParentHashes) > 0 {
		p, err := h.graph.Node(c.ParentHashes[0])
		if err != nil {
			return nil, err
		}
		parentTree = p.Tree
	}
	return diffTrees(s, parentTree, c.TreeHash, "", nil)
}

// PatchID returns the patch-id of a commit (a merge has none: ok false).
func (h *History) PatchID(ctx context.Context, id plumbing.Hash) (PatchID, bool, error) {
	n, err := h.graph.Node(id)
	if err != nil {
		return PatchID{}, false, err
	}
	if len(n.Parents) > 1 {
		return PatchID{}, false, nil
	}
	items, err := h.headerIDs(ctx, []*Node{n})
	if err != nil {
		return PatchID{}, false, err
	}
	if err := h.fullIDs(ctx, items); err != nil {
		return PatchID{}, false, err
	}
	return items[0].entry.full, true, h.Flush()
}

// How says how a commit was found to be carried.
type How string

const (
	HowPatchID How = "patch-id"
	HowTrailer How = "trailer"
)

// Carry links a commit of the upstream side to its copy on the other side.
type Carry struct {
	From, To *object.Commit
	How      How
}

// Cherry is the comparison of two refs, as git cherry makes it in both
// directions, plus cherry-pick trailers.
type Cherry struct {
	// Pending are the non-merge commits of from..to's "from" side that
	// are not carried, oldest first.
	Pending []*object.Commit
	// Carried are the from-side commits found on the to side.
	Carried []Carry
	// OnlyInTo are the non-merge commits on the to side that match no
	// from-side commit, oldest first.
	OnlyInTo []*object.Commit
	// Merges counts the merge commits of each side, which are not compared.
	MergesFrom, MergesTo int
}

var pickedRE = regexp.MustCompile(`(?m)^\(cherry picked from commit ([0-9a-f]{40})\)\s*$`)

// PickedFrom returns the ids named by "(cherry picked from commit …)" lines
// of a message.
func PickedFrom(msg string) []plumbing.Hash {
	if !strings.Contains(msg, "(cherry picked from commit ") {
		return nil
	}
	var out []plumbing.Hash
	for _, m := range pickedRE.FindAllStringSubmatch(msg, -1) {
		out = append(out, plumbing.NewHash(m[1]))
	}
	return out
}

// Compare computes what from has that to lacks and the reverse. A from-side
// commit is carried when a to-side commit has the same patch-id (exactly
// git cherry's rule, so empty commits match each other) or when a commit
// of one side names the other in a cherry-pick trailer.
func (h *History) Compare(ctx context.Context, from, to plumbing.Hash) (*Cherry, error) {
	onlyFrom, onlyTo, err := h.split(ctx, from, to)
	if err != nil {
		return nil, err
	}
	res := &Cherry{}
	nonMerge := func(ns []*Node, merges *int) []*Node {
		// git lists by commit date (newest first) where the walk order
		// by generation would differ; commits of a topic merged late keep
		// their own dates.
		sort.SliceStable(ns, func(i, j int) bool { return ns[i].When > ns[j].When })
		var out []*Node
		for i := len(ns) - 1; i >= 0; i-- { // oldest first
			if len(ns[i].Parents) > 1 {
				*merges++
				continue
			}
			out = append(out, ns[i])
		}
		return out
	}
	fromNodes := nonMerge(onlyFrom, &res.MergesFrom)
	toNodes := nonMerge(onlyTo, &res.MergesTo)
	fromIDs, err := h.headerIDs(ctx, fromNodes)
	if err != nil {
		return nil, err
	}
	toIDs, err := h.headerIDs(ctx, toNodes)
	if err != nil {
		return nil, err
	}
	// Full ids only where header ids collide, as git does.
	byHeader := map[PatchID][]*ids{}
	for _, w := range toIDs {
		byHeader[w.entry.header] = append(byHeader[w.entry.header], w)
	}
	need := map[*ids]bool{}
	var needList []*ids
	for _, w := range fromIDs {
		if ms := byHeader[w.entry.header]; len(ms) > 0 {
			for _, x := range append([]*ids{w}, ms...) {
				if !need[x] {
					need[x] = true
					needList = append(needList, x)
				}
			}
		}
	}
	if err := h.fullIDs(ctx, needList); err != nil {
		return nil, err
	}
	if err := h.Flush(); err != nil {
		return nil, err
	}
	toByFull := map[PatchID][]*ids{}
	for _, w := range toIDs {
		if need[w] {
			toByFull[w.entry.full] = append(toByFull[w.entry.full], w)
		}
	}
	fromByFull := map[PatchID]bool{}
	carriedAs := map[plumbing.Hash]Carry{}
	for _, w := range fromIDs {
		if !need[w] {
			continue
		}
		fromByFull[w.entry.full] = true
		if ms := toByFull[w.entry.full]; len(ms) > 0 {
			carriedAs[w.commit.Hash] = Carry{From: w.commit, To: ms[0].commit, How: HowPatchID}
		}
	}
	matchedTo := map[plumbing.Hash]bool{}
	for _, w := range toIDs {
		if need[w] && fromByFull[w.entry.full] {
			matchedTo[w.commit.Hash] = true
		}
	}
	fromByID := map[plumbing.Hash]*object.Commit{}
	for _, w := range fromIDs {
		fromByID[w.commit.Hash] = w.commit
	}
	toByID := map[plumbing.Hash]*object.Commit{}
	for _, w := range toIDs {
		toByID[w.commit.Hash] = w.commit
	}
	// Trailers on the to side naming from-side commits (picks whose patch
	// changed while a conflict was resolved).
	for _, w := range toIDs {
		for _, src := range PickedFrom(w.commit.Message) {
			fc, ok := fromByID[src]
			if !ok {
				continue
			}
			matchedTo[w.commit.Hash] = true
			if _, done := carriedAs[src]; !done {
				carriedAs[src] = Carry{From: fc, To: w.commit, How: HowTrailer}
			}
		}
	}
	// And on the from side naming to-side commits (a fix committed
	// downstream and carried upstream with -x).
	for _, w := range fromIDs {
		for _, src := range PickedFrom(w.commit.Message) {
			tc, ok := toByID[src]
			if !ok {
				continue
			}
			matchedTo[src] = true
			if _, done := carriedAs[w.commit.Hash]; !done {
				carriedAs[w.commit.Hash] = Carry{From: w.commit, To: tc, How: HowTrailer}
			}
		}
	}
	for _, w := range fromIDs {
		if c, ok := carriedAs[w.commit.Hash]; ok {
			res.Carried = append(res.Carried, c)
		} else {
			res.Pending = append(res.Pending, w.commit)
		}
	}
	for _, w := range toIDs {
		if !matchedTo[w.commit.Hash] {
			res.OnlyInTo = append(res.OnlyInTo, w.commit)
		}
	}
	return res, nil
}
