package merge

// An Edit replaces the lines A[A0:A1] of the old file with the lines
// B[B0:B1] of the new one. Either range may be empty (pure insertion or
// pure deletion) but never both.
type Edit struct {
	A0, A1 int
	B0, B1 int
}

// Diff compares two sequences of lines (each line normally including its
// terminating newline) and returns the edits that turn a into b, in order.
// It uses the histogram algorithm, falling back to Myers on regions where
// every common line is too frequent, and then slides each hunk the way git
// does so that hunks line up with the other side's changes.
func Diff(a, b [][]byte) []Edit {
	var in interner
	ia, ib := in.lines(a), in.lines(b)
	return diffIDs(ia, ib, in.n)
}

// interner maps line contents to small dense integers so that the diff
// algorithms compare ints instead of byte slices.
type interner struct {
	ids map[string]int
	n   int
}

func (in *interner) lines(ls [][]byte) []int {
	if in.ids == nil {
		in.ids = make(map[string]int)
	}
	out := make([]int, len(ls))
	for i, l := range ls {
		id, ok := in.ids[string(l)]
		if !ok {
			id = in.n
			in.n++
			in.ids[string(l)] = id
		}
		out[i] = id
	}
	return out
}

// diffIDs diffs two sequences of class ids drawn from [0, nclass).
func diffIDs(a, b []int, nclass int) []Edit {
	ca, cb := changes(a, b, nclass)
	compact(a, ca, cb)
	compact(b, cb, ca)
	return script(ca, cb)
}

// changes marks, for each line of a and b, whether it is changed (deleted
// from a, or inserted into b).
func changes(a, b []int, nclass int) (ca, cb []bool) {
	h := histogram{
		a: a, b: b,
		ca: make([]bool, len(a)+1), cb: make([]bool, len(b)+1),
		cnt:   make([]int32, nclass),
		first: make([]int32, nclass),
		stamp: make([]int32, nclass),
		next:  make([]int32, len(a)),
	}
	h.diff(0, len(a), 0, len(b))
	return h.ca[:len(a)], h.cb[:len(b)]
}

// maxOccurrences is the histogram algorithm's give-up point: when every
// line common to both regions occurs more often than this in the old
// region, the region is diffed with Myers instead.
const maxOccurrences = 64

// histogram holds the state of one histogram diff. Index arrays are
// reused across recursion levels; stamp tells which level filled an entry.
type histogram struct {
	a, b   []int
	ca, cb []bool

	cnt   []int32 // occurrences of a class in the current old region
	first []int32 // first position of a class in the current old region
	stamp []int32 // generation that last wrote cnt/first for a class
	next  []int32 // next position of the same class in the old region, or -1
	gen   int32
}

// diff marks changes for a[a0:a1] against b[b0:b1].
func (h *histogram) diff(a0, a1, b0, b1 int) {
	for {
		if a0 == a1 {
			markRange(h.cb, b0, b1)
			return
		}
		if b0 == b1 {
			markRange(h.ca, a0, a1)
			return
		}
		r, ok, fallback := h.lcs(a0, a1, b0, b1)
		if fallback {
			myersRegion(h.a, h.b, h.ca, h.cb, a0, a1, b0, b1)
			return
		}
		if !ok {
			markRange(h.ca, a0, a1)
			markRange(h.cb, b0, b1)
			return
		}
		h.diff(a0, r.A0, b0, r.B0)
		a0, b0 = r.A1, r.B1
	}
}

func markRange(c []bool, i, j int) {
	for ; i < j; i++ {
		c[i] = true
	}
}

// lcs finds, scanning the new region from the top, the common run of
// lines that is either longer than the best so far or whose rarest line is
// less frequent in the old region. The returned Edit holds the
// half-open bounds of the run on both sides.
func (h *histogram) lcs(a0, a1, b0, b1 int) (run Edit, found, fallback bool) {
	h.gen++
	g := h.gen
	for i := a1 - 1; i >= a0; i-- {
		c := h.a[i]
		if h.stamp[c] != g {
			h.stamp[c] = g
			h.cnt[c] = 0
			h.next[i] = -1
		} else {
			h.next[i] = h.first[c]
		}
		h.first[c] = int32(i)
		h.cnt[c]++
	}
	occ := func(c int) int32 {
		if h.stamp[c] != g {
			return 0
		}
		return h.cnt[c]
	}

	best := int32(maxOccurrences + 1)
	common := false
	for bp := b0; bp < b1; {
		c := h.b[bp]
		n := occ(c)
		nextB := bp + 1
		if n == 0 {
			bp = nextB
			continue
		}
		common = true
		if n > best {
			bp = nextB
			continue
		}
		for ap := int(h.first[c]); ; {
			as, bs := ap, bp
			ae, be := ap, bp // inclusive ends
			rc := n
			for as > a0 && bs > b0 && h.a[as-1] == h.b[bs-1] {
				as--
				bs--
				if rc > 1 {
					rc = min(rc, h.cnt[h.a[as]])
				}
			}
			for ae+1 < a1 && be+1 < b1 && h.a[ae+1] == h.b[be+1] {
				ae++
				be++
				if rc > 1 {
					rc = min(rc, h.cnt[h.a[ae]])
				}
			}
			if nextB <= be {
				nextB = be + 1
			}
			if !found || run.A1-run.A0 < ae+1-as || rc < best {
				run = Edit{A0: as, A1: ae + 1, B0: bs, B1: be + 1}
				best = rc
				found = true
			}
			np := h.next[ap]
			for np >= 0 && int(np) <= ae {
				np = h.next[np]
			}
			if np < 0 {
				break
			}
			ap = int(np)
		}
		bp = nextB
	}
	if common && best > maxOccurrences {
		return Edit{}, false, true
	}
	return run, found, false
}

// Fallback: the classic diff, as xdiff runs it on a region the histogram
// gave up on. Its published heuristics (those of GNU diff) change the
// result, so they are reproduced:
//
//   - common leading and trailing lines are set aside;
//   - a line with no equal in the other region is changed outright; a line
//     with many equals there (at least about the square root of the
//     region's size, a power of two, at most 1024) is changed too when it
//     sits in a run of such lines that also holds unmatched lines before
//     and after it, and matched-too-often lines make up less than a
//     quarter of that run (looking at most 100 lines each way);
//   - Myers' O(ND) search runs on the remaining lines, from both ends;
//     once a cost of 256 is passed and a diagonal carries a snake of more
//     than 20 lines far enough ahead, the box is split there; once the cost
//     reaches about the square root of the size (at least 256), the box is
//     split at the furthest-reaching diagonal and the rest is diffed
//     without searching for the minimum.
const (
	snakeLen   = 20   // a snake longer than this is a good one
	heurCost   = 256  // cost after which good snakes split the box
	minMaxCost = 256  // lower bound of the cost cutoff
	heurFactor = 4    // a split point must beat heurFactor×cost
	eqLimit    = 1024 // upper bound of "too many equals"
	scanWindow = 100  // lines looked at around a matched-too-often line
	keepRun    = 4    // such lines must be less than 1/keepRun of the run
)

// powSqrt is a rough square root: 2^k, k = 1 + floor(log4 n).
func powSqrt(n int) int {
	r := 1
	for ; n > 0; n >>= 2 {
		r <<= 1
	}
	return r
}

// myersRegion marks changes for a[a0:a1] against b[b0:b1] with the
// classic diff and its heuristics.
func myersRegion(a, b []int, ca, cb []bool, a0, a1, b0, b1 int) {
	cntA, cntB := map[int]int{}, map[int]int{}
	for _, c := range a[a0:a1] {
		cntA[c]++
	}
	for _, c := range b[b0:b1] {
		cntB[c]++
	}
	s1, s2, e1, e2 := a0, b0, a1, b1
	for s1 < e1 && s2 < e2 && a[s1] == b[s2] {
		s1++
		s2++
	}
	for s1 < e1 && s2 < e2 && a[e1-1] == b[e2-1] {
		e1--
		e2--
	}
	xa, ia := keepLines(a, ca, s1, e1, cntB, min(powSqrt(a1-a0), eqLimit))
	xb, ib := keepLines(b, cb, s2, e2, cntA, min(powSqrt(b1-b0), eqLimit))
	n := len(xa) + len(xb) + 3
	m := myers{a: xa, b: xb, ia: ia, ib: ib, ca: ca, cb: cb,
		vf: make([]int, n), vb: make([]int, n), off: len(xb) + 1}
	m.maxCost = max(powSqrt(n), minMaxCost)
	m.compare(0, len(xa), 0, len(xb), false)
}

// keepLines marks the lines of x[s:e] the classic diff discards as
// changed and returns the others (and their positions).
func keepLines(x []int, cx []bool, s, e int, otherCount map[int]int, limit int) ([]int, []int) {
	const (
		unmatched = iota
		matched
		tooMany
	)
	kind := make([]byte, e-s)
	for i := s; i < e; i++ {
		switch n := otherCount[x[i]]; {
		case n == 0:
			kind[i-s] = unmatched
		case n >= limit:
			kind[i-s] = tooMany
		default:
			kind[i-s] = matched
		}
	}
	// discard tells whether a matched-too-often line at i goes.
	discard := func(i int) bool {
		lo, hi := max(0, i-scanWindow), min(len(kind)-1, i+scanWindow)
		run := func(step, bound int) (none, many int) {
			for j := i + step; (step < 0 && j >= bound) || (step > 0 && j <= bound); j += step {
				switch kind[j] {
				case unmatched:
					none++
				case tooMany:
					many++
				default:
					return
				}
			}
			return
		}
		noneBefore, manyBefore := run(-1, lo)
		if noneBefore == 0 {
			return false
		}
		noneAfter, manyAfter := run(1, hi)
		if noneAfter == 0 {
			return false
		}
		many := manyBefore + manyAfter + 2 // the line itself, on each side
		none := noneBefore + noneAfter
		return many*keepRun < many+none
	}
	var keep, pos []int
	for i := s; i < e; i++ {
		k := kind[i-s]
		if k == matched || (k == tooMany && !discard(i-s)) {
			keep = append(keep, x[i])
			pos = append(pos, i)
		} else {
			cx[i] = true
		}
	}
	return keep, pos
}

type myers struct {
	a, b    []int // the kept lines
	ia, ib  []int // their positions in the full files
	ca, cb  []bool
	vf, vb  []int // furthest x per diagonal (x - y), offset by off
	off     int
	maxCost int
}

func (m *myers) compare(a0, a1, b0, b1 int, minimal bool) {
	for a0 < a1 && b0 < b1 && m.a[a0] == m.b[b0] {
		a0++
		b0++
	}
	for a0 < a1 && b0 < b1 && m.a[a1-1] == m.b[b1-1] {
		a1--
		b1--
	}
	switch {
	case a0 == a1:
		for j := b0; j < b1; j++ {
			m.cb[m.ib[j]] = true
		}
	case b0 == b1:
		for i := a0; i < a1; i++ {
			m.ca[m.ia[i]] = true
		}
	default:
		x, y, minLo, minHi := m.split(a0, a1, b0, b1, minimal)
		if (x == a0 && y == b0) || (x == a1 && y == b1) {
			for i := a0; i < a1; i++ {
				m.ca[m.ia[i]] = true
			}
			for j := b0; j < b1; j++ {
				m.cb[m.ib[j]] = true
			}
			return
		}
		m.compare(a0, x, b0, y, minLo)
		m.compare(x, a1, y, b1, minHi)
	}
}

// split returns a point (x, y) where the box is cut in two, and whether
// each half must be diffed minimally. Diagonals are numbered k = x - y.
func (m *myers) split(a0, a1, b0, b1 int, minimal bool) (x, y int, minLo, minHi bool) {
	const none = int(^uint(0) >> 2)
	a, b, off := m.a, m.b, m.off
	vf := func(k int) *int { return &m.vf[off+k] }
	vb := func(k int) *int { return &m.vb[off+k] }
	kLo, kHi := a0-b1, a1-b0
	fMid, bMid := a0-b0, a1-b1
	odd := (fMid-bMid)&1 != 0
	fLo, fHi, bLo, bHi := fMid, fMid, bMid, bMid
	*vf(fMid) = a0
	*vb(bMid) = a1
	for cost := 1; ; cost++ {
		goodSnake := false

		// Forward: one more edit on every reachable diagonal.
		if fLo > kLo {
			fLo--
			*vf(fLo - 1) = -1
		} else {
			fLo++
		}
		if fHi < kHi {
			fHi++
			*vf(fHi + 1) = -1
		} else {
			fHi--
		}
		for k := fHi; k >= fLo; k -= 2 {
			x := *vf(k + 1)
			if *vf(k - 1) >= x {
				x = *vf(k - 1) + 1
			}
			from := x
			y := x - k
			for x < a1 && y < b1 && a[x] == b[y] {
				x++
				y++
			}
			if x-from > snakeLen {
				goodSnake = true
			}
			*vf(k) = x
			if odd && bLo <= k && k <= bHi && *vb(k) <= x {
				return x, y, true, true
			}
		}

		// Backward, from the far corner.
		if bLo > kLo {
			bLo--
			*vb(bLo - 1) = none
		} else {
			bLo++
		}
		if bHi < kHi {
			bHi++
			*vb(bHi + 1) = none
		} else {
			bHi--
		}
		for k := bHi; k >= bLo; k -= 2 {
			x := *vb(k + 1) - 1
			if *vb(k - 1) < *vb(k + 1) {
				x = *vb(k - 1)
			}
			from := x
			y := x - k
			for x > a0 && y > b0 && a[x-1] == b[y-1] {
				x--
				y--
			}
			if from-x > snakeLen {
				goodSnake = true
			}
			*vb(k) = x
			if !odd && fLo <= k && k <= fHi && x <= *vf(k) {
				return x, y, true, true
			}
		}
		if minimal {
			continue
		}

		// A good snake far enough along splits the box early.
		if goodSnake && cost > heurCost {
			if bx, by, ok := m.goodForward(a0, a1, b0, b1, fLo, fHi, fMid, cost); ok {
				return bx, by, true, false
			}
			if bx, by, ok := m.goodBackward(a0, a1, b0, b1, bLo, bHi, bMid, cost); ok {
				return bx, by, false, true
			}
		}

		// Too expensive: cut at the furthest-reaching diagonal.
		if cost >= m.maxCost {
			fBest, fX := -1, -1
			for k := fHi; k >= fLo; k -= 2 {
				x := min(*vf(k), a1)
				y := x - k
				if y > b1 {
					x, y = b1+k, b1
				}
				if x+y > fBest {
					fBest, fX = x+y, x
				}
			}
			bBest, bX := none, none
			for k := bHi; k >= bLo; k -= 2 {
				x := max(*vb(k), a0)
				y := x - k
				if y < b0 {
					x, y = b0+k, b0
				}
				if x+y < bBest {
					bBest, bX = x+y, x
				}
			}
			if (a1+b1)-bBest < fBest-(a0+b0) {
				return fX, fBest - fX, true, false
			}
			return bX, bBest - bX, false, true
		}
	}
}

// goodForward looks for the forward diagonal furthest along (less its
// distance from the middle) whose end follows a snake of snakeLen lines.
func (m *myers) goodForward(a0, a1, b0, b1, fLo, fHi, fMid, cost int) (int, int, bool) {
	best, bx, by := 0, 0, 0
	for k := fHi; k >= fLo; k -= 2 {
		x := m.vf[m.off+k]
		y := x - k
		v := (x - a0) + (y - b0) - abs(k-fMid)
		if v <= heurFactor*cost || v <= best {
			continue
		}
		if a0+snakeLen > x || x >= a1 || b0+snakeLen > y || y >= b1 {
			continue
		}
		run := true
		for i := 1; i <= snakeLen; i++ {
			if m.a[x-i] != m.b[y-i] {
				run = false
				break
			}
		}
		if run {
			best, bx, by = v, x, y
		}
	}
	return bx, by, best > 0
}

// goodBackward is goodForward for the backward search: the snake
// follows the diagonal's end.
func (m *myers) goodBackward(a0, a1, b0, b1, bLo, bHi, bMid, cost int) (int, int, bool) {
	best, bx, by := 0, 0, 0
	for k := bHi; k >= bLo; k -= 2 {
		x := m.vb[m.off+k]
		y := x - k
		v := (a1 - x) + (b1 - y) - abs(k-bMid)
		if v <= heurFactor*cost || v <= best {
			continue
		}
		if a0 >= x || x > a1-snakeLen || b0 >= y || y > b1-snakeLen {
			continue
		}
		run := true
		for i := 0; i < snakeLen; i++ {
			if m.a[x+i] != m.b[y+i] {
				run = false
				break
			}
		}
		if run {
			best, bx, by = v, x, y
		}
	}
	return bx, by, best > 0
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// compact slides each group of changed lines in x (flags cx) up and down
// over equal lines: groups are merged with neighbours where possible and
// then moved as low as they go, unless an earlier position lines them up
// with a change in the other file (flags co), which wins.
func compact(x []int, cx, co []bool) {
	n, no := len(x), len(co)
	type group struct{ s, e int }
	initGroup := func(c []bool, size int) group {
		g := group{}
		for g.e < size && c[g.e] {
			g.e++
		}
		return g
	}
	nextGroup := func(c []bool, size int, g *group) bool {
		if g.e == size {
			return false
		}
		g.s = g.e + 1
		g.e = g.s
		for g.e < size && c[g.e] {
			g.e++
		}
		return true
	}
	prevGroup := func(c []bool, g *group) bool {
		if g.s == 0 {
			return false
		}
		g.e = g.s - 1
		g.s = g.e
		for g.s > 0 && c[g.s-1] {
			g.s--
		}
		return true
	}
	slideUp := func(g *group) bool {
		if g.s > 0 && x[g.s-1] == x[g.e-1] {
			g.s--
			g.e--
			cx[g.s] = true
			cx[g.e] = false
			for g.s > 0 && cx[g.s-1] {
				g.s--
			}
			return true
		}
		return false
	}
	slideDown := func(g *group) bool {
		if g.e < n && x[g.s] == x[g.e] {
			cx[g.s] = false
			cx[g.e] = true
			g.s++
			g.e++
			for g.e < n && cx[g.e] {
				g.e++
			}
			return true
		}
		return false
	}

	g := initGroup(cx, n)
	o := initGroup(co, no)
	for {
		if g.e != g.s {
			var size, earliestEnd int
			endMatchingOther := -1
			for {
				size = g.e - g.s
				endMatchingOther = -1
				for slideUp(&g) {
					prevGroup(co, &o)
				}
				earliestEnd = g.e
				if o.e > o.s {
					endMatchingOther = g.e
				}
				for slideDown(&g) {
					nextGroup(co, no, &o)
					if o.e > o.s {
						endMatchingOther = g.e
					}
				}
				if size == g.e-g.s {
					break
				}
			}
			if g.e != earliestEnd && endMatchingOther != -1 {
				for o.e == o.s {
					slideUp(&g)
					prevGroup(co, &o)
				}
			}
		}
		if !nextGroup(cx, n, &g) {
			break
		}
		nextGroup(co, no, &o)
	}
}

// script turns change flags into ordered edits.
func script(ca, cb []bool) []Edit {
	var out []Edit
	i, j := 0, 0
	for i < len(ca) || j < len(cb) {
		if i < len(ca) && j < len(cb) && !ca[i] && !cb[j] {
			i++
			j++
			continue
		}
		e := Edit{A0: i, B0: j}
		for i < len(ca) && ca[i] {
			i++
		}
		for j < len(cb) && cb[j] {
			j++
		}
		e.A1, e.B1 = i, j
		if e.A0 == e.A1 && e.B0 == e.B1 {
			// Unbalanced tails cannot happen when both sides agree on
			// the unchanged lines; guard against an infinite loop anyway.
			if i < len(ca) {
				i++
			}
			if j < len(cb) {
				j++
			}
			continue
		}
		out = append(out, e)
	}
	return out
}
