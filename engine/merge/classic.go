package merge

// DiffClassic compares two sequences of lines (each line normally including
// its terminating newline) with the classic diff git uses by default — for
// patch-ids and for `git diff` without --histogram: Myers' algorithm with
// git's heuristics (common ends set aside, lines with no or too many equals
// discarded, the cost cutoffs) over the whole files, then each group of
// changes slid as Diff slides it. It applies no indent heuristic. The edits
// turn a into b, in order.
func DiffClassic(a, b [][]byte) []Edit {
	in := interner{ids: make(map[string]int, len(a))}
	ia, ib := in.lines(a), in.lines(b)
	ca, cb := make([]bool, len(ia)+1), make([]bool, len(ib)+1)
	myersRegion(ia, ib, ca, cb, 0, len(ia), 0, len(ib))
	ca, cb = ca[:len(ia)], cb[:len(ib)]
	compact(ia, ca, cb)
	compact(ib, cb, ca)
	return script(ca, cb)
}
