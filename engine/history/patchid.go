package history

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/switchyard/switchyard/engine/merge"
)

// PatchID is git's patch-id of a commit (the unstable flavour git cherry
// and git rebase use): the sum, with carry, of one SHA-1 per changed file of
// the diff against the first parent, each over the file names, mode changes
// and the diff's lines with whitespace removed. An empty commit has the zero
// id, so empty commits are all equivalent, as in git.
type PatchID [20]byte

// A file of more than this many bytes is treated as binary, as git does by
// default (core.bigFileThreshold).
const bigFileThreshold = 512 << 20

// firstFewBytes is how much of a file git looks at for a NUL byte to call
// it binary.
const firstFewBytes = 8000

type filePair struct {
	path       string
	oldMode    filemode.FileMode // 0: added
	newMode    filemode.FileMode // 0: deleted
	oldH, newH plumbing.Hash
}

// diffTrees lists the changed files between two trees recursively, without
// rename detection (as git cherry), in git's tree order. Entries are read
// in place; only changed ones are copied out.
func diffTrees(s storer.EncodedObjectStorer, a, b plumbing.Hash, base string, out []filePair) ([]filePair, error) {
	if a == b {
		return out, nil
	}
	var ta, tb treeIter
	var err error
	if !a.IsZero() {
		if ta.data, err = readObject(s, plumbing.TreeObject, a); err != nil {
			return nil, fmt.Errorf("read tree %s: %w", a, err)
		}
		ta.id = a
	}
	if !b.IsZero() {
		if tb.data, err = readObject(s, plumbing.TreeObject, b); err != nil {
			return nil, fmt.Errorf("read tree %s: %w", b, err)
		}
		tb.id = b
	}
	ta.data, tb.data = trimCommon(ta.data, tb.data)
	x, okx, err := ta.next()
	if err != nil {
		return nil, err
	}
	y, oky, err := tb.next()
	if err != nil {
		return nil, err
	}
	for okx || oky {
		var c int
		switch {
		case !okx:
			c = 1
		case !oky:
			c = -1
		case bytes.Equal(x.raw, y.raw):
			c = 2 // unchanged
		default:
			c = compareNames(x, y)
		}
		switch c {
		case -1:
			out, err = removeOrAdd(s, base, x, true, out)
		case 1:
			out, err = removeOrAdd(s, base, y, false, out)
		case 0:
			if x.mode == y.mode && bytes.Equal(x.hash, y.hash) {
				break
			}
			if x.mode == filemode.Dir {
				out, err = diffTrees(s, hashOf(x.hash), hashOf(y.hash), base+string(x.name)+"/", out)
			} else {
				out = append(out, filePair{path: base + string(x.name), oldMode: x.mode, newMode: y.mode, oldH: hashOf(x.hash), newH: hashOf(y.hash)})
			}
		}
		if err != nil {
			return nil, err
		}
		if c != 1 {
			if x, okx, err = ta.next(); err != nil {
				return nil, err
			}
		}
		if c != -1 {
			if y, oky, err = tb.next(); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// trimCommon drops the entries two tree objects share at their start and
// at their end, found by comparing bytes: a commit changes a few entries of
// trees of hundreds, and only the rest need parsing.
func trimCommon(a, b []byte) ([]byte, []byte) {
	n := min(len(a), len(b))
	i := 0
	for i+64 <= n && bytes.Equal(a[i:i+64], b[i:i+64]) {
		i += 64
	}
	for i < n && a[i] == b[i] {
		i++
	}
	// The whole entries within the common bytes are the same entries in
	// both, each starting at the same offset.
	start := 0
	for {
		nul := bytes.IndexByte(a[start:], 0)
		if nul < 0 || start+nul+21 > i {
			break
		}
		start += nul + 21
	}
	a, b = a[start:], b[start:]
	n = min(len(a), len(b))
	j := 0
	for j+64 <= n && bytes.Equal(a[len(a)-j-64:len(a)-j], b[len(b)-j-64:len(b)-j]) {
		j += 64
	}
	for j < n && a[len(a)-1-j] == b[len(b)-1-j] {
		j++
	}
	if j == 0 {
		return a, b
	}
	// At the end, the bytes after an entry boundary of each tree are the
	// same entries when they are the same length (both within the common
	// end).
	ea, eb := entryAtOrAfter(a, len(a)-j), entryAtOrAfter(b, len(b)-j)
	if ea >= 0 && eb >= 0 && len(a)-ea == len(b)-eb {
		return a[:ea], b[:eb]
	}
	return a, b
}

// entryAtOrAfter returns the offset of the first entry of a tree object at
// or after p, or -1 when the entries do not parse.
func entryAtOrAfter(t []byte, p int) int {
	off := 0
	for off < p {
		nul := bytes.IndexByte(t[off:], 0)
		if nul < 0 || off+nul+21 > len(t) {
			return -1
		}
		off += nul + 21
	}
	return off
}

// treeEntry is an entry of a tree object, pointing into the object.
type treeEntry struct {
	mode filemode.FileMode
	name []byte
	hash []byte // 20 bytes
	raw  []byte // the whole entry
}

// treeIter reads a tree object's entries: "<octal mode> <name>\0" and 20
// bytes of id each.
type treeIter struct {
	id   plumbing.Hash
	data []byte
}

func (t *treeIter) next() (treeEntry, bool, error) {
	if len(t.data) == 0 {
		return treeEntry{}, false, nil
	}
	bad := func() (treeEntry, bool, error) {
		return treeEntry{}, false, fmt.Errorf("tree %s: %w: bad entry", t.id, ErrCorrupt)
	}
	d := t.data
	sp := bytes.IndexByte(d, ' ')
	if sp <= 0 || sp > 7 {
		return bad()
	}
	var mode uint32
	for _, c := range d[:sp] {
		if c < '0' || c > '7' {
			return bad()
		}
		mode = mode<<3 | uint32(c-'0')
	}
	nul := bytes.IndexByte(d[sp+1:], 0)
	if nul < 0 || len(d) < sp+1+nul+1+20 {
		return bad()
	}
	end := sp + 1 + nul + 1 + 20
	e := treeEntry{mode: filemode.FileMode(mode), name: d[sp+1 : sp+1+nul], hash: d[end-20 : end], raw: d[:end]}
	t.data = d[end:]
	return e, true, nil
}

func hashOf(b []byte) plumbing.Hash {
	var h plumbing.Hash
	copy(h[:], b)
	return h
}

// compareNames orders tree entries as git does: a directory sorts as if
// its name ended in "/"; a file and a directory of the same name are
// different entries.
func compareNames(a, b treeEntry) int {
	n := min(len(a.name), len(b.name))
	if c := bytes.Compare(a.name[:n], b.name[:n]); c != 0 {
		return c
	}
	at := func(e treeEntry, i int) int {
		switch {
		case i < len(e.name):
			return int(e.name[i])
		case i == len(e.name) && e.mode == filemode.Dir:
			return '/'
		}
		return -1
	}
	for i := n; ; i++ {
		ca, cb := at(a, i), at(b, i)
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		case ca == -1:
			return 0
		}
	}
}

// readObject reads an object's content without hashing it again. The
// content of a packed object is shared with the pack reader's cache: the
// caller must not modify it.
func readObject(s storer.EncodedObjectStorer, t plumbing.ObjectType, id plumbing.Hash) ([]byte, error) {
	o, err := s.EncodedObject(t, id)
	if err != nil {
		return nil, err
	}
	if po, ok := o.(*packedObject); ok {
		return po.data, nil
	}
	r, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func removeOrAdd(s storer.EncodedObjectStorer, base string, e treeEntry, removed bool, out []filePair) ([]filePair, error) {
	if e.mode == filemode.Dir {
		if removed {
			return diffTrees(s, hashOf(e.hash), plumbing.ZeroHash, base+string(e.name)+"/", out)
		}
		return diffTrees(s, plumbing.ZeroHash, hashOf(e.hash), base+string(e.name)+"/", out)
	}
	p := filePair{path: base + string(e.name)}
	if removed {
		p.oldMode, p.oldH = e.mode, hashOf(e.hash)
	} else {
		p.newMode, p.newH = e.mode, hashOf(e.hash)
	}
	return append(out, p), nil
}

// removeSpace drops the bytes git's isspace matches: space, \t, \n, \r
// (git's own ctype, not the C library's).
func removeSpace(dst, b []byte) []byte {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			dst = append(dst, c)
		}
	}
	return dst
}

func addSum(sum *PatchID, h hash.Hash) {
	var one [20]byte
	h.Sum(one[:0])
	carry := uint16(0)
	for i := range sum {
		carry += uint16(sum[i]) + uint16(one[i])
		sum[i] = byte(carry)
		carry >>= 8
	}
	h.Reset()
}

func headerPart(h hash.Hash, p filePair, buf []byte) []byte {
	oldPath := removeSpace(buf[:0], []byte(p.path))
	h.Write([]byte("diff--gita/"))
	h.Write(oldPath)
	h.Write([]byte("b/"))
	h.Write(oldPath)
	switch {
	case p.oldMode == 0:
		fmt.Fprintf(h, "newfilemode%06o", uint32(p.newMode))
	case p.newMode == 0:
		fmt.Fprintf(h, "deletedfilemode%06o", uint32(p.oldMode))
	case p.oldMode != p.newMode:
		fmt.Fprintf(h, "oldmode%06onewmode%06o", uint32(p.oldMode), uint32(p.newMode))
	}
	return oldPath
}

// HeaderID is git's "header only" patch-id: file names and modes, no
// content. Two commits with different header ids never have the same
// patch-id, so the full id is needed only when header ids collide.
func HeaderID(files []filePair) PatchID {
	var sum PatchID
	h := sha1.New()
	var buf []byte
	for _, p := range files {
		buf = headerPart(h, p, buf)
		addSum(&sum, h)
	}
	return sum
}

// blobsKey identifies a commit's changes by the ids of the blobs each
// changed file goes from and to, with names and modes: commits with the
// same key have the same diff, so the same patch-id, without reading a
// blob. (Not a git notion; it spares computing full ids.)
func blobsKey(files []filePair) PatchID {
	h := sha1.New()
	var b []byte
	for _, p := range files {
		b = append(b[:0], p.path...)
		b = append(b, 0)
		b = binary.BigEndian.AppendUint32(b, uint32(p.oldMode))
		b = binary.BigEndian.AppendUint32(b, uint32(p.newMode))
		b = append(b, p.oldH[:]...)
		b = append(b, p.newH[:]...)
		h.Write(b)
	}
	var k PatchID
	if len(files) > 0 {
		h.Sum(k[:0])
	}
	return k
}

// blobData reads a blob's content; a submodule reads as git shows it.
func blobData(s storer.EncodedObjectStorer, mode filemode.FileMode, id plumbing.Hash) (data []byte, big bool, err error) {
	if mode == 0 {
		return nil, false, nil
	}
	if mode == filemode.Submodule {
		return []byte("Subproject commit " + id.String() + "\n"), false, nil
	}
	o, err := s.EncodedObject(plumbing.BlobObject, id)
	if err != nil {
		return nil, false, fmt.Errorf("read blob %s: %w", id, err)
	}
	if o.Size() > bigFileThreshold {
		return nil, true, nil
	}
	if po, ok := o.(*packedObject); ok {
		return po.data, false, nil // shared: read only
	}
	r, err := o.Reader()
	if err != nil {
		return nil, false, fmt.Errorf("read blob %s: %w", id, err)
	}
	defer r.Close()
	data, err = io.ReadAll(r)
	if err != nil {
		return nil, false, fmt.Errorf("read blob %s: %w", id, err)
	}
	return data, false, nil
}

func isBinary(data []byte) bool {
	if len(data) > firstFewBytes {
		data = data[:firstFewBytes]
	}
	return bytes.IndexByte(data, 0) >= 0
}

// FullID computes git's patch-id from a commit's changed files.
func FullID(s storer.EncodedObjectStorer, files []filePair) (PatchID, error) {
	var sum PatchID
	h := sha1.New()
	var buf, line []byte
	for _, p := range files {
		path := headerPart(h, p, buf)
		buf = path
		a, bigA, err := blobData(s, p.oldMode, p.oldH)
		if err != nil {
			return sum, err
		}
		b, bigB, err := blobData(s, p.newMode, p.newH)
		if err != nil {
			return sum, err
		}
		if bigA || bigB || isBinary(a) || isBinary(b) {
			h.Write([]byte(p.oldH.String()))
			h.Write([]byte(p.newH.String()))
			addSum(&sum, h)
			continue
		}
		switch {
		case p.oldMode == 0:
			h.Write([]byte("---/dev/null+++b/"))
			h.Write(path)
		case p.newMode == 0:
			h.Write([]byte("---a/"))
			h.Write(path)
			h.Write([]byte("+++/dev/null"))
		default:
			h.Write([]byte("---a/"))
			h.Write(path)
			h.Write([]byte("+++b/"))
			h.Write(path)
		}
		unifiedBody(splitLines(a), splitLines(b), 3, func(prefix byte, rec []byte) {
			// The context prefix is a space, which git's whitespace
			// removal drops with the rest.
			line = line[:0]
			if prefix != ' ' {
				line = append(line, prefix)
			}
			line = removeSpace(line, rec)
			h.Write(line)
		})
		addSum(&sum, h)
	}
	return sum, nil
}

// splitLines cuts data into lines that keep their trailing newline; the
// last one may lack it.
func splitLines(data []byte) [][]byte {
	lines := make([][]byte, 0, bytes.Count(data, []byte{'\n'})+1)
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lines = append(lines, data)
			break
		}
		lines = append(lines, data[:i+1:i+1])
		data = data[i+1:]
	}
	return lines
}

// unifiedBody calls line for each line of the unified diff of a and b
// without hunk headers, as patch-ids hash it: prefix is ' ' for context,
// '-' for a line of a removed, '+' for a line of b added. The edits are
// the classic diff's. Each hunk shows up to ctx unchanged lines before and
// after its changes; changes separated by at most 2×ctx unchanged lines
// share a hunk, which shows all of them. Unchanged lines are taken from b.
func unifiedBody(a, b [][]byte, ctx int, line func(prefix byte, rec []byte)) {
	edits := merge.DiffClassic(a, b)
	for first := 0; first < len(edits); {
		last := first
		for last+1 < len(edits) && edits[last+1].A0-edits[last].A1 <= 2*ctx {
			last++
		}
		for _, l := range b[max(edits[first].B0-ctx, 0):edits[first].B0] {
			line(' ', l)
		}
		for k := first; k <= last; k++ {
			e := edits[k]
			if k > first {
				for _, l := range b[edits[k-1].B1:e.B0] {
					line(' ', l)
				}
			}
			for _, l := range a[e.A0:e.A1] {
				line('-', l)
			}
			for _, l := range b[e.B0:e.B1] {
				line('+', l)
			}
		}
		end := edits[last].B1
		for _, l := range b[end:min(end+ctx, len(b))] {
			line(' ', l)
		}
		first = last + 1
	}
}
