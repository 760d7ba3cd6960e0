package merge

import (
	"bytes"
	"fmt"
)

// Style selects how conflicts are shown, as git's merge.conflictStyle.
type Style int

const (
	// MergeStyle shows ours and theirs only (git's "merge", the default).
	MergeStyle Style = iota
	// Diff3 also shows the base between ||||||| and =======. As in git,
	// conflicts are not refined in this style.
	Diff3
	// ZDiff3 is Diff3 with the lines common to the start and end of ours
	// and theirs moved out of the conflict.
	ZDiff3
)

// String returns git's name for the style.
func (s Style) String() string {
	switch s {
	case MergeStyle:
		return "merge"
	case Diff3:
		return "diff3"
	case ZDiff3:
		return "zdiff3"
	}
	return fmt.Sprintf("Style(%d)", int(s))
}

// Options tunes a merge. The zero value is git's default behaviour with
// empty marker labels.
type Options struct {
	Style Style

	// Labels written after the conflict markers, e.g. "HEAD",
	// "parent of abc1234 (subject)", "abc1234 (subject)".
	BaseLabel, OursLabel, TheirsLabel string

	// RenameThreshold is the minimum similarity, in percent, for an added
	// and a deleted file to count as a rename. Zero means git's 50.
	RenameThreshold int

	// NoRenames turns rename detection off.
	NoRenames bool

	// MarkerSize is the length of the conflict markers; zero means
	// git's 7. (Git uses 8 for a file renamed differently on each side.)
	MarkerSize int
}

// Validate reports options that cannot be honoured.
func (o Options) Validate() error {
	if o.Style < MergeStyle || o.Style > ZDiff3 {
		return fmt.Errorf("merge: unknown conflict style %d", int(o.Style))
	}
	if o.MarkerSize < 0 {
		return fmt.Errorf("merge: marker size %d out of range", o.MarkerSize)
	}
	if o.RenameThreshold < 0 || o.RenameThreshold > 100 {
		return fmt.Errorf("merge: rename threshold %d%% out of range", o.RenameThreshold)
	}
	return nil
}

// markerSize is the length of git's conflict markers.
const markerSize = 7

// A Chunk is a stretch of a merged file: either settled text, or a conflict.
type Chunk struct {
	Conflict bool
	// Text is the settled text when !Conflict.
	Text []byte
	// Base, Ours, Theirs are the three sides when Conflict, verbatim (a
	// side's last line may lack its newline). Base is the stretch of the
	// base that git's diff3 style shows.
	Base, Ours, Theirs []byte
	// CRLF reports that git ends this conflict's marker lines (and any
	// newline it must add to a side) with CRLF, because the surrounding
	// lines do.
	CRLF bool
}

// FileResult is the outcome of merging one file.
type FileResult struct {
	Chunks []Chunk
	// Conflicts is the number of conflict chunks.
	Conflicts int
	// Binary reports that one of the inputs is binary (a NUL byte in its
	// first 8000 bytes, git's test). The result is then a single
	// conflict chunk and Render returns ours unchanged, as git does.
	Binary bool
}

// Clean reports whether the merge has no conflicts.
func (r *FileResult) Clean() bool { return r.Conflicts == 0 }

// Render writes the merged file with conflict markers exactly as git writes
// them in the worktree: 7-character markers followed by a space and the
// label (no space when the label is empty); the base section only for
// Diff3 and ZDiff3; a side whose last line lacks a newline gets one.
func (r *FileResult) Render(opts Options) []byte {
	if r.Binary {
		for _, c := range r.Chunks {
			if c.Conflict {
				return bytes.Clone(c.Ours)
			}
			return bytes.Clone(c.Text)
		}
		return nil
	}
	var buf bytes.Buffer
	for _, c := range r.Chunks {
		if !c.Conflict {
			buf.Write(c.Text)
			continue
		}
		eol := "\n"
		if c.CRLF {
			eol = "\r\n"
		}
		size := opts.MarkerSize
		if size == 0 {
			size = markerSize
		}
		marker := func(ch byte, label string) {
			for range size {
				buf.WriteByte(ch)
			}
			if label != "" {
				buf.WriteByte(' ')
				buf.WriteString(label)
			}
			buf.WriteString(eol)
		}
		side := func(b []byte) {
			buf.Write(b)
			if len(b) > 0 && b[len(b)-1] != '\n' {
				buf.WriteString(eol)
			}
		}
		marker('<', opts.OursLabel)
		side(c.Ours)
		if opts.Style != MergeStyle {
			marker('|', opts.BaseLabel)
			side(c.Base)
		}
		marker('=', "")
		side(c.Theirs)
		marker('>', opts.TheirsLabel)
	}
	return buf.Bytes()
}

// IsBinary reports whether git would treat data as binary: a NUL byte in
// its first 8000 bytes.
func IsBinary(data []byte) bool {
	if len(data) > 8000 {
		data = data[:8000]
	}
	return bytes.IndexByte(data, 0) >= 0
}

// SplitLines splits data into lines, each keeping its newline; the last
// line lacks one when data does not end in a newline.
func SplitLines(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, data)
			break
		}
		out = append(out, data[:i+1])
		data = data[i+1:]
	}
	return out
}

// File merges three versions of one text file line by line with git's
// xdl_merge semantics at merge-ort's level: histogram diffs of base→ours
// and base→theirs, changes on only one side taken, identical changes on
// both sides merged cleanly, and (except for Diff3) each conflict refined
// zealously by diffing ours against theirs inside it. Binary inputs are
// not merged: see FileResult.Binary.
func File(base, ours, theirs []byte, opts Options) *FileResult {
	if IsBinary(base) || IsBinary(ours) || IsBinary(theirs) {
		return &FileResult{
			Binary:    true,
			Conflicts: 1,
			Chunks:    []Chunk{{Conflict: true, Base: base, Ours: ours, Theirs: theirs}},
		}
	}
	m := newMerger(base, ours, theirs)
	m.merge(opts.Style)
	return m.result()
}

// A region of the three-way merge, in line numbers: base [i0, i0+c0),
// ours [i1, i1+c1), theirs [i2, i2+c2).
type region struct {
	kind   regionKind
	i0, c0 int
	i1, c1 int
	i2, c2 int
}

type regionKind int

const (
	conflictRegion  regionKind = iota // both sides changed differently
	oursRegion                        // only ours changed: keep ours
	theirsRegion                      // only theirs changed: take theirs
	identicalRegion                   // both changed the same way: keep ours
)

type merger struct {
	base, ours, theirs [][]byte
	ib, io, it         []int
	nclass             int
	regions            []region
}

func newMerger(base, ours, theirs []byte) *merger {
	m := &merger{base: SplitLines(base), ours: SplitLines(ours), theirs: SplitLines(theirs)}
	var in interner
	m.ib, m.io, m.it = in.lines(m.base), in.lines(m.ours), in.lines(m.theirs)
	m.nclass = in.n
	return m
}

func (m *merger) merge(style Style) {
	e1 := diffIDs(m.ib, m.io, m.nclass)
	e2 := diffIDs(m.ib, m.it, m.nclass)
	m.collect(e1, e2)
	switch style {
	case Diff3:
		// diff3 output shows the base of each conflict as it is; git does
		// not refine conflicts in this style.
	case ZDiff3:
		// zdiff3 keeps conflicts whole (the base cannot be split) and
		// only trims what ours and theirs share at either end.
		m.zealousDiff3()
	default:
		m.refine()
		m.simplify()
	}
}

// add appends a region, folding it into the previous one when the two
// touch or overlap on the ours or theirs side (the fold is a conflict
// unless both are of the same kind).
func (m *merger) add(r region) {
	if n := len(m.regions); n > 0 {
		p := &m.regions[n-1]
		if r.i1 <= p.i1+p.c1 || r.i2 <= p.i2+p.c2 {
			if r.kind != p.kind {
				p.kind = conflictRegion
			}
			p.c0 = r.i0 + r.c0 - p.i0
			p.c1 = r.i1 + r.c1 - p.i1
			p.c2 = r.i2 + r.c2 - p.i2
			return
		}
	}
	m.regions = append(m.regions, r)
}

// collect walks the two edit scripts in base order and classifies each
// stretch of change.
func (m *merger) collect(e1, e2 []Edit) {
	dOurs := len(m.ours) - len(m.base)
	dTheirs := len(m.theirs) - len(m.base)
	i, j := 0, 0
	for i < len(e1) && j < len(e2) {
		x, y := e1[i], e2[j]
		if x.A1 < y.A0 {
			m.add(region{kind: oursRegion,
				i0: x.A0, c0: x.A1 - x.A0,
				i1: x.B0, c1: x.B1 - x.B0,
				i2: y.B0 - y.A0 + x.A0, c2: x.A1 - x.A0})
			i++
			continue
		}
		if y.A1 < x.A0 {
			m.add(region{kind: theirsRegion,
				i0: y.A0, c0: y.A1 - y.A0,
				i1: x.B0 - x.A0 + y.A0, c1: y.A1 - y.A0,
				i2: y.B0, c2: y.B1 - y.B0})
			j++
			continue
		}
		if x.A0 != y.A0 || x.A1 != y.A1 || !m.sameLines(x.B0, y.B0, x.B1-x.B0, y.B1-y.B0) {
			i0, i1, i2 := x.A0, x.B0, y.B0
			if off := x.A0 - y.A0; off > 0 {
				i0 -= off
				i1 -= off
			} else {
				i2 += off
			}
			c0 := x.A1 - i0
			c1 := x.B1 - i1
			c2 := y.B1 - i2
			if ffo := (x.A1 - y.A1); ffo < 0 {
				c0 -= ffo
				c1 -= ffo
			} else {
				c2 += ffo
			}
			m.add(region{kind: conflictRegion, i0: i0, c0: c0, i1: i1, c1: c1, i2: i2, c2: c2})
		}
		ex, ey := x.A1, y.A1
		if ex >= ey {
			j++
		}
		if ey >= ex {
			i++
		}
	}
	for ; i < len(e1); i++ {
		x := e1[i]
		m.add(region{kind: oursRegion,
			i0: x.A0, c0: x.A1 - x.A0,
			i1: x.B0, c1: x.B1 - x.B0,
			i2: x.A0 + dTheirs, c2: x.A1 - x.A0})
	}
	for ; j < len(e2); j++ {
		y := e2[j]
		m.add(region{kind: theirsRegion,
			i0: y.A0, c0: y.A1 - y.A0,
			i1: y.A0 + dOurs, c1: y.A1 - y.A0,
			i2: y.B0, c2: y.B1 - y.B0})
	}
}

func (m *merger) sameLines(i1, i2, n1, n2 int) bool {
	if n1 != n2 {
		return false
	}
	for k := range n1 {
		if m.io[i1+k] != m.it[i2+k] {
			return false
		}
	}
	return true
}

// refine diffs ours against theirs inside each conflict and keeps only the
// stretches that differ as conflicts; a conflict whose two sides turn out
// identical is settled.
func (m *merger) refine() {
	var out []region
	for _, r := range m.regions {
		if r.kind != conflictRegion || r.c1 == 0 || r.c2 == 0 {
			out = append(out, r)
			continue
		}
		edits := diffIDs(m.io[r.i1:r.i1+r.c1], m.it[r.i2:r.i2+r.c2], m.nclass)
		if len(edits) == 0 {
			r.kind = identicalRegion
			out = append(out, r)
			continue
		}
		for _, e := range edits {
			out = append(out, region{kind: conflictRegion,
				i0: r.i0, c0: r.c0,
				i1: r.i1 + e.A0, c1: e.A1 - e.A0,
				i2: r.i2 + e.B0, c2: e.B1 - e.B0})
		}
	}
	m.regions = out
}

// simplify joins two conflicts separated by at most three settled lines.
func (m *merger) simplify() {
	if len(m.regions) == 0 {
		return
	}
	out := m.regions[:1]
	for _, r := range m.regions[1:] {
		p := &out[len(out)-1]
		if p.kind == conflictRegion && r.kind == conflictRegion && r.i1-(p.i1+p.c1) <= 3 {
			p.c0 = r.i0 + r.c0 - p.i0
			p.c1 = r.i1 + r.c1 - p.i1
			p.c2 = r.i2 + r.c2 - p.i2
			continue
		}
		out = append(out, r)
	}
	m.regions = out
}

// zealousDiff3 moves the lines common to the start and the end of ours and
// theirs out of each conflict, keeping the base whole.
func (m *merger) zealousDiff3() {
	for k := range m.regions {
		r := &m.regions[k]
		if r.kind != conflictRegion {
			continue
		}
		for r.c1 > 0 && r.c2 > 0 && m.io[r.i1] == m.it[r.i2] {
			r.i1++
			r.i2++
			r.c1--
			r.c2--
		}
		for r.c1 > 0 && r.c2 > 0 && m.io[r.i1+r.c1-1] == m.it[r.i2+r.c2-1] {
			r.c1--
			r.c2--
		}
	}
}

// eolCRLF tells whether line i of ls ends in CRLF: 1 yes, 0 no, -1 unknown
// (empty file, or a lone last line without newline). A last line without
// newline takes the style of the line before it.
func eolCRLF(ls [][]byte, i int) int {
	if len(ls) == 0 {
		return -1
	}
	crlf := func(l []byte) int {
		if len(l) > 1 && l[len(l)-2] == '\r' && l[len(l)-1] == '\n' {
			return 1
		}
		return 0
	}
	l := ls[i]
	if i < len(ls)-1 || (len(l) > 0 && l[len(l)-1] == '\n') {
		return crlf(l)
	}
	if i == 0 {
		return -1
	}
	return crlf(ls[i-1])
}

// needsCR decides the end of line of a conflict's markers: CRLF only when
// the line before the conflict (or the first line) ends in CRLF in ours,
// theirs and base alike.
func (m *merger) needsCR(r region) bool {
	prev := func(i int) int {
		if i > 0 {
			return i - 1
		}
		return 0
	}
	v := eolCRLF(m.ours, prev(r.i1))
	if v != 0 {
		v = eolCRLF(m.theirs, prev(r.i2))
	}
	if v != 0 {
		v = eolCRLF(m.base, prev(r.i0))
	}
	return v > 0
}

func join(ls [][]byte) []byte {
	n := 0
	for _, l := range ls {
		n += len(l)
	}
	if n == 0 {
		return nil
	}
	out := make([]byte, 0, n)
	for _, l := range ls {
		out = append(out, l...)
	}
	return out
}

func (m *merger) result() *FileResult {
	res := &FileResult{}
	var settled [][]byte
	flush := func() {
		if t := join(settled); len(t) > 0 {
			res.Chunks = append(res.Chunks, Chunk{Text: t})
		}
		settled = settled[:0]
	}
	i := 0
	for _, r := range m.regions {
		switch r.kind {
		case identicalRegion:
			continue
		case conflictRegion:
			settled = append(settled, m.ours[i:r.i1]...)
			flush()
			res.Chunks = append(res.Chunks, Chunk{
				Conflict: true,
				Base:     join(m.base[r.i0 : r.i0+r.c0]),
				Ours:     join(m.ours[r.i1 : r.i1+r.c1]),
				Theirs:   join(m.theirs[r.i2 : r.i2+r.c2]),
				CRLF:     m.needsCR(r),
			})
			res.Conflicts++
		case oursRegion:
			settled = append(settled, m.ours[i:r.i1+r.c1]...)
		case theirsRegion:
			settled = append(settled, m.ours[i:r.i1]...)
			settled = append(settled, m.theirs[r.i2:r.i2+r.c2]...)
		}
		i = r.i1 + r.c1
	}
	settled = append(settled, m.ours[i:]...)
	flush()
	return res
}
