package merge

import (
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Directory renames, as merge-ort detects them by default: a directory
// that one side removed entirely, and whose files that side renamed
// mostly into one other directory, counts as renamed there; paths the
// other side added (or renamed) inside it are moved along, and each move
// is reported as a "file location" conflict for a person to check.
//
// A file renamed from dir/…/name to newdir/…/name votes for dir → newdir
// and, while the last components of the two directories agree, for their
// parents too (a/b/c/x → a/d/c/x votes for a/b/c → a/d/c and a/b → a/d).
// A directory renamed on both sides, or split between directories with no
// majority, is not renamed.

// underAny reports whether p is one of dirs or lies inside one of them.
func underAny(p string, dirs map[string]bool) bool {
	if dirs[""] {
		return true
	}
	for {
		if dirs[p] {
			return true
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return false
		}
		p = p[:i]
	}
}

func parentDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// dirExists reports whether directory dir exists in side's tree.
func (m *treeMerge) dirExists(side int, dir string) (bool, error) {
	if dir == "" {
		return true, nil
	}
	key := string(rune('0'+side)) + "\x00" + dir
	if ok, found := m.dirs[key]; found {
		return ok, nil
	}
	ok := false
	parentOK, err := m.dirExists(side, parentDir(dir))
	if err != nil {
		return false, err
	}
	if parentOK {
		h, err := m.dirHash(side, parentDir(dir))
		if err != nil {
			return false, err
		}
		t, err := m.readTree(h)
		if err != nil {
			return false, err
		}
		name := path.Base(dir)
		for _, e := range t.Entries {
			if e.Name == name && e.Mode == filemode.Dir {
				ok = true
				break
			}
		}
	}
	m.dirs[key] = ok
	return ok, nil
}

// dirHash returns the tree hash of an existing directory of side.
func (m *treeMerge) dirHash(side int, dir string) (plumbing.Hash, error) {
	h := m.roots[side]
	if dir == "" {
		return h, nil
	}
	for _, name := range strings.Split(dir, "/") {
		t, err := m.readTree(h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		found := false
		for _, e := range t.Entries {
			if e.Name == name && e.Mode == filemode.Dir {
				h, found = e.Hash, true
				break
			}
		}
		if !found {
			return plumbing.ZeroHash, nil
		}
	}
	return h, nil
}

// removedDir reports whether dir exists in the base but not in side.
func (m *treeMerge) removedDir(side int, dir string) (bool, error) {
	if dir == "" {
		return false, nil
	}
	inBase, err := m.dirExists(sBase, dir)
	if err != nil || !inBase {
		return false, err
	}
	inSide, err := m.dirExists(side, dir)
	return !inSide, err
}

// newPaths lists the paths the other side of side has and neither the
// base nor side has: files it added or renamed, and whole subtrees it
// added (not walked yet).
func (m *treeMerge) newPaths(side int) []string {
	other := 3 - side
	var ps []string
	for p, t := range m.files {
		if t.e[sBase].Absent() && t.e[side].Absent() && !t.e[other].Absent() {
			ps = append(ps, p)
		}
	}
	for _, d := range m.defers {
		if d.side == other && d.trees[sBase].IsZero() && d.trees[side].IsZero() {
			ps = append(ps, d.path)
		}
	}
	sort.Strings(ps)
	return ps
}

// dirCandidates returns the directories side removed that directly hold
// a file the other side added: git looks for renames of those only (a
// file added in a new subdirectory does not make its parent count, though
// it moves along when the parent is renamed for another reason).
func (m *treeMerge) dirCandidates(side int) (map[string]bool, error) {
	other := 3 - side
	cands := map[string]bool{}
	for p, t := range m.files {
		if !t.e[sBase].Absent() || !t.e[side].Absent() || t.e[other].Absent() {
			continue
		}
		d := parentDir(p)
		if d == "" || cands[d] {
			continue
		}
		rm, err := m.removedDir(side, d)
		if err != nil {
			return nil, err
		}
		if rm {
			cands[d] = true
		}
	}
	return cands, nil
}

// dirRenames counts the votes of side's file renames and returns the
// renamed directories among cands, old → new. A directory whose files
// went to several places with no majority is not renamed; git reports it
// as a conflict without index stages.
func (m *treeMerge) dirRenames(pairs map[string]string, cands map[string]bool) map[string]string {
	votes := map[string]map[string]int{}
	vote := func(od, nd string) {
		if !cands[od] {
			return
		}
		if votes[od] == nil {
			votes[od] = map[string]int{}
		}
		votes[od][nd]++
	}
	for src, dst := range pairs {
		od, nd := parentDir(src), parentDir(dst)
		for od != nd {
			vote(od, nd)
			if od == "" || nd == "" || path.Base(od) != path.Base(nd) {
				break
			}
			od, nd = parentDir(od), parentDir(nd)
		}
	}
	out := map[string]string{}
	for od, vs := range votes {
		best, bestN, tie := "", 0, false
		for nd, n := range vs {
			switch {
			case n > bestN:
				best, bestN, tie = nd, n, false
			case n == bestN:
				tie = true
			}
		}
		if !tie {
			out[od] = best
			continue
		}
		m.extra = append(m.extra, Conflict{Path: od, Kind: KindDirRenameSplit})
	}
	return out
}

// applyDirRenames moves the paths each side added inside directories the
// other side renamed. A path whose new place is taken, or wanted by two
// paths, stays where it is.
func (m *treeMerge) applyDirRenames(dirRen [3]map[string]string, pairs *[3]map[string]string) error {
	for od := range dirRen[sOurs] {
		if _, ok := dirRen[sTheirs][od]; ok {
			delete(dirRen[sOurs], od)
			delete(dirRen[sTheirs], od)
		}
	}
	var taken map[string]bool
	for _, side := range []int{sOurs, sTheirs} {
		ren := dirRen[side]
		if len(ren) == 0 {
			continue
		}
		other := 3 - side
		dirs := map[string]bool{}
		for od := range ren {
			dirs[od] = true
		}
		if err := m.expandSide(other, dirs); err != nil {
			return err
		}
		if taken == nil {
			taken = map[string]bool{}
			for _, it := range m.items {
				taken[it.path] = true
			}
		}
		moves := map[string]string{}
		wanted := map[string]int{}
		for _, p := range m.newPaths(side) {
			best := ""
			found := false
			for d := parentDir(p); ; d = parentDir(d) {
				if _, ok := ren[d]; ok {
					best, found = d, true
					break
				}
				if d == "" {
					break
				}
			}
			if !found {
				continue
			}
			if _, ok := dirRen[other][ren[best]]; ok {
				// The new directory is one the other side renamed
				// away: git leaves the path alone (with a warning).
				continue
			}
			np := ren[best] + p[len(best):]
			if ren[best] == "" {
				np = p[len(best)+1:]
			}
			moves[p] = np
			wanted[np]++
		}
		if len(moves) > 0 {
			if err := m.exactSources(other, moves, pairs); err != nil {
				return err
			}
		}
		srcOf := map[string]string{}
		for src, dst := range pairs[other] {
			srcOf[dst] = src
		}
		ps := make([]string, 0, len(moves))
		for p := range moves {
			ps = append(ps, p)
		}
		sort.Strings(ps)
		for _, p := range ps {
			np := moves[p]
			if wanted[np] > 1 || taken[np] {
				m.implicitConflict(np)
				continue
			}
			t := m.files[p]
			if t2, ok := m.files[np]; ok {
				// Something of the other side's own is in the way: stay.
				// A path of this side's is merged with the moved one.
				if !t2.e[other].Absent() {
					m.implicitConflict(np)
					continue
				}
				delete(m.files, p)
				t2.e[other] = t.e[other]
				t2.names[other] = p
				t2.moved = true
				if src, ok := srcOf[p]; ok {
					pairs[other][src] = np
				}
				continue
			}
			delete(m.files, p)
			for i := range t.e {
				if !t.e[i].Absent() {
					t.e[i].Path = np
				}
			}
			t.names = [3]string{np, np, np}
			t.names[other] = p
			t.moved = true
			m.files[np] = t
			if src, ok := srcOf[p]; ok {
				pairs[other][src] = np
			}
		}
	}
	return nil
}

// implicitConflict records that a directory rename could not put a path
// at np (git's "implicit dir rename" conflict, without index stages).
func (m *treeMerge) implicitConflict(np string) {
	for _, c := range m.extra {
		if c.Path == np && c.Kind == KindImplicitDirRename {
			return
		}
	}
	m.extra = append(m.extra, Conflict{Path: np, Kind: KindImplicitDirRename})
}

// exactSources finds, for the paths side added that a directory rename
// moves, the files side deleted with the same contents: git pairs exact
// renames whatever the other side did to the source, and a moved rename
// keeps the source's stages. Such sources may lie in directories side
// removed, not read yet; like git, files side deleted from a directory
// only it changed are not looked at.
func (m *treeMerge) exactSources(side int, moves map[string]string, pairs *[3]map[string]string) error {
	if err := m.readRemoved(side, nil); err != nil {
		return err
	}

	if pairs[side] == nil {
		// Git looks for no renames at all on a side without a file
		// whose rename matters.
		return nil
	}
	targets := map[string]bool{}
	for _, dst := range pairs[side] {
		targets[dst] = true
	}
	bySrc := map[plumbing.Hash][]string{}
	for p, t := range m.files {
		b := t.e[sBase]
		if b.Absent() || !t.e[side].Absent() || t.hidden || fileKind(b.Mode) == 3 || b.Hash == emptyBlob {
			continue
		}
		if _, ok := pairs[side][p]; ok {
			continue
		}
		bySrc[b.Hash] = append(bySrc[b.Hash], p)
	}
	ps := make([]string, 0, len(moves))
	for p := range moves {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	used := map[string]bool{}
	for _, p := range ps {
		t := m.files[p]
		if t == nil || targets[p] || !t.e[sBase].Absent() || !t.e[3-side].Absent() {
			continue
		}
		cands := bySrc[t.e[side].Hash]
		sort.Strings(cands)
		best := ""
		for _, s := range cands {
			if used[s] || fileKind(m.files[s].e[sBase].Mode) != fileKind(t.e[side].Mode) {
				continue
			}
			if best == "" || (path.Base(s) == path.Base(p) && path.Base(best) != path.Base(p)) {
				best = s
			}
		}
		if best != "" {
			used[best] = true
			pairs[side][best] = p
		}
	}
	return nil
}
