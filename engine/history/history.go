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

// headerIDs returns each commit's metadata, header patch-id and blobs key,
// from the caches or by reading the commit and diffing its trees (taken
// from the commit-graph nodes, so both run in one parallel pass).
func (h *History) headerIDs(ctx context.Context, nodes []*Node) ([]*ids, error) {
	out := make([]*ids, len(nodes))
	var todo []int
	for i, n := range nodes {
		e, err := h.cache.get(n.ID)
		if err != nil {
			return nil, err
		}
		w := &ids{entry: e}
		out[i] = w
		if raw := h.meta.get(n.ID); raw != nil {
			if w.commit, err = decodeCommit(h.shared, n.ID, raw); err != nil {
				return nil, err
			}
		}
		if w.commit == nil || !e.hasHeader || !e.hasBlobs {
			todo = append(todo, i)
		}
	}
	err := h.parallel(ctx, len(todo), func(s storer.EncodedObjectStorer, k int) error {
		n, w := nodes[todo[k]], out[todo[k]]
		if w.commit == nil {
			raw, err := rawCommit(s, n.ID)
			if err != nil {
				return err
			}
			if w.commit, err = decodeCommit(h.shared, n.ID, raw); err != nil {
				return err
			}
			h.meta.put(n.ID, raw)
		}
		if w.entry.hasHeader && w.entry.hasBlobs {
			return nil
		}
		var err error
		if w.files, err = h.treeDiff(s, n.Tree, n.Parents); err != nil {
			return fmt.Errorf("diff %s: %w", n.ID, err)
		}
		w.entry.header = HeaderID(w.files)
		w.entry.blobs = blobsKey(w.files)
		w.entry.hasHeader, w.entry.hasBlobs = true, true
		h.cache.put(n.ID, w.entry)
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
			if w.files, err = h.treeDiff(s, w.commit.TreeHash, w.commit.ParentHashes); err != nil {
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

// treeDiff lists a commit's changed files against its first parent,
// taking the parent's tree from the commit-graph when it has it rather than
// reading the parent commit.
func (h *History) treeDiff(s storer.EncodedObjectStorer, tree plumbing.Hash, parents []plumbing.Hash) ([]filePair, error) {
	parentTree := plumbing.ZeroHash
	if len(parents) > 0 {
		p, err := h.graph.Node(parents[0])
		if err != nil {
			return nil, err
		}
		parentTree = p.Tree
	}
	return diffTrees(s, parentTree, tree, "", nil)
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
	both, err := h.headerIDs(ctx, append(append([]*Node{}, fromNodes...), toNodes...))
	if err != nil {
		return nil, err
	}
	fromIDs, toIDs := both[:len(fromNodes)], both[len(fromNodes):]
	// Full ids only where header ids collide, as git does, and there only
	// between commits whose blobs differ: commits with the same blobs key
	// have the same patch-id, and one full id serves each key.
	byHeader := map[PatchID][]*ids{}
	for _, w := range toIDs {
		byHeader[w.entry.header] = append(byHeader[w.entry.header], w)
	}
	// A class is a header id and either the group's one blobs key or a
	// full id: commits of the same class have the same patch-id.
	type class struct{ header, id PatchID }
	classOf := map[*ids]class{}
	var reps []*ids              // one commit per blobs key needing a full id
	members := map[*ids][]*ids{} // the commits sharing a rep's blobs key
	done := map[PatchID]bool{}
	for _, w := range fromIDs {
		hd := w.entry.header
		if done[hd] || len(byHeader[hd]) == 0 {
			continue
		}
		done[hd] = true
		// The group: every commit of either side with this header id.
		var group []*ids
		for _, x := range fromIDs {
			if x.entry.header == hd {
				group = append(group, x)
			}
		}
		group = append(group, byHeader[hd]...)
		byBlobs := map[PatchID][]*ids{}
		var keys []PatchID
		for _, x := range group {
			if len(byBlobs[x.entry.blobs]) == 0 {
				keys = append(keys, x.entry.blobs)
			}
			byBlobs[x.entry.blobs] = append(byBlobs[x.entry.blobs], x)
		}
		if len(keys) == 1 {
			for _, x := range group {
				classOf[x] = class{hd, keys[0]}
			}
			continue
		}
		for _, k := range keys {
			ms := byBlobs[k]
			rep := ms[0]
			for _, x := range ms {
				if x.entry.hasFull {
					rep = x
					break
				}
			}
			reps = append(reps, rep)
			members[rep] = ms
		}
	}
	if err := h.fullIDs(ctx, reps); err != nil {
		return nil, err
	}
	for _, rep := range reps {
		for _, x := range members[rep] {
			classOf[x] = class{rep.entry.header, rep.entry.full}
			if !x.entry.hasFull {
				x.entry.full, x.entry.hasFull = rep.entry.full, true
				h.cache.put(x.commit.Hash, x.entry)
			}
		}
	}
	if err := h.Flush(); err != nil {
		return nil, err
	}
	toByClass := map[class][]*ids{}
	for _, w := range toIDs {
		if c, ok := classOf[w]; ok {
			toByClass[c] = append(toByClass[c], w)
		}
	}
	fromClasses := map[class]bool{}
	carriedAs := map[plumbing.Hash]Carry{}
	for _, w := range fromIDs {
		c, ok := classOf[w]
		if !ok {
			continue
		}
		fromClasses[c] = true
		if ms := toByClass[c]; len(ms) > 0 {
			carriedAs[w.commit.Hash] = Carry{From: w.commit, To: ms[0].commit, How: HowPatchID}
		}
	}
	matchedTo := map[plumbing.Hash]bool{}
	for _, w := range toIDs {
		if c, ok := classOf[w]; ok && fromClasses[c] {
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
