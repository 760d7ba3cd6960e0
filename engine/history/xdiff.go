package history

// This file is a port of the parts of git's xdiff (xdiff/xprepare.c,
// xdiff/xdiffi.c, xdiff/xemit.c as of git 2.39) that git's patch-id uses:
// the Myers algorithm with git's record cleanup, its cost heuristics and its
// change compaction (no indent heuristic: patch-ids are computed with
// xpp.flags = 0), and the unified emission with three lines of context.
// Matching git's choices exactly matters: a patch-id hashes context lines
// too, so a different but equally minimal diff gives a different id.

const (
	xdlMaxCostMin  = 256
	xdlHeurMinCost = 256
	xdlSnakeCnt    = 20
	xdlKHeur       = 4
	xdlKPDisRun    = 4
	xdlMaxEqLimit  = 1024
	xdlSimscanWin  = 100
	xdlLineMax     = int(^uint(0) >> 1)
)

// xfile is one side of a diff: its records (lines), their classes and the
// per-line change marks.
type xfile struct {
	recs   [][]byte
	ha     []int // class of each record
	rchg   []bool
	nrec   int
	dstart int
	dend   int
	rindex []int // reduced index → record index
	rha    []int // reduced classes
}

func (f *xfile) chg(i int) bool { return f.rchg[i+1] }
func (f *xfile) set(i int, v bool) {
	f.rchg[i+1] = v
}

// splitLines cuts data into records that keep their trailing newline.
func splitLines(data []byte) [][]byte {
	var recs [][]byte
	for len(data) > 0 {
		i := indexByte(data, '\n')
		if i < 0 {
			recs = append(recs, data)
			break
		}
		recs = append(recs, data[:i+1])
		data = data[i+1:]
	}
	return recs
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func bogosqrt(n int) int {
	i := 1
	for ; n > 0; n >>= 2 {
		i <<= 1
	}
	return i
}

// xchange is one change of the edit script: chg1 records of file 1 from i1
// replaced by chg2 records of file 2 from i2.
type xchange struct {
	i1, i2, chg1, chg2 int
}

// xdiff computes git's Myers edit script between a and b.
func xdiff(a, b []byte) (f1, f2 *xfile, script []xchange) {
	f1 = &xfile{recs: splitLines(a)}
	f2 = &xfile{recs: splitLines(b)}
	classes := make(map[string]int, len(f1.recs)+len(f2.recs))
	var len1, len2 []int
	classify := func(f *xfile, pass int) {
		f.nrec = len(f.recs)
		f.ha = make([]int, f.nrec)
		f.rchg = make([]bool, f.nrec+2)
		for i, r := range f.recs {
			c, ok := classes[string(r)]
			if !ok {
				c = len(len1)
				classes[string(r)] = c
				len1 = append(len1, 0)
				len2 = append(len2, 0)
			}
			if pass == 1 {
				len1[c]++
			} else {
				len2[c]++
			}
			f.ha[i] = c
		}
	}
	classify(f1, 1)
	classify(f2, 2)

	// xdl_trim_ends
	lim := min(f1.nrec, f2.nrec)
	i := 0
	for ; i < lim; i++ {
		if f1.ha[i] != f2.ha[i] {
			break
		}
	}
	f1.dstart, f2.dstart = i, i
	lim -= i
	j := 0
	for ; j < lim; j++ {
		if f1.ha[f1.nrec-1-j] != f2.ha[f2.nrec-1-j] {
			break
		}
	}
	f1.dend = f1.nrec - j - 1
	f2.dend = f2.nrec - j - 1

	// xdl_cleanup_records
	cleanup := func(f *xfile, other []int) {
		dis := make([]byte, f.nrec+1)
		mlim := min(bogosqrt(f.nrec), xdlMaxEqLimit)
		for i := f.dstart; i <= f.dend; i++ {
			nm := other[f.ha[i]]
			switch {
			case nm == 0:
				dis[i] = 0
			case nm >= mlim:
				dis[i] = 2
			default:
				dis[i] = 1
			}
		}
		for i := f.dstart; i <= f.dend; i++ {
			if dis[i] == 1 || (dis[i] == 2 && !cleanMMatch(dis, i, f.dstart, f.dend)) {
				f.rindex = append(f.rindex, i)
				f.rha = append(f.rha, f.ha[i])
			} else {
				f.set(i, true)
			}
		}
	}
	cleanup(f1, len2)
	cleanup(f2, len1)

	// xdl_do_diff
	n1, n2 := len(f1.rindex), len(f2.rindex)
	ndiags := n1 + n2 + 3
	kvd := make([]int, 2*ndiags+2)
	env := &xenv{
		mxcost:   max(bogosqrt(ndiags), xdlMaxCostMin),
		snakeCnt: xdlSnakeCnt,
		heurMin:  xdlHeurMinCost,
		kvdf:     kvd,
		kvdb:     kvd[ndiags:],
		koff:     n2 + 1,
	}
	env.recsCmp(f1, 0, n1, f2, 0, n2, false)

	changeCompact(f1, f2)
	changeCompact(f2, f1)
	return f1, f2, buildScript(f1, f2)
}

func cleanMMatch(dis []byte, i, s, e int) bool {
	if i-s > xdlSimscanWin {
		s = i - xdlSimscanWin
	}
	if e-i > xdlSimscanWin {
		e = i + xdlSimscanWin
	}
	rdis0, rpdis0 := 0, 1
	for r := 1; i-r >= s; r++ {
		if dis[i-r] == 0 {
			rdis0++
		} else if dis[i-r] == 2 {
			rpdis0++
		} else {
			break
		}
	}
	if rdis0 == 0 {
		return false
	}
	rdis1, rpdis1 := 0, 1
	for r := 1; i+r <= e; r++ {
		if dis[i+r] == 0 {
			rdis1++
		} else if dis[i+r] == 2 {
			rpdis1++
		} else {
			break
		}
	}
	if rdis1 == 0 {
		return false
	}
	rdis1 += rdis0
	rpdis1 += rpdis0
	return rpdis1*xdlKPDisRun < rpdis1+rdis1
}

type xenv struct {
	mxcost, snakeCnt, heurMin int
	kvdf, kvdb                []int // indexed by diagonal + koff
	koff                      int
}

type xsplit struct {
	i1, i2       int
	minLo, minHi bool
}

func (x *xenv) split(ha1 []int, off1, lim1 int, ha2 []int, off2, lim2 int, needMin bool, spl *xsplit) {
	kf := func(d int) *int { return &x.kvdf[d+x.koff] }
	kb := func(d int) *int { return &x.kvdb[d+x.koff] }
	dmin, dmax := off1-lim2, lim1-off2
	fmid, bmid := off1-off2, lim1-lim2
	odd := (fmid-bmid)&1 != 0
	fmin, fmax := fmid, fmid
	bmin, bmax := bmid, bmid
	*kf(fmid) = off1
	*kb(bmid) = lim1
	for ec := 1; ; ec++ {
		gotSnake := false
		if fmin > dmin {
			fmin--
			*kf(fmin - 1) = -1
		} else {
			fmin++
		}
		if fmax < dmax {
			fmax++
			*kf(fmax + 1) = -1
		} else {
			fmax--
		}
		for d := fmax; d >= fmin; d -= 2 {
			var i1 int
			if *kf(d - 1) >= *kf(d + 1) {
				i1 = *kf(d - 1) + 1
			} else {
				i1 = *kf(d + 1)
			}
			prev1 := i1
			i2 := i1 - d
			for i1 < lim1 && i2 < lim2 && ha1[i1] == ha2[i2] {
				i1++
				i2++
			}
			if i1-prev1 > x.snakeCnt {
				gotSnake = true
			}
			*kf(d) = i1
			if odd && bmin <= d && d <= bmax && *kb(d) <= i1 {
				spl.i1, spl.i2 = i1, i2
				spl.minLo, spl.minHi = true, true
				return
			}
		}
		if bmin > dmin {
			bmin--
			*kb(bmin - 1) = xdlLineMax
		} else {
			bmin++
		}
		if bmax < dmax {
			bmax++
			*kb(bmax + 1) = xdlLineMax
		} else {
			bmax--
		}
		for d := bmax; d >= bmin; d -= 2 {
			var i1 int
			if *kb(d - 1) < *kb(d + 1) {
				i1 = *kb(d - 1)
			} else {
				i1 = *kb(d + 1) - 1
			}
			prev1 := i1
			i2 := i1 - d
			for i1 > off1 && i2 > off2 && ha1[i1-1] == ha2[i2-1] {
				i1--
				i2--
			}
			if prev1-i1 > x.snakeCnt {
				gotSnake = true
			}
			*kb(d) = i1
			if !odd && fmin <= d && d <= fmax && i1 <= *kf(d) {
				spl.i1, spl.i2 = i1, i2
				spl.minLo, spl.minHi = true, true
				return
			}
		}
		if needMin {
			continue
		}
		if gotSnake && ec > x.heurMin {
			best := 0
			for d := fmax; d >= fmin; d -= 2 {
				dd := d - fmid
				if dd < 0 {
					dd = -dd
				}
				i1 := *kf(d)
				i2 := i1 - d
				v := (i1 - off1) + (i2 - off2) - dd
				if v > xdlKHeur*ec && v > best &&
					off1+x.snakeCnt <= i1 && i1 < lim1 &&
					off2+x.snakeCnt <= i2 && i2 < lim2 {
					for k := 1; ha1[i1-k] == ha2[i2-k]; k++ {
						if k == x.snakeCnt {
							best = v
							spl.i1, spl.i2 = i1, i2
							break
						}
					}
				}
			}
			if best > 0 {
				spl.minLo, spl.minHi = true, false
				return
			}
			best = 0
			for d := bmax; d >= bmin; d -= 2 {
				dd := d - bmid
				if dd < 0 {
					dd = -dd
				}
				i1 := *kb(d)
				i2 := i1 - d
				v := (lim1 - i1) + (lim2 - i2) - dd
				if v > xdlKHeur*ec && v > best &&
					off1 < i1 && i1 <= lim1-x.snakeCnt &&
					off2 < i2 && i2 <= lim2-x.snakeCnt {
					for k := 0; ha1[i1+k] == ha2[i2+k]; k++ {
						if k == x.snakeCnt-1 {
							best = v
							spl.i1, spl.i2 = i1, i2
							break
						}
					}
				}
			}
			if best > 0 {
				spl.minLo, spl.minHi = false, true
				return
			}
		}
		if ec >= x.mxcost {
			fbest, fbest1 := -1, -1
			for d := fmax; d >= fmin; d -= 2 {
				i1 := min(*kf(d), lim1)
				i2 := i1 - d
				if lim2 < i2 {
					i1, i2 = lim2+d, lim2
				}
				if fbest < i1+i2 {
					fbest, fbest1 = i1+i2, i1
				}
			}
			bbest, bbest1 := xdlLineMax, xdlLineMax
			for d := bmax; d >= bmin; d -= 2 {
				i1 := max(off1, *kb(d))
				i2 := i1 - d
				if i2 < off2 {
					i1, i2 = off2+d, off2
				}
				if i1+i2 < bbest {
					bbest, bbest1 = i1+i2, i1
				}
			}
			if (lim1+lim2)-bbest < fbest-(off1+off2) {
				spl.i1, spl.i2 = fbest1, fbest-fbest1
				spl.minLo, spl.minHi = true, false
			} else {
				spl.i1, spl.i2 = bbest1, bbest-bbest1
				spl.minLo, spl.minHi = false, true
			}
			return
		}
	}
}

func (x *xenv) recsCmp(f1 *xfile, off1, lim1 int, f2 *xfile, off2, lim2 int, needMin bool) {
	ha1, ha2 := f1.rha, f2.rha
	for off1 < lim1 && off2 < lim2 && ha1[off1] == ha2[off2] {
		off1++
		off2++
	}
	for off1 < lim1 && off2 < lim2 && ha1[lim1-1] == ha2[lim2-1] {
		lim1--
		lim2--
	}
	switch {
	case off1 == lim1:
		for ; off2 < lim2; off2++ {
			f2.set(f2.rindex[off2], true)
		}
	case off2 == lim2:
		for ; off1 < lim1; off1++ {
			f1.set(f1.rindex[off1], true)
		}
	default:
		var spl xsplit
		x.split(ha1, off1, lim1, ha2, off2, lim2, needMin, &spl)
		x.recsCmp(f1, off1, spl.i1, f2, off2, spl.i2, spl.minLo)
		x.recsCmp(f1, spl.i1, lim1, f2, spl.i2, lim2, spl.minHi)
	}
}

type xgroup struct{ start, end int }

func groupInit(f *xfile) xgroup {
	g := xgroup{}
	for f.chg(g.end) {
		g.end++
	}
	return g
}

func groupNext(f *xfile, g *xgroup) bool {
	if g.end == f.nrec {
		return false
	}
	g.start = g.end + 1
	for g.end = g.start; f.chg(g.end); g.end++ {
	}
	return true
}

func groupPrevious(f *xfile, g *xgroup) bool {
	if g.start == 0 {
		return false
	}
	g.end = g.start - 1
	for g.start = g.end; f.chg(g.start - 1); g.start-- {
	}
	return true
}

func groupSlideDown(f *xfile, g *xgroup) bool {
	if g.end < f.nrec && f.ha[g.start] == f.ha[g.end] {
		f.set(g.start, false)
		g.start++
		f.set(g.end, true)
		g.end++
		for f.chg(g.end) {
			g.end++
		}
		return true
	}
	return false
}

func groupSlideUp(f *xfile, g *xgroup) bool {
	if g.start > 0 && f.ha[g.start-1] == f.ha[g.end-1] {
		g.start--
		f.set(g.start, true)
		g.end--
		f.set(g.end, false)
		for f.chg(g.start - 1) {
			g.start--
		}
		return true
	}
	return false
}

// changeCompact slides each group of changed lines of f as far down as it
// goes, or up to line up with a change in o (xdl_change_compact without the
// indent heuristic). The group walks of f and o stay in step by
// construction, as in git.
func changeCompact(f, o *xfile) {
	g := groupInit(f)
	gonext := groupInit(o)
	for {
		if g.end != g.start {
			var groupsize, earliestEnd int
			endMatchingOther := -1
			for {
				groupsize = g.end - g.start
				endMatchingOther = -1
				for groupSlideUp(f, &g) {
					groupPrevious(o, &gonext)
				}
				earliestEnd = g.end
				if gonext.end > gonext.start {
					endMatchingOther = g.end
				}
				for groupSlideDown(f, &g) {
					groupNext(o, &gonext)
					if gonext.end > gonext.start {
						endMatchingOther = g.end
					}
				}
				if groupsize == g.end-g.start {
					break
				}
			}
			if g.end != earliestEnd && endMatchingOther != -1 {
				for gonext.end == gonext.start {
					if !groupSlideUp(f, &g) {
						break
					}
					groupPrevious(o, &gonext)
				}
			}
		}
		if !groupNext(f, &g) {
			break
		}
		groupNext(o, &gonext)
	}
}

func buildScript(f1, f2 *xfile) []xchange {
	var rev []xchange
	i1, i2 := f1.nrec, f2.nrec
	for i1 >= 0 || i2 >= 0 {
		if f1.chg(i1-1) || f2.chg(i2-1) {
			l1, l2 := i1, i2
			for f1.chg(i1 - 1) {
				i1--
			}
			for f2.chg(i2 - 1) {
				i2--
			}
			rev = append(rev, xchange{i1: i1, i2: i2, chg1: l1 - i1, chg2: l2 - i2})
		}
		i1--
		i2--
	}
	for l, r := 0, len(rev)-1; l < r; l, r = l+1, r-1 {
		rev[l], rev[r] = rev[r], rev[l]
	}
	return rev
}

// emitUnified calls line for each line of the unified diff of the script
// with ctxlen lines of context and no hunk headers, as xdl_emit_diff does:
// prefix is ' ', '-' or '+'; context comes from file 2.
func emitUnified(f1, f2 *xfile, script []xchange, ctxlen int, line func(prefix byte, rec []byte)) {
	maxCommon := 2 * ctxlen
	for h := 0; h < len(script); {
		xch := script[h]
		e := h
		for e+1 < len(script) && script[e+1].i1-(script[e].i1+script[e].chg1) <= maxCommon {
			e++
		}
		xche := script[e]
		s2 := max(xch.i2-ctxlen, 0)
		lctx := min(ctxlen, f1.nrec-(xche.i1+xche.chg1), f2.nrec-(xche.i2+xche.chg2))
		e2 := xche.i2 + xche.chg2 + lctx
		for ; s2 < xch.i2; s2++ {
			line(' ', f2.recs[s2])
		}
		s1, s2 := xch.i1, xch.i2
		for k := h; ; k++ {
			c := script[k]
			for ; s1 < c.i1 && s2 < c.i2; s1, s2 = s1+1, s2+1 {
				line(' ', f2.recs[s2])
			}
			for s1 = c.i1; s1 < c.i1+c.chg1; s1++ {
				line('-', f1.recs[s1])
			}
			for s2 = c.i2; s2 < c.i2+c.chg2; s2++ {
				line('+', f2.recs[s2])
			}
			if k == e {
				break
			}
			s1 = c.i1 + c.chg1
			s2 = c.i2 + c.chg2
		}
		for s2 = xche.i2 + xche.chg2; s2 < e2; s2++ {
			line(' ', f2.recs[s2])
		}
		h = e + 1
	}
}
