package merge

import (
	"fmt"
	"path"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
)

// maxScore is the scale of similarity scores (git's MAX_SCORE).
const maxScore = 60000

// renames detects, for each side, renames of files the other side changed
// (only those matter to the merge) and renames of directories holding
// paths the other side added, then re-keys the affected paths.
func (m *treeMerge) renames() error {
	var pairs [3]map[string]string // side → source → target
	var dirRen [3]map[string]string
	for _, side := range []int{sOurs, sTheirs} {
		other := 3 - side
		relevant := map[string]bool{}
		for p, t := range m.files {
			if !t.e[sBase].Absent() && t.e[side].Absent() && !t.e[other].same(t.e[sBase]) {
				relevant[p] = true
			}
		}
		cands, err := m.dirCandidates(side)
		if err != nil {
			return err
		}
		if len(relevant) == 0 && len(cands) == 0 {
			continue
		}
		// Targets may sit in directories only this side changed: walk them.
		if err := m.expandSide(side, nil); err != nil {
			return err
		}
		if len(cands) > 0 && len(m.sameAdds) > 0 {
			// Files both sides added alike may be this side's renames.
			same := m.sameAdds
			m.sameAdds = nil
			m.expandSame = true
			for _, d := range same {
				if err := m.walkDir(d.path, d.trees); err != nil {
					m.expandSame = false
					return err
				}
			}
			m.expandSame = false
		}
		if len(cands) > 0 {
			// Every file of a removed directory tells where it went.
			if err := m.readRemoved(side, func(p string) bool { return underAny(p, cands) }); err != nil {
				return err
			}
		}

		var sources, targets []string
		for p, t := range m.files {
			if !t.e[sBase].Absent() && t.e[side].Absent() && fileKind(t.e[sBase].Mode) != 3 {
				sources = append(sources, p)
				if len(cands) > 0 && underAny(p, cands) {
					relevant[p] = true
				}
			}
			if t.e[sBase].Absent() && !t.e[side].Absent() && fileKind(t.e[side].Mode) != 3 {
				targets = append(targets, p)
			}
		}
		sort.Strings(sources)
		sort.Strings(targets)
		ps, err := m.pairRenames(side, sources, targets, relevant)
		if err != nil {
			return err
		}
		pairs[side] = ps
		if len(cands) > 0 {
			dirRen[side] = m.dirRenames(ps, cands)
		}
	}
	if err := m.applyDirRenames(dirRen, &pairs); err != nil {
		return err
	}
	return m.applyRenames(pairs)
}

// expandSide walks the subtrees only side changed (those under one of
// dirs, when dirs is not nil) so that their files become records.
func (m *treeMerge) expandSide(side int, dirs map[string]bool) error {
	m.expand[side] = true
	m.hiding = true
	defer func() { m.expand[side], m.hiding = false, false }()
	var keep []deferral
	defers := m.defers
	m.defers = nil
	for _, d := range defers {
		if d.side != side || (dirs != nil && !underAny(d.path, dirs)) {
			keep = append(keep, d)
			continue
		}
		if err := m.walkDir(d.path, d.trees); err != nil {
			return err
		}
	}
	m.defers = append(keep, m.defers...)
	return nil
}

// pairRenames matches deleted sources with added targets of one side:
// identical contents first, then files with the same unique base name,
// then the best remaining similarity scores.
func (m *treeMerge) pairRenames(side int, sources, targets []string, relevant map[string]bool) (map[string]string, error) {
	out := map[string]string{}
	usedT := map[string]bool{}
	usedS := map[string]bool{}
	entry := func(p string, s int) (plumbing.Hash, bool) {
		e := m.files[p].e[s]
		return e.Hash, fileKind(e.Mode) == 1
	}
	// Exact renames, over the deleted files git sees: not those inside
	// a subtree only this side changed (git takes it whole).
	bySrc := map[plumbing.Hash][]string{}
	for _, s := range sources {
		h, _ := entry(s, sBase)
		if h == emptyBlob || m.files[s].hidden {
			continue
		}
		bySrc[h] = append(bySrc[h], s)
	}
	for _, t := range targets {
		h, _ := entry(t, side)
		cands := bySrc[h]
		best := ""
		for _, s := range cands {
			if usedS[s] || fileKind(m.files[s].e[sBase].Mode) != fileKind(m.files[t].e[side].Mode) {
				continue
			}
			if best == "" || (path.Base(s) == path.Base(t) && path.Base(best) != path.Base(t)) {
				best = s
			}
		}
		if best != "" {
			out[best] = t
			usedS[best] = true
			usedT[t] = true
		}
	}

	// Inexact renames, only for sources the merge cares about.
	var srcs, dsts []string
	for _, s := range sources {
		if !usedS[s] && relevant[s] {
			if _, reg := entry(s, sBase); reg {
				srcs = append(srcs, s)
			}
		}
	}
	for _, t := range targets {
		if !usedT[t] {
			if _, reg := entry(t, side); reg {
				dsts = append(dsts, t)
			}
		}
	}
	if len(srcs) == 0 || len(dsts) == 0 {
		return out, nil
	}
	threshold := m.opts.RenameThreshold
	if threshold == 0 {
		threshold = 50
	}
	minScore := threshold * maxScore / 100

	sigs := map[string]*signature{}
	sig := func(p string, s int) (*signature, error) {
		key := p + "\x00" + string(rune('0'+s))
		if g, ok := sigs[key]; ok {
			return g, nil
		}
		data, err := m.blob(m.files[p].e[s].Hash)
		if err != nil {
			return nil, err
		}
		g := newSignature(data)
		sigs[key] = g
		return g, nil
	}

	// Sizes alone rule most pairs out; they are known without reading
	// the blobs.
	sizes := map[plumbing.Hash]int64{}
	size := func(p string, s int) (int64, error) {
		h := m.files[p].e[s].Hash
		if n, ok := sizes[h]; ok {
			return n, nil
		}
		if b, ok := m.blobs[h]; ok {
			sizes[h] = int64(len(b))
			return int64(len(b)), nil
		}
		n, err := m.s.EncodedObjectSize(h)
		if err != nil {
			return 0, fmt.Errorf("size of blob %s: %w", h, err)
		}
		sizes[h] = n
		return n, nil
	}
	sizeOK := func(src, dst string) (bool, error) {
		a, err := size(src, sBase)
		if err != nil {
			return false, err
		}
		b, err := size(dst, side)
		if err != nil {
			return false, err
		}
		return sizesAllow(a, b, minScore), nil
	}

	// Same base name, unique on both sides.
	baseCount := func(ps []string) map[string]int {
		c := map[string]int{}
		for _, p := range ps {
			c[path.Base(p)]++
		}
		return c
	}
	sc, dc := baseCount(srcs), baseCount(dsts)
	dstByBase := map[string]string{}
	for _, t := range dsts {
		dstByBase[path.Base(t)] = t
	}
	basenameMin := minScore + (maxScore-minScore)/2
	for _, s := range srcs {
		bn := path.Base(s)
		if sc[bn] != 1 || dc[bn] != 1 {
			continue
		}
		t := dstByBase[bn]
		if ok, err := sizeOK(s, t); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		a, err := sig(s, sBase)
		if err != nil {
			return nil, err
		}
		b, err := sig(t, side)
		if err != nil {
			return nil, err
		}
		if similarity(a, b, minScore) >= basenameMin {
			out[s] = t
			usedS[s] = true
			usedT[t] = true
		}
	}

	// Full matrix: keep each target's four best sources, then assign
	// greedily by descending score (same base name first on ties).
	type cand struct {
		src, dst string
		score    int
		sameName bool
		order    int
	}
	var all []cand
	for _, t := range dsts {
		if usedT[t] {
			continue
		}
		var b *signature
		var best []cand
		for _, s := range srcs {
			if usedS[s] {
				continue
			}
			if ok, err := sizeOK(s, t); err != nil {
				return nil, err
			} else if !ok {
				continue
			}
			if b == nil {
				var err error
				if b, err = sig(t, side); err != nil {
					return nil, err
				}
			}
			a, err := sig(s, sBase)
			if err != nil {
				return nil, err
			}
			sc := similarity(a, b, minScore)
			if sc < minScore {
				continue
			}
			c := cand{src: s, dst: t, score: sc, sameName: path.Base(s) == path.Base(t)}
			if len(best) < 4 {
				best = append(best, c)
				continue
			}
			worst := 0
			for i := range best {
				if best[i].score < best[worst].score {
					worst = i
				}
			}
			if c.score > best[worst].score {
				best[worst] = c
			}
		}
		for _, c := range best {
			c.order = len(all)
			all = append(all, c)
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		return all[i].sameName && !all[j].sameName
	})
	for _, c := range all {
		if usedS[c.src] || usedT[c.dst] {
			continue
		}
		out[c.src] = c.dst
		usedS[c.src] = true
		usedT[c.dst] = true
	}
	return out, nil
}

// emptyBlob is the hash of the empty blob; empty files never pair as
// renames.
var emptyBlob = plumbing.NewHash("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")

// applyRenames folds each rename's source record into its target path.
// A rename onto a path the other side also added, or also renamed a file
// to, is first merged on its own; the two versions then meet as an
// add/add, as in git.
func (m *treeMerge) applyRenames(pairs [3]map[string]string) error {
	// Targets both sides put something at.
	collide := map[string]bool{}
	for _, side := range []int{sOurs, sTheirs} {
		other := 3 - side
		for src, dst := range pairs[side] {
			if odst, ok := pairs[other][src]; ok && odst == dst {
				continue
			}
			d := m.files[dst]
			if d != nil && d.e[sBase].Absent() && !d.e[other].Absent() {
				collide[dst] = true
			}
		}
	}
	for _, side := range []int{sOurs, sTheirs} {
		other := 3 - side
		srcs := make([]string, 0, len(pairs[side]))
		for src := range pairs[side] {
			srcs = append(srcs, src)
		}
		sort.Strings(srcs)
		for _, src := range srcs {
			dst := pairs[side][src]
			s, d := m.files[src], m.files[dst]
			if s == nil || d == nil {
				continue
			}
			if odst, ok := pairs[other][src]; ok {
				if side == sTheirs {
					continue // handled from the ours side
				}
				od := m.files[odst]
				if odst == dst {
					d.e[sBase] = s.e[sBase]
					d.names[sBase] = src
					delete(m.files, src)
					continue
				}
				if od == nil {
					continue
				}
				// rename/rename: one source, two targets. Both targets get
				// the merged content; the base stays at the source path.
				merged := &tri{e: [3]Entry{s.e[sBase], d.e[sOurs], od.e[sTheirs]},
					names: [3]string{src, dst, odst}, orig: src, markerSize: markerSize + 1}
				if err := m.renameRename(src, dst, odst, merged); err != nil {
					return err
				}
				continue
			}
			if collide[dst] {
				// Merge this side's rename by itself; its result is this
				// side's version of dst.
				v := d.e[side]
				if !s.e[other].Absent() {
					// Longer markers keep its conflicts apart from the
					// add/add's.
					t := &tri{e: [3]Entry{s.e[sBase], {}, {}}, names: [3]string{src, src, src}, markerSize: markerSize + 1}
					t.e[side], t.names[side] = d.e[side], dst
					t.e[other] = s.e[other]
					rs, err := m.resolveFile(dst, t)
					if err != nil {
						return err
					}
					v = rs[0].result
				}
				d.e[side] = v
				d.orig = src
				delete(m.files, src)
				continue
			}
			d.e[sBase] = s.e[sBase]
			d.names[sBase] = src
			d.e[other] = s.e[other]
			d.names[other] = src
			d.orig = src
			if s.e[other].Absent() {
				d.renameKind = "rename/delete"
			}
			delete(m.files, src)
		}
	}
	return nil
}

// renameRename records a rename of one file to two different paths: the
// merged content goes to both, the base stays at the source.
func (m *treeMerge) renameRename(src, dstO, dstT string, t *tri) error {
	rs, err := m.resolveFile(dstO, t)
	if err != nil {
		return err
	}
	ours, theirs := t.e[sOurs], t.e[sTheirs]
	if r := rs[0].result; !r.Absent() && fileKind(ours.Mode) == 1 && fileKind(theirs.Mode) == 1 {
		ours = Entry{Path: dstO, Mode: r.Mode, Hash: r.Hash}
		theirs = Entry{Path: dstT, Mode: r.Mode, Hash: r.Hash}
	}
	delete(m.files, src)
	m.files[dstO] = &tri{e: [3]Entry{{}, ours, {}}, names: t.names, orig: src, renameKind: "rename/rename"}
	m.files[dstT] = &tri{e: [3]Entry{{}, {}, theirs}, names: t.names, orig: src, renameKind: "rename/rename"}
	m.files[src] = &tri{e: [3]Entry{t.e[sBase], {}, {}}, names: t.names, orig: src, renameKind: "rename/rename"}
	return nil
}

// signature is a file's content broken into chunks (a line, or 64 bytes
// of a longer line), each hashed into one of spanBuckets buckets, with
// the number of bytes each bucket covers: the measure git's rename
// detection compares. Chunks that share a bucket count as equal, as in
// git.
type signature struct {
	size   int
	chunks map[uint32]int
}

// spanBuckets is the number of buckets chunks are hashed into (a prime
// just under 2^17).
const spanBuckets = 107927

func newSignature(data []byte) *signature {
	g := &signature{size: len(data), chunks: map[uint32]int{}}
	text := !IsBinary(data)
	// The chunk's hash is a 64-bit value, kept as two 32-bit halves,
	// rotated left by 7 bits before each byte is added to its low half.
	var lo, hi uint32
	n := 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if text && c == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			continue
		}
		lo, hi = lo<<7|hi>>25, hi<<7|lo>>25
		lo += uint32(c)
		n++
		if n < 64 && c != '\n' {
			continue
		}
		g.chunks[(lo+hi*0x61)%spanBuckets] += n
		lo, hi, n = 0, 0, 0
	}
	if n > 0 {
		g.chunks[(lo+hi*0x61)%spanBuckets] += n
	}
	return g
}

// sizesAllow reports whether files of these sizes could reach minScore:
// the smaller must be large enough a part of the larger, and the
// destination not empty.
func sizesAllow(src, dst int64, minScore int) bool {
	maxSize, baseSize := max(src, dst), min(src, dst)
	if dst == 0 || maxSize == 0 {
		return false
	}
	return maxSize*int64(maxScore-minScore) >= (maxSize-baseSize)*maxScore
}

// similarity scores two signatures on the 0..maxScore scale: the bytes of
// the destination copied from the source over the larger size. Pairs
// whose sizes alone rule out minScore score 0.
func similarity(src, dst *signature, minScore int) int {
	maxSize, baseSize := src.size, dst.size
	if maxSize < baseSize {
		maxSize, baseSize = baseSize, maxSize
	}
	if dst.size == 0 || maxSize == 0 {
		return 0
	}
	if maxSize*(maxScore-minScore) < (maxSize-baseSize)*maxScore {
		return 0
	}
	copied := 0
	for k, n := range src.chunks {
		if d, ok := dst.chunks[k]; ok {
			copied += min(n, d)
		}
	}
	return int(int64(copied) * maxScore / int64(maxSize))
}
