// Package graph draws a track's history the way git log --graph does: lanes
// assigned row by row over commits in graph order, rendered only for the rows
// on screen so a history of a hundred thousand commits scrolls as fast as a
// short one.
package graph

// Node is a commit as the lane layout sees it.
type Node struct {
	ID      string
	Parents []string
}

// Row is one line of the drawn graph: a commit row or a connector row
// between two commits (merges opening a lane, lanes collapsing).
type Row struct {
	// Commit is the index of the commit (in the order given to Add) drawn
	// on this row, or -1 on connector rows.
	Commit int
	// Glyphs are the lane characters: '*' the commit, '|' a lane going
	// on, '/' and '\' lanes moving one column, '-' a lane crossing several
	// columns ('_' drawn under the lanes it crosses). Two characters per column, no trailing spaces.
	Glyphs string
}

// Layout assigns lanes incrementally: Add more commits as pages arrive and
// the rows already laid out never change.
type Layout struct {
	cols    []int32 // interned id of the commit each lane waits for
	commits int

	// Interned commit ids, with a per-row stamp so finding a lane by id
	// costs O(1): histories like git/git run 150 lanes wide.
	ids   map[string]int32
	stamp []uint32 // per id: the row generation that placed it in next
	at    []int32  // per id: its column in next, valid when stamp matches
	gen   uint32

	Rows []Row
	// Width is the widest Glyphs so far, in cells.
	Width int
}

// edge is a lane going from column from (this row) to column to (next
// commit row); cur is where it is while connector rows are drawn.
type edge struct{ from, to, cur int }

// Add lays out the next commits, which must continue the graph order of
// the earlier ones (children before parents).
func (l *Layout) Add(nodes ...Node) {
	for _, n := range nodes {
		l.add(n)
	}
}

// Commits is the number of commits laid out.
func (l *Layout) Commits() int { return l.commits }

// add lays out one commit and returns the index of its row.
func (l *Layout) intern(id string) int32 {
	if l.ids == nil {
		l.ids = map[string]int32{}
	}
	if x, ok := l.ids[id]; ok {
		return x
	}
	x := int32(len(l.stamp))
	l.ids[id] = x
	l.stamp = append(l.stamp, 0)
	l.at = append(l.at, 0)
	return x
}

func (l *Layout) add(n Node) int {
	self := l.intern(n.ID)
	idx := -1
	for i, id := range l.cols {
		if id == self {
			idx = i
			break
		}
	}
	if idx < 0 {
		l.cols = append(l.cols, self)
		idx = len(l.cols) - 1
	}

	// The next columns, left to right; a commit already waited for by a
	// lane on the left absorbs the lanes that also wait for it.
	l.gen++
	next := make([]int32, 0, len(l.cols)+len(n.Parents))
	edges := make([]edge, 0, len(l.cols)+len(n.Parents))
	find := func(id int32) int {
		if l.stamp[id] == l.gen {
			return int(l.at[id])
		}
		l.stamp[id] = l.gen
		l.at[id] = int32(len(next))
		next = append(next, id)
		return len(next) - 1
	}
	for i, id := range l.cols {
		if i != idx {
			j := find(id)
			edges = append(edges, edge{i, j, i})
			continue
		}
		for _, p := range n.Parents {
			j := find(l.intern(p))
			edges = append(edges, edge{i, j, i})
		}
	}
	// Like git, a lane that arrived diagonally on the row above and moves
	// left again after this commit keeps its slant on the commit row.
	var prev string
	if k := len(l.Rows); k > 0 && l.Rows[k-1].Commit < 0 {
		prev = l.Rows[k-1].Glyphs
	}
	row := make([]byte, 0, 2*len(l.cols))
	for i := range l.cols {
		if i > 0 {
			row = append(row, ' ')
		}
		switch {
		case i == idx:
			row = append(row, '*')
		case 2*i+1 < len(prev) && prev[2*i+1] == '/' && leftward(edges, i):
			row = append(row, '/')
		default:
			row = append(row, '|')
		}
	}
	at := len(l.Rows)
	l.push(Row{Commit: l.commits, Glyphs: string(row)})
	l.commits++
	l.cols = next
	if len(n.Parents) > 1 {
		l.spread(edges, idx, len(n.Parents))
	}
	l.connect(edges)
	return at
}

// spread draws the row under a merge as git does: each extra parent opens
// a lane right of the commit and the lanes on the right step aside; lanes
// that must then collapse do so on the rows after.
func (l *Layout) spread(edges []edge, idx, parents int) {
	extra := parents - 1
	width := 0
	for i := range edges {
		e := &edges[i]
		switch {
		case e.from < idx:
		case e.from == idx:
			e.cur = idx + (i - firstFrom(edges, idx))
		default:
			e.cur = e.from + extra
		}
		width = max(width, 2*e.cur+2)
	}
	row := make([]byte, width)
	for i := range row {
		row[i] = ' '
	}
	for _, e := range edges {
		if e.cur == e.from {
			row[2*e.cur] = '|'
		} else {
			row[2*e.cur-1] = '\\'
		}
	}
	l.push(Row{Commit: -1, Glyphs: trimRight(row)})
}

func firstFrom(edges []edge, col int) int {
	for i, e := range edges {
		if e.from == col {
			return i
		}
	}
	return 0
}

func leftward(edges []edge, col int) bool {
	for _, e := range edges {
		if e.from == col {
			return e.to < col
		}
	}
	return false
}

// connect draws connector rows until every lane is in its next column,
// moving lanes a column per row except the first long leftward one, which
// crosses on one row, as git does when lanes collapse.
func (l *Layout) connect(edges []edge) {
	for {
		moving := false
		for _, e := range edges {
			if e.cur != e.to {
				moving = true
				break
			}
		}
		if !moving {
			return
		}
		width := 0
		for _, e := range edges {
			if w := 2*max(e.cur, e.to) + 1; w > width {
				width = w
			}
		}
		row := make([]byte, width+1)
		for i := range row {
			row[i] = ' '
		}
		put := func(p int, c byte) {
			switch {
			case row[p] == ' ' || row[p] == c:
				row[p] = c
			case c == '|':
				// a straight lane wins over a crossing line
				row[p] = c
			case row[p] == '|':
			default:
				row[p] = 'X'
			}
		}
		horizontal := false
		for i := range edges {
			e := &edges[i]
			switch {
			case e.cur == e.to:
				put(2*e.cur, '|')
			case e.cur > e.to+1 && !horizontal:
				// The first lane travelling far left crosses the lanes
				// in between on one row, as git draws it: |_|_|/
				horizontal = true
				put(2*e.cur-1, '/')
				for k := e.to + 1; k <= e.cur-2; k++ {
					put(2*k+1, '_')
				}
				e.cur = e.to + 1
			case e.cur > e.to:
				put(2*e.cur-1, '/')
				e.cur--
			default:
				put(2*e.cur+1, '\\')
				e.cur++
			}
		}
		l.push(Row{Commit: -1, Glyphs: trimRight(row)})
	}
}

func (l *Layout) push(r Row) {
	if len(r.Glyphs) > l.Width {
		l.Width = len(r.Glyphs)
	}
	l.Rows = append(l.Rows, r)
}

func trimRight(b []byte) string {
	n := len(b)
	for n > 0 && b[n-1] == ' ' {
		n--
	}
	return string(b[:n])
}
