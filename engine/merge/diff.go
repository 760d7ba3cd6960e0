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

// myersRegion marks changes for a[a0:a1] against b[b0:b1] with Myers'
// O(ND) algorithm (linear-space, divide and conquer on the middle snake).
func myersRegion(a, b []int, ca, cb []bool, a0, a1, b0, b1 int) {
	n := (a1 - a0) + (b1 - b0) + 2
	m := myers{a: a, b: b, ca: ca, cb: cb, vf: make([]int, 2*n+1), vb: make([]int, 2*n+1), off: n}
	m.compare(a0, a1, b0, b1)
}

type myers struct {
	a, b   []int
	ca, cb []bool
	vf, vb []int
	off    int
}

func (m *myers) compare(a0, a1, b0, b1 int) {
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
		markRange(m.cb, b0, b1)
	case b0 == b1:
		markRange(m.ca, a0, a1)
	default:
		x, y := m.split(a0, a1, b0, b1)
		if (x == a0 && y == b0) || (x == a1 && y == b1) {
			markRange(m.ca, a0, a1)
			markRange(m.cb, b0, b1)
			return
		}
		m.compare(a0, x, b0, y)
		m.compare(x, a1, y, b1)
	}
}

// split returns a point (x, y) on an optimal edit path through the box,
// found where the forward and backward searches meet.
func (m *myers) split(a0, a1, b0, b1 int) (int, int) {
	N, M := a1-a0, b1-b0
	delta := N - M
	odd := delta&1 != 0
	vf, vb, off := m.vf, m.vb, m.off
	vf[off+1] = 0
	vb[off+1] = 0
	maxD := (N + M + 1) / 2
	for d := 0; d <= maxD; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && vf[off+k-1] < vf[off+k+1]) {
				x = vf[off+k+1]
			} else {
				x = vf[off+k-1] + 1
			}
			y := x - k
			for x < N && y < M && m.a[a0+x] == m.b[b0+y] {
				x++
				y++
			}
			vf[off+k] = x
			if odd && k-delta >= -(d-1) && k-delta <= d-1 {
				if x+vb[off+delta-k] >= N {
					return a0 + x, b0 + y
				}
			}
		}
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && vb[off+k-1] < vb[off+k+1]) {
				x = vb[off+k+1]
			} else {
				x = vb[off+k-1] + 1
			}
			y := x - k
			for x < N && y < M && m.a[a1-1-x] == m.b[b1-1-y] {
				x++
				y++
			}
			vb[off+k] = x
			if !odd && delta-k >= -d && delta-k <= d {
				if x+vf[off+delta-k] >= N {
					return a1 - x, b1 - y
				}
			}
		}
	}
	return a0, b0 // unreachable for non-empty boxes
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
